"""Several machines: two workers sharing one Redis (Debian's redis-server, started here) run two renders."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import redis

from pipeline import jobs
from pipeline.config import load_config
from pipeline.store import Store
from pipeline.config.studio import REDIS_ENV
from tests.studio_support import free_port, make_studio_project, stop, tiny_master, wait_for, webseries

__all__ = ["tiny_master"]


@pytest.fixture
def redis_url(tmp_path: Path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: `make setup` installs it (APT_PACKAGES)")
    port = free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    wait_for(lambda: _pings(client), 10, 0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_two_workers_on_one_redis_run_two_renders(tmp_path: Path, tiny_master: Path, redis_url: str, monkeypatch):
    project = make_studio_project(tmp_path / "p", tiny_master, episodes=2)
    monkeypatch.setenv(REDIS_ENV, redis_url)  # the studio and both workers, as on several machines
    cfg = load_config(project.config)
    assert cfg.studio.effective().redis_url == redis_url
    workers = [webseries(project.config, "worker") for _ in range(2)]
    try:
        with Store(cfg.project.database) as store:
            ids = [jobs.enqueue(cfg, store, "transcode", ep, {"profiles": ["mobile"]}, "editor")
                   for ep in ("ep01-test", "ep02-test")]
        assert not (project.root / "build" / "studio-queue.sqlite3").exists()  # nothing went to the embedded queue

        def finished() -> list[jobs.Job] | None:
            with Store(cfg.project.database) as store:
                found = [jobs.get(store, i) for i in ids]
            return found if all(j.state in ("done", "failed", "cancelled") for j in found) else None
        done = wait_for(finished, 120)
        assert [j.state for j in done] == ["done", "done"], [j.message for j in done]
        a, b = done
        overlapped = a.started_at < b.finished_at and b.started_at < a.finished_at
        assert a.worker != b.worker or overlapped, (a.worker, b.worker)
        assert all(j.worker.endswith(tuple(f":{w.pid}" for w in workers)) for j in done)
    finally:
        for w in workers:
            stop(w)
