"""[project]: the series, its time zone, and where everything lives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.models import LangText
from pipeline.tomlread import Reader


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


def parse(r: Reader, base: Path) -> ProjectConfig:
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
