"""Two runs at once, and what a run tells the editor (issue 11 items 4 and 17)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.fsutil import remove_stale_temps, temp_path_for
from pipeline.media import ffmpeg
from pipeline.media.synth import make_test_video
from pipeline.paths import renditions_dir
from tests.conftest import ROOT, make_project


@pytest.fixture(scope="module")
def hd_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s of 720p: long enough to start a second run while the first encodes."""
    return make_test_video(tmp_path_factory.mktemp("hd") / "master.mp4", size="1280x720", duration=20.0)


def test_a_second_run_on_the_same_episode_is_refused_and_the_first_finishes(tmp_path: Path, sample_master: Path,
                                                                            hd_master: Path, capsys) -> None:
    project = make_project(tmp_path / "p", sample_master)
    project.add_episode("ep01", hd_master)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen([sys.executable, "-m", "pipeline", "--config", str(project.config_path), "transcode",
                              "ep01", "--profile", "mobile-2g", "--force"], cwd=project.root, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    folder = renditions_dir(project.cfg, "ep01")
    try:
        deadline = time.monotonic() + 300
        while not (folder.is_dir() and any(".partial-" in p.name for p in folder.iterdir())):
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.05)
        code, _, err = project.run("transcode", "ep01", "--profile", "mobile-2g", "--force", capsys=capsys)
        assert code == 2 and f"pid {first.pid}" in err and "started" in err and "hint:" in err, err
        assert any(".partial-" in p.name for p in folder.iterdir())  # the first run's file was left alone
    finally:
        out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert (folder / "ep01.mobile-2g.mp4").is_file()
    code, _, err = project.run("transcode", "ep01", "--profile", "mobile-2g", capsys=capsys)
    assert code == 0, err  # the lock went with the process


def test_only_temporaries_whose_writer_is_gone_are_stale(tmp_path: Path) -> None:
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        mine = temp_path_for(tmp_path / "ep.mobile.mp4")
        theirs = tmp_path / f".ep.youtube.partial-{live.pid}.mp4"
        left = tmp_path / f".ep.facebook.partial-{dead.pid}.mp4"
        for p in (mine, theirs, left):
            p.write_bytes(b"x")
        assert remove_stale_temps(tmp_path) == [left]
        assert mine.exists() and theirs.exists()
    finally:
        live.kill()
        live.wait()


@pytest.fixture(scope="module")
def peaky_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Quiet speech-level sound with sharp loud clicks: a linear gain to -14 LUFS would clip them."""
    out = tmp_path_factory.mktemp("peaky") / "master.mp4"
    ffmpeg.run_args(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4",
                     "-f", "lavfi", "-i", "aevalsrc='0.03*sin(2*PI*300*t)+0.95*lt(mod(t\\,0.5)\\,0.002)':s=48000:d=4",
                     "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k",
                     "-t", "4", str(out)])
    return out


def test_the_run_says_once_in_plain_words_what_happened_to_the_sound_and_where_each_file_is(
        tmp_path: Path, sample_master: Path, peaky_master: Path) -> None:
    project = make_project(tmp_path / "p", sample_master)
    project.add_episode("ep01", peaky_master)
    done = project.run_process("transcode", "ep01", "--profile", "mobile-2g", "--profile", "audio",
                               "--profile", "radio")
    assert done.returncode == 0, done.stderr
    assert "true-peak" not in done.stderr and "linear gain" not in done.stderr  # jargon
    said = [line for line in done.stderr.splitlines() if "peaks" in line]
    assert len(said) == 1, done.stderr  # once per run, naming the renditions
    assert "mobile-2g" in said[0] and "audio" in said[0] and "limiter" in said[0]
    folder = renditions_dir(project.cfg, "ep01")
    for name in ("ep01.mobile-2g.mp4", "ep01.audio.ogg", "ep01.radio.m4a"):
        assert str(folder / name) in done.stdout or f"build/ep01/renditions/{name}" in done.stdout, done.stdout
    as_json = project.run_process("transcode", "ep01", "--profile", "audio", "--json")
    (row,) = json.loads(as_json.stdout)
    assert row["path"].endswith("ep01.audio.ogg") and row["notes"]  # the per-file note stays in the JSON
