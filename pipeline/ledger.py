"""The release ledger: what was uploaded, scheduled and published, per release x platform.

It is the source of truth (not the scheduler's job store): every platform call is preceded
by a look here and followed by a write here, so a restart after a crash at any point
resumes without uploading or publishing anything twice.

planned -> uploading (session, offset) -> uploaded (remote id) -> scheduled (every step done)
-> published (the platform says so); failed / deferred carry a reason (and retry_at).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline.store import Store, utcnow

STATES = ("planned", "uploading", "uploaded", "scheduled", "published", "failed", "deferred")
DONE = ("scheduled", "published")


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
