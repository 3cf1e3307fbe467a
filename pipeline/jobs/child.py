"""One job, in its own process: `python -m pipeline.jobs.child CONFIG JOB_ID` (started by a worker).

It runs the kind's stage function with the stages' progress sent to the jobs table, and
writes how it ended. A cancel (a flag in the table, watched here) or the worker's shutdown
arrives as one SIGINT: the stage stops as on Ctrl-C (ffmpeg killed, temporaries removed);
a cancelled job ends 'cancelled', an interrupted one goes back to the queue.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading
import time
import traceback
from pathlib import Path

from pipeline import log
from pipeline.config import load_config
from pipeline.errors import ConfigError, PipelineError
import pipeline.jobs.kinds as kinds
import pipeline.jobs.table as table
from pipeline.store import Store

WRITE_EVERY = 0.3  # seconds between two progress writes


class CancelWatch(threading.Thread):
    """Polls the job's cancel flag; interrupts the main thread once when it is set."""

    def __init__(self, database: Path, job_id: int) -> None:
        super().__init__(daemon=True)
        self.database, self.job_id = database, job_id
        self.cancelled_by: str | None = None
        self.done = threading.Event()

    def run(self) -> None:
        db = sqlite3.connect(self.database, timeout=30)
        try:
            while not self.done.wait(0.3):
                row = db.execute("SELECT cancel_requested_by FROM jobs WHERE job_id=?", (self.job_id,)).fetchone()
                if row and row[0]:
                    self.cancelled_by = row[0]
                    os.kill(os.getpid(), signal.SIGINT)
                    return
        finally:
            db.close()


class Reporter:
    """The stages' progress bars -> the jobs table, a few times a second at most."""

    def __init__(self, store: Store, job_id: int) -> None:
        self.store, self.job_id = store, job_id
        self.labels: list[str] = []
        self.last = 0.0

    def __call__(self, label: str, done: float, total: float) -> None:
        new_step = not self.labels or self.labels[-1] != label
        if new_step:
            self.labels.append(label)
        now = time.monotonic()
        if not new_step and now - self.last < WRITE_EVERY and done < total:
            return
        self.last = now
        message = f"étape {len(self.labels)} : {kinds.phase_label(label)}"
        table.update(self.store, self.job_id, progress=round(done / total, 4) if total > 0 else 0.0,
                     message=message)


def _error_text(exc: PipelineError) -> str:
    text = "; ".join(exc.problems) if isinstance(exc, ConfigError) else exc.message
    return f"{text} — {exc.hint}" if exc.hint else text


def run_job(config_path: Path, job_id: int) -> int:
    cfg = load_config(config_path)
    with Store(cfg.project.database) as store:
        job = table.get(store, job_id)
        if job is None:
            return 2
        if job.kind == "publish":
            from pipeline.platforms.accounts import install_redaction

            install_redaction()  # as `webseries publish` does: tokens never reach a log line
        table.update(store, job_id, pid=os.getpid())
        watch = CancelWatch(cfg.project.database, job_id)
        watch.start()
        try:
            with log.observe_progress(Reporter(store, job_id)):
                summary = kinds.kind(job.kind).run(cfg, store, job.target, job.options)
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # one interrupt is enough: let the rest finish
            if watch.cancelled_by:
                table.finish(store, job_id, "cancelled", f"annulé par {watch.cancelled_by}")
            else:
                from pipeline.jobs.queue import send

                table.requeue(store, job_id, "interrompu par l'arrêt du worker ; reprendra au prochain démarrage")
                table.update(store, job_id, queue_id=send(cfg.studio.effective(), job_id))
            return 130
        except PipelineError as exc:
            table.finish(store, job_id, "failed", _redact(job.kind, _error_text(exc)))
            return 2
        except Exception as exc:  # noqa: BLE001 - recorded for the page, traceback for the developer
            traceback.print_exc()
            table.finish(store, job_id, "failed",
                         _redact(job.kind, f"erreur inattendue ({type(exc).__name__}: {exc}) : c'est un bogue"))
            return 3
        finally:
            watch.done.set()
        table.finish(store, job_id, "done", summary)
    return 0


def _redact(kind: str, text: str) -> str:
    """Platform tokens never reach the page, even inside an error message."""
    if kind != "publish":
        return text
    from pipeline.platforms.accounts import redact

    return redact(text)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    log.setup()
    return run_job(Path(argv[0]), int(argv[1]))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
