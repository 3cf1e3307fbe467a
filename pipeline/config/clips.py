"""[clips]: how highlights are chosen and how clips, trailer and thumbnails look."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.config.transcode import TranscodeConfig
from pipeline.profiles import X264_PRESETS
from pipeline.tomlread import Reader


@dataclass(frozen=True)
class ClipsConfig:
    """[clips]: how highlights are chosen and how clips, trailer and thumbnails look."""

    count: int  # automatic clips per episode
    min_seconds: float
    max_seconds: float
    keywords: tuple[str, ...]
    caption_lang: str
    landscape: bool  # also render a 16:9 variant of each clip
    title_bar: bool
    trailer_seconds: tuple[float, float]  # (shortest, longest), cards included
    title_card_seconds: float
    end_card_seconds: float
    fade_seconds: float
    first_release: str  # shown on the trailer's end card, e.g. "1er mars 2027"
    channels: tuple[str, ...]  # shown on the end card, e.g. "YouTube : AJCAD Mali"
    loudness_profile: str  # loudness target taken from this transcode profile
    preset: str
    crf: int


DEFAULT_KEYWORDS = ("citoyen", "vote", "voter", "mairie", "femmes", "jeunes", "conseil", "élus", "ensemble",
                    "gouvernance")


def parse(r: Reader, transcode: TranscodeConfig) -> ClipsConfig:
    lo = r.float("min_seconds", 15.0, lo=1.0, hi=600.0)
    hi = r.float("max_seconds", 60.0, lo=1.0, hi=600.0)
    if lo is not None and hi is not None and hi < lo:
        r.problem("max_seconds", f"must be at least min_seconds ({lo:g}), got {hi:g}")
    trailer = r.list("trailer_seconds", [45, 60], "a list [shortest, longest]")
    if not (isinstance(trailer, list) and len(trailer) == 2
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in trailer)
            and trailer[0] <= trailer[1]):
        r.problem("trailer_seconds", f"expected [shortest, longest] in seconds, e.g. [45, 60], got {trailer!r}")
        trailer = [45, 60]
    profile = r.str("loudness_profile", "youtube")
    if isinstance(profile, str) and profile not in transcode.profiles:
        r.problem("loudness_profile", f"unknown profile {profile!r} (known: {', '.join(transcode.profiles)})")
    cfg = ClipsConfig(
        count=r.int("count", 3, lo=0, hi=20),
        min_seconds=lo or 15.0, max_seconds=hi or 60.0,
        keywords=tuple(r.str_list("keywords", list(DEFAULT_KEYWORDS)) or ()),
        caption_lang=r.str("caption_lang", "fr", choices=("fr", "bm")),
        landscape=r.bool("landscape", False),
        title_bar=r.bool("title_bar", True),
        trailer_seconds=(float(trailer[0]), float(trailer[1])),
        title_card_seconds=r.float("title_card_seconds", 3.0, lo=0.5, hi=15.0),
        end_card_seconds=r.float("end_card_seconds", 4.0, lo=0.5, hi=15.0),
        fade_seconds=r.float("fade_seconds", 0.3, lo=0.0, hi=2.0),
        first_release=r.str("first_release", ""),
        channels=tuple(r.str_list("channels", []) or ()),
        loudness_profile=profile or "youtube",
        preset=r.str("preset", "veryfast", choices=X264_PRESETS),
        crf=r.int("crf", 21, lo=0, hi=51),
    )
    r.check_unknown()
    return cfg
