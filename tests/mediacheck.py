"""ffprobe-based checks shared by the tests: what a platform's ingest would look at."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from pipeline.media import ffmpeg


def streams(path: Path) -> dict[str, dict]:
    data = ffmpeg.ffprobe_json(path, "-show_streams", "-show_format")
    out = {"format": data["format"]}
    for s in data["streams"]:
        out.setdefault(s["codec_type"], s)
    return out


def keyframe_times(path: Path) -> list[float]:
    data = ffmpeg.ffprobe_json(path, "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags")
    return [float(p["pts_time"]) for p in data["packets"] if "K" in p.get("flags", "")]


def moov_before_mdat(path: Path) -> bool:
    """Top-level MP4 atoms in order: 'faststart' means the index comes before the media."""
    order = []
    with open(path, "rb") as fh:
        while True:
            head = fh.read(8)
            if len(head) < 8:
                break
            size, kind = int.from_bytes(head[:4], "big"), head[4:].decode("latin-1")
            if size == 1:
                size = int.from_bytes(fh.read(8), "big") - 8
            order.append(kind)
            if size < 8:
                break
            fh.seek(size - 8, 1)
    return "moov" in order and "mdat" in order and order.index("moov") < order.index("mdat")


def rate(stream: dict, key: str = "avg_frame_rate") -> Fraction:
    return Fraction(stream[key])
