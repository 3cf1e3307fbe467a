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
UNPARSED_SECTIONS = ("subtitles", "clips", "publish", "metrics")


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
class Config:
    file: Path
    project: ProjectConfig
    transcode: TranscodeConfig


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
    for section in UNPARSED_SECTIONS:  # read by their own stage when it runs
        root.table(section)
    root.check_unknown()
    root.raise_if_problems(hint=f"fix {path.name} and run again")
    return Config(file=path, project=project, transcode=transcode)


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
