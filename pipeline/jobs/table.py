"""The `jobs` table: each job's state, progress and history, in the project database.

The queue (Huey) only carries a job's id; everything a page shows comes from here, so a
reload, a server restart or a second machine sees the same thing. Written by the web app
(queued, cancel requested), the worker (running, worker name) and the job's own process
(progress, done / failed / cancelled).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.store import Store, utcnow

STATES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = ("queued", "running")
STATE_LABELS = {"queued": "en attente", "running": "en cours", "done": "terminé", "failed": "échec",
                "cancelled": "annulé"}


@dataclass(frozen=True)
class Job:
    job_id: int
    kind: str
    target: str                 # what the job works on: an episode id, a release id...
    options: dict[str, Any]
    state: str
    progress: float             # 0-1 of the current step
    message: str                # the current step, or the outcome
    started_by: str
    queue_id: str               # the queue's task id (to revoke a queued job)
    worker: str                 # host:pid of the worker that took it
    pid: int | None             # the job's own process, while it runs
    cancel_requested_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


_COLS = ("job_id, kind, target, options, state, progress, message, started_by, queue_id, worker, pid, "
         "cancel_requested_by, created_at, started_at, finished_at, updated_at")


def _job(row: tuple) -> Job:
    d = list(row)
    d[3] = json.loads(d[3])
    for i in (12, 13, 14, 15):
        d[i] = datetime.fromisoformat(d[i]) if d[i] else None
    return Job(*d)


def create(store: Store, kind: str, target: str, options: dict[str, Any], user: str) -> int:
    now = utcnow().isoformat()
    with store.db:
        cur = store.db.execute(
            "INSERT INTO jobs (kind, target, options, state, started_by, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?)", (kind, target, json.dumps(options, sort_keys=True), "queued", user, now, now))
    return int(cur.lastrowid)  # type: ignore[arg-type]


def get(store: Store, job_id: int) -> Job | None:
    row = store.db.execute(f"SELECT {_COLS} FROM jobs WHERE job_id=?", (job_id,)).fetchone()
    return _job(row) if row else None


def recent(store: Store, limit: int = 50, target: str | None = None, active_only: bool = False) -> list[Job]:
    """Newest first."""
    sql, args = f"SELECT {_COLS} FROM jobs WHERE 1=1", []
    if target is not None:
        sql += " AND target=?"
        args.append(target)
    if active_only:
        sql += " AND state IN ('queued', 'running')"
    rows = store.db.execute(sql + " ORDER BY job_id DESC LIMIT ?", (*args, limit)).fetchall()
    return [_job(r) for r in rows]


def update(store: Store, job_id: int, **fields: Any) -> None:
    fields["updated_at"] = utcnow().isoformat()
    cols = ", ".join(f"{k}=?" for k in fields)
    with store.db:
        store.db.execute(f"UPDATE jobs SET {cols} WHERE job_id=?", (*fields.values(), job_id))


def claim(store: Store, job_id: int, worker: str) -> bool:
    """queued -> running for this worker; False if it was cancelled (or taken) meanwhile."""
    now = utcnow().isoformat()
    with store.db:
        cur = store.db.execute("UPDATE jobs SET state='running', worker=?, started_at=?, updated_at=?, progress=0, "
                               "message='' WHERE job_id=? AND state='queued' AND cancel_requested_by IS NULL",
                               (worker, now, now, job_id))
    return cur.rowcount == 1


def finish(store: Store, job_id: int, state: str, message: str) -> None:
    now = utcnow().isoformat()
    with store.db:
        store.db.execute("UPDATE jobs SET state=?, message=?, finished_at=?, updated_at=?, pid=NULL, "
                         "progress=CASE WHEN ?='done' THEN 1 ELSE progress END WHERE job_id=?",
                         (state, message, now, now, state, job_id))


def requeue(store: Store, job_id: int, message: str) -> None:
    """Back to the queue after an interruption that nobody asked for (worker stopped, machine restarted)."""
    update(store, job_id, state="queued", message=message, pid=None, worker="", started_at=None, progress=0)


def cancel_requested(store: Store, job_id: int) -> str | None:
    row = store.db.execute("SELECT cancel_requested_by FROM jobs WHERE job_id=?", (job_id,)).fetchone()
    return row[0] if row else None
