"""publish: upload and schedule each release on each platform, recorded step by step in the ledger.

Platform-native scheduling is the default: a video goes up ahead of time, private or
unpublished, with its publication time (YouTube publishAt, Facebook scheduled_publish_time),
so it goes out on time even if this machine is off. The ledger is read before and written
after every platform call, so a rerun (or a restart after a crash) never repeats one.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline import ledger, paths
from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.log import stage_logger
from pipeline.platforms.base import (AuthError, PlatformError, Publisher, QuotaExceeded, TransientError,
                                     UploadProgress, VideoUpload)
from pipeline.releases import FACEBOOK_MIN_LEAD, Release, calendars, check, media_file
from pipeline.store import Store

STAGE = "publish"
log = stage_logger(STAGE)
PublisherFactory = Callable[[str], Publisher]


@dataclass(frozen=True)
class Outcome:
    release_id: str
    platform: str
    state: str
    detail: str


def default_publishers(cfg: Config) -> PublisherFactory:
    """One client per platform, created on first use (building one reads the token)."""
    made: dict[str, Publisher] = {}

    def get(platform: str) -> Publisher:
        if platform not in made:
            if platform == "youtube":
                from pipeline.platforms.youtube import YouTube
                made[platform] = YouTube(cfg)
            else:
                from pipeline.platforms.facebook import Facebook
                made[platform] = Facebook(cfg)
        return made[platform]
    return get


@contextmanager
def publish_lock(cfg: Config, name: str = "publish", wait: bool = True) -> Iterator[None]:
    """One process at a time talks to the platforms for this project (the OS frees it on a crash)."""
    path = cfg.project.database.with_name(cfg.project.database.name + f".{name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            fh.seek(0)
            command = {"publish": "publish", "run": "publish run", "metrics": "metrics pull"}.get(name, name)
            raise PipelineError(f"another `webseries {command}` is running (pid {fh.read().strip() or '?'})",
                                hint="let it finish, or stop it first") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield


def load_checked(cfg: Config, store: Store, files: list[str] | None,
                 now: datetime | None = None) -> list[Release]:
    """The calendars' releases, refusing to go on if any problem is found (all listed)."""
    result = check(cfg, store, calendars(cfg, files), now)
    if set(result.problems) - set(result.left_out):
        raise ConfigError(result.problems, hint="fix the calendar (`webseries publish check FILE` lists the same); "
                                                "nothing was uploaded")
    for problem in result.left_out:  # an episode's broken manifest stops its own releases only
        log.warning("%s", problem)
    return result.releases


def plan(cfg: Config, store: Store, releases: list[Release]) -> None:
    """Record every release x platform in the ledger (planned), with the file it will send."""
    for rel in releases:
        for t in rel.targets:
            f = media_file(cfg, rel, t.platform)
            ledger.plan(store, rel.id, t.platform, rel.asset, str(rel.calendar), rel.publish_at, str(f),
                        store.file_digest(f))


def upload_time(cfg: Config, entry: ledger.LedgerEntry, now: datetime) -> datetime:
    """When this release may upload: lead days before, inside the upload window, after a deferral."""
    when = max(now, entry.publish_at - timedelta(days=cfg.publish.upload_lead_days))
    if entry.state == "deferred" and entry.retry_at:
        when = max(when, entry.retry_at)
    window = cfg.publish.upload_hours
    if window:
        zone = cfg.project.zone
        local = when.astimezone(zone)
        a, b = window
        inside = (a <= local.hour < b) if a < b else (local.hour >= a or local.hour < b)
        if not inside:
            start = local.replace(hour=a, minute=0, second=0, microsecond=0)
            if start <= local:
                start += timedelta(days=1)
            when = start.astimezone(UTC)
    return when


