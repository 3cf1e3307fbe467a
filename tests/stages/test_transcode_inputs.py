"""Whatever the editor exports (or films on a phone), every rendition comes out right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.media import ffmpeg
from pipeline.media.synth import make_test_video
from tests.conftest import Project
from tests.mediacheck import rate, streams

PROFILES = ("--profile", "youtube", "--profile", "mobile")


def render(project: Project, ep_id: str, master: Path, *extra: str) -> dict[str, dict]:
    project.add_episode(ep_id, master)
    done = project.run_process("transcode", ep_id, *PROFILES, *extra, "--json")
    assert done.returncode == 0, done.stderr
    return {r["profile"]: {**r, "log": done.stderr} for r in json.loads(done.stdout)}


def test_odd_picture_size_gives_even_sizes_without_upscaling(project, tmp_path):
    out = render(project, "ep01-odd", make_test_video(tmp_path / "odd.mp4", size="321x241", duration=2))
    assert (out["youtube"]["width"], out["youtube"]["height"]) == (320, 240)  # even, never above the master
    assert (out["mobile"]["width"], out["mobile"]["height"]) == (320, 240)


def test_phone_rotation_metadata_is_applied(project, tmp_path):
    plain = make_test_video(tmp_path / "plain.mp4", size="640x360", duration=2)
    master = tmp_path / "phone.mp4"  # phones store the picture sideways plus a display rotation
    ffmpeg.run_args(["-i", str(plain), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(master)])
    assert ffmpeg.probe(master).rotation in (90, 270)
    out = render(project, "ep01-phone", master)
    assert (out["youtube"]["width"], out["youtube"]["height"]) == (360, 640)  # upright, as filmed
    s = streams(Path(out["youtube"]["path"]))["video"]
    assert not any("rotation" in d for d in s.get("side_data_list", []))


def test_variable_frame_rate_becomes_constant(project, tmp_path):
    master = make_test_video(tmp_path / "vfr.mp4", size="320x240", fps="30", duration=3,
                             vf="select='not(eq(mod(n\\,3)\\,0)+eq(mod(n\\,7)\\,0))'",
                             extra_video=["-fps_mode", "vfr"])
    assert ffmpeg.probe(master).variable_fps
    out = render(project, "ep01-vfr", master)
    v = streams(Path(out["youtube"]["path"]))["video"]
    assert rate(v) == rate(v, "r_frame_rate")
    assert abs(float(v["duration"]) - ffmpeg.probe(master).duration) <= 1 / 30 + 1e-6
    assert any("variable frame rate" in n for n in out["youtube"]["notes"])


def test_interlaced_anamorphic_sd_is_deinterlaced_at_its_display_shape(project, tmp_path):
    master = make_test_video(
        tmp_path / "sd.mp4", size="720x576", fps="25", duration=2, vf="setsar=16/15",
        codec=["-c:v", "libx264", "-preset", "ultrafast", "-flags", "+ilme+ildct", "-x264opts", "tff=1",
               "-field_order", "tt", "-pix_fmt", "yuv420p"])
    assert ffmpeg.probe(master).interlaced
    out = render(project, "ep01-sd", master)
    v = streams(Path(out["youtube"]["path"]))["video"]
    assert v.get("field_order", "progressive") == "progressive"
    assert (v["width"], v["height"]) == (768, 576)  # 4:3 with square pixels
    assert "deinterlaced" in out["youtube"]["notes"]


@pytest.mark.parametrize("layout", ["mono", "5.1"])
def test_mono_and_surround_masters_give_stereo_at_target_loudness(project, tmp_path, layout):
    master = make_test_video(tmp_path / f"{layout}.mp4", duration=4, audio=layout)
    out = render(project, f"ep01-{layout.replace('.', '')}", master)
    a = streams(Path(out["youtube"]["path"]))["audio"]
    assert a["channels"] == 2
    integrated, _ = ffmpeg.ebur128(Path(out["youtube"]["path"]))
    assert abs(integrated - project.cfg.transcode.profiles["youtube"].loudness) <= 1.0


def test_master_without_audio_gets_silence_and_says_so(project, tmp_path):
    out = render(project, "ep01-mute", make_test_video(tmp_path / "mute.mp4", duration=2, audio=None))
    s = streams(Path(out["youtube"]["path"]))
    assert s["audio"]["codec_name"] == "aac"
    assert abs(float(s["audio"]["duration"]) - 2.0) <= 1 / 25
    assert "silence added" in out["youtube"]["log"]
    assert "master has no audio stream: silence added" in out["youtube"]["notes"]


def test_size_cap_holds_on_hard_to_compress_footage(project, tmp_path):
    """Noise is the worst case for an encoder: the VBV cap must still keep the file under its limit."""
    master = tmp_path / "noise.mp4"
    ffmpeg.run_args(["-f", "lavfi", "-i", "nullsrc=s=640x360:r=25:d=12,geq=random(1)*255:128:128",
                     "-f", "lavfi", "-i", "anoisesrc=d=12:a=0.3", "-c:v", "libx264", "-preset", "ultrafast",
                     "-crf", "10", "-pix_fmt", "yuv420p", "-c:a", "aac", "-t", "12", str(master)])
    with open(project.config_path, "a") as fh:
        fh.write('\n[transcode.profiles.tiny-share]\nbase = "whatsapp"\nmax_size_mb = 1.0\npreset = "ultrafast"\n')
    project.add_episode("ep01-noise", master)
    done = project.run_process("transcode", "ep01-noise", "--profile", "tiny-share", "--json")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)
    assert result["size_bytes"] < 1_000_000, result["size_bytes"]


def test_prores_422_10bit_master_from_an_editing_suite(project, tmp_path):
    master = make_test_video(tmp_path / "master.mov", size="640x360", duration=2,
                             codec=["-c:v", "prores_ks", "-profile:v", "1", "-pix_fmt", "yuv422p10le"])
    assert ffmpeg.probe(master).pix_fmt == "yuv422p10le"
    out = render(project, "ep01-prores", master)
    v = streams(Path(out["youtube"]["path"]))["video"]
    assert (v["codec_name"], v["profile"], v["pix_fmt"]) == ("h264", "High", "yuv420p")
