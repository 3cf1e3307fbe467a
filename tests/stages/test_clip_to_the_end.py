"""A clip that runs to the master's last frame (issue 11 item 6), and a clip that fails leaves nothing.

The master's music is loud enough for loudnorm to keep a linear gain: the case where the joined
sound came out a twentieth of its length ("picture and sound are out of step").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.media import ffmpeg
from pipeline.paths import clip_path, clips_dir, thumbnail_path
from tests.conftest import Project, make_project

SHORT = '[clips]\ncount = 0\nmin_seconds = 2\nmax_seconds = 10\npreset = "ultrafast"\ntitle_bar = false\n'


@pytest.fixture(scope="module")
def loud_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Music-like sound with some loudness range (loudnorm keeps a linear gain only then)."""
    out = tmp_path_factory.mktemp("loud") / "master.mp4"
    swell = "(0.6+0.4*sin(2*PI*0.7*t))"
    ffmpeg.run_args(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=6", "-f", "lavfi", "-i",
                     f"aevalsrc='0.3*sin(2*PI*220*t)*{swell}|0.3*sin(2*PI*330*t)*{swell}':s=48000:d=6",
                     "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "6",
                     str(out)])
    return out


@pytest.fixture
def to_the_end(tmp_path: Path, sample_master: Path, loud_master: Path) -> Project:
    p = make_project(tmp_path / "p", sample_master)
    text = p.config_path.read_text(encoding="utf-8")
    p.config_path.write_text(text[:text.index("[clips]")] + SHORT, encoding="utf-8")
    p.add_episode("ep01", loud_master, extra='[[highlights]]\nstart = "00:02.5"\nend = "00:06"\nlabel = "Fin"\n')
    return p


def test_a_clip_to_the_last_frame_is_made_in_step(to_the_end: Project) -> None:
    done = to_the_end.run_process("clips", "ep01", "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    clip = Path(row["outputs"]["vertical"])
    d = ffmpeg.stream_durations(clip)
    assert abs(d["video"][1] - 3.5) < 0.05 and abs(d["audio"][1] - d["video"][1]) < 0.05
    assert thumbnail_path(to_the_end.cfg, "ep01-clip1").is_file()


def test_a_clip_that_fails_leaves_no_thumbnail_and_no_temporary(to_the_end: Project) -> None:
    cfg = to_the_end.cfg
    clip_path(cfg, "ep01-clip1").mkdir(parents=True)  # where the clip should go: cannot be replaced
    done = to_the_end.run_process("clips", "ep01")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert not thumbnail_path(cfg, "ep01-clip1").exists()
    assert not [p.name for p in clips_dir(cfg, "ep01").iterdir() if ".partial-" in p.name]
