"""Pure decisions for a rendition: picture size, frame rate, bit budget, loudness settings.

No I/O here, so every rule is cheap to test exhaustively.
"""

from __future__ import annotations

import math
from fractions import Fraction

from pipeline.errors import PipelineError
from pipeline.models import Loudness
from pipeline.profiles import Profile

STANDARD_RATES = (Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
                  Fraction(48), Fraction(50), Fraction(60000, 1001), Fraction(60))
CONTAINER_MARGIN = 0.96  # keep 4 % of a size cap for the container and encoder overshoot
WHATSAPP_LADDER = ((600, 480), (300, 360), (0, 240))  # video kb/s budget -> short side
MIN_VIDEO_KBPS = 48
LEAN_AUDIO_BELOW_KBPS = 400  # total kb/s under which audio drops to 32 kb/s


def even(x: float) -> int:
    return max(2, int(round(x / 2)) * 2)


def output_rate(source_fps: float) -> Fraction:
    """A constant frame rate for the output: the nearest standard rate (phones record ~29.9)."""
    if source_fps <= 0:
        return Fraction(25)
    best = min(STANDARD_RATES, key=lambda r: abs(float(r) - source_fps))
    if abs(float(best) - source_fps) / source_fps < 0.03:
        return best
    return Fraction(min(60, max(1, round(source_fps))))


def rate_text(fps: float) -> str:
    """A frame rate as editors write it: 25, 29.97, 23.976, 59.94 (never rounded to 30 or 24)."""
    return f"{fps:.3f}".rstrip("0").rstrip(".")


def capped_rate(rate: Fraction, max_fps: float) -> Fraction:
    """Halve 50/60 to 25/30 (even frame dropping, no judder) where that lands near the cap; else clamp."""
    while float(rate) > max_fps + 1e-6 and float(rate / 2) >= 0.8 * max_fps:
        rate = rate / 2
    return rate if float(rate) <= max_fps + 1e-6 else Fraction(max_fps).limit_denominator(1001)


def gop_frames(rate: Fraction, seconds: float) -> int:
    """Keyframe interval in frames, never longer than asked (YouTube: half the frame rate)."""
    return max(1, math.floor(float(rate) * seconds + 1e-9))


def fit_short_side(width: int, height: int, short_side: int) -> tuple[int, int]:
    """Scale so the shorter side is at most `short_side` (never upscale), even sizes."""
    short = min(width, height)
    f = min(1.0, short_side / short)
    return even(width * f), even(height * f)


def fit_inside(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    f = min(box_w / width, box_h / height)
    return min(box_w, even(width * f)), min(box_h, even(height * f))


def cover(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    f = max(box_w / width, box_h / height)
    return max(box_w, even(width * f)), max(box_h, even(height * f))


def size_capped_bitrates(profile: Profile, duration: float) -> tuple[int, int]:
    """Video and audio kb/s that keep the whole file under profile.max_size_mb.

    x264's VBV bounds the video to maxrate*duration + bufsize; with bufsize = one second
    of maxrate, the bound is maxrate*(duration+1). Long episodes get leaner audio first
    (speech stays intelligible at 32 kb/s), then less video, down to a watchable floor.
    """
    assert profile.max_size_mb is not None
    budget_kbits = profile.max_size_mb * 8000 * CONTAINER_MARGIN
    audio = profile.audio_kbps if budget_kbits / duration >= LEAN_AUDIO_BELOW_KBPS else min(32, profile.audio_kbps)
    video = int((budget_kbits - audio * duration) / (duration + 1))
    if video < MIN_VIDEO_KBPS:
        limit = (budget_kbits - MIN_VIDEO_KBPS) / (MIN_VIDEO_KBPS + audio) / 60
        raise PipelineError(
            f"{profile.name}: {duration / 60:.1f} min cannot fit in {profile.max_size_mb:g} MB at a watchable "
            f"quality (would get {max(video, 0)} kb/s of video)",
            hint=f"make short clips of at most {limit:.0f} min for {profile.name} (webseries clips)")
    return min(video, profile.maxrate_kbps or video), audio


def size_capped_short_side(profile: Profile, video_kbps: int) -> int:
    return min(profile.short_side, next(side for floor, side in WHATSAPP_LADDER if video_kbps >= floor))


def loudnorm_options(profile: Profile, measured: Loudness, keep_lra: bool) -> dict[str, object]:
    """Second-pass loudnorm settings; raising the LRA target keeps the gain linear (no pumping)."""
    lra = profile.lra
    if keep_lra and measured.lra >= lra:
        lra = min(50.0, math.ceil(measured.lra * 10) / 10 + 0.1)
    return {
        "I": profile.loudness, "TP": profile.true_peak, "LRA": lra,
        "measured_I": measured.integrated, "measured_TP": measured.true_peak,
        "measured_LRA": measured.lra, "measured_thresh": measured.threshold,
        "offset": measured.offset, "linear": "true",
    }


# loudnorm's dynamic mode, in an editor's words: what happened, and what to do about it.
DYNAMIC_NOTE = "loudness evened out moment by moment (dynamic mode): the mix is too peaky for a plain gain"


def dynamic_advice(renditions: list[str]) -> str:
    """Once per run: which renditions, why, and what the editor can do (loudnorm said "dynamic")."""
    return (f"the mix has loud peaks, so {', '.join(renditions)} could not simply be turned up to the platforms' "
            "loudness: the level was evened out moment by moment instead (it can sound a little squashed). Listen "
            "to one; to avoid it, put a limiter on the master mix (peaks at -2 dBTP or lower) and export it again")


def is_silent(measured: Loudness) -> bool:
    return not math.isfinite(measured.integrated) or measured.integrated < -70
