"""Long work for the studio (render, recognise, clips, upload), run by workers, watched from pages.

    job_id = jobs.enqueue(cfg, store, "transcode", "ep01", {"profiles": ["mobile"]}, user="awa")
    jobs.get(store, job_id).state          # queued -> running -> done | failed | cancelled
    jobs.cancel(cfg, store, job_id, user="awa")

A job is (kind, target, options): the kind names a stage function in `kinds.KINDS`, the
target what it works on (an episode id...), options are plain JSON. Only the job id crosses
the queue (`queue.py`); state and progress live in the `jobs` table (`table.py`), written by
the job's own process (`child.py`) from the stages' progress bars (`log.observe_progress`).
"""

from __future__ import annotations

from typing import Any

from pipeline import audit
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.jobs import queue, table
from pipeline.jobs.kinds import KINDS, JobKind, kind
from pipeline.jobs.table import STATE_LABELS, Job
from pipeline.store import Store

__all__ = ["KINDS", "STATE_LABELS", "Job", "JobKind", "cancel", "enqueue", "get", "kind", "recent"]

get = table.get
recent = table.recent


def enqueue(cfg: Config, store: Store, kind_name: str, target: str, options: dict[str, Any] | None,
            user: str) -> int:
    """Record a queued job and put its id on the queue; the audit trail says who started it."""
    k = kind(kind_name)
    job_id = table.create(store, k.name, target, options or {}, user)
    table.update(store, job_id, queue_id=queue.send(cfg.studio.effective(), job_id))
    audit.record(store, user, "start", audit.target("job", str(job_id)), f"{k.label} : {target}")
    return job_id


def cancel(cfg: Config, store: Store, job_id: int, user: str) -> Job:
    """A queued job is taken off the queue; a running one is interrupted (its process cleans up)."""
    job = table.get(store, job_id)
    if job is None:
        raise PipelineError(f"no job {job_id}", hint="it may have been removed")
    if not job.active:
        raise PipelineError(f"job {job_id} is already {job.state}", hint="nothing to cancel")
    with store.db:  # first the flag: a worker cannot claim a job that carries it
        store.db.execute("UPDATE jobs SET cancel_requested_by=? WHERE job_id=? AND cancel_requested_by IS NULL",
                         (user, job_id))
    queue.revoke(cfg.studio.effective(), job.queue_id)
    with store.db:
        store.db.execute("UPDATE jobs SET state='cancelled', message=?, finished_at=updated_at WHERE job_id=? "
                         "AND state='queued'", (f"annulé par {user} avant de commencer", job_id))
    audit.record(store, user, "cancel", audit.target("job", str(job_id)), f"{KINDS[job.kind].label} : {job.target}")
    return table.get(store, job_id)  # type: ignore[return-value]
