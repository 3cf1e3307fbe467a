"""config.toml -> frozen dataclasses. Every problem is reported at once, with its key.

Secrets never live here: tokens come from the environment or a 0600 file (see publish).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.errors import ConfigError
from pipeline.models import LangText
from pipeline.profiles import DEFAULT_PROFILES, Profile, parse_profile
from pipeline.tomlread import Reader, load_toml

CONFIG_ENV = "WEBSERIES_CONFIG"
UNPARSED_SECTIONS = ("subtitles", "publish", "metrics")


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    series_title: LangText
    timezone: str
    episodes_dir: Path
    subtitles_dir: Path
    schedules_dir: Path
    build_dir: Path
    database: Path

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class TranscodeConfig:
    default_profiles: tuple[str, ...]
    profiles: dict[str, Profile]
    keep_lra: bool  # raise the LRA target to the measured range so loudnorm stays linear


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


@dataclass(frozen=True)
class Config:
    file: Path
    project: ProjectConfig
    transcode: TranscodeConfig
    clips: ClipsConfig


def find_config(explicit: str | None = None) -> Path:
    """--config, then $WEBSERIES_CONFIG, then config.toml in this folder or a parent."""
    if explicit:
        return Path(explicit).resolve()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "config.toml").is_file():
            return folder / "config.toml"
    raise ConfigError(
        [f"no config.toml in {here} or any folder above it"],
        hint="run from the project folder, or pass --config PATH",
    )


def load_config(path: Path) -> Config:
    data = load_toml(path, "config file")
    root = Reader(data, path)
    project = _project(root.table("project"), path.parent)
    transcode = _transcode(root.table("transcode"))
    clips = _clips(root.table("clips"), transcode)
    for section in UNPARSED_SECTIONS:  # read by their own stage when it runs
        root.table(section)
    root.check_unknown()
    root.raise_if_problems(hint=f"fix {path.name} and run again")
    return Config(file=path, project=project, transcode=transcode, clips=clips)


def _project(r: Reader, base: Path) -> ProjectConfig:
    title = r.table("series_title")
    zone = r.str("timezone", "Africa/Bamako")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        r.problem("timezone", f"unknown time zone {zone!r} (e.g. Africa/Bamako)")
    paths = {k: base / r.str(k, d) for k, d in (
        ("episodes_dir", "episodes"), ("subtitles_dir", "subtitles"), ("schedules_dir", "schedules"),
        ("build_dir", "build"), ("database", "build/pipeline.sqlite3"))}
    cfg = ProjectConfig(
        root=base,
        series_title=LangText(title.str("fr", "Construisons Ensemble"), title.str("bm", "")),
        timezone=zone,
        **paths,
    )
    title.check_unknown()
    r.check_unknown()
    return cfg


def _transcode(r: Reader) -> TranscodeConfig:
    profiles = dict(DEFAULT_PROFILES)
    tables = r.table("profiles")
    for name in tables.data:
        t = tables.table(name)
        if name in profiles:
            base = profiles[name]
        elif isinstance(t.data.get("base"), str) and t.data["base"] in DEFAULT_PROFILES:
            base = DEFAULT_PROFILES[t.data["base"]]
        else:
            t.problem("base", f"new profile {name!r} must name a base profile "
                              f"({', '.join(DEFAULT_PROFILES)})")
            continue
        profiles[name] = parse_profile(t, name, base)
    chosen = r.str_list("default_profiles", list(DEFAULT_PROFILES))
    for name in chosen or []:
        if name not in profiles:
            r.problem("default_profiles", f"unknown profile {name!r} (known: {', '.join(profiles)})")
    keep_lra = r.bool("keep_lra", True)
    r.check_unknown()
    return TranscodeConfig(default_profiles=tuple(chosen or ()), profiles=profiles, keep_lra=keep_lra)


DEFAULT_KEYWORDS = ("citoyen", "vote", "voter", "mairie", "femmes", "jeunes", "conseil", "élus", "ensemble",
                    "gouvernance")


def _clips(r: Reader, transcode: TranscodeConfig) -> ClipsConfig:
    from pipeline.profiles import X264_PRESETS

    lo = r.float("min_seconds", 15.0, lo=1.0, hi=600.0)
    hi = r.float("max_seconds", 60.0, lo=1.0, hi=600.0)
    if lo is not None and hi is not None and hi < lo:
        r.problem("max_seconds", f"must be at least min_seconds ({lo:g}), got {hi:g}")
    trailer = r._get("trailer_seconds", [45, 60], (list,), "a list [shortest, longest]")
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
