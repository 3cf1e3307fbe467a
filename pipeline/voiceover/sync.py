"""Where a narrator's recording starts on the episode's clock, by cross-correlation.

The narrator's guide video opens with a lead-in of PREROLL seconds whose only sound is a chirp (a
tone rising from 800 to 3200 Hz in half a second) at CHIRP_AT; played aloud while recording, it
lands in the recording. A chirp's autocorrelation is a single sharp peak (a pure beep's is a long
ripple), so the matched filter finds it to the sample under speech and room noise. A recording made
while the episode itself played aloud is lined up the same way against the episode's first sound.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

RATE = 16000                 # analysis sample rate (speech and the chirp are well under 8 kHz)
PREROLL = 4.0                # seconds of lead-in before the episode's first frame in the guide
CHIRP_AT = 1.0               # where the chirp starts in the lead-in
CHIRP_SECONDS = 0.5
CHIRP_HZ = (800.0, 3200.0)   # inside what a phone's microphone and a laptop's speaker both pass
# A match is the correlation's peak in robust standard deviations of the rest (noise alone: < 5).
# The chirp also needs its normalised correlation: speech can line up with a chirp by chance (measured:
# 11 sigma, 0.09), the chirp through a reverberant room at -40 dBFS still gives 22 sigma and 0.19.
CHIRP_NEEDS = (16.0, 0.15)   # (significance, normalised correlation)
EPISODE_NEEDS = (8.0, 0.0)   # 20 s of programme: a long template, chance matches stay under 5 sigma
SEARCH_SECONDS = 180.0       # the sync point is looked for in the recording's first minutes
REFERENCE_SECONDS = 20.0     # how much of the episode's opening sound is matched (sync = "episode")


@dataclass(frozen=True)
class Match:
    """Where `reference` best matches inside a recording."""

    time: float          # seconds into the recording where the reference starts
    score: float         # normalised cross-correlation at that point (1.0: the same waveform)
    significance: float  # how far the peak stands above the correlation elsewhere (robust z-score)
    needs: tuple[float, float] = EPISODE_NEEDS

    @property
    def found(self) -> bool:
        return self.significance >= self.needs[0] and self.score >= self.needs[1]


def chirp(rate: int = RATE, amplitude: float = 0.5) -> np.ndarray:
    """The sync sound: a linear chirp with 10 ms fades (no click at either end)."""
    t = np.arange(round(CHIRP_SECONDS * rate)) / rate
    f0, f1 = CHIRP_HZ
    x = np.sin(2 * np.pi * (f0 * t + (f1 - f0) / (2 * CHIRP_SECONDS) * t * t))
    fade = round(0.01 * rate)
    ramp = np.sin(np.linspace(0, np.pi / 2, fade)) ** 2
    x[:fade] *= ramp
    x[-fade:] *= ramp[::-1]
    return (amplitude * x).astype(np.float32)


def preroll(rate: int) -> np.ndarray:
    """The guide's lead-in sound: silence with the chirp at CHIRP_AT."""
    out = np.zeros(round(PREROLL * rate), dtype=np.float32)
    c = chirp(rate)
    at = round(CHIRP_AT * rate)
    out[at:at + len(c)] = c
    return out


def locate(recording: np.ndarray, reference: np.ndarray, rate: int = RATE) -> Match:
    """The best match of `reference` in `recording` (normalised cross-correlation, via FFT)."""
    rec = recording.astype(np.float64)
    ref = reference.astype(np.float64)
    m = len(ref)
    if len(rec) < m or not np.any(ref):
        return Match(0.0, 0.0, 0.0)
    size = 1 << int(np.ceil(np.log2(len(rec) + m)))
    corr = np.fft.irfft(np.fft.rfft(rec, size) * np.conj(np.fft.rfft(ref, size)), size)[: len(rec) - m + 1]
    energy = np.cumsum(np.concatenate(([0.0], rec * rec)))
    window = np.maximum(energy[m:] - energy[:-m], 0.0)
    score = corr / (np.sqrt(window * float(ref @ ref)) + 1e-12)
    score[window < 1e-10 * m] = 0.0  # digital silence matches nothing
    best = int(np.argmax(score))
    spread = 1.4826 * float(np.median(np.abs(score - np.median(score)))) + 1e-12
    return Match(best / rate, float(score[best]), float((score[best] - np.median(score)) / spread))


def start_from_chirp(recording: np.ndarray, rate: int = RATE) -> tuple[float, Match]:
    """Seconds into the recording where the episode starts, from the guide's chirp."""
    match = replace(locate(recording[: round(SEARCH_SECONDS * rate)], chirp(rate), rate), needs=CHIRP_NEEDS)
    return match.time - CHIRP_AT + PREROLL, match


def first_sound(programme: np.ndarray, rate: int = RATE, floor_db: float = -45.0) -> float:
    """Seconds to the first 10 ms of the programme louder than `floor_db` (its first speech or music)."""
    frame = rate // 100
    n = len(programme) // frame
    rms = np.sqrt(np.mean(programme[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1))
    loud = np.flatnonzero(rms > 10 ** (floor_db / 20))
    return float(loud[0] * frame / rate) if len(loud) else -1.0


def start_from_episode(recording: np.ndarray, programme: np.ndarray, rate: int = RATE) -> tuple[float, Match]:
    """Seconds into the recording where the episode starts, from the episode's own sound heard in it.

    Returns a Match with significance 0 when the episode has no sound to match."""
    begin = first_sound(programme, rate)
    if begin < 0:
        return 0.0, Match(0.0, 0.0, 0.0)
    ref = programme[round(begin * rate): round((begin + REFERENCE_SECONDS) * rate)]
    match = locate(recording[: round((SEARCH_SECONDS + REFERENCE_SECONDS) * rate)], ref, rate)
    return match.time - begin, match
