"""Release calendars (schedules/*.toml) -> Release dataclasses, and every check before upload.

A communications officer writes the calendar; `webseries publish check` reads it and lists
every problem at once (unknown asset, missing file, unapproved subtitles, a time past or too
close, platform limits, duplicates) before anything leaves the machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline import ledger, paths
from pipeline.captions import review
from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.manifest import discover, load_episode
from pipeline.models import Episode
from pipeline.profiles import PLATFORMS
from pipeline.store import Store
from pipeline.tomlread import Reader, load_toml

PRIVACY = ("public", "unlisted", "private")
FACEBOOK_MIN_LEAD = timedelta(minutes=10)
YT_TITLE, YT_DESCRIPTION_BYTES, YT_TAGS = 100, 5000, 500


@dataclass(frozen=True)
class Target:
    """One release on one platform, with the texts that platform receives."""

    platform: str
    title: str
    description: str
    tags: tuple[str, ...]
    playlist: str
    privacy: str


@dataclass(frozen=True)
class Release:
    id: str
    asset: str
    kind: str                    # episode | trailer | clip
    calendar: Path
    publish_at: datetime         # aware, UTC
    zone: str
    subtitles: tuple[str, ...]
    targets: tuple[Target, ...]

    def target(self, platform: str) -> Target:
        return next(t for t in self.targets if t.platform == platform)


def media_file(cfg: Config, release: Release, platform: str) -> Path:
    """Which file each platform gets: for episodes, the rendition of the profile sent there
    ([transcode.profiles.*] platforms; one encode may serve several), the clip file otherwise."""
    if release.kind == "episode":
        profile = cfg.transcode.for_platform(platform)
        return paths.rendition_path(cfg, release.asset, profile.name, profile.extension)
    return paths.clip_path(cfg, release.asset, "16x9" if release.kind == "trailer" else "vertical")


def youtube_tags_length(tags: tuple[str, ...]) -> int:
    """YouTube counts commas between tags and quotes around tags that contain spaces."""
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0)


def _when(r: Reader, key: str, zone: ZoneInfo) -> datetime | None:
    value = r.raw(key)
    if value is None:
        r.problem(key, "is required (local date and time, e.g. 2027-01-15T18:00:00)")
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace(" ", "T"))
        except ValueError:
            r.problem(key, f"expected a date and time like 2027-01-15T18:00:00, got {value!r}")
            return None
    if not isinstance(value, datetime):
        r.problem(key, f"expected a date and time like 2027-01-15T18:00:00, got {value!r}")
        return None
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)


def _asset(cfg: Config, asset: str, episodes: dict[str, Episode]) -> tuple[str, Episode | None] | None:
    if asset == paths.TRAILER:
        return "trailer", None
    if asset in episodes:
        return "episode", episodes[asset]
    m = re.fullmatch(r"(.+)-clip\d+", asset)
    if m and m.group(1) in episodes:
        return "clip", episodes[m.group(1)]
    return None


def load_calendar(cfg: Config, file: Path, episodes: dict[str, Episode] | None = None,
                  problems: list[str] | None = None) -> list[Release]:
    """Parse one calendar; problems are appended (not raised) so several files report together."""
    problems = [] if problems is None else problems
    episodes = _episodes(cfg) if episodes is None else episodes
    r = Reader(load_toml(file, "release calendar"), file, "", problems)
    d = r.table("defaults")
    zone_name = d.str("timezone", cfg.project.timezone)
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        d.problem("timezone", f"unknown time zone {zone_name!r} (e.g. Africa/Bamako)")
        zone = cfg.project.zone
    dflt = {"platforms": d.str_list("platforms", list(PLATFORMS)), "subtitles": d.str_list("subtitles", ["fr"]),
            "privacy": d.str("privacy", "public", PRIVACY)}
    dplat = {p: d.table(p) for p in PLATFORMS}
    dtexts = {p: {"tags": t.str_list("tags", []), "playlist": t.str("playlist", "")} for p, t in dplat.items()}
    for t in dplat.values():
        t.check_unknown()
    d.check_unknown()
    raw = r.raw("release", [])
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        r.problem("release", "expected [[release]] tables")
        raw = []
    releases = []
    for i, table in enumerate(raw, start=1):
        rr = Reader(table, file, f"release[{i}].", problems)
        asset = rr.str("asset")
        rid = rr.str("id", asset if isinstance(asset, str) else f"release{i}")
        when = _when(rr, "at", zone)
        platforms = rr.str_list("platforms", dflt["platforms"]) or []
        subtitles = rr.str_list("subtitles", dflt["subtitles"]) or []
        privacy = rr.str("privacy", dflt["privacy"], PRIVACY)
        found = _asset(cfg, asset, episodes) if isinstance(asset, str) else None
        if isinstance(asset, str) and found is None:
            known = ", ".join(sorted(episodes)) or "none"
            rr.problem("asset", f"unknown asset {asset!r} (an episode id, 'trailer', or <episode>-clipN; "
                                f"episodes: {known})")
        kind, ep = found or ("episode", None)
        targets = []
        for p in platforms:
            if p not in PLATFORMS:
                rr.problem("platforms", f"unknown platform {p!r} (use {', '.join(PLATFORMS)})")
                continue
            pt = rr.table(p)
            title = pt.str("title", _default_title(cfg, kind, asset, ep))
            desc = pt.str("description", ep.description.fr if ep and kind == "episode" else "")
            tags = tuple(pt.str_list("tags", dtexts[p]["tags"]) or ())
            playlist = pt.str("playlist", dtexts[p]["playlist"]) or ""
            targets.append(Target(p, title or "", desc or "", tags, playlist, pt.str("privacy", privacy, PRIVACY)))
            pt.check_unknown()
        for p in PLATFORMS:
            if p not in platforms and rr.has(p):
                rr.problem(p, f"texts for {p}, but {p} is not in this release's platforms")
                rr.mark_read(p)
        rr.check_unknown()
        if when is not None and isinstance(asset, str) and found is not None:
            releases.append(Release(rid, asset, kind, file, when, zone.key, tuple(subtitles), tuple(targets)))
    r.check_unknown()
    return releases


def _default_title(cfg: Config, kind: str, asset: object, ep: Episode | None) -> str:
    series = cfg.project.series_title.fr
    if kind == "trailer":
        return f"{series} — bande-annonce"
    if ep is None:
        return str(asset)
    if kind == "clip":
        return f"{ep.title.fr} (extrait)"
    return ep.title.fr


def _episodes(cfg: Config) -> dict[str, Episode]:
    out = {}
    for folder in discover(cfg.project.episodes_dir):
        try:
            ep = load_episode(folder)
            out[ep.id] = ep
        except ConfigError:
            pass  # `webseries transcode` reports broken manifests; here the asset is just unknown
    return out


def calendars(cfg: Config, files: list[str] | None) -> list[Path]:
    """The named calendar files, or every schedules/*.toml."""
    found = [Path(f).resolve() for f in files] if files else sorted(cfg.project.schedules_dir.glob("*.toml"))
    if not found:
        raise PipelineError(f"no calendar in {cfg.project.schedules_dir}",
                            hint="write schedules/<name>.toml (see schedules/season1.toml in the project)")
    return found


@dataclass(frozen=True)
class CheckResult:
    releases: list[Release]
    problems: list[str]
    bad: frozenset[str]          # ids of releases with at least one problem

    def good(self) -> list[Release]:
        return [r for r in self.releases if r.id not in self.bad]


def check(cfg: Config, store: Store, files: list[Path], now: datetime | None = None) -> CheckResult:
    """Every release in `files`, and every problem that would stop one (none is raised)."""
    now = now or datetime.now(UTC)
    problems: list[str] = []
    episodes = _episodes(cfg)
    releases: list[Release] = []
    for f in files:
        try:
            releases += load_calendar(cfg, f, episodes, problems)
        except ConfigError as exc:
            problems += exc.problems
    min_lead = timedelta(minutes=cfg.publish.min_lead_minutes)
    seen: dict[str, Release] = {}
    slots: dict[tuple[str, str], Release] = {}
    bad: set[str] = set()
    for rel in releases:
        before = len(problems)
        where = f"{rel.calendar.name}: release {rel.id!r}"
        if rel.id in seen:
            problems.append(f"{where}: the id is used twice (also in {seen[rel.id].calendar.name}); "
                            "give each release its own id")
        seen.setdefault(rel.id, rel)
        local = rel.publish_at.astimezone(ZoneInfo(rel.zone)).strftime("%Y-%m-%d %H:%M %Z")
        for t in rel.targets:
            other = slots.get((rel.asset, t.platform))
            if other is not None and other.id != rel.id:
                problems.append(f"{where}: {rel.asset} is already released on {t.platform} by {other.id!r}; "
                                "remove one of them")
            slots.setdefault((rel.asset, t.platform), rel)
            entry = ledger.get(store, rel.id, t.platform)
            if entry and entry.state in ("uploaded", *ledger.DONE):
                if entry.publish_at != rel.publish_at:
                    problems.append(f"{where}: already {entry.state} on {t.platform} for "
                                    f"{entry.publish_at.astimezone(ZoneInfo(rel.zone)):%Y-%m-%d %H:%M}; "
                                    "change the time on the platform and in the calendar, or give it a new id")
                continue  # already out: time and files no longer matter
            lead = rel.publish_at - now
            if t.privacy != "private":
                if lead <= timedelta(0):
                    problems.append(f"{where}: {local} is in the past")
                elif lead < max(min_lead, FACEBOOK_MIN_LEAD if t.platform == "facebook" else timedelta(0)):
                    need = max(min_lead, FACEBOOK_MIN_LEAD) if t.platform == "facebook" else min_lead
                    problems.append(f"{where}: {local} is too close for {t.platform} "
                                    f"(at least {int(need.total_seconds() // 60)} minutes ahead)")
            problems += _target_problems(cfg, store, rel, t, where)
        thumb = paths.thumbnail_path(cfg, rel.asset)
        if rel.kind != "clip" and not thumb.is_file() and any(
                not (e := ledger.get(store, rel.id, t.platform)) or e.state not in ("uploaded", *ledger.DONE)
                for t in rel.targets):
            problems.append(f"{where}: thumbnail {thumb} is missing (`webseries clips` makes it)")
        for lang in rel.subtitles:
            problems += _subtitle_problems(cfg, store, rel, lang, where)
        if len(problems) > before:
            bad.add(rel.id)
    return CheckResult(releases, problems, frozenset(bad))


def _target_problems(cfg: Config, store: Store, rel: Release, t: Target, where: str) -> list[str]:
    out = []
    f = media_file(cfg, rel, t.platform)
    if not f.is_file():
        step = (f"webseries transcode {rel.asset} --profile {cfg.transcode.for_platform(t.platform).name}"
                if rel.kind == "episode" else "webseries clips")
        out.append(f"{where}: {t.platform} file {f} is missing (make it with `{step}`)")
    if not t.title.strip():
        out.append(f"{where}: {t.platform} title is empty")
    if t.platform == "youtube":
        if len(t.title) > YT_TITLE:
            out.append(f"{where}: youtube title has {len(t.title)} characters (at most {YT_TITLE})")
        if len(t.description.encode()) > YT_DESCRIPTION_BYTES:
            out.append(f"{where}: youtube description is {len(t.description.encode())} bytes "
                       f"(at most {YT_DESCRIPTION_BYTES})")
        if any(c in t.title + t.description for c in "<>"):
            out.append(f"{where}: youtube refuses < and > in titles and descriptions")
        if youtube_tags_length(t.tags) > YT_TAGS:
            out.append(f"{where}: youtube tags take {youtube_tags_length(t.tags)} characters (at most {YT_TAGS})")
        if t.privacy == "unlisted":
            out.append(f"{where}: youtube schedules a video to become public only; use privacy public or private")
        if t.playlist and not re.fullmatch(r"PL[\w-]{8,}", t.playlist):
            out.append(f"{where}: youtube playlist {t.playlist!r} is not a playlist id (PL..., from its address)")
    elif t.playlist:
        out.append(f"{where}: facebook playlists are not supported; remove playlist from [release.facebook]")
    return out


def _subtitle_problems(cfg: Config, store: Store, rel: Release, lang: str, where: str) -> list[str]:
    path = paths.subtitle_path(cfg, rel.asset, lang)
    if not path.is_file():
        return [f"{where}: {lang} subtitles {path} are missing"]
    track = review.current(store, rel.asset, lang, path)
    if track is not None and track.changed_since_approval:
        return [f"{where}: {lang} subtitles changed since they were approved; approve them again"]
    if track is None or track.status != "approved":
        return [f"{where}: {lang} subtitles are not approved ({track.status if track else 'never reviewed'}); "
                f"review them, then `webseries subtitles approve {rel.asset} {lang}`"]
    return []
