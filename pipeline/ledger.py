"""The release ledger: what was uploaded, scheduled and published, per release x platform.

It is the source of truth (not the scheduler's job store): every platform call is preceded
by a look here and followed by a write here, so a restart after a crash at any point
resumes without uploading or publishing anything twice.

planned -> uploading (session, offset) -> uploaded (remote id) -> scheduled (every step done)
-> published (the platform says so); failed / deferred carry a reason (and retry_at);
cancelled (made private / unscheduled, or deleted: the calendar says `cancel = true`).

Steps record what each platform holds, so a changed calendar is brought to the platform
exactly once: `texts` (a digest of title, description, tags), `schedule` (privacy and time,
or "cancelled"), `thumbnail` (the image's digest), `caption:<lang>` (track | file digest),
`playlist:<id>` (the item). Moves are events ("rescheduled from ... to ...").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pipeline.store import Store, utcnow

STATES = ("planned", "uploading", "uploaded", "scheduled", "published", "failed", "deferred", "cancelled")
STATES_FR = {"planned": "prévu", "uploading": "envoi en cours", "uploaded": "envoyé", "scheduled": "programmé",
             "published": "publié", "failed": "échec", "deferred": "reporté", "cancelled": "annulé"}  # for people
DONE = ("scheduled", "published")
RESCHEDULED = "rescheduled"   # the first word of a move's event
SCHEDULE, TEXTS, THUMBNAIL = "schedule", "texts", "thumbnail"   # step names (captions, playlists: prefixed)
CANCELLED = "cancelled"       # the schedule step of a cancelled video


@dataclass(frozen=True)
class LedgerEntry:
    release_id: str
    platform: str
    asset: str
    calendar: str
    publish_at: datetime
    file: str
    file_sha256: str
    state: str
    session: str | None
    upload_offset: int
    upload_size: int
    remote_id: str | None
    url: str | None
    reason: str
    retry_at: datetime | None
    updated_at: datetime
    steps: tuple[str, ...] = ()


_COLS = ("release_id, platform, asset, calendar, publish_at, file, file_sha256, state, session, upload_offset, "
         "upload_size, remote_id, url, reason, retry_at, updated_at")


def _entry(store: Store, row: tuple) -> LedgerEntry:
    steps = tuple(r[0] for r in store.db.execute(
        "SELECT step FROM release_steps WHERE release_id=? AND platform=? ORDER BY done_at", row[:2]))
    d = list(row)
    d[4] = datetime.fromisoformat(d[4])
    d[14] = datetime.fromisoformat(d[14]) if d[14] else None
    d[15] = datetime.fromisoformat(d[15])
    return LedgerEntry(*d, steps=steps)


def get(store: Store, release_id: str, platform: str) -> LedgerEntry | None:
    row = store.db.execute(f"SELECT {_COLS} FROM releases WHERE release_id=? AND platform=?",
                           (release_id, platform)).fetchone()
    return _entry(store, row) if row else None


def all_entries(store: Store) -> list[LedgerEntry]:
    rows = store.db.execute(f"SELECT {_COLS} FROM releases ORDER BY publish_at, release_id, platform").fetchall()
    return [_entry(store, r) for r in rows]


def plan(store: Store, release_id: str, platform: str, asset: str, calendar: str, publish_at: datetime,
         file: str, file_sha256: str) -> LedgerEntry:
    """Record a release (or refresh its plan while nothing has left the machine yet)."""
    now = utcnow().isoformat()
    with store.db:
        store.db.execute(
            "INSERT INTO releases (release_id, platform, asset, calendar, publish_at, file, file_sha256, state, "
            "updated_at) VALUES (?,?,?,?,?,?,?,'planned',?) ON CONFLICT (release_id, platform) DO UPDATE SET "
            "asset=excluded.asset, calendar=excluded.calendar, publish_at=excluded.publish_at, file=excluded.file, "
            "file_sha256=excluded.file_sha256, updated_at=excluded.updated_at WHERE releases.state='planned'",
            (release_id, platform, asset, calendar, publish_at.isoformat(), file, file_sha256, now))
    entry = get(store, release_id, platform)
    assert entry is not None
    return entry


def update(store: Store, release_id: str, platform: str, state: str | None = None, event: str = "", **fields: object) -> None:
    """Set columns (and the state), and append an event when the state changes or `event` is given."""
    assert state is None or state in STATES
    cols = dict(fields)
    if state:
        cols["state"] = state
    cols["updated_at"] = utcnow().isoformat()
    for k, v in list(cols.items()):
        if isinstance(v, datetime):
            cols[k] = v.isoformat()
    sets = ", ".join(f"{k}=?" for k in cols)
    with store.db:
        store.db.execute(f"UPDATE releases SET {sets} WHERE release_id=? AND platform=?",
                         (*cols.values(), release_id, platform))
        if state or event:
            store.db.execute("INSERT INTO release_events VALUES (?,?,?,?,?)",
                             (cols["updated_at"], release_id, platform, state or "", event))


def step_done(store: Store, release_id: str, platform: str, step: str) -> str | None:
    row = store.db.execute("SELECT result FROM release_steps WHERE release_id=? AND platform=? AND step=?",
                           (release_id, platform, step)).fetchone()
    return row[0] if row else None


def record_step(store: Store, release_id: str, platform: str, step: str, result: str) -> None:
    with store.db:
        store.db.execute("INSERT OR REPLACE INTO release_steps VALUES (?,?,?,?,?)",
                         (release_id, platform, step, result, utcnow().isoformat()))


def drop_step(store: Store, release_id: str, platform: str, step: str) -> None:
    with store.db:
        store.db.execute("DELETE FROM release_steps WHERE release_id=? AND platform=? AND step=?",
                         (release_id, platform, step))


def forget(store: Store, release_id: str, platform: str) -> None:
    """A deleted video: its steps and last read-back mean nothing any more (its events stay)."""
    with store.db:
        store.db.execute("DELETE FROM release_steps WHERE release_id=? AND platform=?", (release_id, platform))
        store.db.execute("DELETE FROM release_remote WHERE release_id=? AND platform=?", (release_id, platform))


def steps(store: Store, release_id: str, platform: str) -> dict[str, tuple[str, datetime]]:
    """Every recorded step: name -> (result, when), in the order they were done."""
    return {r[0]: (r[1], datetime.fromisoformat(r[2])) for r in store.db.execute(
        "SELECT step, result, done_at FROM release_steps WHERE release_id=? AND platform=? ORDER BY done_at",
        (release_id, platform))}


def schedule_mark(privacy: str, when: datetime) -> str:
    """The schedule step's result: the privacy and time the platform was given."""
    return f"{privacy} {when.astimezone(UTC).isoformat()}"


