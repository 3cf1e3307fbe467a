"""The ladder's pictures: each smaller rung is scaled from the next larger one, the analysis from the smallest."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.manifest import load_episode
from pipeline.media import analysis, ffmpeg
from pipeline.models import Loudness, MediaInfo
from pipeline.stages import transcode
from tests.conftest import ROOT

LOUD = {n: Loudness(-20.0, -3.0, 5.0, -30.0, 0.0) for n in (1, 2)}


def _ladder(width: int, height: int, fps: float, names: list[str]) -> list[transcode.Job]:
    cfg = load_config(ROOT / "config.toml")
    episode = load_episode(ROOT / "episodes" / "ep00-sample")
    info = MediaInfo(Path("master.mp4"), 600.0, width, height, fps, has_video=True, audio_channels=2)
    return transcode.ladder(cfg, episode, info, transcode.select_profiles(cfg, names), LOUD)


def _steps(job: transcode.Job) -> list[str]:
    return [f.text for f in job.output.video or ()]


def test_smaller_rungs_are_scaled_from_the_next_larger_one():
    jobs = {j.profile.name: j for j in _ladder(1920, 1080, 25.0, ["youtube", "mobile", "mobile-2g", "whatsapp"])}
    # a 10-minute episode: WhatsApp's 16 MB leave 240p, the same picture as mobile-2g's
    assert _steps(jobs["youtube"]) == ["scale=1920:1080", "setsar=1", "format=yuv420p"]
    assert _steps(jobs["mobile"]) == ["scale=1920:1080", "scale=640:360", "setsar=1", "format=yuv420p"]
    assert _steps(jobs["mobile-2g"]) == ["scale=1920:1080", "scale=640:360", "scale=426:240", "setsar=1",
                                         "format=yuv420p"]
    assert _steps(jobs["whatsapp"]) == _steps(jobs["mobile-2g"])


def test_a_lower_frame_rate_is_taken_after_the_larger_rungs_scale():
    jobs = {j.profile.name: j for j in _ladder(1920, 1080, 50.0, ["youtube", "mobile"])}
    assert _steps(jobs["mobile"]) == ["scale=1920:1080", "fps=25/1", "scale=640:360", "setsar=1", "format=yuv420p"]


def test_the_analysis_watches_the_smallest_full_rate_rung_and_the_graph_scales_the_master_once():
    info = MediaInfo(Path("master.mp4"), 600.0, 1920, 1080, 25.0, has_video=True, audio_channels=2)
    jobs = _ladder(1920, 1080, 25.0, ["youtube", "mobile", "mobile-2g", "audio"])
    tap = transcode.from_smallest_rung(analysis.Tap(Path("work"), 600.0).output(), jobs, info)
    assert [f.text for f in tap.video or ()][:4] == ["scale=1920:1080", "scale=640:360", "scale=426:240",
                                                     "scale=320:-2"]
    graph = ffmpeg.Graph(Path("master.mp4"), (), (), (*(j.output for j in jobs), tap))
    text = ffmpeg.graph_command(graph)[ffmpeg.graph_command(graph).index("-filter_complex") + 1]
    assert text.count("scale=1920:1080") == 1 and text.count("scale=640:360") == 1
