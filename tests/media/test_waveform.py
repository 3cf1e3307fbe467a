"""The sound drawn as a picture for the subtitle editor: made by ffmpeg once per file version."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from pipeline.media import ffmpeg
from pipeline.media.waveform import HEIGHT, WIDTH, waveform


def tone_then_silence(path: Path) -> Path:
    """1 s of tone, then 1 s of silence: the picture's left half is loud, its right half flat."""
    ffmpeg.run_args(["-f", "lavfi", "-i", "sine=frequency=300:sample_rate=16000:d=1", "-f", "lavfi",
                     "-i", "anullsrc=r=16000:cl=mono:d=1", "-filter_complex", "[0:a][1:a]concat=n=2:v=0:a=1[a]",
                     "-map", "[a]", "-t", "2", str(path)])
    return path


def test_the_picture_shows_where_the_sound_is(tmp_path: Path) -> None:
    source = tone_then_silence(tmp_path / "voice.wav")
    picture = waveform(source, tmp_path / "cache")
    with Image.open(picture) as im:
        assert im.size == (WIDTH, HEIGHT)
        alpha = im.convert("RGBA").getchannel("A")
        drawn = [sum(1 for y in range(HEIGHT) if alpha.getpixel((x, y)) > 0) for x in (WIDTH // 4, 3 * WIDTH // 4)]
    assert drawn[0] > HEIGHT // 5 and drawn[1] <= 2  # the tone (at -18 dBFS) is drawn tall; silence is a line
    assert not [p for p in picture.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_made_once_per_version_of_the_file(tmp_path: Path) -> None:
    source = tone_then_silence(tmp_path / "voice.wav")
    first = waveform(source, tmp_path / "cache")
    made = first.stat().st_mtime_ns
    assert waveform(source, tmp_path / "cache") == first and first.stat().st_mtime_ns == made  # kept, not redone
    os.utime(source, ns=(made + 10**9, made + 10**9))  # the file changed (a new render)
    assert waveform(source, tmp_path / "cache") != first
