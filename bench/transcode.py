"""Benchmark: the one-decode ladder against one ffmpeg run per rendition and a hand-written command.

Runs on the sample master scaled to 1080p. All three are measured in this process, in turn,
`--repeat` times (alternating, so a busy neighbour hurts them alike), and the best wall and CPU
time of each is kept. CPU-seconds (ffmpeg's own user+sys time) are the robust figure on a shared
machine; wall time is what an editor waits.

    .venv/bin/python bench/transcode.py [--seconds 72] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import load_config  # noqa: E402
from pipeline.manifest import load_episode  # noqa: E402
from pipeline.media import analysis, ffmpeg, plan  # noqa: E402
from pipeline.media.synth import make_sample_master  # noqa: E402
from pipeline.paths import analysis_path  # noqa: E402
from pipeline.stages import transcode as stage  # noqa: E402
from pipeline.store import Store  # noqa: E402


class Meter:
    """Wall time and the CPU time of child processes (ffmpeg) plus this process."""

    def __enter__(self) -> Meter:
        self.wall, self.cpu = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, self._cpu() - self.cpu

    @staticmethod
    def _cpu() -> float:
        c, s = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
        return c.ru_utime + c.ru_stime + s.ru_utime + s.ru_stime


class Best:
    """The best wall and the best CPU time over several runs of one method."""

    def __init__(self, meters: list[Meter]) -> None:
        self.wall = min(m.wall for m in meters)
        self.cpu = min(m.cpu for m in meters)


def setup(tmp: Path, seconds: float) -> tuple[Path, Path]:
    sample = make_sample_master(tmp / "sample.mp4")
    master = tmp / "project/episodes/ep00-sample/master.mp4"
    master.parent.mkdir(parents=True)
    ffmpeg.run_args(["-i", str(sample), "-t", str(seconds), "-vf", "scale=1920:1080", "-c:v", "libx264",
                     "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "copy", str(master)])
    shutil.copy(ROOT / "episodes/ep00-sample/episode.toml", master.parent / "episode.toml")
    shutil.copy(ROOT / "config.toml", tmp / "project/config.toml")
    return tmp / "project/config.toml", master


# What an experienced editor would type for each default profile (1080p master, 25 fps): the picture it is
# scaled from (a larger rung's, or the decoded master's), its own filter, its loudness target, and its
# encoder settings. Smaller rungs are scaled from the next larger one, as the stage does.
X264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-flags", "+cgop", "-movflags", "+faststart"]
HAND: dict[str, tuple[str | None, str | None, tuple[float, int], list[str]]] = {
    "youtube": ("master", "scale=1920:1080", (-14, 2),
                [*X264, "-preset", "superfast", "-profile:v", "high", "-crf", "18",
                 "-maxrate", "11600k", "-bufsize", "24000k", "-g", "12", "-c:a", "aac", "-b:a", "384k"]),
    "facebook": ("master", "scale=1920:1080", (-14, 2),
                 [*X264, "-preset", "veryfast", "-profile:v", "high", "-crf", "21", "-maxrate", "6000k",
                  "-bufsize", "12000k", "-g", "50", "-c:a", "aac", "-b:a", "192k"]),
    "whatsapp": ("youtube", "scale=854:480", (-14, 2),
                 [*X264, "-preset", "faster", "-profile:v", "main", "-crf", "23", "-maxrate", "1200k",
                  "-bufsize", "1200k", "-g", "50", "-c:a", "aac", "-b:a", "64k"]),
    "mobile": ("whatsapp", "scale=640:360", (-14, 2),
               [*X264, "-preset", "faster", "-profile:v", "main", "-crf", "26", "-maxrate", "400k",
                "-bufsize", "800k", "-g", "50", "-c:a", "aac", "-b:a", "64k"]),
    "mobile-2g": ("mobile", "scale=426:240", (-14, 1),
                  [*X264, "-preset", "medium", "-profile:v", "main", "-crf", "28", "-maxrate", "160k",
                   "-bufsize", "320k", "-g", "50", "-c:a", "aac", "-b:a", "32k"]),
    "vertical": ("master", "split[fg][bg];[bg]scale=270:480:force_original_aspect_ratio=increase,crop=270:480,"
                 "boxblur=luma_radius=10:luma_power=2,scale=1080:1920,setsar=1[bgb];[fg]scale=1080:608,setsar=1[fgs];"
                 "[bgb][fgs]overlay=x=(W-w)/2:y=(H-h)/2", (-14, 2),
                 [*X264, "-preset", "veryfast", "-profile:v", "high", "-crf", "21", "-maxrate", "6000k",
                  "-bufsize", "12000k", "-g", "50", "-c:a", "aac", "-b:a", "128k"]),
    "audio": (None, None, (-16, 2), ["-c:a", "libopus", "-b:a", "48k", "-vn"]),
    "radio": (None, None, (-23, 2), ["-c:a", "aac", "-b:a", "192k", "-vn", "-movflags", "+faststart"]),
}


def hand_written(master: Path, out: Path, loud: dict, duration: float, names: list[str]) -> list[list[str]]:
    """The measure pass and one command for the same files as the stage (`names`: the profiles it makes)."""
    ln = ("loudnorm=I={I}:TP=-1:LRA={lra}:measured_I={i}:measured_TP={tp}:measured_LRA={mlra}:"
          "measured_thresh={th}:offset={off}:linear=true")

    def norm(target: float, channels: int) -> str:
        m = loud[channels]
        text = ln.format(I=target, lra=max(11.0, round(m.lra + 0.15, 1)), i=m.integrated, tp=m.true_peak,
                         mlra=m.lra, th=m.threshold, off=m.offset)
        layout = "mono" if channels == 1 else "stereo"
        head = "aformat=channel_layouts=mono," if channels == 1 else ""
        return (f"{head}{text}{':dual_mono=true' if channels == 1 else ''},aresample=48000,"
                f"aformat=sample_rates=48000:channel_layouts={layout}")

    def parent(n: str) -> str:  # the nearest rung made in this run (or the master) to scale from
        p = HAND[n][0]
        return p if p == "master" or p in names else parent(p)  # type: ignore[arg-type]

    videos = [n for n in names if HAND[n][1]]
    fc = []
    for n in sorted(videos, key=lambda x: ["master", *HAND].index(parent(x))):  # parents before children
        kids = [k for k in videos if parent(k) == n]
        fc.append(f"[{n}_src]{HAND[n][1]}" + (f",split={len(kids) + 1}[{n}_out]" if kids else f"[{n}_out]")
                  + "".join(f"[{k}_src]" for k in kids))
    roots = [n for n in videos if parent(n) == "master"]
    fc.insert(0, "[0:v]fps=25,tpad=stop_mode=clone:stop_duration=1" + f",split={len(roots)}" + "".join(f"[{n}_src]" for n in roots))
    for n in videos:
        fc.append(f"[{n}_out]setsar=1,format=yuv420p[v{names.index(n)}]")
    sounds = list(dict.fromkeys(HAND[n][2] for n in names))
    fc.append(f"[0:a]aformat=channel_layouts=stereo,asplit={len(sounds)}" + "".join(f"[s{i}]" for i in range(len(sounds))))
    for i, snd in enumerate(sounds):
        users = [n for n in names if HAND[n][2] == snd]
        fc.append(f"[s{i}]{norm(*snd)},asplit={len(users)}" + "".join(f"[a{names.index(n)}]" for n in users))
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", str(master),
           "-filter_complex", ";".join(fc)]
    for k, n in enumerate(names):
        ext = "ogg" if n == "audio" else "m4a" if n == "radio" else "mp4"
        cmd += [*(["-map", f"[v{k}]"] if HAND[n][1] else []), "-map", f"[a{k}]", *HAND[n][3], "-ar", "48000",
                "-ac", str(HAND[n][2][1]), "-t", f"{duration:.6f}", str(out / f"{n}.{ext}")]
    measure = ["ffmpeg", "-hide_banner", "-nostdin", "-i", str(master), "-filter_complex",
               "[0:a]aformat=channel_layouts=stereo,asplit[s][m];[s]loudnorm=print_format=json[o1];"
               "[m]aformat=channel_layouts=mono,loudnorm=print_format=json:dual_mono=true[o2]",
               "-map", "[o1]", "-f", "null", "-", "-map", "[o2]", "-f", "null", "-"]
    return [measure, cmd]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=72.0, help="length of master to use (default: all)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each method; the best is kept (default 2)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        config_path, master = setup(tmp, args.seconds)
        cfg = load_config(config_path)
        episode = load_episode(master.parent)
        info = ffmpeg.probe(master)
        print(f"master: {info.width}x{info.height} {plan.rate_text(info.fps)} fps, {info.duration:.1f} s; "
              f"profiles: {', '.join(cfg.transcode.default_profiles)}")

        profiles = stage.select_profiles(cfg, None)
        hand_dir = tmp / "hand"
        hand_dir.mkdir()

        def run_ladder() -> None:
            with Store(cfg.project.database) as store:
                stage.transcode(cfg, store, episode, force=True, show_progress=False)

        def run_separate() -> None:  # same jobs, one ffmpeg run (one decode) per rendition
            loud = ffmpeg.measure_loudness(master, stage.AUDIO_PRE, sorted({p.audio_channels for p in profiles}))
            for p in profiles:
                job = stage._job(cfg, episode, info, p, loud)
                graph = ffmpeg.Graph(master, stage._video_pre(info), stage.AUDIO_PRE, (job.output,))
                ffmpeg.run(ffmpeg.graph_command(graph))
                job.output.path.unlink()

        # The figures a person would copy from their own measure pass into the command line;
        # taken once, outside the timings, while the hand-written measure pass is timed below.
        hand_loud = ffmpeg.measure_loudness(master, stage.AUDIO_PRE, [1, 2])

        def run_hand() -> None:
            measure, encode = hand_written(master, hand_dir, hand_loud, info.duration, [p.name for p in profiles])
            subprocess.run(measure, capture_output=True, check=True)
            subprocess.run(encode, check=True)

        # The clips' analysis rides on the stage's first decode of a master; made here beforehand
        # (untimed), so the three methods make the same files.
        with tempfile.TemporaryDirectory() as work:
            raw = analysis.analyze_master(master, Path(work), info.duration)
        with Store(cfg.project.database) as store:
            analysis.write_cache(analysis_path(cfg, episode.id), analysis.cache_key(store.file_digest(master)), raw)
        runs: dict[str, list[Meter]] = {"ladder": [], "separate": [], "hand": []}
        for _ in range(args.repeat):
            for name, fn in (("ladder", run_ladder), ("separate", run_separate), ("hand", run_hand)):
                with Meter() as m:
                    fn()
                runs[name].append(m)
        ladder, separate, hand = (Best(runs[k]) for k in ("ladder", "separate", "hand"))
        with Meter() as noop:
            done = subprocess.run([sys.executable, "-m", "pipeline", "--config", str(config_path), "transcode",
                                   "ep00-sample"], capture_output=True, text=True, cwd=ROOT)
        assert "up to date" in done.stderr, done.stderr

    rows = [("one decode, all renditions (stage)", ladder), ("one ffmpeg run per rendition", separate),
            ("hand-written ffmpeg command", hand), ("no-op rerun (CLI process)", noop)]
    for name, m in rows:
        print(f"{name:38s} wall {m.wall:7.2f} s   cpu {m.cpu:7.2f} s")
    print(f"speed-up over per-rendition runs: wall {separate.wall / ladder.wall:.2f}x, "
          f"cpu {separate.cpu / ladder.cpu:.2f}x  (target >= 1.3x)")
    print(f"overhead over hand-written: wall {100 * (ladder.wall / hand.wall - 1):+.1f} %, "
          f"cpu {100 * (ladder.cpu / hand.cpu - 1):+.1f} %  (target <= 5 %)")
    print(f"no-op rerun: {noop.wall:.2f} s (target < 1 s)")
    print(json.dumps({"ladder_wall": ladder.wall, "ladder_cpu": ladder.cpu, "separate_wall": separate.wall,
                      "separate_cpu": separate.cpu, "hand_wall": hand.wall, "hand_cpu": hand.cpu,
                      "noop_wall": noop.wall}))


if __name__ == "__main__":
    main()
