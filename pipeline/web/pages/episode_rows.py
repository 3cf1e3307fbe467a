"""What the Épisodes table shows, one frozen row per episode, read from the stages' own records.

Renditions from the transcode stage's outputs, subtitles from `subtitles status` (review state,
lint count) and the audit trail (who approved), clips and thumbnails from their files, releases
from the ledger, views from the metrics dataset's latest pull (same summary as the report).
Nothing here decides anything a stage decides; it only reads.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline import audit, ledger
from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.models import Episode, Rendition
from pipeline.paths import clips_dir, thumbnail_path
from pipeline.store import Store

SUBTITLE_STATES = {"missing": "absent", "generated": "généré", "draft": "brouillon", "in translation": "en traduction",
                   "imported": "importé", "edited": "modifié", "approved": "approuvé"}
RELEASE_STATES = ledger.STATES_FR


@dataclass(frozen=True)
class Master:
    name: str
    present: bool
    duration: float | None


@dataclass(frozen=True)
class Track:
    lang: str
    state: str
    label: str
    violations: int | None
    approved: str            # "approuvé par Awa, 12/01 10:32" (audit) or "" 


@dataclass(frozen=True)
class Clip:
    asset: str
    video: Path
    thumbnail: Path | None


@dataclass(frozen=True)
class Release:
    release_id: str
    platform: str
    state: str
    label: str
    publish_at: datetime
    url: str


@dataclass(frozen=True)
class EpisodeRow:
    folder: str
    episode: Episode | None
    problems: tuple[str, ...]          # the manifest is invalid: what the CLI would say
    master: Master | None = None
    renditions: tuple[Rendition, ...] = ()
    subtitles: tuple[Track, ...] = ()
    thumbnail: Path | None = None
    clips: tuple[Clip, ...] = ()
    releases: tuple[Release, ...] = ()
    views: tuple[tuple[str, float | None], ...] = ()   # (platform, latest views)


@functools.lru_cache(maxsize=256)
def _duration(path: str, size: int, mtime_ns: int) -> float | None:
    """ffprobe costs ~50 ms: once per file version."""
    from pipeline.media import ffmpeg

    try:
        return ffmpeg.probe(Path(path)).duration
    except PipelineError:
        return None


def master(ep: Episode) -> Master:
    try:
        st = ep.master.stat()
    except OSError:
        return Master(ep.master.name, False, None)
    return Master(ep.master.name, True, _duration(str(ep.master), st.st_size, st.st_mtime_ns))


def renditions(cfg: Config, store: Store, ep: Episode) -> tuple[Rendition, ...]:
    out = []
    for name in cfg.transcode.profiles:
        record = store.output("transcode", ep.id, name)
        if record and record.path.is_file():
            info = record.info
            out.append(Rendition(ep.id, name, record.path, info.get("width", 0), info.get("height", 0),
                                 info.get("duration", 0.0), record.path.stat().st_size, tuple(info.get("notes", ()))))
    return tuple(out)


def subtitle_tracks(cfg: Config, store: Store) -> dict[str, list[Track]]:
    from pipeline.stages.subtitles_status import status

    by_asset: dict[str, list[Track]] = {}
    for row in status(cfg, store):
        approval = audit.latest(store, audit.target("subtitles", row.asset, row.lang), "approve") \
            if row.state == "approved" else None
        when = row.changed.get("approved", "").replace("T", " ")[:16]
        approved = approval.describe(cfg.project.zone) if approval else (f"approuvé le {when}" if when else "")
        by_asset.setdefault(row.asset, []).append(
            Track(row.lang, row.state, SUBTITLE_STATES.get(row.state, row.state), row.violations,
                  approved if row.state == "approved" else ""))
    return by_asset


def clip_files(cfg: Config, ep: Episode) -> tuple[Clip, ...]:
    out = []
    for video in sorted(clips_dir(cfg, ep.id).glob(f"{ep.id}-clip*.vertical.mp4")):
        asset = video.name.split(".", 1)[0]
        thumb = thumbnail_path(cfg, asset)
        out.append(Clip(asset, video, thumb if thumb.is_file() else None))
    return tuple(out)


def releases(store: Store) -> dict[str, list[Release]]:
    by_asset: dict[str, list[Release]] = {}
    for e in ledger.all_entries(store):
        by_asset.setdefault(e.asset, []).append(
            Release(e.release_id, e.platform, e.state, RELEASE_STATES.get(e.state, e.state), e.publish_at, e.url or ""))
    return by_asset


_VIEWS: dict[int, dict[str, list[tuple[str, float | None]]]] = {}


def latest_views(store: Store) -> dict[str, list[tuple[str, float | None]]]:
    """asset -> [(platform, views)] from the latest pull, computed once per pull."""
    from pipeline.metrics import dataset, summary

    last = dataset.last_pull(store)
    if last is None:
        return {}
    if last[0] not in _VIEWS:
        views: dict[str, list[tuple[str, float | None]]] = {}
        for t in summary.totals(summary.latest(dataset.query(store))):
            if t.scope == "video":
                views.setdefault(t.asset, []).append((t.platform, t.values.get("views")))
        _VIEWS.clear()
        _VIEWS[last[0]] = views
    return _VIEWS[last[0]]


def rows(cfg: Config, store: Store) -> list[EpisodeRow]:
    from pipeline.manifest import discover, load_episode

    try:
        tracks = subtitle_tracks(cfg, store)
    except ConfigError:
        tracks = {}  # a broken manifest: its row says so; the others still show
    planned, views = releases(store), latest_views(store)
    out = []
    for folder in discover(cfg.project.episodes_dir):
        try:
            ep = load_episode(folder)
        except ConfigError as exc:
            out.append(EpisodeRow(folder.name, None, tuple(exc.problems)))
            continue
        thumb = thumbnail_path(cfg, ep.id)
        out.append(EpisodeRow(
            folder.name, ep, (), master(ep), renditions(cfg, store, ep), tuple(tracks.get(ep.id, ())),
            thumb if thumb.is_file() else None, clip_files(cfg, ep), tuple(planned.get(ep.id, ())),
            tuple(views.get(ep.id, ()))))
    return out
