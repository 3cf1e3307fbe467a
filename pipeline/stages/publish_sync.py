"""publish: bring a video already on a platform to the calendar — the calendar is the plan.

What each platform holds is recorded as ledger steps (see pipeline/ledger.py): the schedule
(privacy and time, or cancelled), a digest of the texts, the thumbnail's digest, each caption
track with its file's digest, each playlist item. A changed calendar, thumbnail or approved
caption no longer matches its step: the platform call is made, then the step is written. A
crash between the two repeats an idempotent call (the same time set again, a caption replaced
again), never a second upload or a second track. Nothing is sent when nothing differs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pipeline import ledger, paths
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.log import stage_logger
from pipeline.platforms.base import PlatformError, Publisher, QuotaExceeded, RemoteState, VideoUpload
from pipeline.releases import FACEBOOK_MIN_LEAD, Release, Target, media_file
from pipeline.store import Store

log = stage_logger("publish")


@dataclass(frozen=True)
class Outcome:
    release_id: str
    platform: str
    state: str
    detail: str
    error: str = ""          # a change the platform cannot take (a move of a video already out)

    @property
    def failed(self) -> bool:
        return self.state == "failed" or bool(self.error)


class ChangeRefused(PipelineError):
    """The calendar asks for what the platform cannot do any more (move a video already public)."""


def local(cfg: Config, when: datetime) -> str:
    return when.astimezone(cfg.project.zone).strftime("%Y-%m-%d %H:%M %Z")


def spend(cfg: Config, store: Store, platform: str, op: str) -> None:
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


def video_of(cfg: Config, rel: Release, platform: str) -> VideoUpload:
    t = rel.target(platform)
    return VideoUpload(rel.id, media_file(cfg, rel, platform), t.title, t.description, t.tags, rel.publish_at,
                       t.privacy, vertical=rel.kind == "clip")


def texts_mark(t: Target) -> str:
    """The texts step's result: a digest of what the platform shows (title, description, tags)."""
    return hashlib.sha256(json.dumps([t.title, t.description, list(t.tags)]).encode()).hexdigest()[:16]


def wanted_schedule(rel: Release, platform: str) -> str:
    return ledger.CANCELLED if rel.cancel else ledger.schedule_mark(rel.target(platform).privacy, rel.publish_at)


def record_sent(store: Store, rel: Release, platform: str) -> None:
    """At the start of an upload: the texts and schedule the platform is given with the video."""
    ledger.record_step(store, rel.id, platform, ledger.TEXTS, texts_mark(rel.target(platform)))
    ledger.record_step(store, rel.id, platform, ledger.SCHEDULE, wanted_schedule(rel, platform))


def pending_changes(cfg: Config, store: Store, rel: Release, platform: str, entry: ledger.LedgerEntry) -> list[str]:
    """What the calendar (or a file) changed since the platform got the video; nothing is asked of it."""
    if not entry.remote_id:
        return []
    steps = ledger.steps(store, rel.id, platform)
    t = rel.target(platform)
    out = []
    have = steps.get(ledger.SCHEDULE, (ledger.schedule_mark(t.privacy, entry.publish_at),))[0]
    want = wanted_schedule(rel, platform)
    if have != want:
        out.append("cancel" if rel.cancel else "restore" if have == ledger.CANCELLED else
                   "time" if entry.publish_at != rel.publish_at else "privacy")
    if rel.cancel:
        return out
    if ledger.TEXTS in steps and steps[ledger.TEXTS][0] != texts_mark(t):
        out.append("texts")
    thumb = paths.thumbnail_path(cfg, rel.asset)
    if thumb.is_file() and steps.get(ledger.THUMBNAIL, ("",))[0] != store.file_digest(thumb):
        out.append("thumbnail")
    for lang in rel.subtitles:
        step = steps.get(f"caption:{lang}")
        path = paths.subtitle_path(cfg, rel.asset, lang)
        if step is None or (path.is_file() and "|" in step[0] and step[0].split("|")[1] != store.file_digest(path)):
            out.append(f"caption {lang}")
    out += [f"caption {s.split(':', 1)[1]} removed" for s in steps
            if s.startswith("caption:") and s.split(":", 1)[1] not in rel.subtitles]
    playlists = {s.split(":", 1)[1] for s in steps if s.startswith("playlist:")}
    if t.playlist and t.playlist not in playlists or playlists - {t.playlist}:
        out.append("playlist")
    return out


