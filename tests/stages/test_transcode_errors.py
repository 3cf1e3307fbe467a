"""Bad input: one clear error with a hint, a non-zero exit, no traceback, nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from pipeline.paths import renditions_dir
from tests.conftest import ROOT


def assert_clean_failure(done: subprocess.CompletedProcess, *phrases: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert any(line.startswith("error: ") for line in lines) and lines[-1].startswith("hint: "), done.stderr
    for phrase in phrases:
        assert phrase in done.stderr


def no_outputs(project) -> bool:
    folder = renditions_dir(project.cfg, "ep00-sample")
    return not folder.exists() or not any(folder.iterdir())


def test_missing_master(project):
    (project.root / "episodes/ep00-sample/master.mp4").unlink()
    done = project.run_process("transcode", "ep00-sample")
    assert_clean_failure(done, "master not found", "episode.toml")
    assert no_outputs(project)


def test_corrupt_master(project):
    master = project.root / "episodes/ep00-sample/master.mp4"
    master.unlink()
    master.write_bytes(os.urandom(200_000))
    done = project.run_process("transcode", "ep00-sample")
    assert_clean_failure(done, "not a readable media file")
    assert no_outputs(project)


def test_truncated_master(project, sample_master):
    master = project.root / "episodes/ep00-sample/master.mp4"
    master.unlink()
    master.write_bytes(sample_master.read_bytes()[: 3_000_000])  # a copy that stopped half-way
    done = project.run_process("transcode", "ep00-sample", "--profile", "mobile")
    assert_clean_failure(done)
    assert no_outputs(project)


def test_unknown_profile_lists_the_known_ones(project):
    done = project.run_process("transcode", "ep00-sample", "--profile", "tiktok")
    assert_clean_failure(done, "unknown profile 'tiktok'", "youtube")


def test_unknown_episode(project):
    done = project.run_process("transcode", "ep42")
    assert_clean_failure(done, "unknown episode 'ep42'", "ep00-sample")


def test_unwritable_output_folder(project):
    (project.root / "blocked").write_text("a file where the build folder should be")
    text = project.config_path.read_text().replace('build_dir = "build"', 'build_dir = "blocked/build"')
    project.config_path.write_text(text)
    done = project.run_process("transcode", "ep00-sample")
    assert_clean_failure(done, "cannot create output folder", "build_dir")


def test_ffmpeg_missing(project, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = {**os.environ, "PATH": str(bin_dir), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pipeline", "--config", str(project.config_path),
                           "transcode", "ep00-sample"], capture_output=True, text=True, env=env)
    assert_clean_failure(done, "ffmpeg/ffprobe not found", "make setup")


def test_malformed_manifest_lists_every_problem(project):
    manifest = project.root / "episodes/ep00-sample/episode.toml"
    manifest.write_text('id = "ep00-sample"\nnumber = "zero"\nmaster = "master.mp4"\nlanguages = ["fr", "de"]\n'
                        '[title]\nfr = "T"\n[description]\nfr = "D"\n'
                        '[[highlights]]\nstart = "01:10"\nend = "00:50"\n')
    done = project.run_process("transcode", "ep00-sample")
    assert_clean_failure(done, "number: expected an integer", "unknown language 'de'", "highlights[1].end")
    assert done.stderr.count("error: ") == 3


def test_ctrl_c_leaves_nothing_that_looks_finished(project):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--config", str(project.config_path),
                             "transcode", "ep00-sample", "--profile", "youtube", "--profile", "mobile"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    folder = renditions_dir(project.cfg, "ep00-sample")
    deadline = time.time() + 120
    while time.time() < deadline and not (folder.exists() and any(p.stat().st_size > 0 for p in folder.iterdir())):
        time.sleep(0.2)
    assert folder.exists(), "ffmpeg never started writing"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert list(folder.iterdir()) == []


def test_list_profiles_shows_config_overrides(project, capsys):
    with open(project.config_path, "a") as fh:
        fh.write("\n[transcode.profiles.mobile]\ncrf = 29\n")
    code, out, _ = project.run("transcode", "--list-profiles", capsys=capsys)
    assert code == 0
    mobile = out.split("[mobile]")[1].splitlines()[1]
    assert "crf=29" in mobile and "short_side=360" in mobile


def test_no_episode_named(project, capsys):
    code, _, err = project.run("transcode", capsys=capsys)
    assert code == 2 and "error: no episode named" in err
