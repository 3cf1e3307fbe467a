"""Analysis of a master for the clips stage, in one decode: scene cuts (scdet), momentary
loudness (ebur128), pauses (silencedetect) and the picture's brightness and blur.

Builds the command and reads the files the metadata filters print; media/ffmpeg.py runs it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pipeline.media import ffmpeg
from pipeline.media.ffmpeg import Progress, quote


def _metadata_lines(path: Path) -> list[tuple[float, dict[str, str]]]:
    """Frames printed by the metadata/ametadata filters: (pts_time, {key: value})."""
    frames: list[tuple[float, dict[str, str]]] = []
    if not path.is_file():
        return frames
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("frame:"):
            m = re.search(r"pts_time:(-?[\d.]+)", line)
            frames.append((float(m.group(1)) if m else 0.0, {}))
        elif "=" in line and frames:
            key, value = line.split("=", 1)
            frames[-1][1][key.strip()] = value.strip()
    return frames


def analyze_master(source: Path, workdir: Path, has_video: bool = True,
                   progress: Progress | None = None) -> dict[str, Any]:
    """One decode: scene cuts (scdet), momentary loudness (ebur128, every 0.1 s), pauses
    (silencedetect) and twice a second the mean luma and blur of the picture.

    Returns plain lists; pipeline.clips.select.Analysis is built from them by the stage.
    """
    scenes, frames, loud, quiet = (workdir / n for n in ("scenes.txt", "frames.txt", "loud.txt", "quiet.txt"))
    parts, maps = [], []
    if has_video:
        parts.append("[0:v]scale=320:-2,format=yuv420p,split=2[sa][sb]")
        parts.append(f"[sa]scdet=threshold=10,metadata=mode=print:key=lavfi.scd.time:file={quote(str(scenes))}[v1]")
        parts.append(f"[sb]fps=2,signalstats,blurdetect,metadata=mode=print:file={quote(str(frames))}[v2]")
        maps += ["-map", "[v1]", "-map", "[v2]"]
    parts.append("[0:a]aformat=channel_layouts=stereo,asplit=2[aa][ab]")
    parts.append(f"[aa]ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.M:file={quote(str(loud))}[a1]")
    parts.append(f"[ab]silencedetect=n=-40dB:d=0.2,ametadata=mode=print:file={quote(str(quiet))}[a2]")
    maps += ["-map", "[a1]", "-map", "[a2]"]
    ffmpeg.run_args(["-i", str(source), "-filter_complex", ";".join(parts), *maps, "-f", "null", "-"], progress)
    cuts = [t for t, kv in _metadata_lines(scenes) if "lavfi.scd.time" in kv]
    pics = [(t, float(kv.get("lavfi.signalstats.YAVG", 0)), float(kv.get("lavfi.blur", 0)))
            for t, kv in _metadata_lines(frames)]
    momentary = [(t, float(kv["lavfi.r128.M"])) for t, kv in _metadata_lines(loud) if "lavfi.r128.M" in kv]
    silences, start = [], None
    for _t, kv in _metadata_lines(quiet):
        if "lavfi.silence_start" in kv:
            start = float(kv["lavfi.silence_start"])
        if "lavfi.silence_end" in kv:
            silences.append((max(0.0, start if start is not None else 0.0), float(kv["lavfi.silence_end"])))
            start = None
    return {"scene_cuts": cuts, "frames": pics, "loudness": momentary, "silences": silences,
            "open_silence": start}
