"""The clips stage on the sample episode: real cuts, captions, cards and thumbnails.

Outputs are kept short (5-8 s clips, a ~25 s trailer, preset ultrafast) so the whole file runs
in about a minute on two cores.
"""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from pipeline.clips import cards
from pipeline.clips.speech import read_srt
from pipeline.media import assembly, ffmpeg
from pipeline.media.synth import make_test_video
from pipeline.paths import clip_path, subtitle_path, thumbnail_path
from tests.clips.fixtures import write_srt
from tests.conftest import SAMPLE, Project, make_project

FAST = """[clips]
count = 2
min_seconds = 5
max_seconds = 8
landscape = true
preset = "ultrafast"
trailer_seconds = [20, 24]
title_card_seconds = 1.5
end_card_seconds = 1.5
first_release = "1er mars 2027"
channels = ["YouTube : AJCAD Mali"]
"""


def fast_project(root: Path, sample_master: Path, subtitles: bool = True, analysed: Project | None = None) -> Project:
    """A project with short-clip settings; `analysed`: reuse that project's cached analysis of the
    same master (the stage keys it by the master's digest), as a rerun would."""
    p = make_project(root, sample_master)
    if analysed is not None:
        cache = Path("clips") / "analysis.json"
        src = analysed.cfg.project.build_dir / SAMPLE / cache
        (p.root / "build" / SAMPLE / "clips").mkdir(parents=True)
        (p.root / "build" / SAMPLE / cache).write_bytes(src.read_bytes())
    text = p.config_path.read_text()
    p.config_path.write_text(text[:text.index("[clips]")] + FAST)
    if subtitles:
        write_srt(subtitle_path(p.cfg, SAMPLE, "fr"))
    return p


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, sample_master):
    """One project, clips rendered once for the module's checks."""
    p = fast_project(tmp_path_factory.mktemp("clips") / "project", sample_master)
    done = p.run_process("clips", SAMPLE, "--json")
    assert done.returncode == 0, done.stderr
    return p, json.loads(done.stdout)


def frame(path: Path, t: float, tmp: Path, fmt: str = "gray") -> np.ndarray:
    """One decoded frame as an array (height, width[, 3])."""
    info = ffmpeg.probe(path)
    raw = tmp / f"{path.stem}.{t}.{fmt}"
    ffmpeg.run_args(["-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", fmt, str(raw)])
    data = np.fromfile(raw, dtype=np.uint8)
    return data.reshape(info.height, info.width, -1).squeeze()


def assert_in_sync(path: Path, fps: float = 25.0) -> None:
    d = ffmpeg.stream_durations(path)
    assert abs(d["video"][0] - d["audio"][0]) <= 1 / fps
    assert abs(d["video"][1] - d["audio"][1]) <= 1 / fps


def test_clips_are_vertical_within_bounds_on_cue_edges_and_in_sync(rendered):
    project, rows = rendered
    cues = read_srt(subtitle_path(project.cfg, SAMPLE, "fr"))
    assert len(rows) == 2
    for row in rows:
        assert 5.0 <= row["duration"] <= 8.0 + 0.04
        for t in (row["start"], row["end"]):
            assert not any(c.start < t < c.end for c in cues), f"{t} is inside a cue"
        vertical = Path(row["outputs"]["vertical"])
        assert vertical == clip_path(project.cfg, row["clip"], "vertical")
        info = ffmpeg.probe(vertical)
        assert (info.width, info.height) == (1080, 1920)
        assert info.duration == pytest.approx(row["duration"], abs=0.05)
        assert_in_sync(vertical)
        wide = ffmpeg.probe(Path(row["outputs"]["16x9"]))
        assert (wide.width, wide.height) == (1280, 720)
        assert row["reasons"] and row["captions"] == "fr.srt (not reviewed)"