def sync(cfg: Config, store: Store, rel: Release, platform: str, pub: Publisher, entry: ledger.LedgerEntry,
         now: datetime) -> None:
    """Bring an uploaded video to the calendar: schedule, texts, thumbnail, captions, playlist."""
    vid = entry.remote_id
    assert vid
    if rel.cancel:
        cancel_remote(cfg, store, rel.id, platform, pub, entry)
        return
    _schedule(cfg, store, rel, platform, pub, entry, now)
    steps = ledger.steps(store, rel.id, platform)
    t = rel.target(platform)
    mark = texts_mark(t)
    if ledger.TEXTS not in steps:  # uploaded before texts were recorded: what it has is the calendar's then
        ledger.record_step(store, rel.id, platform, ledger.TEXTS, mark)
    elif steps[ledger.TEXTS][0] != mark and pub.capabilities.update_texts:
        spend(cfg, store, platform, "update")
        pub.update_texts(vid, video_of(cfg, rel, platform))
        ledger.record_step(store, rel.id, platform, ledger.TEXTS, mark)
        log.info("%s: %s: title, description and tags updated", rel.id, platform)
    attach(cfg, store, rel, platform, pub, vid)


def _schedule(cfg: Config, store: Store, rel: Release, platform: str, pub: Publisher, entry: ledger.LedgerEntry,
              now: datetime) -> None:
    """Move the video to the calendar's time and privacy (or restore a cancelled one), unless it is out."""
    t = rel.target(platform)
    have = ledger.step_done(store, rel.id, platform, ledger.SCHEDULE)
    want = wanted_schedule(rel, platform)
    if have is None:
        have = ledger.schedule_mark(t.privacy, entry.publish_at)
        ledger.record_step(store, rel.id, platform, ledger.SCHEDULE, have)
    if have == want:
        return
    if have != ledger.CANCELLED and ledger.is_out(store, entry, now):
        raise ChangeRefused(_out_message(cfg, rel, platform, entry.publish_at))
    state = read_back(cfg, store, rel.id, platform, pub, entry)  # the platform's truth before touching it
    if state.published:
        ledger.update(store, rel.id, platform, "published", "out on the platform")
        raise ChangeRefused(_out_message(cfg, rel, platform, entry.publish_at))
    if t.privacy == "public" and not pub.capabilities.reschedule:
        raise ChangeRefused(f"{rel.id}: {platform} cannot move a video once uploaded",
                            hint="put `at` back, or cancel the release")
    lead = rel.publish_at - now
    if t.privacy == "public" and lead < (FACEBOOK_MIN_LEAD if platform == "facebook" else timedelta(minutes=1)):
        raise PlatformError(f"too late to schedule on {platform}: {local(cfg, rel.publish_at)} has passed or is "
                            "too close; nothing was changed", hint="give the release a later time in the calendar")
    spend(cfg, store, platform, "update")
    pub.set_schedule(entry.remote_id, video_of(cfg, rel, platform))
    ledger.record_step(store, rel.id, platform, ledger.SCHEDULE, want)
    if have == ledger.CANCELLED:
        what = f"restored: scheduled for {local(cfg, rel.publish_at)}"
    elif entry.publish_at != rel.publish_at:
        what = f"{ledger.RESCHEDULED} from {local(cfg, entry.publish_at)} to {local(cfg, rel.publish_at)}"
    else:
        what = f"privacy now {t.privacy}"
    ledger.update(store, rel.id, platform, event=what, publish_at=rel.publish_at)
    log.info("%s: %s: %s", rel.id, platform, what)


def _out_message(cfg: Config, rel: Release, platform: str, since: datetime) -> str:
    return (f"{rel.id}: already public on {platform} since {local(cfg, since)}: its time cannot change (put `at` "
            "back); title, description, tags, thumbnail, captions and playlist can still be changed, and "
            "`cancel = true` makes it private")


def attach(cfg: Config, store: Store, rel: Release, platform: str, pub: Publisher, vid: str) -> None:
    """Thumbnail, caption tracks and playlist as the calendar and the files say: added, replaced, removed."""
    rid = rel.id
    steps = ledger.steps(store, rid, platform)
    thumb = paths.thumbnail_path(cfg, rel.asset)
    if thumb.is_file():
        digest = store.file_digest(thumb)
        have = steps.get(ledger.THUMBNAIL)
        if have is None or (have[0] != digest and pub.capabilities.replace_thumbnail):
            spend(cfg, store, platform, "thumbnails")
            pub.set_thumbnail(vid, thumb)
            ledger.record_step(store, rid, platform, ledger.THUMBNAIL, digest)
            if have is not None:
                log.info("%s: %s: thumbnail replaced", rid, platform)
    for lang in rel.subtitles:
        _caption(cfg, store, rel, platform, pub, vid, lang, steps.get(f"caption:{lang}"))
    for step, (result, _) in steps.items():
        if step.startswith("caption:") and step.split(":", 1)[1] not in rel.subtitles \
                and pub.capabilities.replace_captions:
            spend(cfg, store, platform, "delete")
            pub.remove_caption(vid, step.split(":", 1)[1], result.split("|")[0])
            ledger.drop_step(store, rid, platform, step)
            log.info("%s: %s: %s caption removed (no longer in the calendar)", rid, platform, step.split(":", 1)[1])
    playlist = rel.target(platform).playlist if pub.capabilities.playlists else ""
    if playlist and f"playlist:{playlist}" not in steps:
        item = pub.find_in_playlist(vid, playlist)
        if item is None:
            spend(cfg, store, platform, "playlist")
            item = pub.add_to_playlist(vid, playlist)
        ledger.record_step(store, rid, platform, f"playlist:{playlist}", item)
    for step, (item, _) in steps.items():
        if step.startswith("playlist:") and step != f"playlist:{playlist}" and pub.capabilities.playlists:
            spend(cfg, store, platform, "delete")
            pub.remove_from_playlist(item)
            ledger.drop_step(store, rid, platform, step)
            log.info("%s: %s: taken out of playlist %s", rid, platform, step.split(":", 1)[1])


