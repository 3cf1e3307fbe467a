"""publish: upload and schedule each release on each platform, recorded step by step in the ledger.

Platform-native scheduling is the default: a video goes up ahead of time, private or
unpublished, with its publication time (YouTube publishAt, Facebook scheduled_publish_time),
so it goes out on time even if this machine is off. The ledger is read before and written
after every platform call, so a rerun (or a restart after a crash) never repeats one.

The calendar is the plan: a release already on a platform is brought to it (moved, retitled,
new thumbnail or caption, cancelled) by publish_sync.py. `move`, `cancel` and `restore` change
the calendar file (comments kept) and the platforms together; the studio calls them too.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline import ledger, schedule_edit
from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.log import stage_logger
from pipeline.platforms.base import (AuthError, PlatformError, Publisher, QuotaExceeded, TransientError,
                                     UploadProgress, VideoUpload)
from pipeline.releases import FACEBOOK_MIN_LEAD, Release, calendars, check, media_file, release_problems
from pipeline.stages.publish_sync import (ChangeRefused, Outcome, cancel_remote, delete_remote, local,
                                          pending_changes, record_sent, spend, sync)
from pipeline.store import Store

STAGE = "publish"
log = stage_logger(STAGE)
PublisherFactory = Callable[[str], Publisher]
__all__ = ["Outcome", "PublisherFactory", "cancel", "default_publishers", "load_checked", "move", "plan",
           "publish_all", "publish_lock", "publish_one", "restore", "upload_time", "youtube_units"]


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
    """The calendars' releases that can go now, refusing to go on if any problem is found (all listed).
    Releases planned but not ready (their media is not made yet, and not due) are left for later."""
    result = check(cfg, store, calendars(cfg, files), now)
    if set(result.problems) - set(result.left_out):
        raise ConfigError(result.problems, hint="fix the calendar (`webseries publish check FILE` lists the same); "
                                                "nothing was uploaded")
    for problem in result.left_out:  # an episode's broken manifest stops its own releases only
        log.warning("%s", problem)
    return [r for r in result.releases if r.id not in result.not_ready]


def plan(cfg: Config, store: Store, releases: list[Release]) -> None:
    """Record every release x platform in the ledger (planned), with the file it will send."""
    for rel in releases:
        for t in rel.targets:
            f = media_file(cfg, rel, t.platform)
            ledger.plan(store, rel.id, t.platform, rel.asset, str(rel.calendar), rel.publish_at, str(f),
                        store.file_digest(f) if f.is_file() else "")


def upload_time(cfg: Config, entry: ledger.LedgerEntry, now: datetime) -> datetime:
    """When this release may upload: lead days before, inside the upload window, after a deferral."""
    when = max(now, entry.publish_at - timedelta(days=cfg.publish.upload_lead_days))
    if entry.state == "deferred" and entry.retry_at:
        when = max(when, entry.retry_at)
    window = cfg.publish.upload_hours
    if window:
        zone = cfg.project.zone
        local_time = when.astimezone(zone)
        a, b = window
        inside = (a <= local_time.hour < b) if a < b else (local_time.hour >= a or local_time.hour < b)
        if not inside:
            start = local_time.replace(hour=a, minute=0, second=0, microsecond=0)
            if start <= local_time:
                start += timedelta(days=1)
            when = start.astimezone(UTC)
    return when


def publish_one(cfg: Config, store: Store, rel: Release, platform: str, publishers: PublisherFactory,
                now: datetime | None = None) -> Outcome:
    """Take one release on one platform as far as it can go now, and bring it to the calendar
    (move, texts, files, cancel). Safe to call again at any point; sends nothing when nothing changed."""
    now = now or datetime.now(UTC)
    entry = ledger.get(store, rel.id, platform)
    if entry is None:
        plan(cfg, store, [rel])
        entry = ledger.get(store, rel.id, platform)
    assert entry is not None
    if entry.state == "cancelled" and not entry.remote_id and not rel.cancel:
        ledger.update(store, rel.id, platform, "planned", "restored in the calendar")  # never uploaded, or deleted
        plan(cfg, store, [rel])
        entry = ledger.get(store, rel.id, platform)
        assert entry is not None
    settled = entry.state in ledger.DONE or (entry.state == "cancelled" and (rel.cancel or entry.remote_id))
    if settled and not pending_changes(cfg, store, rel, platform, entry):
        return Outcome(rel.id, platform, entry.state, entry.url or "")
    if rel.cancel and not entry.remote_id:
        cancel_remote(cfg, store, rel.id, platform, None, entry)  # never uploaded: nothing to ask a platform
        return Outcome(rel.id, platform, "cancelled", "cancelled before upload")
    if not entry.remote_id or entry.state == "deferred" or entry.retry_at:  # a quota deferral waits for the reset
        start = upload_time(cfg, entry, now) if not entry.remote_id else max(now, entry.retry_at or now)
        if start > now:
            why = f"uploads from {local(cfg, start)} (`webseries publish run` does it then)"
            if entry.reason != why and entry.state in ("planned", "deferred"):
                ledger.update(store, rel.id, platform, reason=why)
            return Outcome(rel.id, platform, entry.state, why)
    keep = entry.state if entry.state in ledger.DONE else None  # a scheduled or public video stays so on an error
    try:
        return _advance(cfg, store, rel, platform, publishers(platform), entry, now)
    except ChangeRefused as exc:
        ledger.update(store, rel.id, platform, event=exc.message, reason=exc.message)
        log.error("%s: %s: %s", rel.id, platform, exc.message)
        current = ledger.get(store, rel.id, platform)
        return Outcome(rel.id, platform, current.state if current else keep or "failed", exc.message, exc.message)
    except QuotaExceeded as exc:
        ledger.update(store, rel.id, platform, None if keep else "deferred", exc.message, reason=exc.message,
                      retry_at=exc.retry_at)
        log.warning("%s: %s: %s; deferred to %s", rel.id, platform, exc.message, local(cfg, exc.retry_at))
        return Outcome(rel.id, platform, keep or "deferred", exc.message)
    except AuthError as exc:
        ledger.update(store, rel.id, platform, event=exc.message, reason=exc.message)
        raise
    except (PlatformError, TransientError) as exc:
        ledger.update(store, rel.id, platform, None if keep else "failed", exc.message, reason=exc.message)
        log.error("%s: %s: %s", rel.id, platform, exc.message)
        return Outcome(rel.id, platform, keep or "failed", exc.message, exc.message if keep else "")


def _advance(cfg: Config, store: Store, rel: Release, platform: str, pub: Publisher,
             entry: ledger.LedgerEntry, now: datetime) -> Outcome:
    if not entry.remote_id:
        entry = _upload(cfg, store, rel, platform, pub, entry, now)
    sync(cfg, store, rel, platform, pub, entry, now)
    entry = ledger.get(store, rel.id, platform)
    assert entry is not None
    if rel.cancel:
        return Outcome(rel.id, platform, entry.state, entry.url or "")
    state = "published" if entry.state == "published" else "scheduled"
    if entry.state != state or entry.reason or entry.retry_at:
        ledger.update(store, rel.id, platform, state if entry.state != state else None,
                      f"goes out {rel.publish_at.isoformat()}" if entry.state != state else "", reason="",
                      retry_at=None)
        if state == "scheduled":
            log.info("%s: %s: scheduled for %s", rel.id, platform, local(cfg, rel.publish_at))
    return Outcome(rel.id, platform, state, entry.url or "")


def _upload(cfg: Config, store: Store, rel: Release, platform: str, pub: Publisher,
            entry: ledger.LedgerEntry, now: datetime) -> ledger.LedgerEntry:
    """The video itself: resumable, the offset saved after every chunk; the texts and schedule it carries
    are recorded when a session starts (a resumed session carries what it started with)."""
    t = rel.target(platform)
    rid = rel.id
    lead = rel.publish_at - now
    if t.privacy != "private" and lead < (FACEBOOK_MIN_LEAD if platform == "facebook" else timedelta(minutes=1)):
        raise PlatformError(f"too late to schedule: the release time {local(cfg, rel.publish_at)} has passed "
                            "or is too close, and nothing was uploaded", hint="move the release in the calendar")
    file = media_file(cfg, rel, platform)
    digest = store.file_digest(file)
    resume = None
    if entry.session and entry.file_sha256 == digest:
        resume = UploadProgress(entry.session, entry.upload_offset, entry.upload_size)
    elif entry.session:
        log.warning("%s: %s: the file changed since the interrupted upload; starting again", rid, platform)
    if resume is None:  # the quota is charged when a session starts, not when it resumes
        spend(cfg, store, platform, "upload")
        record_sent(store, rel, platform)
    ledger.update(store, rid, platform, "uploading", "resume" if resume else "start", file=str(file),
                  file_sha256=digest, reason="", **({} if resume else {"publish_at": rel.publish_at}))
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
    return entry


def publish_all(cfg: Config, store: Store, releases: list[Release], publishers: PublisherFactory,
                now: datetime | None = None) -> list[Outcome]:
    plan(cfg, store, releases)
    out = []
    for rel in sorted(releases, key=lambda r: r.publish_at):
        for t in rel.targets:
            out.append(publish_one(cfg, store, rel, t.platform, publishers, now))
    return out


# ------------------------------------------------------------------ changes an officer makes (CLI and studio)

def move(cfg: Config, store: Store, release_id: str, at: datetime, publishers: PublisherFactory,
         files: list[str] | None = None, now: datetime | None = None) -> list[Outcome]:
    """A new time for a release, in its calendar and on every platform that has it (a naive `at` is in the
    calendar's zone). Refused, with nothing changed, if a platform has published it or the time is too close."""
    with publish_lock(cfg, wait=False):
        return _change(cfg, store, release_id, publishers, files, now, at=at)


def cancel(cfg: Config, store: Store, release_id: str, publishers: PublisherFactory, delete: bool = False,
           files: list[str] | None = None, now: datetime | None = None) -> list[Outcome]:
    """`cancel = true` in the calendar; each platform makes it private and unscheduled (delete: removes it)."""
    with publish_lock(cfg, wait=False):
        outcomes = _change(cfg, store, release_id, publishers, files, now, cancel=True)
        return [_delete(cfg, store, o, publishers) for o in outcomes] if delete else outcomes


def _delete(cfg: Config, store: Store, o: Outcome, publishers: PublisherFactory) -> Outcome:
    entry = ledger.get(store, o.release_id, o.platform)
    if entry is None or not entry.remote_id or o.failed:
        return o
    try:
        delete_remote(cfg, store, o.release_id, o.platform, publishers(o.platform), entry)
        return Outcome(o.release_id, o.platform, "cancelled", f"deleted video {entry.remote_id}")
    except (PlatformError, TransientError, QuotaExceeded) as exc:
        ledger.update(store, o.release_id, o.platform, event=exc.message, reason=exc.message)
        return Outcome(o.release_id, o.platform, "cancelled", exc.message, exc.message)


def restore(cfg: Config, store: Store, release_id: str, publishers: PublisherFactory,
            files: list[str] | None = None, now: datetime | None = None) -> list[Outcome]:
    """Undo a cancel: `cancel` removed from the calendar; a video still on a platform is scheduled again."""
    with publish_lock(cfg, wait=False):
        return _change(cfg, store, release_id, publishers, files, now, cancel=False)


def _change(cfg: Config, store: Store, release_id: str, publishers: PublisherFactory, files: list[str] | None,
            now: datetime | None, at: datetime | None = None, cancel: bool | None = None) -> list[Outcome]:
    """Check the changed release, write the calendar, then bring each platform that has the release to it."""
    now = now or datetime.now(UTC)
    result = check(cfg, store, calendars(cfg, files), now)
    rel = next((r for r in result.releases if r.id == release_id), None)
    if rel is None:
        known = ", ".join(r.id for r in result.releases) or "none"
        raise PipelineError(f"no release {release_id!r} in the calendars", hint=f"releases: {known}")
    changed = rel
    if at is not None:
        aware = at if at.tzinfo else at.replace(tzinfo=ZoneInfo(rel.zone))
        changed = dataclasses.replace(changed, publish_at=aware.astimezone(UTC))
    if cancel is not None:
        changed = dataclasses.replace(changed, cancel=cancel)
    errors, _ = release_problems(cfg, store, changed, None, now)
    if errors:
        raise ConfigError(errors, hint="nothing was changed, in the calendar or on the platforms")
    local_at = changed.publish_at.astimezone(ZoneInfo(rel.zone)).replace(tzinfo=None)
    schedule_edit.set_release(cfg, rel.calendar, rel.id, at=local_at if at is not None else None, cancel=cancel)
    out = []
    for t in changed.targets:
        entry = ledger.get(store, changed.id, t.platform)
        if entry is not None and entry.remote_id or changed.cancel:
            out.append(publish_one(cfg, store, changed, t.platform, publishers, now))
            continue
        if entry is not None and entry.state == "cancelled":  # never uploaded: `upload` or the scheduler sends it
            ledger.update(store, changed.id, t.platform, "planned", "restored in the calendar")
        if media_file(cfg, changed, t.platform).is_file():
            plan(cfg, store, [changed])
        out.append(Outcome(changed.id, t.platform, "planned", f"planned for {local(cfg, changed.publish_at)}"))
    return out


def youtube_units(cfg: Config, releases: list[Release]) -> int:
    """Quota units the YouTube releases will cost (upload, thumbnail, captions, playlist)."""
    c = cfg.publish.youtube.quota_costs
    total = 0
    for rel in releases:
        if any(t.platform == "youtube" for t in rel.targets) and not rel.cancel:
            t = rel.target("youtube")
            total += c["upload"] + c["thumbnails"] + len(rel.subtitles) * (c["captions"] + 50) + (
                c["playlist"] + c["list"] if t.playlist else 0)  # + 50: captions.list before each insert
    return total
