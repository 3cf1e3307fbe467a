"""Voice-activity gate shared by every backend: find speech, decode each stretch on its own.

Why each stretch is cut out and decoded as its own audio, rather than handing the whole track
to the backend with `clip_timestamps` (openai-whisper) or gluing the stretches together
(faster-whisper's `vad_filter`): measured on the sample episode,
- openai-whisper with `clip_timestamps` computes the log-mel of the whole track (its floor is
  set by the loudest sound anywhere, here the music) and pads a short window with zeros in the
  log-mel domain, which is not silence: greedy decoding of the first speech stretch fell into
  repetition, the temperature fallback produced noise, and every segment was dropped; the same
  stretch cut out and decoded alone gives the sentences (log-prob -0.89);
- decoded this way, faster-whisper fp32 greedy and openai-whisper fp32 greedy give the same
  words from the same weights, so the two backends can be compared and swapped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from pipeline.asr.base import SAMPLE_RATE, AsrSettings, Segment, Transcript

if TYPE_CHECKING:
    import numpy as np

MIN_SILENCE_MS = 500  # pauses between sentences stay inside one stretch (context helps Whisper)
SPEECH_PAD_MS = 200   # keeps word starts and ends: the first region begins 0.18 s before the voice


def speech_regions(audio: np.ndarray, min_silence_ms: int = MIN_SILENCE_MS,
                   pad_ms: int = SPEECH_PAD_MS) -> list[tuple[float, float]]:
    """Seconds of speech found by Silero VAD (the model faster-whisper ships, run on onnxruntime):
    stretches separated by pauses of at least `min_silence_ms`, widened by `pad_ms` each side."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=min_silence_ms, speech_pad_ms=pad_ms))
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in spans]


def shifted(seg: Segment, offset: float) -> Segment:
    return replace(seg, start=seg.start + offset, end=seg.end + offset,
                   words=tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in seg.words))


def decode_regions(audio: np.ndarray, use_vad: bool, decode: Callable[[np.ndarray], list[Segment]],
                   progress: Callable[[float], None] | None = None) -> list[Segment] | None:
    """Segments on the track's clock, each speech stretch decoded alone; None when the gate
    found no speech at all."""
    duration = len(audio) / SAMPLE_RATE
    regions = speech_regions(audio) if use_vad else [(0.0, duration)]
    if not regions:
        return None
    out: list[Segment] = []
    for start, end in regions:
        piece = audio[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)]
        out.extend(shifted(seg, start) for seg in decode(piece))
        if progress:
            progress(end)
    return out


def transcribe_speech(audio: np.ndarray, language: str, settings: AsrSettings,
                      decode: Callable[[np.ndarray, str], list[Segment]],
                      progress: Callable[[float], None] | None = None, whisper_tokens: bool = True) -> Transcript:
    """What every backend does around its own decoder: gate by voice activity, decode each
    stretch with the language token (checked against Whisper's when the model decodes with
    them), then drop what the hallucination guards reject."""
    from pipeline.asr import guards, resolve

    token = settings.language_token or language
    if whisper_tokens:
        resolve.check_language(token)
    duration = len(audio) / SAMPLE_RATE
    raw = decode_regions(audio, settings.vad, lambda piece: decode(piece, token), progress)
    if raw is None:
        return Transcript(language, (), duration, ("no speech found by voice-activity detection",))
    kept, dropped = guards.filter_segments(raw, settings)
    return Transcript(language, tuple(kept), duration, tuple(dropped))


class GatedTranscriber:
    """Base of every backend: it decodes one stretch of speech (`decode`, times from the
    stretch's start); the gate, the region decoder and the guards around it are the same for all."""

    name = ""
    whisper_tokens = True  # decodes with Whisper's language tokens (checked before decoding)
    settings: AsrSettings

    def decode(self, piece: np.ndarray, token: str) -> list[Segment]:
        raise NotImplementedError

    def transcribe(self, audio: np.ndarray, language: str,
                   progress: Callable[[float], None] | None = None) -> Transcript:
        return transcribe_speech(audio, language, self.settings, self.decode, progress, self.whisper_tokens)
