"""A narrator's recording: can it be used, where does the voice speak, and the ducking gain.

Ducking is a gain curve computed from where the voice speaks, not a compressor: the original
goes down by exactly the configured depth under the voice (a sidechain compressor's reduction
depends on how loud each word is, see bench/voiceover.py), and is multiplied by exactly 1.0
where nobody speaks, so music and effects there are untouched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.errors import PipelineError

FRAME = 0.01                # seconds per level frame
SILENT_PEAK_DB = -45.0      # a recording whose loudest sample is under this is empty (muted microphone)
MIN_SPAN = 0.08             # shorter bursts are clicks or breaths, not speech
FULL_SCALE = 0.999          # |sample| at or above this is at the converter's limit (16-bit: 0.99997)
CLIP_RUN = 3                # that many samples in a row at full scale: a peak was cut off
MAX_CLIPPED_PEAKS = 10      # more than this is audible distortion: record again
TOO_LONG_TOLERANCE = 0.5    # seconds of voice allowed past the episode's end (a last breath)
GAIN_RATE = 1000            # samples a second of the gain curve (ffmpeg resamples it; ramps are >= 10 ms)


@dataclass(frozen=True)
class Clipping:
    peaks: int      # runs of CLIP_RUN or more samples at full scale, all channels
    first: float    # seconds into the recording of the first one


def timecode(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    return f"{sign}{int(s // 60):02d}:{s % 60:04.1f}"


def peak_db(samples: np.ndarray) -> float:
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def clipping(samples: np.ndarray, channels: int, rate: int) -> Clipping:
    """Cut-off peaks in interleaved samples at the recording's own rate (before any resampling)."""
    frames = samples[: len(samples) // channels * channels].reshape(-1, channels)
    peaks, first = 0, math.inf
    for c in range(channels):
        at = np.concatenate(([0], (np.abs(frames[:, c]) >= FULL_SCALE).astype(np.int8), [0]))
        edges = np.diff(at)
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        long = starts[(ends - starts) >= CLIP_RUN]
        peaks += len(long)
        if len(long):
            first = min(first, long[0] / rate)
    return Clipping(peaks, first if peaks else 0.0)


def frame_levels(x: np.ndarray, rate: int) -> np.ndarray:
    """RMS level of each FRAME, in dBFS (-inf for digital silence)."""
    n = round(FRAME * rate)
    count = len(x) // n
    rms = np.sqrt(np.mean(x[: count * n].reshape(count, n).astype(np.float64) ** 2, axis=1))
    with np.errstate(divide="ignore"):
        return 20 * np.log10(rms)


def speech_spans(x: np.ndarray, rate: int, hold: float) -> list[tuple[float, float]]:
    """(start, end) seconds where the voice speaks; pauses shorter than `hold` are bridged.

    The threshold follows the recording: 30 dB under its loud speech, and 6 dB over its
    background (a room's hum), never under -60 dBFS."""
    levels = frame_levels(x, rate)
    finite = levels[np.isfinite(levels)]
    if not len(finite):
        return []
    loud, floor = np.percentile(finite, 95), np.percentile(finite, 10)
    threshold = min(max(loud - 30.0, floor + 6.0, -60.0), loud - 6.0)
    active = np.concatenate(([0], (levels > threshold).astype(np.int8), [0]))
    edges = np.diff(active)
    runs = list(zip(np.flatnonzero(edges == 1) * FRAME, np.flatnonzero(edges == -1) * FRAME, strict=True))
    merged: list[list[float]] = []
    for a, b in runs:
        if merged and a - merged[-1][1] < hold:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(float(a), float(b)) for a, b in merged if b - a >= MIN_SPAN]


def check_levels(name: str, native: np.ndarray, channels: int, native_rate: int,
                 spans: Sequence[tuple[float, float]]) -> None:
    """Refuse a silent or clipped recording (checked on its own samples, before any resampling)."""
    loudest = peak_db(native)
    if loudest < SILENT_PEAK_DB or not spans:
        level = "no sound at all" if loudest == -math.inf else f"loudest sample {loudest:.0f} dBFS"
        raise PipelineError(f"{name} is silent ({level})",
                            hint="check that the microphone was on and not muted, then record again")
    clipped = clipping(native, channels, native_rate)
    if clipped.peaks > MAX_CLIPPED_PEAKS:
        raise PipelineError(f"{name} is clipped: {clipped.peaks} peaks cut off at full scale "
                            f"(first at {timecode(clipped.first)})",
                            hint="record again with the input level lower (the loudest words around -6 dBFS)")


def on_episode(name: str, spans: Sequence[tuple[float, float]], start: float,
               episode_duration: float) -> list[tuple[float, float]]:
    """The voice's spans on the episode's clock (the episode starts `start` s into the recording);
    a voice that runs past the episode's end is refused."""
    placed = [(max(0.0, a - start), b - start) for a, b in spans if b - start > 0]
    if not placed:
        raise PipelineError(f"{name}: nobody speaks after the episode's start ({timecode(start)} into the recording)",
                            hint="check the sync: --sync none if the recording starts with the episode, "
                                 "or --offset SECONDS")
    end = placed[-1][1]
    if end > episode_duration + TOO_LONG_TOLERANCE:
        raise PipelineError(
            f"{name}: the voice runs {end - episode_duration:.1f} s past the end of the episode "
            f"(voice until {timecode(end)}, episode {timecode(episode_duration)})",
            hint="read the long passages faster or cut them, record again; if the start is wrong, "
                 "check the sync (--sync, --offset)")
    return [(a, min(b, episode_duration)) for a, b in placed]


def gain_curve(spans: Sequence[tuple[float, float]], duration: float, depth_db: float, attack: float,
               release: float, rate: int = GAIN_RATE) -> np.ndarray:
    """The original's gain over the episode: 1.0 where nobody speaks, 10^(-depth/20) under the voice,
    raised-cosine ramps of `attack` before each span and `release` after it."""
    n = math.ceil(duration * rate) + 1
    duck = np.zeros(n, dtype=np.float64)

    def ramp(i0: int, i1: int, rising: bool) -> None:
        i0, i1 = max(0, i0), min(n, i1)
        if i1 <= i0:
            return
        k = (np.arange(i0, i1) - i0 + 0.5) / (i1 - i0)
        shape = 0.5 - 0.5 * np.cos(np.pi * (k if rising else 1 - k))
        duck[i0:i1] = np.maximum(duck[i0:i1], shape)

    for a, b in spans:
        i1, i2 = round(a * rate), round(b * rate)
        ramp(i1 - round(attack * rate), i1, rising=True)
        duck[max(0, i1):min(n, i2)] = 1.0
        ramp(i2, i2 + round(release * rate), rising=False)
    floor = 10 ** (-depth_db / 20)
    return (1.0 - (1.0 - floor) * duck).astype(np.float32)