def publish_one(cfg: Config, store: Store, rel: Release, platform: str, publishers: PublisherFactory,
                now: datetime | None = None) -> Outcome:
    """Take one release on one platform as far as it can go now. Safe to call again at any point."""
    now = now or datetime.now(UTC)
    entry = ledger.get(store, rel.id, platform)
    if entry is None:
        plan(cfg, store, [rel])
        entry = ledger.get(store, rel.id, platform)
    assert entry is not None
    if entry.state in ledger.DONE:
        return Outcome(rel.id, platform, entry.state, entry.url or "")
    start = upload_time(cfg, entry, now)
    if start > now:
        why = f"uploads from {_local(cfg, start)} (`webseries publish run` does it then)"
        if entry.reason != why and entry.state in ("planned", "deferred"):
            ledger.update(store, rel.id, platform, reason=why)
        return Outcome(rel.id, platform, entry.state, why)
    try:
        return _advance(cfg, store, rel, platform, publishers(platform), entry, now)
    except QuotaExceeded as exc:
        ledger.update(store, rel.id, platform, "deferred", exc.message, reason=exc.message, retry_at=exc.retry_at)
        log.warning("%s: %s: %s; deferred to %s", rel.id, platform, exc.message, _local(cfg, exc.retry_at))
        return Outcome(rel.id, platform, "deferred", exc.message)
    except AuthError as exc:
        ledger.update(store, rel.id, platform, event=exc.message, reason=exc.message)
        raise
    except (PlatformError, TransientError) as exc:
        ledger.update(store, rel.id, platform, "failed", exc.message, reason=exc.message)
        log.error("%s: %s: %s", rel.id, platform, exc.message)
        return Outcome(rel.id, platform, "failed", exc.message)


def _advance(cfg: Config, store: Store, rel: Release, platform: str, pub: Publisher,
             entry: ledger.LedgerEntry, now: datetime) -> Outcome:
    t = rel.target(platform)
    rid = rel.id
    if not entry.remote_id:
        lead = rel.publish_at - now
        if t.privacy != "private" and lead < (FACEBOOK_MIN_LEAD if platform == "facebook" else timedelta(minutes=1)):
            raise PlatformError(f"too late to schedule: the release time {_local(cfg, rel.publish_at)} has passed "
                                "or is too close, and nothing was uploaded", hint="move the release in the calendar")
        file = media_file(cfg, rel, platform)
        digest = store.file_digest(file)
        resume = None
        if entry.session and entry.file_sha256 == digest:
            resume = UploadProgress(entry.session, entry.upload_offset, entry.upload_size)
        elif entry.session:
            log.warning("%s: %s: the file changed since the interrupted upload; starting again", rid, platform)
        if resume is None:  # the quota is charged when a session starts, not when it resumes
            _spend(cfg, store, platform, "upload")
        ledger.update(store, rid, platform, "uploading", "resume" if resume else "start", file=str(file),
                      file_sha256=digest, reason="")
        video = VideoUpload(rid, file, t.title, t.description, t.tags, rel.publish_at, t.privacy,
                            vertical=rel.kind == "clip")
        last = [0.0]

        def progress(p: UploadProgress) -> None:
            ledger.update(store, rid, platform, session=p.session, upload_offset=p.offset, upload_size=p.size)
            pct = 100 * p.offset / p.size if p.size else 100
            if pct - last[0] >= 25 or p.offset >= p.size:
                last[0] = pct
                log.info("%s: %s: uploaded %.0f%% of %.1f MB", rid, platform, pct, p.size / 1e6)
        remote = pub.upload(video, resume, progress)
        ledger.update(store, rid, platform, "uploaded", remote.url, remote_id=remote.remote_id, url=remote.url,
                      session=None)
        log.info("%s: %s: uploaded as %s", rid, platform, remote.url)
        entry = ledger.get(store, rid, platform)
        assert entry is not None
    vid = entry.remote_id
    assert vid
    thumb = paths.thumbnail_path(cfg, rel.asset)
    if thumb.is_file() and not ledger.step_done(store, rid, platform, "thumbnail"):
        _spend(cfg, store, platform, "thumbnails")
        pub.set_thumbnail(vid, thumb)
        ledger.record_step(store, rid, platform, "thumbnail", store.file_digest(thumb))
    for lang in rel.subtitles:
        step = f"caption:{lang}"
        if ledger.step_done(store, rid, platform, step):
            continue
        existing = pub.find_caption(vid, lang)  # attached just before a crash? then do not attach it twice
        if existing is None:
            _spend(cfg, store, platform, "captions")
            existing = pub.add_caption(vid, lang, paths.subtitle_path(cfg, rel.asset, lang))
        ledger.record_step(store, rid, platform, step, existing)
    if t.playlist and not ledger.step_done(store, rid, platform, f"playlist:{t.playlist}"):
        item = pub.find_in_playlist(vid, t.playlist)
        if item is None:
            _spend(cfg, store, platform, "playlist")
            item = pub.add_to_playlist(vid, t.playlist)
        ledger.record_step(store, rid, platform, f"playlist:{t.playlist}", item)
    ledger.update(store, rid, platform, "scheduled", f"goes out {rel.publish_at.isoformat()}", reason="", retry_at=None)
    log.info("%s: %s: scheduled for %s", rid, platform, _local(cfg, rel.publish_at))
    return Outcome(rid, platform, "scheduled", entry.url or "")


