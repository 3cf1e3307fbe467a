"""`webseries serve`: the studio, a job worker and the publish scheduler, one command.

The web app runs here under uvicorn; the worker (`webseries worker`) and the scheduler
(`webseries publish run`) run as child processes, exactly as when started alone, so each
keeps its own signal handling and a crash in one does not take the pages down. Ctrl-C stops
all three: the worker puts a running job back on the queue, the scheduler's jobs stay in its store.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pipeline.config import Config
from pipeline.jobs.queue import child_env
from pipeline.log import stage_logger

log = stage_logger("studio")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def start_child(cfg: Config, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "--config", str(cfg.file), *args], env=child_env())


def _watch(name: str, proc: subprocess.Popen, stopping: threading.Event) -> None:
    code = proc.wait()
    if not stopping.is_set():
        log.error("the %s stopped (exit code %s); the pages stay up. Its message is above; "
                  "restart `webseries serve` once it is fixed", name, code)


def _stop(children: list[tuple[str, subprocess.Popen]]) -> None:
    for _, proc in children:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    for name, proc in children:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            log.warning("the %s did not stop in 20 s; killing it", name)
            proc.kill()
            proc.wait()


def serve(cfg: Config, host: str, port: int, worker: bool = True, scheduler: bool = True) -> int:
    import uvicorn

    from pipeline.web.app import create_app

    app = create_app(cfg.file)
    if host not in LOCAL_HOSTS:
        log.warning("listening on %s: anyone on this network can reach the studio's login page. "
                    "Use it only on a trusted network (the office), never on a public one", host)
    stopping = threading.Event()
    children: list[tuple[str, subprocess.Popen]] = []
    if worker:
        children.append(("job worker", start_child(cfg, "worker")))
    if scheduler and not any(cfg.project.schedules_dir.glob("*.toml")):
        log.info("no calendar in %s yet: the publish scheduler starts with the studio once there is one",
                 cfg.project.schedules_dir)
    elif scheduler:
        children.append(("publish scheduler", start_child(cfg, "publish", "run")))
    for name, proc in children:
        threading.Thread(target=_watch, args=(name, proc, stopping), daemon=True).start()
    shown = f"[{host}]" if ":" in host else host
    log.info("studio on http://%s:%d/ (%s); Ctrl-C stops it", shown, port,
             ", ".join(["pages", *(n for n, _ in children)]))
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False)
    finally:
        stopping.set()
        _stop(children)
    return 0
