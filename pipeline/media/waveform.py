"""A picture of a file's sound (ffmpeg `showwavespic`), made once per file version.

The subtitle editor shows it under the player: speech stands out from pauses, so a cue's start
and end can be placed by eye. The x axis is the whole sound track, left to right. Built here,
run by media/ffmpeg.py, written under a temporary name then renamed, and kept in `cache_dir`
under a name made from the source's path, size and modification time.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from pipeline.fsutil import temp_path_for
from pipeline.media import ffmpeg

WIDTH = 1600
HEIGHT = 120
COLOUR = "0x0b6e4f"   # the studio's accent green
_MAKING = threading.Lock()  # one picture made at a time: two pages asking at once share one run


def waveform_args(source: Path, out: Path, width: int = WIDTH, height: int = HEIGHT) -> list[str]:
    """ffmpeg arguments: the first audio stream, mixed to mono, drawn as one PNG."""
    graph = (f"[0:a:0]aformat=channel_layouts=mono,"
             f"showwavespic=s={width}x{height}:split_channels=0:scale=sqrt:colors={COLOUR}[w]")
    return ["-i", str(source), "-filter_complex", graph, "-map", "[w]", "-frames:v", "1", "-c:v", "png",
            "-f", "image2", str(out)]


def cached_path(source: Path, cache_dir: Path) -> Path:
    st = source.stat()
    key = hashlib.sha256(f"{source.resolve()}:{st.st_size}:{st.st_mtime_ns}:{WIDTH}x{HEIGHT}".encode()).hexdigest()
    return cache_dir / f"{key[:32]}.png"


def waveform(source: Path, cache_dir: Path) -> Path:
    """The PNG of `source`'s sound, made if this version of the file has none yet."""
    out = cached_path(source, cache_dir)
    with _MAKING:
        if out.is_file():
            return out
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = temp_path_for(out)
        try:
            ffmpeg.run_args(waveform_args(source, tmp))
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
    return out
