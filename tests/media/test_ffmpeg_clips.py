"""Assemblies (pipeline/media/assembly.py): frame-accurate cuts, sound in step."""

from fractions import Fraction
from pathlib import Path

import numpy as np

from pipeline.media import assembly, ffmpeg
from pipeline.media.synth import make_test_video


def frames(path: Path, tmp: Path, size=(160, 120)) -> np.ndarray:
    raw = tmp / (path.stem + ".gray")
    ffmpeg.run_args(["-i", str(path), "-vf", f"scale={size[0]}:{size[1]}", "-f", "rawvideo", "-pix_fmt", "gray",
                     str(raw)])
    return np.fromfile(raw, dtype=np.uint8).reshape(-1, size[1], size[0]).astype(int)


def test_cuts_are_frame_accurate_and_in_sync(tmp_path):
    # keyframes only every 50 frames: a stream-copy cut would start up to 2 s early
    src = make_test_video(tmp_path / "src.mp4", size="320x240", duration=6.0,
                          codec=["-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p"])
    out = tmp_path / "cut.mp4"
    shots = (assembly.Shot(src, 1.36, 1.0), assembly.Shot(src, 3.52, 0.8))
    a = assembly.Assembly(shots, (assembly.Variant(out, 320, 240, 320, 240),), Fraction(25), 0.0, (),
                        ("-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-c:a", "aac"))
    assembly.run_assembly(a)
    got, ref = frames(out, tmp_path), frames(src, tmp_path)
    assert len(got) == 25 + 20
    for k, want in ((0, 34), (24, 58), (25, 88), (44, 107)):  # 1.36 s = frame 34, 3.52 s = frame 88
        diffs = [np.abs(got[k] - ref[j]).mean() for j in range(want - 2, want + 3)]
        assert int(np.argmin(diffs)) == 2, (k, want, diffs)
    d = ffmpeg.stream_durations(out)
    assert abs(d["video"][1] - d["audio"][1]) <= 1 / 25 and abs(d["video"][0] - d["audio"][0]) <= 1 / 25
