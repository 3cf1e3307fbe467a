"""Speech recognition behind one protocol: `Transcriber.transcribe(audio, language) -> Transcript`.

Backends (faster-whisper, openai-whisper) are small classes in a plain registry; heavy
libraries are imported inside them, so importing this package stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

# Idle OpenMP threads spin by default: on 2 cores that makes openai-whisper 5-8x slower. OpenMP
# reads these once, when the first library using it loads (ctranslate2 or torch): set them first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("KMP_BLOCKTIME", "0")

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


def make_transcriber(settings: AsrSettings) -> Transcriber:
    """The backend named in settings, with its model loaded (raises PipelineError on bad models)."""
    from pipeline.errors import PipelineError

    if settings.backend == "faster-whisper":
        from pipeline.asr.faster import FasterWhisper

        return FasterWhisper(settings)
    if settings.backend == "openai-whisper":
        from pipeline.asr.openai_whisper import OpenAIWhisper

        return OpenAIWhisper(settings)
    from pipeline.asr import extra  # Bambara backends used only when their packages are installed

    if settings.backend in extra.EXTRA_BACKENDS:
        return extra.make(settings)
    raise PipelineError(f"unknown speech recognition backend {settings.backend!r}",
                        hint=f"use one of: {', '.join(BACKENDS)}")


BACKENDS = ("faster-whisper", "openai-whisper")