def _spend(cfg: Config, store: Store, platform: str, op: str) -> None:
    """Count YouTube quota units before spending them; defer instead of hitting quotaExceeded."""
    if platform != "youtube":
        return
    from pipeline.platforms.youtube import next_quota_reset, pacific_day

    now = datetime.now(UTC)
    day, cost = pacific_day(now), cfg.publish.youtube.quota_costs[op]
    if ledger.quota_used(store, "youtube", day) + cost > cfg.publish.youtube.quota_per_day:
        raise QuotaExceeded(f"youtube: today's quota ({cfg.publish.youtube.quota_per_day} units) would be "
                            f"exceeded by {op}", next_quota_reset(now))
    ledger.add_quota(store, "youtube", day, cost)


def publish_all(cfg: Config, store: Store, releases: list[Release], publishers: PublisherFactory,
                now: datetime | None = None) -> list[Outcome]:
    plan(cfg, store, releases)
    out = []
    for rel in sorted(releases, key=lambda r: r.publish_at):
        for t in rel.targets:
            out.append(publish_one(cfg, store, rel, t.platform, publishers, now))
    return out


def refresh(cfg: Config, store: Store, publishers: PublisherFactory, now: datetime | None = None) -> int:
    """Ask the platforms whether scheduled releases whose time has come are out; returns how many are."""
    now = now or datetime.now(UTC)
    n = 0
    for e in ledger.all_entries(store):
        if e.state == "scheduled" and e.publish_at <= now and e.remote_id:
            st = publishers(e.platform).status(e.remote_id)
            if st.published:
                ledger.update(store, e.release_id, e.platform, "published", st.detail)
                n += 1
            else:
                ledger.update(store, e.release_id, e.platform, event=f"not yet published: {st.detail}")
    return n


def youtube_units(cfg: Config, releases: list[Release]) -> int:
    """Quota units the YouTube releases will cost (upload, thumbnail, captions, playlist)."""
    c = cfg.publish.youtube.quota_costs
    total = 0
    for rel in releases:
        if any(t.platform == "youtube" for t in rel.targets):
            t = rel.target("youtube")
            total += c["upload"] + c["thumbnails"] + len(rel.subtitles) * (c["captions"] + 50) + (
                c["playlist"] + c["list"] if t.playlist else 0)  # + 50: captions.list before each insert
    return total


def _local(cfg: Config, when: datetime) -> str:
    return when.astimezone(cfg.project.zone).strftime("%Y-%m-%d %H:%M %Z")


def status_rows(cfg: Config, store: Store, releases: list[Release]) -> list[dict]:
    """The calendar with each release x platform's ledger state and link, in local time."""
    rows = []
    known = set()
    for rel in sorted(releases, key=lambda r: r.publish_at):
        for t in rel.targets:
            known.add((rel.id, t.platform))
            rows.append(_row(cfg, rel.id, t.platform, rel.asset, rel.publish_at, ZoneInfo(rel.zone),
                             ledger.get(store, rel.id, t.platform)))
    for e in ledger.all_entries(store):  # in the ledger but gone from the calendar: still shown
        if (e.release_id, e.platform) not in known:
            rows.append({**_row(cfg, e.release_id, e.platform, e.asset, e.publish_at, cfg.project.zone, e),
                         "note": "not in any calendar now"})
    return rows


def _row(cfg: Config, rid: str, platform: str, asset: str, when: datetime, zone: ZoneInfo,
         e: ledger.LedgerEntry | None) -> dict:
    return {"release": rid, "platform": platform, "asset": asset,
            "local_time": when.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"), "utc": when.isoformat(),
            "state": e.state if e else "planned", "url": (e.url if e else None) or "",
            "progress": f"{e.upload_offset}/{e.upload_size}" if e and e.state == "uploading" else "",
            "reason": e.reason if e else "", "steps": list(e.steps) if e else [],
            "retry_at": _local(cfg, e.retry_at) if e and e.retry_at else ""}


def status_table(rows: list[dict]) -> str:
    head = ("when (local)", "release", "platform", "state", "link / reason")
    body = [(r["local_time"], r["release"], r["platform"], r["state"] + (f" {r['progress']}" if r["progress"] else ""),
             _link_or_reason(r)) for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body, strict=False)]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
                     for line in [head, *body])


def _link_or_reason(r: dict) -> str:
    """A failure or deferral shows why (the link is in --json); otherwise the link."""
    if r["state"] in ("failed", "deferred") or not r["url"]:
        return (f"retry {r['retry_at']}: " if r["retry_at"] else "") + r["reason"][:90]
    return r["url"]
