"""The queue between the studio and its workers: Huey, carrying nothing but job ids.

Why Huey: it is the smallest kept task queue with both an embedded and a networked broker,
the same task code for both. By default SqliteHuey: nothing to install or keep running on the
office machine; the queue has its own file (build/studio-queue.sqlite3) rather than a table in
the project database, because Huey owns that schema and polls it constantly, and the project
database stays readable by the CLI without it. With [studio] redis_url (or
$WEBSERIES_REDIS_URL) it is RedisHuey: workers on several machines that share the project
folder take jobs from one Redis.

A worker (`webseries worker`) is a Huey consumer with `workers` threads (1 by default: one
heavy job per machine). Each job runs in a child process (`python -m pipeline.jobs.child`) in
its own session, so a cancelled job is stopped with SIGINT, the KeyboardInterrupt the stages
already clean up after (ffmpeg killed, temporaries removed), without touching the worker.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from huey import RedisHuey, SqliteHuey
from huey.api import Huey, TaskWrapper
from huey.consumer import Consumer

import pipeline
from pipeline.config import Config
import pipeline.jobs.table as table
from pipeline.log import stage_logger
from pipeline.store import Store, utcnow
from pipeline.config.studio import StudioConfig

log = stage_logger("worker")
CHILD_MODULE = "pipeline.jobs.child"
KILL_AFTER_CANCEL = 30.0      # seconds a cancelled job has to clean up before it is killed
_QUEUES: dict[tuple[str, str, str], tuple[Huey, TaskWrapper]] = {}
_WORKER: dict[str, object] = {}          # the running worker's config (set by run_worker)
_CHILDREN: dict[int, subprocess.Popen] = {}   # job id -> its process, in this worker
_LOCK = threading.Lock()


def _queue(s: StudioConfig) -> tuple[Huey, TaskWrapper]:
    key = (s.redis_url, s.queue_name, str(s.queue_file))
    if key not in _QUEUES:
        if s.redis_url:
            huey: Huey = RedisHuey(s.queue_name, url=s.redis_url, results=False)
        else:
            s.queue_file.parent.mkdir(parents=True, exist_ok=True)
            huey = SqliteHuey(s.queue_name, filename=str(s.queue_file), results=False)
        _QUEUES[key] = (huey, huey.task(name="webseries.job")(execute))
    return _QUEUES[key]


def send(s: StudioConfig, job_id: int) -> str:
    """Put a job id on the queue; returns the queue's task id (to revoke it while it waits)."""
    huey, task = _queue(s)
    message = task.s(job_id)
    huey.enqueue(message)
    return str(message.id)


def revoke(s: StudioConfig, queue_id: str) -> None:
    if queue_id:
        _queue(s)[0].revoke_by_id(queue_id)


def pending(s: StudioConfig) -> int:
    return _queue(s)[0].pending_count()


def child_env() -> dict[str, str]:
    """This checkout's code in child processes, whatever is installed."""
    root = str(Path(pipeline.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# ------------------------------------------------------------------ in the worker

def execute(job_id: int) -> None:
    """The Huey task: run one job in its own process and wait for it (ids only cross the queue)."""
    cfg: Config = _WORKER["cfg"]  # type: ignore[assignment]
    with Store(cfg.project.database) as store:
        if not table.claim(store, job_id, worker_name()):
            return  # cancelled while it waited, or unknown here
        job = table.get(store, job_id)
    log.info("job %d: %s %s (started by %s)", job_id, job.kind, job.target, job.started_by)  # type: ignore[union-attr]
    proc = subprocess.Popen([sys.executable, "-m", CHILD_MODULE, str(cfg.file), str(job_id)], env=child_env(),
                            start_new_session=True)
    with _LOCK:
        _CHILDREN[job_id] = proc
    try:
        _supervise(cfg, job_id, proc)
    finally:
        with _LOCK:
            _CHILDREN.pop(job_id, None)


def _supervise(cfg: Config, job_id: int, proc: subprocess.Popen) -> None:
    """Wait for the job's process; kill it if a cancel is not honoured in time; record a crash."""
    cancel_seen: float | None = None
    with Store(cfg.project.database) as store:
        while proc.poll() is None:
            time.sleep(0.5)
            if cancel_seen is None and table.cancel_requested(store, job_id):
                cancel_seen = time.monotonic()
            elif cancel_seen is not None and time.monotonic() - cancel_seen > KILL_AFTER_CANCEL:
                proc.kill()
                proc.wait()
                table.finish(store, job_id, "cancelled", "annulé (arrêté de force : il ne répondait plus)")
                return
        job = table.get(store, job_id)
        if job and job.state == "running":  # the process died without saying how it ended
            why = f"signal {-proc.returncode}" if proc.returncode < 0 else f"code {proc.returncode}"
            table.finish(store, job_id, "failed", f"le travail s'est arrêté sans finir ({why})")
        log.info("job %d: %s", job_id, job.state if job else "gone")


class _Consumer(Consumer):
    """Huey's consumer, which on shutdown first interrupts the running jobs (they go back to the queue)."""

    def stop(self, graceful: bool = False) -> None:
        with _LOCK:
            for proc in _CHILDREN.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
        super().stop(graceful=True)


def _alive(pid: int | None, job_id: int) -> bool:
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return CHILD_MODULE.encode() in cmdline and str(job_id).encode() in cmdline


def recover(cfg: Config, s: StudioConfig) -> list[int]:
    """Jobs this machine was running when it stopped (power cut, kill -9): back on the queue."""
    host = socket.gethostname()
    back = []
    with Store(cfg.project.database) as store:
        for job in table.recent(store, limit=1000, active_only=True):
            stale = utcnow() - job.updated_at > timedelta(seconds=10)
            if job.state == "running" and job.worker.split(":")[0] == host and stale \
                    and not _alive(job.pid, job.job_id):
                table.requeue(store, job.job_id, "repris après l'arrêt de la machine ou du worker")
                table.update(store, job.job_id, queue_id=send(s, job.job_id))
                back.append(job.job_id)
    return back


def run_worker(cfg: Config, workers: int | None = None) -> int:
    """`webseries worker`: take jobs from the queue until Ctrl-C (running jobs are put back)."""
    s = cfg.studio.effective()
    huey, _ = _queue(s)
    _WORKER["cfg"] = cfg
    logging.getLogger("huey").setLevel(logging.WARNING)
    for job_id in recover(cfg, s):
        log.info("job %d: interrupted earlier, queued again", job_id)
    n = workers or s.workers
    log.info("worker %s: %d job(s) at a time, queue %s", worker_name(), n,
             s.redis_url or s.queue_file)
    consumer = _Consumer(huey, workers=n, periodic=False, worker_type="thread", check_worker_health=True,
                         max_delay=1.0)
    consumer.run()
    return 0