def test_captions_are_burned_in(rendered, tmp_path):
    project, rows = rendered
    row = rows[0]
    cues = read_srt(subtitle_path(project.cfg, SAMPLE, "fr"))
    shown = next(c for c in cues if c.start >= row["start"] and c.end <= row["end"])
    t = (shown.start + shown.end) / 2 - row["start"]
    # the same cut without any overlay: same shot, same sizes, same encoder
    plain = tmp_path / "plain.mp4"
    info = ffmpeg.probe(project.episode().master)
    a = assembly.Assembly((assembly.Shot(project.episode().master, row["start"], row["duration"]),),
                        (assembly.Variant(plain, 1080, 1920, 1080, 608),), Fraction(25), 0.3, (),
                        ("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"))
    assembly.run_assembly(a)
    assert info.width == 1280
    captioned, bare = frame(Path(row["outputs"]["vertical"]), t, tmp_path), frame(plain, t, tmp_path)
    band = slice(1150, 1500)  # where the captions sit (above the platform's buttons)
    diff = np.abs(captioned[band].astype(int) - bare[band].astype(int))
    assert (diff > 60).mean() > 0.01, "no caption text found in the caption band"


def test_thumbnails_are_720p_jpegs_under_2_mb(rendered):
    project, rows = rendered
    for asset in (SAMPLE, *(r["clip"] for r in rows)):
        path = thumbnail_path(project.cfg, asset)
        info = ffmpeg.probe(path)
        assert (info.width, info.height) == (1280, 720)
        assert path.read_bytes()[:3] == b"\xff\xd8\xff" and path.stat().st_size < 2_000_000


def test_a_rerun_with_nothing_changed_does_nothing(rendered, capsys):
    project, rows = rendered
    path = Path(rows[0]["outputs"]["vertical"])
    before = path.stat().st_mtime_ns
    code, _, err = project.run("clips", SAMPLE, capsys=capsys)
    assert code == 0 and "all 2 clips up to date" in err
    assert path.stat().st_mtime_ns == before


def test_trailer_has_cards_fits_its_bounds_and_is_normalised(rendered, capsys, tmp_path):
    project, _ = rendered
    code, out, err = project.run("trailer", "--json", capsys=capsys)
    assert code == 0, err
    result = json.loads(out)
    assert 20 <= result["duration"] <= 24
    assert result["shots"][0]["source"] == "marker" and result["shots"][0]["label"] == "Bienvenue"
    for variant, size in (("16x9", (1280, 720)), ("vertical", (1080, 1920))):
        path = clip_path(project.cfg, "trailer", variant)
        assert Path(result["outputs"][variant]) == path
        info = ffmpeg.probe(path)
        assert (info.width, info.height) == size
        assert info.duration == pytest.approx(result["duration"], abs=0.05)
        assert_in_sync(path)
        for t in (0.75, info.duration - 0.75):  # title card, end card: the series' dark blue
            rgb = frame(path, t, tmp_path, "rgb24").reshape(-1, 3).mean(axis=0)
            assert np.allclose(rgb, cards.BACKGROUND, atol=25), (variant, t, rgb)
        middle = frame(path, 5.0, tmp_path, "rgb24").reshape(-1, 3).mean(axis=0)
        assert not np.allclose(middle, cards.BACKGROUND, atol=25)
    loudness, _peak = ffmpeg.ebur128(clip_path(project.cfg, "trailer", "16x9"))
    assert loudness == pytest.approx(-14.0, abs=1.5)
    assert thumbnail_path(project.cfg, "trailer").is_file()


