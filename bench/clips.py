"""Trailer assembly: one ffmpeg filter graph vs moviepy, same shots, same encoder settings.

    python bench/clips.py [--runs N]

Makes the sample master in a temporary folder, lets the clips stage choose the trailer's shots
(no subtitles: speech from pauses), renders the two cards once with moviepy, then builds the
16:9 trailer twice:
  graph   - what the stage does: every shot seeked with -ss/-t, fades, concat, one encode;
  moviepy - VideoFileClip.subclipped + fades + concatenate_videoclips + write_videofile.
Both: 25 fps, x264 veryfast CRF 21, AAC 160k, 0.3 s fades; loudness normalisation left out of
both (moviepy has none). Prints wall and CPU seconds (this process and its children) and ratios.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.clips import cards  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.manifest import load_episode  # noqa: E402
from pipeline.media import assembly, ffmpeg  # noqa: E402
from pipeline.media.synth import make_sample_master  # noqa: E402
from pipeline.stages import clips as stage  # noqa: E402
from pipeline.stages import trailer as trailer_mod  # noqa: E402
from pipeline.store import Store  # noqa: E402

FPS, FADE, PRESET, CRF = Fraction(25), 0.3, "veryfast", 21


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def measure(fn) -> tuple[float, float]:  # noqa: ANN001
    wall, c = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - wall, cpu() - c


def graph_build(master: Path, shots: list[tuple[float, float]], title: Path, end: Path, out: Path,
                w: int, h: int) -> None:
    seq = [assembly.Shot(None, 0, 3.0, (title,)), *[assembly.Shot(master, s, d) for s, d in shots],
           assembly.Shot(None, 0, 4.0, (end,))]
    enc = ("-c:v", "libx264", "-preset", PRESET, "-crf", str(CRF), "-pix_fmt", "yuv420p", "-g", "50",
           "-c:a", "aac", "-b:a", "160k", "-ar", "48000")
    assembly.run_assembly(assembly.Assembly(tuple(seq), (assembly.Variant(out, w, h, w, h),), FPS, FADE, (), enc))


def moviepy_build(master: Path, shots: list[tuple[float, float]], title: Path, end: Path, out: Path) -> None:
    mp = cards._moviepy()
    from moviepy import afx, vfx

    def faded(clip):  # noqa: ANN001, ANN202
        effects = [vfx.FadeIn(FADE), vfx.FadeOut(FADE)]
        if clip.audio is not None:
            effects += [afx.AudioFadeIn(FADE), afx.AudioFadeOut(FADE)]
        return clip.with_effects(effects)

    source = mp.VideoFileClip(str(master))
    parts = [faded(mp.ImageClip(str(title)).with_duration(3.0))]
    parts += [faded(source.subclipped(s, s + d)) for s, d in shots]
    parts.append(faded(mp.ImageClip(str(end)).with_duration(4.0)))
    final = mp.concatenate_videoclips(parts)
    final.write_videofile(str(out), fps=float(FPS), codec="libx264", preset=PRESET, audio_codec="aac",
                          audio_bitrate="160k", audio_fps=48000,
                          ffmpeg_params=["-crf", str(CRF), "-pix_fmt", "yuv420p", "-g", "50"], logger=None)
    source.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-clips-") as tmp:
        root = Path(tmp)
        shutil.copy(ROOT / "config.toml", root / "config.toml")
        ep_dir = root / "episodes" / "ep00-sample"
        ep_dir.mkdir(parents=True)
        shutil.copy(ROOT / "episodes" / "ep00-sample" / "episode.toml", ep_dir / "episode.toml")
        print("making the sample master ...", flush=True)
        make_sample_master(ep_dir / "master.mp4")
        cfg = load_config(root / "config.toml")
        ep = load_episode(ep_dir)
        with Store(cfg.project.database) as store:
            material = stage.load_material(cfg, store, ep, show_progress=False)
        segments = trailer_mod.choose(cfg, [material])
        shots = [(s.start, assembly.frame_round(s.duration, FPS)) for s in segments]
        w, h = material.info.width, material.info.height
        title = cards.render_card(cards.title_card(cfg.project.series_title.fr, cfg.project.series_title.bm),
                                  w, h, root / "title.png")
        end = cards.render_card(cards.end_card(cfg.clips.first_release, cfg.clips.channels), w, h, root / "end.png")
        total = 7.0 + sum(d for _, d in shots)
        print(f"trailer: {len(shots)} shots + 2 cards = {total:.1f} s at {w}x{h}, {os.cpu_count()} cores")
        results: dict[str, list[tuple[float, float]]] = {"graph": [], "moviepy": []}
        for i in range(args.runs):
            results["graph"].append(measure(lambda: graph_build(ep.master, shots, title, end, root / "g.mp4", w, h)))
            results["moviepy"].append(measure(lambda: moviepy_build(ep.master, shots, title, end, root / "m.mp4")))
            for name in results:
                print(f"  run {i + 1} {name:8s} wall {results[name][-1][0]:6.1f} s  cpu {results[name][-1][1]:6.1f} s",
                      flush=True)
        for name, path in (("graph", root / "g.mp4"), ("moviepy", root / "m.mp4")):
            info = ffmpeg.probe(path)
            print(f"  {name:8s} output: {info.duration:.2f} s, {info.size_bytes / 1e6:.1f} MB")
        g = [min(x[k] for x in results["graph"]) for k in (0, 1)]
        m = [min(x[k] for x in results["moviepy"]) for k in (0, 1)]
        print(f"graph   : wall {g[0]:.1f} s, cpu {g[1]:.1f} s")
        print(f"moviepy : wall {m[0]:.1f} s, cpu {m[1]:.1f} s")
        print(f"ratio (moviepy / graph): wall {m[0] / g[0]:.2f}x, cpu {m[1] / g[1]:.2f}x  (target >= 1.8x)")


if __name__ == "__main__":
    main()
