"""Release calendars (schedules/*.toml) -> Release dataclasses, and every check before upload.

A communications officer writes the calendar; `webseries publish check` reads it and lists
every problem at once (a time past or too close, platform limits, duplicates, a move of a
release already public, a Facebook Page not set) before anything leaves the machine.
Missing media (an episode not edited yet, renditions, thumbnail, subtitles not approved) is a
problem only once the release is due to upload (`upload_lead_days` before it); a later one is
"planned, not ready" with what it lacks, and does not hold back the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline import ledger, paths, versions
from pipeline.captions import review
from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.manifest import discover, load_all
from pipeline.media import ffmpeg
from pipeline.models import Episode
from pipeline.platforms.base import VideoUpload
from pipeline.platforms.shortvideo import SHORT_PLATFORMS, Limits, caption, hashtags, limit_problems
from pipeline.profiles import Profile
from pipeline.store import Store
from pipeline.tomlread import Reader, load_toml

PLATFORMS = ("youtube", "facebook", "tiktok", "instagram")
DEFAULT_PLATFORMS = ("youtube", "facebook")   # a calendar without `platforms` (TikTok and Instagram are asked for)
LATE_POST = timedelta(hours=2)   # TikTok/Instagram post at the time: still posted this late (computer was off)
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
    cancel: bool = False         # `cancel = true`: private / unscheduled on every platform

    def target(self, platform: str) -> Target:
        return next(t for t in self.targets if t.platform == platform)


def episode_profile(cfg: Config, platform: str) -> Profile:
    """The rendition profile whose file an episode sends to `platform` ([transcode.profiles.*] platforms;
    one encode may serve several). TikTok and Instagram take the file Facebook gets."""
    return cfg.transcode.for_platform("facebook" if platform in SHORT_PLATFORMS else platform)


def media_file(cfg: Config, release: Release, platform: str) -> Path:
    """Which file each platform gets: for episodes, the rendition of the profile sent there, the clip
    file otherwise."""
    if release.kind == "episode":
        profile = episode_profile(cfg, platform)
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


def asset_kind(asset: str) -> str:
    """What an asset id names, by its shape: the trailer, <episode>-clipN, or an episode."""
    if asset == paths.TRAILER:
        return "trailer"
    return "clip" if re.fullmatch(r".+-clip\d+", asset) else "episode"


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
                  problems: list[str] | None = None, broken: dict[str, str] | None = None,
                  left_out: list[str] | None = None) -> list[Release]:
    """Parse one calendar; problems are appended (not raised) so several files report together.
    A release of an episode whose manifest is `broken` is left out: its problem also goes to `left_out`."""
    problems = [] if problems is None else problems
    return parse_calendar(cfg, load_toml(file, "release calendar"), file, episodes, problems, broken, left_out)


def validate_calendar(cfg: Config, data: dict, file: Path) -> list[Release]:
    """The check a calendar edit must pass before it is written (pipeline/tomledit.py's validator).
    Releases of an episode whose manifest is broken are that episode's business, not this edit's."""
    problems: list[str] = []
    left_out: list[str] = []
    releases = parse_calendar(cfg, data, file, None, problems, None, left_out)
    if set(problems) - set(left_out):
        raise ConfigError(problems, hint="nothing was written")
    return releases


def parse_calendar(cfg: Config, data: dict, file: Path, episodes: dict[str, Episode] | None,
                   problems: list[str], broken: dict[str, str] | None = None,
                   left_out: list[str] | None = None) -> list[Release]:
    """A calendar's releases. An asset not found (an episode not edited yet) is kept: `check` decides
    by its date whether that is a problem or a release planned but not ready. A release of an episode
    whose manifest is `broken` is left out: its problem also goes to `left_out`."""
    left_out = [] if left_out is None else left_out
    if episodes is None:
        episodes, broken = _episodes(cfg)
    r = Reader(data, file, "", problems)
    d = r.table("defaults")
    zone_name = d.str("timezone", cfg.project.timezone)
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        d.problem("timezone", f"unknown time zone {zone_name!r} (e.g. Africa/Bamako)")
        zone = cfg.project.zone
    dflt = {"platforms": d.str_list("platforms", list(DEFAULT_PLATFORMS)), "subtitles": d.str_list("subtitles", ["fr"]),
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
        cancel = rr.bool("cancel", False)
        found = _asset(cfg, asset, episodes) if isinstance(asset, str) else None
        owner = re.sub(r"-clip\d+$", "", asset) if isinstance(asset, str) else ""
        left = isinstance(asset, str) and found is None and owner in (broken or {})
        if left:
            rr.problem("asset", f"{asset!r} left out: {(broken or {})[owner]}")
            left_out.append(problems[-1])
        kind, ep = found or (asset_kind(asset) if isinstance(asset, str) else "episode", None)
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
        if when is not None and isinstance(asset, str) and not left:
            releases.append(Release(rid, asset, kind, file, when, zone.key, tuple(subtitles), tuple(targets),
                                    bool(cancel)))
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


def _episodes(cfg: Config) -> tuple[dict[str, Episode], dict[str, str]]:
    """The episodes that load with their voice-over versions (ep01-vote-bm releases like an episode),
    and why each broken manifest cannot be read (by folder name)."""
    episodes, broken = load_all(discover(cfg.project.episodes_dir))
    out = {ep.id: ep for ep in episodes}
    return out | versions.existing(cfg, out), broken


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
    not_ready: dict[str, tuple[str, ...]] = field(default_factory=dict)  # id -> what it lacks (not due yet)
    left_out: tuple[str, ...] = ()  # problems of releases left out because their episode's manifest is broken
    notes: tuple[str, ...] = ()     # what an officer must know (TikTok/Instagram: this computer must be on then)

    def good(self) -> list[Release]:
        """The releases that can go now: no problem, nothing missing."""
        return [r for r in self.releases if r.id not in self.bad and r.id not in self.not_ready]


def check(cfg: Config, store: Store, files: list[Path], now: datetime | None = None) -> CheckResult:
    """Every release in `files`, and every problem that would stop one (none is raised)."""
    now = now or datetime.now(UTC)
    problems: list[str] = []
    episodes, broken = _episodes(cfg)
    left_out: list[str] = []
    releases: list[Release] = []
    for f in files:
        try:
            releases += load_calendar(cfg, f, episodes, problems, broken, left_out)
        except ConfigError as exc:
            problems += exc.problems
    page = cfg.publish.facebook.page_id
    fb_page_problem = any(t.platform == "facebook" for r in releases if not r.cancel for t in r.targets) and (
        not page.isdigit())
    if fb_page_problem:
        problems.append(f"{cfg.file.name}: [publish.facebook] page_id is {'empty' if not page else repr(page)}: "
                        "set the Page's numeric id (Facebook: the Page > About > Page transparency > Page ID)")
    seen: dict[str, Release] = {}
    slots: dict[tuple[str, str], Release] = {}
    bad: set[str] = set()
    not_ready: dict[str, tuple[str, ...]] = {}
    for rel in releases:
        where = f"{rel.calendar.name}: release {rel.id!r}"
        own: list[str] = []
        if rel.id in seen:
            own.append(f"{where}: the id is used twice (also in {seen[rel.id].calendar.name}); "
                       "give each release its own id")
        seen.setdefault(rel.id, rel)
        for t in rel.targets:
            other = slots.get((rel.asset, t.platform))
            if other is not None and other.id != rel.id and not (rel.cancel or other.cancel):
                own.append(f"{where}: {rel.asset} is already released on {t.platform} by {other.id!r}; "
                           "remove one of them")
            if not rel.cancel:
                slots.setdefault((rel.asset, t.platform), rel)
        errors, missing = release_problems(cfg, store, rel, episodes, now)
        own += errors
        due = now >= rel.publish_at - timedelta(days=cfg.publish.upload_lead_days)
        if missing and (due or own):
            own += missing
        elif missing:
            not_ready[rel.id] = tuple(m.removeprefix(where + ": ") for m in missing)
        if own or (fb_page_problem and any(t.platform == "facebook" for t in rel.targets)):
            bad.add(rel.id)
        problems += own
    return CheckResult(releases, problems, frozenset(bad), not_ready, tuple(left_out), posted_at_time_notes(releases))


def posted_at_time_notes(releases: list[Release]) -> tuple[str, ...]:
    """TikTok and Instagram cannot schedule: `publish run` posts at the time, on this computer."""
    out = []
    for rel in releases:
        short = [t.platform for t in rel.targets if t.platform in SHORT_PLATFORMS]
        if short and not rel.cancel:
            at = rel.publish_at.astimezone(ZoneInfo(rel.zone))
            out.append(f"release {rel.id!r}: {' and '.join(short)} cannot schedule a post: `webseries publish run` "
                       f"posts it at {at:%H:%M} on {at:%Y-%m-%d}, so this computer must be on at {at:%H:%M}, "
                       "with `webseries publish run` running and an internet connection")
    return tuple(out)


def release_problems(cfg: Config, store: Store, rel: Release, episodes: dict[str, Episode] | None,
                     now: datetime) -> tuple[list[str], list[str]]:
    """(problems, what is missing) for one release: the studio checks a move with this before writing it.

    A release already on a platform needs no file any more; its time may change only while it is not out.
    """
    episodes = _episodes(cfg)[0] if episodes is None else episodes
    where = f"{rel.calendar.name}: release {rel.id!r}"
    if rel.cancel:
        return [], []
    errors: list[str] = []
    missing: list[str] = []
    local = rel.publish_at.astimezone(ZoneInfo(rel.zone)).strftime("%Y-%m-%d %H:%M %Z")
    min_lead = timedelta(minutes=cfg.publish.min_lead_minutes)
    uploaded = {}
    for t in rel.targets:
        entry = ledger.get(store, rel.id, t.platform)
        on_platform = entry is not None and bool(entry.remote_id)
        uploaded[t.platform] = on_platform
        moved = on_platform and entry.publish_at != rel.publish_at
        if moved and ledger.is_out(store, entry, now):
            was = entry.publish_at.astimezone(ZoneInfo(rel.zone))
            errors.append(f"{where}: already public on {t.platform} since {was:%Y-%m-%d %H:%M %Z}: its time cannot "
                          f"change; put `at` back to {was:%Y-%m-%dT%H:%M:%S}. Title, description, tags, thumbnail, "
                          "captions and playlist can still be changed, and `cancel = true` makes it private")
        elif t.platform in SHORT_PLATFORMS and not on_platform:
            if now - rel.publish_at > LATE_POST:  # posted at the time: a little late is still posted
                errors.append(f"{where}: {local} is in the past (more than {LATE_POST} ago for {t.platform})")
        elif (moved or not on_platform) and t.privacy != "private":
            lead = rel.publish_at - now
            if lead <= timedelta(0):
                errors.append(f"{where}: {local} is in the past")
            elif lead < max(min_lead, FACEBOOK_MIN_LEAD if t.platform == "facebook" else timedelta(0)):
                need = max(min_lead, FACEBOOK_MIN_LEAD) if t.platform == "facebook" else min_lead
                errors.append(f"{where}: {local} is too close for {t.platform} "
                              f"(at least {int(need.total_seconds() // 60)} minutes ahead)")
        errors += _target_problems(cfg, rel, t, where)
        if not on_platform:
            f = media_file(cfg, rel, t.platform)
            if t.platform in SHORT_PLATFORMS:
                errors += [f"{where}: {p}" for p in short_video_problems(cfg, rel, t, f)]
            if not f.is_file():
                step = (f"webseries transcode {rel.asset} --profile {episode_profile(cfg, t.platform).name}"
                        if rel.kind == "episode" else "webseries clips")
                missing.append(f"{where}: {t.platform} file {f} is missing (make it with `{step}`)")
    if _asset(cfg, rel.asset, episodes) is None:
        known = ", ".join(sorted(episodes)) or "none"
        missing.insert(0, f"{where}: unknown asset {rel.asset!r}: no episodes/{rel.asset.split('-clip')[0]}/"
                          f"episode.toml yet (an episode id, its voice-over version <episode>-bm, 'trailer', "
                          f"or <episode>-clipN; episodes: {known})")
    thumb = paths.thumbnail_path(cfg, rel.asset)
    if rel.kind != "clip" and not thumb.is_file() and not all(uploaded.values()):
        missing.append(f"{where}: thumbnail {thumb} is missing (`webseries clips` makes it)")
    for lang in rel.subtitles:
        found = _subtitle_problems(cfg, store, rel, lang, where)
        (errors if any(uploaded.values()) else missing).extend(found)
    return list(dict.fromkeys(errors)), list(dict.fromkeys(missing))  # said once, not once per platform


def _target_problems(cfg: Config, rel: Release, t: Target, where: str) -> list[str]:
    """The platform's limits on the texts (they apply before and after an upload)."""
    out = []
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
        out.append(f"{where}: {t.platform} playlists are not supported; remove playlist from [release.{t.platform}]")
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


def short_video_problems(cfg: Config, rel: Release, t: Target, file: Path) -> list[str]:
    """TikTok's and Instagram's limits: the caption, and (once the file exists) duration, size and shape."""
    if t.platform == "instagram" and t.privacy != "public":
        return [f"instagram: a Reel is public once posted; privacy {t.privacy!r} cannot be honoured there "
                "(remove instagram from this release's platforms)"]
    if t.platform == "tiktok":
        tt = cfg.publish.tiktok
        limits = Limits(tt.caption_max, 100, 600.0, tt.max_bytes, tt.vertical_only)
    else:
        ig = cfg.publish.instagram
        limits = Limits(ig.caption_max, ig.hashtags_max, ig.max_seconds, ig.max_bytes, ig.vertical_only)
    text = caption(VideoUpload(rel.id, file, t.title, t.description, t.tags, rel.publish_at, t.privacy))
    info = ffmpeg.probe(file) if file.is_file() else None
    return limit_problems(t.platform, text, len(hashtags(t.tags)), limits, info.duration if info else None,
                          file.stat().st_size if info else None, info.width if info else None,
                          info.height if info else None)
