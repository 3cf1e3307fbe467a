"""Analysis of a master for the clips stage: scene cuts (scdet), momentary loudness (ebur128),
pauses (silencedetect) and twice a second the picture's brightness and blur.

A `Tap` is one extra output of a graph: the transcode stage hangs it on its own decode, so the
master is decoded once for the renditions and the analysis; `analyze_master` runs it alone when
no transcode did it. The results are cached beside the clips (`write_cache`/`read_cache`), keyed
by the master's digest and VERSION. Builds chains and reads the files the metadata filters print;
media/ffmpeg.py runs the command.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.fsutil import write_text_atomic
from pipeline.media import ffmpeg
from pipeline.media.ffmpeg import F, Chain, Progress

VERSION = 3  # bump when what the analysis measures changes: cached analyses are then redone
ANALYSIS_WIDTH = 320  # every picture measure runs on a small copy: the cost of scaling, not of 1080p


@dataclass(frozen=True)
class Tap:
    """The analysis as one null output of a graph, writing its findings into `workdir`."""

    workdir: Path
    duration: float

    def _file(self, name: str) -> str:
        return str(self.workdir / name)

    def video(self) -> Chain:
        return (F("scale", ANALYSIS_WIDTH, -2), F("format", "yuv420p"), F("scdet", threshold=10),
                F("metadata", mode="print", key="lavfi.scd.time", file=self._file("scenes.txt")),
                F("fps", 2), F("signalstats"), F("blurdetect"),
                F("metadata", mode="print", file=self._file("frames.txt")))

    def audio(self) -> Chain:
        return (F("silencedetect", n="-40dB", d=0.2), F("ametadata", mode="print", file=self._file("quiet.txt")),
                F("ebur128", metadata=1),
                F("ametadata", mode="print", key="lavfi.r128.M", file=self._file("loud.txt")))

    def output(self, has_video: bool = True) -> ffmpeg.Output:
        return ffmpeg.Output(Path("-"), self.video() if has_video else None, self.audio(),
                             (("t", f"{self.duration:.6f}"), ("f", "null")))

    def results(self) -> dict[str, Any]:
        """Plain lists (JSON-ready); pipeline.clips.select.Analysis is built from them by the stage."""
        d = self.workdir
        cuts = [t for t, kv in _metadata_lines(d / "scenes.txt") if "lavfi.scd.time" in kv]
        pics = [(t, float(kv.get("lavfi.signalstats.YAVG", 0)), float(kv.get("lavfi.blur", 0)))
                for t, kv in _metadata_lines(d / "frames.txt")
                if t < self.duration]  # `fps` repeats the last picture at the very end: nothing to pick there
        momentary = [(t, float(kv["lavfi.r128.M"])) for t, kv in _metadata_lines(d / "loud.txt")
                     if "lavfi.r128.M" in kv]
        silences, start = [], None
        for _t, kv in _metadata_lines(d / "quiet.txt"):
            if "lavfi.silence_start" in kv:
                start = float(kv["lavfi.silence_start"])
            if "lavfi.silence_end" in kv:
                silences.append((max(0.0, start if start is not None else 0.0), float(kv["lavfi.silence_end"])))
                start = None
        if start is not None:  # silent to the end
            silences.append((start, self.duration))
        return {"scene_cuts": cuts, "frames": pics, "loudness": momentary, "silences": silences}


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


AUDIO_PRE: Chain = (F("aformat", channel_layouts="stereo"),)  # mono up, 5.1 down: one reference mix


def analyze_master(source: Path, workdir: Path, duration: float, has_video: bool = True,
                   progress: Progress | None = None) -> dict[str, Any]:
    """The analysis alone, in one decode (when no transcode run carried the tap)."""
    tap = Tap(workdir, duration)
    ffmpeg.run(ffmpeg.graph_command(ffmpeg.Graph(source, (), AUDIO_PRE, (tap.output(has_video),))), progress)
    return tap.results()


def cache_key(master_digest: str) -> str:
    return f"{master_digest}:{VERSION}"


def read_cache(path: Path, key: str) -> dict[str, Any] | None:
    """The cached analysis if it was made from this master by this VERSION, else None."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        return data["raw"] if data.get("key") == key else None
    except (ValueError, KeyError):
        return None


def write_cache(path: Path, key: str, raw: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps({"key": key, "raw": raw}))
