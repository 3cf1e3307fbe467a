"""Jobs: progress from the stages' own bars, a worker that runs, cancels and survives restarts."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from pipeline import jobs, log
from pipeline.config import load_config
from pipeline.jobs import child, table
from pipeline.paths import renditions_dir
from pipeline.store import Store
from tests.studio_support import make_master, make_studio_project, stop, tiny_master, wait_for, webseries

__all__ = ["tiny_master"]


@pytest.fixture(scope="module")
def long_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 s of 720p: its `youtube` rendition takes several seconds, time enough to cancel it."""
    return make_master(tmp_path_factory.mktemp("long") / "master.mp4", 12.0, "1280x720")


def test_progress_bars_reach_an_observer():
    seen = []
    with log.observe_progress(lambda label, done, total: seen.append((label, done, total))):
        with log.progress_bar("[transcode] ep01: encoding 2", 10.0, enabled=False) as bar:
            bar(2.5)
            bar(12.0)
    with log.progress_bar("outside", 1.0, enabled=False) as bar:
        bar(1.0)
    assert seen == [("[transcode] ep01: encoding 2", 0.0, 10.0), ("[transcode] ep01: encoding 2", 2.5, 10.0),
                    ("[transcode] ep01: encoding 2", 10.0, 10.0)]


def test_a_job_runs_the_stage_and_records_its_progress(tmp_path: Path, tiny_master: Path):
    project = make_studio_project(tmp_path / "p", tiny_master)
    cfg = load_config(project.config)
    with Store(cfg.project.database) as store:
        job_id = table.create(store, "transcode", "ep01-test", {"profiles": ["mobile"]}, "editor")
        assert table.claim(store, job_id, "test:1")
    messages = []
    original = child.Reporter.__call__

    def spy(self, label, done, total):  # noqa: ANN001
        original(self, label, done, total)
        messages.append(table.get(self.store, self.job_id).message)
    child.Reporter.__call__ = spy
    try:
        assert child.run_job(project.config, job_id) == 0
    finally:
        child.Reporter.__call__ = original
    with Store(cfg.project.database) as store:
        job = table.get(store, job_id)
    assert job.state == "done" and job.progress == 1.0 and job.pid is None
    assert job.message.startswith("1 rendu(s) : mobile (") and "Mo/min" in job.message
    assert "étape 1 : ep01-test: mesure du volume sonore" in messages
    assert "étape 2 : ep01-test: encodage (1 fichiers)" in messages
    assert (renditions_dir(cfg, "ep01-test") / "ep01-test.mobile.mp4").is_file()


def test_a_failing_stage_is_reported_in_the_job(tmp_path: Path, tiny_master: Path):
    project = make_studio_project(tmp_path / "p", tiny_master)
    (project.root / "episodes" / "ep01-test" / "master.mp4").unlink()
    cfg = load_config(project.config)
    with Store(cfg.project.database) as store:
        job_id = table.create(store, "transcode", "ep01-test", {}, "editor")
    assert child.run_job(project.config, job_id) == 2
    with Store(cfg.project.database) as store:
        job = table.get(store, job_id)
    assert job.state == "failed" and "master not found" in job.message and "export the master there" in job.message


def processes_writing_to(folder: Path) -> list[str]:
    """Command lines of running processes that name this folder (an ffmpeg left behind would)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in text:
            found.append(text)
    return found


def _state(cfg, job_id: int) -> table.Job:  # noqa: ANN001
    with Store(cfg.project.database) as store:
        return table.get(store, job_id)


def test_worker_runs_cancels_and_requeues(tmp_path: Path, long_master: Path, tiny_master: Path):
    project = make_studio_project(tmp_path / "p", long_master, profiles='["youtube"]')
    project.add_episode("ep02-small", tiny_master, 2)
    cfg = load_config(project.config)
    worker = webseries(project.config, "worker")
    try:
        with Store(cfg.project.database) as store:
            long_job = jobs.enqueue(cfg, store, "transcode", "ep01-test", {}, "editor")
            waiting = jobs.enqueue(cfg, store, "transcode", "ep02-small", {"profiles": ["mobile"]}, "editor")
        wait_for(lambda: _state(cfg, long_job).message.startswith("étape 2"), 60)
        assert _state(cfg, waiting).state == "queued"  # one job at a time on this machine

        with Store(cfg.project.database) as store:
            assert jobs.cancel(cfg, store, waiting, "admin").state == "cancelled"
            jobs.cancel(cfg, store, long_job, "admin")
        done = wait_for(lambda: (j := _state(cfg, long_job)).state == "cancelled" and j, 30)
        assert done.message == "annulé par admin" and done.pid is None
        out = renditions_dir(cfg, "ep01-test")
        assert not [p.name for p in out.iterdir()], "a cancelled render leaves nothing behind"
        assert not processes_writing_to(out), "ffmpeg was stopped"
        time.sleep(1.5)  # the revoked job would have started by now
        assert _state(cfg, waiting).started_at is None and _state(cfg, waiting).state == "cancelled"

        # the worker stops while a job runs: the job goes back to the queue, the next worker finishes it
        again = None
        with Store(cfg.project.database) as store:
            again = jobs.enqueue(cfg, store, "transcode", "ep01-test", {}, "editor")
        wait_for(lambda: _state(cfg, again).message.startswith("étape 2"), 60)
        worker.send_signal(signal.SIGINT)
        worker.wait(30)
        job = _state(cfg, again)
        assert job.state == "queued" and "interrompu par l'arrêt du worker" in job.message
        assert not [p.name for p in out.iterdir()]
        worker = webseries(project.config, "worker")
        finished = wait_for(lambda: (j := _state(cfg, again)).state in ("done", "failed") and j, 120)
        assert finished.state == "done", finished.message
        assert (out / "ep01-test.youtube.mp4").is_file()
    finally:
        stop(worker)