def _caption(cfg: Config, store: Store, rel: Release, platform: str, pub: Publisher, vid: str, lang: str,
             have: tuple[str, datetime] | None) -> None:
    """One language: attached once (asking first, after a crash), replaced when the approved file changed."""
    step, path = f"caption:{lang}", paths.subtitle_path(cfg, rel.asset, lang)
    digest = store.file_digest(path)
    if have is None:
        track = pub.find_caption(vid, lang)  # attached just before a crash? then do not attach it twice
        if track is None:
            spend(cfg, store, platform, "captions")
            track = pub.add_caption(vid, lang, path)
        ledger.record_step(store, rel.id, platform, step, f"{track}|{digest}")
        return
    track, _, sent = have[0].partition("|")
    if not sent:  # recorded before digests were kept: what it has is taken as this file
        ledger.record_step(store, rel.id, platform, step, f"{track}|{digest}")
    elif sent != digest and pub.capabilities.replace_captions:
        spend(cfg, store, platform, "caption_update")
        track = pub.replace_caption(vid, lang, path, track)
        ledger.record_step(store, rel.id, platform, step, f"{track}|{digest}")
        log.info("%s: %s: %s caption replaced by the approved version", rel.id, platform, lang)


def read_back(cfg: Config, store: Store, rid: str, platform: str, pub: Publisher,
              entry: ledger.LedgerEntry) -> RemoteState:
    """Ask the platform how the video is now, and remember the answer (status shows it)."""
    assert entry.remote_id
    spend(cfg, store, platform, "list")
    state = pub.read_back(entry.remote_id)
    ledger.save_remote(store, ledger.RemoteRecord(rid, platform, datetime.now(UTC), state.found, state.privacy,
                                                  state.publish_at, state.published, state.title, state.detail))
    return state


def cancel_remote(cfg: Config, store: Store, rid: str, platform: str, pub: Publisher | None,
                  entry: ledger.LedgerEntry) -> None:
    """Private and unscheduled on the platform (read back to be sure), then `cancelled` in the ledger.
    A release never uploaded needs no platform (`pub` may be None)."""
    if entry.remote_id and ledger.step_done(store, rid, platform, ledger.SCHEDULE) != ledger.CANCELLED:
        assert pub is not None
        if not pub.capabilities.unpublish:
            raise PlatformError(f"{platform} cannot make a video private once posted",
                                hint=f"`webseries publish cancel {rid} --delete` removes it")
        spend(cfg, store, platform, "update")
        pub.unpublish(entry.remote_id)
        state = read_back(cfg, store, rid, platform, pub, entry)
        if state.found and (state.published or state.publish_at):
            raise PlatformError(f"{platform} still shows {rid} as {state.privacy or 'scheduled'} after the cancel",
                                hint=f"`webseries publish cancel {rid} --delete` removes the video instead")
        ledger.record_step(store, rid, platform, ledger.SCHEDULE, ledger.CANCELLED)
    if entry.state != "cancelled":
        ledger.update(store, rid, platform, "cancelled", "cancelled: private and unscheduled"
                      if entry.remote_id else "cancelled before upload", reason="", retry_at=None, session=None)
        log.info("%s: %s: cancelled", rid, platform)


def delete_remote(cfg: Config, store: Store, rid: str, platform: str, pub: Publisher,
                  entry: ledger.LedgerEntry) -> None:
    """Remove the video for good; the ledger forgets its steps (a release restored later uploads again)."""
    if not entry.remote_id:
        return
    if not pub.capabilities.delete:
        raise PlatformError(f"{platform} cannot delete a video through its API", hint="remove it on the platform")
    spend(cfg, store, platform, "delete")
    pub.delete(entry.remote_id)
    ledger.forget(store, rid, platform)
    ledger.update(store, rid, platform, "cancelled", f"deleted video {entry.remote_id}", remote_id=None, url=None,
                  session=None, reason="")
    log.info("%s: %s: video %s deleted", rid, platform, entry.remote_id)
