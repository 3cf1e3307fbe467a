"""The transcode stage, checked the way platforms and viewers would see its files."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from pipeline.media import analysis, ffmpeg
from pipeline.media.synth import SAMPLE_DURATION, SAMPLE_SCENE_CUTS
from pipeline.paths import analysis_path, renditions_dir
from tests.conftest import Project, make_project
from tests.mediacheck import keyframe_times, moov_before_mdat, rate, streams

FRAME = 1 / 25


ON_DEMAND = ("facebook", "vertical")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, sample_master: Path) -> tuple[Project, dict]:
    """The sample episode rendered once into every default profile, then the on-demand ones, with the
    --json results (the first run also leaves the clips stage its analysis of the master)."""
    project = make_project(tmp_path_factory.mktemp("transcode") / "p", sample_master)
    done = project.run_process("transcode", "ep00-sample", "--json")
    assert done.returncode == 0, done.stderr
    result = {r["profile"]: r for r in json.loads(done.stdout)}
    assert set(result) == set(project.cfg.transcode.default_profiles)
    assert not set(ON_DEMAND) & set(result)
    args = [x for name in ON_DEMAND for x in ("--profile", name)]
    done = project.run_process("transcode", "ep00-sample", *args, "--json")
    assert done.returncode == 0, done.stderr
    return project, result | {r["profile"]: r for r in json.loads(done.stdout)}


def test_json_lists_every_profile_made_with_absolute_paths(rendered):
    project, result = rendered
    assert set(result) == {*project.cfg.transcode.default_profiles, *ON_DEMAND}
    for r in result.values():
        path = Path(r["path"])
        assert path.is_absolute() and path.is_file()
        assert path.parent == renditions_dir(project.cfg, "ep00-sample").resolve()


@pytest.mark.parametrize("profile, size, h264_profile", [
    ("youtube", (1280, 720), "High"),  # a 720p master is never upscaled
    ("facebook", (1280, 720), "High"),
    ("mobile", (640, 360), "Main"),
    ("mobile-2g", (426, 240), "Main"),
    ("whatsapp", (854, 480), "Main"),
    ("vertical", (1080, 1920), "High"),
])
def test_video_renditions_meet_platform_specs(rendered, profile, size, h264_profile):
    _, result = rendered
    path = Path(result[profile]["path"])
    s = streams(path)
    v, a = s["video"], s["audio"]
    assert (v["codec_name"], v["profile"], v["pix_fmt"]) == ("h264", h264_profile, "yuv420p")
    assert (v["width"], v["height"]) == size
    assert (a["codec_name"], a["profile"], a["sample_rate"]) == ("aac", "LC", "48000")
    assert moov_before_mdat(path), "moov atom must come first (faststart)"
    assert rate(v) == rate(v, "r_frame_rate"), "constant frame rate"
    assert abs(float(s["format"]["duration"]) - SAMPLE_DURATION) <= FRAME
    assert abs(float(v["duration"]) - SAMPLE_DURATION) <= FRAME
    assert abs(float(a["duration"]) - SAMPLE_DURATION) <= FRAME


def test_youtube_has_a_keyframe_every_half_second(rendered):
    _, result = rendered
    keys = keyframe_times(Path(result["youtube"]["path"]))
    gaps = [b - a for a, b in zip(keys, keys[1:], strict=False)]
    assert keys[0] == 0 and max(gaps) <= 0.5 + 1e-6, max(gaps)


def test_mobile_renditions_stay_small(rendered):
    _, result = rendered
    assert result["mobile"]["mb_per_minute"] < 3.5  # 400 kb/s video + 64 kb/s audio, at most
    assert result["mobile-2g"]["mb_per_minute"] < 1.5
    assert streams(Path(result["mobile-2g"]["path"]))["audio"]["channels"] == 1
    assert result["whatsapp"]["size_bytes"] < 16e6


@pytest.mark.parametrize("profile", ["youtube", "facebook", "mobile", "mobile-2g", "whatsapp", "vertical",
                                     "audio", "radio"])
def test_loudness_is_within_one_lu_of_the_target(rendered, profile):
    project, result = rendered
    target = project.cfg.transcode.profiles[profile]
    integrated, peak = ffmpeg.ebur128(Path(result[profile]["path"]), dual_mono=target.audio_channels == 1)
    assert abs(integrated - target.loudness) <= 1.0, integrated
    assert peak <= target.true_peak + 1.0


def test_audio_only_renditions(rendered):
    _, result = rendered
    opus, aac = streams(Path(result["audio"]["path"])), streams(Path(result["radio"]["path"]))
    assert "video" not in opus and opus["audio"]["codec_name"] == "opus"
    assert "video" not in aac and aac["audio"]["codec_name"] == "aac"
    assert abs(float(opus["format"]["duration"]) - SAMPLE_DURATION) <= FRAME


def test_rerun_with_nothing_changed_does_no_work(rendered):
    project, result = rendered
    before = {p: os.stat(r["path"]).st_mtime_ns for p, r in result.items()}
    started = time.perf_counter()
    done = project.run_process("transcode", "ep00-sample")
    assert done.returncode == 0
    assert "up to date" in done.stderr
    assert {p: os.stat(r["path"]).st_mtime_ns for p, r in result.items()} == before
    assert "MB/min" in done.stdout  # the table is still shown
    assert time.perf_counter() - started < 10  # generous: the benchmark measures the real figure


def test_changed_setting_redoes_only_that_profile(tmp_path, sample_master):
    project = make_project(tmp_path / "p", sample_master)
    assert project.run_process("transcode", "ep00", "--profile", "audio", "--profile", "radio").returncode == 0
    radio = renditions_dir(project.cfg, "ep00-sample") / "ep00-sample.radio.m4a"
    audio = renditions_dir(project.cfg, "ep00-sample") / "ep00-sample.audio.ogg"
    mtimes = radio.stat().st_mtime_ns, audio.stat().st_mtime_ns
    with open(project.config_path, "a") as fh:
        fh.write("\n[transcode.profiles.radio]\naudio_kbps = 128\n")
    done = project.run_process("transcode", "ep00", "--profile", "audio", "--profile", "radio")
    assert done.returncode == 0, done.stderr
    assert "rendering radio" in done.stderr
    assert audio.stat().st_mtime_ns == mtimes[1] and radio.stat().st_mtime_ns != mtimes[0]


def test_the_clips_analysis_rides_on_the_transcode_decode(rendered, sample_master, tmp_path):
    """One decode of the master for every rendition and for the clips' analysis: the same findings as
    the clips stage's own analysis, and `clips` then decodes nothing to choose."""
    project, _ = rendered
    cached = json.loads(analysis_path(project.cfg, "ep00-sample").read_text())
    assert cached["key"].endswith(f":{analysis.VERSION}")
    alone = analysis.analyze_master(sample_master, tmp_path, SAMPLE_DURATION)
    found = cached["raw"]
    assert found["scene_cuts"] == pytest.approx(alone["scene_cuts"], abs=FRAME)
    assert all(any(abs(c - t) <= 2 * FRAME for c in SAMPLE_SCENE_CUTS) for t in found["scene_cuts"])  # none made up
    seen = {c for c in SAMPLE_SCENE_CUTS if any(abs(c - t) <= 2 * FRAME for t in found["scene_cuts"])}
    # 36 s: dark-blue cells to dark blue, under scdet's threshold; 66 s: `gradients` draws random colours
    # each time the sample is made, and some draws are close to the mandelbrot's. The four others are clear.
    assert set(SAMPLE_SCENE_CUTS) - seen <= {36.0, 66.0}
    assert len(found["silences"]) == len(alone["silences"])
    assert [t for pair in found["silences"] for t in pair] == pytest.approx(
        [t for pair in alone["silences"] for t in pair], abs=0.05)
    assert any(a <= 36.5 and b >= 45.5 for a, b in found["silences"])  # the sample's silent stretch
    assert len(found["loudness"]) == pytest.approx(len(alone["loudness"]), abs=2)
    assert len(found["frames"]) == pytest.approx(len(alone["frames"]), abs=1)
    assert max(t for t, *_ in found["frames"]) < SAMPLE_DURATION  # no picture past the end to pick
    done = project.run_process("clips", "ep00-sample", "--plan", "--json")
    assert done.returncode == 0, done.stderr
    assert "scene changes," not in done.stderr and "analysing" not in done.stderr