def is_out(store: Store, entry: LedgerEntry, now: datetime) -> bool:
    """The platform has published it, or will have: a public schedule whose time has passed."""
    if entry.state == "published":
        return True
    mark = step_done(store, entry.release_id, entry.platform, SCHEDULE) or ""
    return entry.state == "scheduled" and entry.publish_at <= now and mark.split(" ")[0] not in ("private", CANCELLED)


def events(store: Store, release_id: str, platform: str) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in store.db.execute(
        "SELECT at, state, detail FROM release_events WHERE release_id=? AND platform=? ORDER BY rowid",
        (release_id, platform))]


def add_quota(store: Store, platform: str, day: str, units: int) -> int:
    """Add to the estimated units spent on a (Pacific) day; returns the new total."""
    with store.db:
        store.db.execute("INSERT INTO quota_usage VALUES (?,?,?) ON CONFLICT (platform, day) "
                         "DO UPDATE SET units = units + excluded.units", (platform, day, units))
    return store.db.execute("SELECT units FROM quota_usage WHERE platform=? AND day=?", (platform, day)).fetchone()[0]


def quota_used(store: Store, platform: str, day: str) -> int:
    row = store.db.execute("SELECT units FROM quota_usage WHERE platform=? AND day=?", (platform, day)).fetchone()
    return row[0] if row else 0


@dataclass(frozen=True)
class RemoteRecord:
    """The last read-back of a video: what the platform itself said, and when we asked."""

    release_id: str
    platform: str
    read_at: datetime
    found: bool
    privacy: str
    publish_at: datetime | None
    published: bool
    title: str
    detail: str


def save_remote(store: Store, rec: RemoteRecord) -> None:
    with store.db:
        store.db.execute("INSERT OR REPLACE INTO release_remote VALUES (?,?,?,?,?,?,?,?,?)",
                         (rec.release_id, rec.platform, rec.read_at.isoformat(), int(rec.found), rec.privacy,
                          rec.publish_at.isoformat() if rec.publish_at else None, int(rec.published), rec.title,
                          rec.detail))


def remote(store: Store, release_id: str, platform: str) -> RemoteRecord | None:
    row = store.db.execute("SELECT * FROM release_remote WHERE release_id=? AND platform=?",
                           (release_id, platform)).fetchone()
    if row is None:
        return None
    return RemoteRecord(row[0], row[1], datetime.fromisoformat(row[2]), bool(row[3]), row[4],
                        datetime.fromisoformat(row[5]) if row[5] else None, bool(row[6]), row[7], row[8])
