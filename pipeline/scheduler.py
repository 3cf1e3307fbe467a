"""`webseries publish run`: one APScheduler 3 process for what must wait.

Platforms publish on time by themselves once a video is uploaded with its time; this
process runs what cannot be done now: uploads held for an upload window or lead time,
jobs deferred until a quota resets, and (later) periodic metrics pulls. Jobs live in a
SQLAlchemy job store in the project's SQLite database, are module-level functions taking
ids (so they survive restarts), and have an explicit misfire grace: a job missed while the
machine was off still runs once. The ledger, not the job store, decides what is done:
a job killed halfway is planned again from the ledger at the next start and resumes.

To add a periodic job (e.g. metrics), write a module-level function taking the config
path and add an entry to PERIODIC.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline import ledger
from pipeline.config import Config, load_config
from pipeline.log import stage_logger
from pipeline.store import Store

log = stage_logger("publish")


# ------------------------------------------------------------------ jobs (module-level, ids only)

def upload_job(config_path: str, release_id: str, platform: str, files: list[str] | None = None) -> str:
    """Take one release on one platform as far as it goes, or bring it to a changed calendar
    (idempotent: the ledger says what is done)."""
    from pipeline.releases import calendars, check
    from pipeline.stages import publish

    cfg = load_config(Path(config_path))
    with Store(cfg.project.database) as store, publish.publish_lock(cfg):
        result = check(cfg, store, calendars(cfg, files))
        rel = next((r for r in result.releases if r.id == release_id), None)
        if rel is None or platform not in {t.platform for t in rel.targets}:
            log.warning("%s: %s: no longer in any calendar; job dropped", release_id, platform)
            return "dropped"
        entry = ledger.get(store, release_id, platform)
        if rel.id in result.not_ready and not (entry and entry.remote_id):
            log.info("%s: %s: planned, not ready: %s", release_id, platform, "; ".join(result.not_ready[rel.id]))
            return "not ready"
        if rel.id in result.bad and not (entry and entry.remote_id):
            log.error("%s: %s: not uploaded, the calendar has problems: %s", release_id, platform,
                      "; ".join(p for p in result.problems if f"release {release_id!r}" in p))
            return "refused"
        out = publish.publish_one(cfg, store, rel, platform, publish.default_publishers(cfg))
    sched = _CURRENT.get("scheduler")
    if out.state == "deferred" and sched is not None:  # come back right after the quota resets
        plan_jobs(sched, cfg, files=files)
    return out.state


def sync_job(config_path: str, files: list[str] | None = None) -> int:
    """Re-read the calendars and the ledger, and (re)plan the upload jobs; returns how many are pending."""
    sched = _CURRENT.get("scheduler")
    cfg = load_config(Path(config_path))
    return plan_jobs(sched, cfg, files=files) if sched is not None else 0


@dataclass(frozen=True)
class Periodic:
    id: str
    func: Callable[[str], object]
    minutes: int


def refresh_job(config_path: str) -> int:
    """Ask the platforms which scheduled releases are out (ledger: scheduled -> published)."""
    from pipeline.stages import publish, publish_status

    cfg = load_config(Path(config_path))
    with Store(cfg.project.database) as store, publish.publish_lock(cfg):
        return publish_status.refresh(cfg, store, publish.default_publishers(cfg), due_only=True)


def metrics_job(config_path: str) -> str:
    """metrics: pull statistics when [metrics] pull_every_hours have passed since the last pull."""
    from pipeline.stages.metrics import pull_job
    return pull_job(config_path)


PERIODIC: tuple[Periodic, ...] = (
    Periodic("sync-calendars", sync_job, 10),
    Periodic("refresh-published", refresh_job, 60),
    Periodic("metrics-pull", metrics_job, 15),  # checks every 15 min; pulls only when due
)

_CURRENT: dict[str, object] = {}
FAILED_RETRY = timedelta(hours=1)
IDLE_HORIZON = timedelta(minutes=1)


# ------------------------------------------------------------------ scheduler

def make_scheduler(cfg: Config):  # noqa: ANN201 - BackgroundScheduler
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{cfg.project.database}", tablename="scheduler_jobs")},
        executors={"default": ThreadPoolExecutor(1)},  # one platform conversation at a time
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": cfg.publish.misfire_grace_seconds},
        timezone=UTC)


def plan_jobs(sched, cfg: Config, now: datetime | None = None, files: list[str] | None = None) -> int:  # noqa: ANN001
    """One date job per release x platform not yet scheduled, at the time it may upload, and one now
    for each release already on a platform whose calendar changed (a move, new texts, a cancel)."""
    from pipeline.releases import calendars, check
    from pipeline.stages import publish
    from pipeline.stages.publish_sync import pending_changes

    now = now or datetime.now(UTC)
    n = 0
    with Store(cfg.project.database) as store:
        result = check(cfg, store, calendars(cfg, files), now)
        for problem in result.problems:  # a broken release must not stop the others
            log.error("not planned: %s", problem)
        releases = result.good()
        publish.plan(cfg, store, releases)
        for rel in releases:
            for t in rel.targets:
                entry = ledger.get(store, rel.id, t.platform)
                if entry is None:
                    continue
                settled = entry.state in ledger.DONE or entry.state == "cancelled"
                if settled and not pending_changes(cfg, store, rel, t.platform, entry) and (
                        entry.state != "cancelled" or rel.cancel):
                    continue
                when = now if settled else publish.upload_time(cfg, entry, now)
                if settled and entry.retry_at:
                    when = max(when, entry.retry_at)
                if entry.state == "failed":  # retried hourly: a person may have to fix the reason first
                    when = max(when, entry.updated_at + FAILED_RETRY)
                sched.add_job(upload_job, "date", run_date=when, args=[str(cfg.file), rel.id, t.platform, files],
                              id=f"upload:{rel.id}:{t.platform}", name=f"upload {rel.id} to {t.platform}",
                              replace_existing=True, coalesce=True,
                              misfire_grace_time=cfg.publish.misfire_grace_seconds)
                n += 1
    return n


def run(cfg: Config, until_idle: bool = False, poll: float = 1.0, stop: threading.Event | None = None,
        files: list[str] | None = None) -> int:
    """The scheduler process (calendar `files`, or every schedules/*.toml). With until_idle, return once no
    upload job is running or due within a minute."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED

    from pipeline.releases import calendars
    from pipeline.stages.publish import publish_lock

    stop = stop or threading.Event()
    with publish_lock(cfg, "run", wait=False):
        sched = make_scheduler(cfg)
        running = [0]

        def listen(event) -> None:  # noqa: ANN001
            if event.code == EVENT_JOB_SUBMITTED:
                running[0] += 1
            elif event.code in (EVENT_JOB_EXECUTED, EVENT_JOB_ERROR):
                running[0] -= 1
                if event.code == EVENT_JOB_ERROR:
                    log.error("job %s failed: %s", event.job_id, getattr(event.exception, "message", event.exception))
            elif event.code == EVENT_JOB_MISSED:
                log.warning("job %s missed its grace time; the next calendar sync plans it again", event.job_id)
        sched.add_listener(listen, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        _CURRENT["scheduler"] = sched
        sched.start(paused=True)
        try:
            files = [str(f) for f in calendars(cfg, files)] if files else None  # absolute: jobs outlive the cwd
            pending = plan_jobs(sched, cfg, files=files)
            for p in PERIODIC:
                args = [str(cfg.file), files] if p.func is sync_job else [str(cfg.file)]
                sched.add_job(p.func, "interval", minutes=p.minutes, args=args, id=p.id,
                              replace_existing=True, coalesce=True, misfire_grace_time=p.minutes * 60,
                              next_run_time=datetime.now(UTC) + timedelta(minutes=p.minutes))
            log.info("scheduler running: %d upload job(s) planned%s", pending,
                     "; stops when idle" if until_idle else "; Ctrl-C stops it")
            sched.resume()
            while not stop.is_set():
                time.sleep(poll)
                if until_idle and running[0] == 0 and not [
                        j for j in sched.get_jobs() if j.id.startswith("upload:")
                        and j.next_run_time and j.next_run_time <= datetime.now(UTC) + IDLE_HORIZON]:
                    break  # later jobs stay in the job store; the next start (or `run`) picks them up
        except KeyboardInterrupt:
            pass
        finally:
            sched.shutdown(wait=True)
            _CURRENT.pop("scheduler", None)
    return 0