def test_editor_markers_come_first(tmp_path, sample_master, capsys, rendered):
    p = fast_project(tmp_path / "p", sample_master, analysed=rendered[0])
    manifest = p.root / "episodes" / SAMPLE / "episode.toml"
    manifest.write_text(manifest.read_text() + '\n[[highlights]]\nstart = "00:21"\nend = "00:28"\n'
                                               'label = "La musique"\nuse = "clip"\n')
    code, out, err = p.run("clips", SAMPLE, "--plan", "--json", capsys=capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert (rows[0]["start"], rows[0]["end"], rows[0]["source"]) == (21.0, 28.0, "marker")
    assert rows[0]["reasons"][0] == "editor's marker"
    assert len(rows) == 2 and rows[1]["source"] == "auto"
    assert not (rows[1]["start"] < 28.0 and rows[1]["end"] > 21.0)


def test_without_subtitles_clips_start_and_end_in_pauses(tmp_path, sample_master, capsys, rendered):
    p = fast_project(tmp_path / "p", sample_master, subtitles=False, analysed=rendered[0])
    code, out, err = p.run("clips", SAMPLE, "--plan", "--json", capsys=capsys)
    assert code == 0, err
    assert "speech found from pauses" in err and "analysing" not in err and "scene changes," not in err
    silences = json.loads((p.cfg.project.build_dir / SAMPLE / "clips" / "analysis.json").read_text())["raw"]["silences"]
    for row in json.loads(out):
        assert row["captions"].startswith("none")
        for t in (row["start"], row["end"]):
            assert any(a - 0.3 <= t <= b + 0.45 for a, b in silences), f"{t} is not in a pause"


def test_a_marker_outside_the_episode_is_an_error_and_writes_nothing(tmp_path, sample_master):
    p = fast_project(tmp_path / "p", sample_master)
    manifest = p.root / "episodes" / SAMPLE / "episode.toml"
    manifest.write_text(manifest.read_text() + '\n[[highlights]]\nstart = "01:05"\nend = "01:30"\nuse = "clip"\n')
    done = p.run_process("clips", SAMPLE)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[-2].startswith("error: ep00-sample: highlight 2 ends at 01:30.0, after the end of the episode")
    assert lines[-1].startswith("hint: fix start/end of [[highlights]] number 2")
    assert "Traceback" not in done.stderr
    assert not list((p.cfg.project.build_dir / SAMPLE).glob("clips/*.mp4"))


def test_a_clip_marker_too_short_is_an_error(tmp_path, sample_master, capsys):
    p = fast_project(tmp_path / "p", sample_master)
    manifest = p.root / "episodes" / SAMPLE / "episode.toml"
    manifest.write_text(manifest.read_text() + '\n[[highlights]]\nstart = 2\nend = 4\nuse = "clip"\n')
    code, _, err = p.run("clips", SAMPLE, capsys=capsys)
    assert code == 2
    assert "lasts 2.0 s, shorter than the 5 s minimum for a clip" in err and "hint:" in err


def test_no_speech_found_is_an_error(tmp_path, sample_master, capsys):
    p = fast_project(tmp_path / "p", sample_master, subtitles=False)
    master = make_test_video(tmp_path / "tone.mp4", duration=8.0)  # one unbroken tone: not speech
    p.add_episode("ep01-tone", master)
    code, _, err = p.run("clips", "ep01", capsys=capsys)
    assert code == 2
    assert "error: ep01-tone: no speech found" in err and "[[highlights]]" in err
    assert not os.path.exists(clip_path(p.cfg, "ep01-tone-clip1"))


def test_fewer_clips_than_last_time_removes_the_extra_ones(tmp_path, sample_master, capsys, rendered):
    project, rows = rendered
    p = fast_project(tmp_path / "p", sample_master, analysed=project)
    stale = clip_path(p.cfg, f"{SAMPLE}-clip3", "vertical")
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"old clip")
    code, _, err = p.run("clips", SAMPLE, "--count", "1", capsys=capsys)
    assert code == 0, err
    assert not stale.exists() and "removed ep00-sample-clip3.vertical.mp4" in err
    assert clip_path(p.cfg, f"{SAMPLE}-clip1", "vertical").is_file()


def test_a_clip_whose_loudness_needs_the_fallback_says_so(tmp_path, sample_master, capsys):
    """A quiet tone with sharp peaks: the linear gain to the target would break the true-peak limit,
    so loudnorm falls back to dynamic mode, and the clip's log says so (as the trailer's does)."""
    p = fast_project(tmp_path / "p", sample_master, subtitles=False)
    master = tmp_path / "peaks.mp4"
    ffmpeg.run_args(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=8", "-f", "lavfi", "-i",
                     "aevalsrc=exprs='0.01*sin(2*PI*440*t)+0.9*lt(mod(t,0.5),0.002)':s=48000:d=8",
                     "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "8",
                     str(master)])
    p.add_episode("ep01-peaks", master, extra='[[highlights]]\nstart = 1\nend = 7\nuse = "clip"\n')
    code, _, err = p.run("clips", "ep01", "--count", "1", capsys=capsys)
    assert code == 0, err
    assert "ep01-peaks: ep01-peaks-clip1: loudness evened out moment by moment (dynamic mode)" in err
    assert clip_path(p.cfg, "ep01-peaks-clip1", "vertical").is_file()
