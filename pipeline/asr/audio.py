"""A master's sound as recognisers take it: 16 kHz mono float32, with the digest that keys the cache."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.asr.base import SAMPLE_RATE
from pipeline.errors import MediaError
from pipeline.manifest import require_master
from pipeline.models import Episode


@dataclass(frozen=True)
class Audio:
    samples: object   # numpy float32 array, 16 kHz mono
    sha256: str
    duration: float


def load_audio(episode: Episode) -> Audio:
    import numpy as np

    from pipeline.media import ffmpeg

    require_master(episode)
    info = ffmpeg.probe(episode.master)
    if not info.has_audio:
        raise MediaError(f"{episode.id}: the master has no audio stream, so there is nothing to subtitle",
                         hint="export the master with its sound track")
    with tempfile.TemporaryDirectory() as tmp:
        wav = ffmpeg.extract_speech_audio(episode.master, Path(tmp) / "speech.wav")
        raw = wav.read_bytes()[44:]  # canonical 44-byte header from ffmpeg's wav muxer
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return Audio(samples, hashlib.sha256(raw).hexdigest(), len(samples) / SAMPLE_RATE)
