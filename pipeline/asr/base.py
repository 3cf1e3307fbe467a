"""The one protocol every speech recogniser follows, and the data it gives back.

`Transcriber.transcribe(audio, language) -> Transcript`: words with timestamps, grouped in
the segments the model produced (kept for their confidence figures, see guards.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000  # what every Whisper model takes


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Segment:
    """One Whisper segment: kept only for its words and its confidence figures."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...]
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0


@dataclass(frozen=True)
class Transcript:
    language: str
    segments: tuple[Segment, ...]
    duration: float
    dropped: tuple[str, ...] = field(default_factory=tuple)  # why each dropped segment went

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in s.words)


@dataclass(frozen=True)
class AsrSettings:
    """Everything that changes what a backend hears (part of the rerun fingerprint)."""

    backend: str = "faster-whisper"
    model: str = "whisper-base"   # model name, a local path, or "whisper-base" (bundled)
    device: str = "auto"          # auto | cpu | cuda
    compute_type: str = "auto"    # faster-whisper: auto -> int8 on CPU, float16 on CUDA
    beam_size: int = 5            # faster-whisper; openai-whisper runs greedy (beam 5 is ~30x slower)
    language_token: str = ""      # token to decode with, when a fine-tune reuses another language's
    vad: bool = True
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    no_repeat_ngram: int = 6      # faster-whisper: see faster.py (beam search looped on the sample)
    phantom_phrases: tuple[str, ...] = ()


class Transcriber(Protocol):
    name: str

    def transcribe(self, audio: np.ndarray, language: str,
                   progress: Callable[[float], None] | None = None) -> Transcript:
        """Words with timestamps for 16 kHz mono float32 audio, in the given language;
        `progress` gets the seconds of audio done."""
        ...
