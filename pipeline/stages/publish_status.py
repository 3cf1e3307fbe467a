"""publish status: the calendar beside what each platform holds, step by step, and any drift.

Two times are never confused: the calendar's (the plan) and the platform's (as last set by the
pipeline, or as read back by `status --refresh`: YouTube videos.list status/snippet, Graph
video fields). When they disagree, or the platform was changed by hand, the row says so with
the command that fixes it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pipeline import ledger
from pipeline.config import Config
from pipeline.releases import Release
from pipeline.stages.publish_sync import local, pending_changes, read_back, texts_mark
from pipeline.store import Store


@dataclass(frozen=True)
class Step:
    name: str          # upload | thumbnail | caption:<lang> | playlist:<id> | moved
    done: bool
    at: str            # local time it was done ("" when not done)
    detail: str = ""


@dataclass(frozen=True)
class ReleaseStatus:
    """One release on one platform, as the officer needs to see it (the studio's calendar shows the same)."""

    release: str
    platform: str
    asset: str
    local_time: str              # the calendar's time, in the calendar's zone
    utc: str
    state: str                   # the ledger's: planned ... scheduled, published, cancelled
    cancel: bool                 # the calendar says cancel = true
    url: str                     # emulator://<platform>/<id> in a rehearsal: never a real-looking link
    progress: str
    reason: str
    retry_at: str
    platform_time: str           # the platform's own time ("" = none / unknown), project zone
    platform_privacy: str
    platform_read_at: str        # when read back; "" = as last set by the pipeline, not read back
    steps: tuple[Step, ...]
    drift: tuple[str, ...]       # each disagreement, with the command that fixes it
    not_ready: tuple[str, ...] = ()
    note: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def refresh(cfg: Config, store: Store, publishers, now: datetime | None = None,  # noqa: ANN001
            due_only: bool = False, releases: list[Release] = ()) -> int:
    """Read every uploaded video back (due_only: those whose time has come, for the hourly job) and keep the
    platform's answer; a platform's own time or title changed by hand becomes drift the next upload fixes.
    Returns how many releases turned out published."""
    now = now or datetime.now(UTC)
    n = 0
    by_id = {r.id: r for r in releases}
    for e in ledger.all_entries(store):
        if not e.remote_id or (due_only and not (e.state == "scheduled" and e.publish_at <= now)):
            continue
        state = read_back(cfg, store, e.release_id, e.platform, publishers(e.platform), e)
        if not state.found:
            ledger.update(store, e.release_id, e.platform, event=f"read back: {state.detail}")
            continue
        if state.published and e.state in ("scheduled", "uploaded"):
            ledger.update(store, e.release_id, e.platform, "published", state.detail or state.privacy)
            n += 1
        elif not state.published and e.state == "scheduled":
            ledger.update(store, e.release_id, e.platform, event=f"not yet published: {state.privacy}")
        sched = ledger.step_done(store, e.release_id, e.platform, ledger.SCHEDULE) or ""
        if (not state.published and state.publish_at and state.publish_at != e.publish_at
                and sched != ledger.CANCELLED):
            ledger.update(store, e.release_id, e.platform, publish_at=state.publish_at,
                          event=f"the platform has {local(cfg, state.publish_at)} (changed outside the pipeline)")
            ledger.record_step(store, e.release_id, e.platform, ledger.SCHEDULE,
                               ledger.schedule_mark(sched.split(" ")[0] or "public", state.publish_at))
        rel = by_id.get(e.release_id)
        if rel is not None and e.platform in {t.platform for t in rel.targets} and state.title:
            mark = texts_mark(rel.target(e.platform))
            if state.title != rel.target(e.platform).title and \
                    ledger.step_done(store, e.release_id, e.platform, ledger.TEXTS) == mark:
                ledger.record_step(store, e.release_id, e.platform, ledger.TEXTS, "changed on the platform")
    return n


def status(cfg: Config, store: Store, releases: list[Release],
           not_ready: dict[str, tuple[str, ...]] | None = None) -> list[ReleaseStatus]:
    """The calendar with each release x platform's state, steps, the platform's own time and any drift."""
    not_ready = not_ready or {}
    rows = []
    known = set()
    for rel in sorted(releases, key=lambda r: r.publish_at):
        for t in rel.targets:
            known.add((rel.id, t.platform))
            rows.append(_row(cfg, store, rel, t.platform, rel.asset, rel.publish_at, rel.zone,
                             ledger.get(store, rel.id, t.platform), not_ready.get(rel.id, ())))
    for e in ledger.all_entries(store):  # in the ledger but gone from the calendar: still shown
        if (e.release_id, e.platform) not in known:
            rows.append(_row(cfg, store, None, e.platform, e.asset, e.publish_at, cfg.project.timezone, e, (),
                             note="not in any calendar now", rid=e.release_id))
    return rows


def _row(cfg: Config, store: Store, rel: Release | None, platform: str, asset: str, when: datetime, zone: str,
         e: ledger.LedgerEntry | None, not_ready: tuple[str, ...], note: str = "", rid: str = "") -> ReleaseStatus:
    rid = rel.id if rel else rid
    rec = ledger.remote(store, rid, platform) if e and e.remote_id else None
    if rec is not None:
        p_time = local(cfg, rec.publish_at) if rec.publish_at else ("out" if rec.published else "")
        p_privacy, read_at = (rec.privacy if rec.found else "missing"), local(cfg, rec.read_at)
    elif e is not None and e.remote_id:
        sched = ledger.step_done(store, rid, platform, ledger.SCHEDULE) or ""
        p_time = "" if sched == ledger.CANCELLED or sched.startswith("private") else local(cfg, e.publish_at)
        p_privacy, read_at = {ledger.CANCELLED: "cancelled", "private": "private"}.get(sched.split(" ")[0], ""), ""
        if e.state == "published":
            p_time, p_privacy = "out", ""
    else:
        p_time = p_privacy = read_at = ""
    url = (e.url if e else None) or ""
    if cfg.publish.rehearsal and e is not None and e.remote_id:
        url = f"emulator://{platform}/{e.remote_id}"
    return ReleaseStatus(
        rid, platform, asset, when.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z"), when.isoformat(),
        e.state if e else "planned", bool(rel and rel.cancel), url,
        f"{e.upload_offset}/{e.upload_size}" if e and e.state == "uploading" else "",
        e.reason if e else "", local(cfg, e.retry_at) if e and e.retry_at else "",
        p_time, p_privacy, read_at, _steps(cfg, store, rid, platform, rel, e),
        tuple(_drift(cfg, store, rel, platform, e, rec)) if e else (), not_ready, note)


def _steps(cfg: Config, store: Store, rid: str, platform: str, rel: Release | None,
           e: ledger.LedgerEntry | None) -> tuple[Step, ...]:
    """upload, thumbnail, each caption language, playlist, then the moves: done or still to do."""
    done = ledger.steps(store, rid, platform) if e else {}
    upload_at = next((at for at, state, _ in ledger.events(store, rid, platform) if state == "uploaded"), "") if e \
        else ""
    out = [Step("upload", bool(e and e.remote_id), _at(cfg, upload_at), (e.url or "") if e else "")]
    names = [ledger.THUMBNAIL] + [f"caption:{lang}" for lang in (rel.subtitles if rel else ())]
    if rel and platform == "youtube" and rel.target(platform).playlist:
        names.append(f"playlist:{rel.target(platform).playlist}")
    names += [n for n in done if n.split(":")[0] in ("thumbnail", "caption", "playlist") and n not in names]
    for name in names:
        result, at = done.get(name, ("", None))
        out.append(Step(name, name in done, local(cfg, at) if at else "", result.split("|")[0]))
    for at, _, detail in (ledger.events(store, rid, platform) if e else []):
        if detail.startswith(ledger.RESCHEDULED):
            out.append(Step("moved", True, _at(cfg, at), detail))
    return tuple(out)


def _at(cfg: Config, iso: str) -> str:
    return local(cfg, datetime.fromisoformat(iso)) if iso else ""


def _drift(cfg: Config, store: Store, rel: Release | None, platform: str, e: ledger.LedgerEntry,
           rec: ledger.RemoteRecord | None) -> list[str]:
    """Where the calendar, the ledger and the platform disagree, each with the command that fixes it."""
    out = []
    fix = "`webseries publish upload` brings it to the calendar"
    if rec is not None and not rec.found:
        out.append(f"the video is gone from {platform} (deleted there?): `webseries publish cancel {e.release_id}` "
                   "records it; remove `cancel` later to upload it again")
        return out
    if rel is None or not e.remote_id:
        return out
    changes = pending_changes(cfg, store, rel, platform, e)
    if "time" in changes:
        if ledger.is_out(store, e, datetime.now(UTC)):
            out.append(f"the calendar says {local(cfg, rel.publish_at)} but {platform} published it at "
                       f"{local(cfg, e.publish_at)}: put `at` back")
        else:
            out.append(f"the calendar says {local(cfg, rel.publish_at)}, {platform} has {local(cfg, e.publish_at)}: "
                       f"{fix}")
    if rec is not None and rel.cancel and (rec.published or rec.publish_at):
        out.append(f"cancelled in the calendar, but {platform} shows it {rec.privacy}: "
                   f"`webseries publish cancel {rel.id}`")
    if rec is not None and rec.title and rec.title != rel.target(platform).title and not rel.cancel:
        out.append(f"{platform} shows the title {rec.title!r}: {fix}")
    rest = [c for c in changes if c != "time"]
    if rest:
        out.append(f"not yet on {platform}: {', '.join(rest)}: {fix}")
    return out


def status_table(rows: list[ReleaseStatus]) -> str:
    """One line per release x platform; the drift and the missing media of planned releases below."""
    head = ("when (local)", "release", "platform", "state", "platform says", "steps", "link / reason")
    body = [(r.local_time, r.release, r.platform, r.state + (f" {r.progress}" if r.progress else ""),
             _platform_says(r), _step_summary(r), _link_or_reason(r)) for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body, strict=False)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in [head, *body]]
    for r in rows:
        lines += [f"  drift: {r.release} on {r.platform}: {d}" for d in r.drift]
        if r.not_ready and r.platform == next(x.platform for x in rows if x.release == r.release):
            lines += [f"  planned, not ready: {r.release}: {m}" for m in r.not_ready]
    return "\n".join(lines)


def _platform_says(r: ReleaseStatus) -> str:
    if not r.platform_privacy and not r.platform_time:
        return "-"
    text = " ".join(x for x in (r.platform_time, r.platform_privacy) if x)
    return text + (" (read)" if r.platform_read_at else "")


def _step_summary(r: ReleaseStatus) -> str:
    names = {"upload": "upload", "thumbnail": "thumb"}
    parts = []
    moves = sum(1 for s in r.steps if s.name == "moved")
    for s in r.steps:
        if s.name == "moved":
            continue
        label = names.get(s.name) or (s.name.split(":", 1)[1] if s.name.startswith("caption:") else "playlist")
        parts.append(label + ("" if s.done else "?"))
    return " ".join(parts) + (f" moved×{moves}" if moves else "")


def _link_or_reason(r: ReleaseStatus) -> str:
    """A failure or deferral shows why (the link is in --json); otherwise the link."""
    if r.state in ("failed", "deferred") or r.reason or not r.url:
        return (f"retry {r.retry_at}: " if r.retry_at else "") + (r.reason or ("planned, not ready" if r.not_ready
                                                                                else ""))[:90]
    return r.url
