"""Benchmark: a real episode, master to renditions, subtitles, clips and scheduled releases.

    .venv/bin/python bench/episode.py [--minutes 10] [--baseline REF] [--keep DIR]

Uses the hard master of bench/hard_master.py (1080p25, grain, ~45 Mb/s; made once and cached in
~/.cache/webseries/bench/) and runs the chain as an editor types it, each step a `webseries`
process: `transcode` and, in a second terminal at the same time, `subtitles --lang fr` (they need only
the sound, and use the core the encoders leave idle; README, "Transcode"), then `subtitles approve`
(untimed: a person's step), `clips` (3 clips + thumbnails), and `publish upload` of the episode and
its clips to both platforms of the local emulator (scheduled for tomorrow). For each stage it prints
its wall time, the CPU-seconds of its processes (children included) and × the episode's length; the
total is the chain's wall time from the first command to the last, and the CPU of all; then for each
rendition its size (MB per minute) and its SSIM against the master scaled to its size. `--serial`
runs the subtitles after the transcode instead.

--baseline REF runs the same chain with the code of a git ref (e.g. the commit before a change)
in the same run, stage by stage in turn with this tree's, so a busy neighbour hurts both alike,
and prints the two side by side. CPU-seconds are the robust figure on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tomlkit  # noqa: E402
from hard_master import cached_master  # noqa: E402

from pipeline.media import ffmpeg, plan  # noqa: E402
from pipeline.platforms.accounts import write_token_file  # noqa: E402

EP = "ep01-bench"
STAGES = ("transcode", "subtitles", "clips", "publish")
STEPS = (("transcode", "subtitles"), ("clips",), ("publish",))  # stages of a step run side by side
SSIM_DROP = 0.005  # the quality guard: no rendition's SSIM lower than the baseline's by more


@dataclass
class Recipe:
    """One version of the code (this tree or a git ref) and its own project folder."""

    label: str
    tree: Path
    project: Path
    times: dict[str, tuple[float, float]] = field(default_factory=dict)  # stage -> (wall, cpu)
    chain_wall: float = 0.0  # first command to last (overlapped stages counted once)
    renditions: dict[str, dict] = field(default_factory=dict)
    uploads: list[dict] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.project / "config.toml"

    def env(self) -> dict[str, str]:
        env = dict(os.environ, PYTHONPATH=str(self.tree), OMP_WAIT_POLICY="PASSIVE", KMP_BLOCKTIME="0")
        env.pop("WEBSERIES_PUBLISH_EMULATOR", None)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "pipeline", "--config", str(self.config), *args]


def children_cpu() -> float:
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return c.ru_utime + c.ru_stime


def stage_args(name: str) -> tuple[str, ...]:
    return {"transcode": ("transcode", EP), "subtitles": ("subtitles", EP, "--lang", "fr"),
            "clips": ("clips", EP)}[name]


def run(recipe: Recipe, *args: str, env: dict | None = None) -> str:
    done = subprocess.run(recipe.command(*args), cwd=recipe.project, env=env or recipe.env(),
                          capture_output=True, text=True)
    log_run(recipe, args, done.returncode, done.stdout + done.stderr)
    return done.stdout


def log_run(recipe: Recipe, args: Sequence[str], code: int, output: str) -> None:
    with open(recipe.project / "bench.log", "a") as log:
        log.write(f"$ webseries {' '.join(args)}\n{output}\n")
    if code != 0:
        raise SystemExit(f"{recipe.label}: `webseries {' '.join(args)}` failed:\n{output[-3000:]}")


def run_side_by_side(recipe: Recipe, names: Sequence[str]) -> None:
    """Start these stages' commands together; each one's wall and CPU-seconds (os.wait4: per process)."""
    start = time.perf_counter()
    procs = {}
    for name in names:
        out = tempfile.TemporaryFile()
        procs[subprocess.Popen(recipe.command(*stage_args(name)), cwd=recipe.project, env=recipe.env(),
                               stdout=out, stderr=subprocess.STDOUT).pid] = (name, out)
    while procs:
        pid, status, usage = os.wait4(-1, 0)
        if pid not in procs:
            continue
        name, out = procs.pop(pid)
        recipe.times[name] = (time.perf_counter() - start, usage.ru_utime + usage.ru_stime)
        with out:
            out.seek(0)
            output = out.read().decode(errors="replace")
        log_run(recipe, stage_args(name), os.waitstatus_to_exitcode(status), output)
    recipe.chain_wall += time.perf_counter() - start


def setup(recipe: Recipe, master: Path, tokens: Path) -> None:
    """A project folder with the tree's own config.toml, the episode, and demo tokens outside it."""
    recipe.project.mkdir(parents=True)
    doc = tomlkit.parse((recipe.tree / "config.toml").read_text(encoding="utf-8"))
    yt, fb = doc["publish"]["youtube"], doc["publish"]["facebook"]
    yt["token_file"] = str(tokens / "youtube-token.json")
    yt["client_secrets_file"] = str(tokens / "youtube-client.json")
    fb["token_file"], fb["token_env"], fb["page_id"] = str(tokens / "facebook-page-token"), "BENCH_UNSET", "100000000000001"
    recipe.config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    folder = recipe.project / "episodes" / EP
    folder.mkdir(parents=True)
    (folder / "master.mp4").symlink_to(master)
    (folder / "episode.toml").write_text(
        f'id = "{EP}"\nnumber = 1\nmaster = "master.mp4"\nlanguages = ["fr"]\nthumbnail_time = 20.0\n\n'
        '[title]\nfr = "Épisode 1 : la citoyenneté active"\nbm = ""\n\n'
        '[description]\nfr = "Comment participer à la vie de sa commune : voter, suivre le conseil communal."\n'
        'bm = ""\n', encoding="utf-8")
    run(recipe, "subtitles", "status", EP)  # an existing project: its database made (untimed)


def calendar(recipe: Recipe, clips: int) -> Path:
    zone = ZoneInfo("Africa/Bamako")
    day = (datetime.now(zone) + timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    text = '[defaults]\nplatforms = ["youtube", "facebook"]\n\n'
    text += f'[[release]]\nasset = "{EP}"\nat = {day.replace(tzinfo=None).isoformat()}\nsubtitles = ["fr"]\n\n'
    for n in range(1, clips + 1):
        at = (day + timedelta(days=n)).replace(hour=12, minute=30, tzinfo=None)
        text += f'[[release]]\nasset = "{EP}-clip{n}"\nat = {at.isoformat()}\nsubtitles = []\n\n'
    path = recipe.project / "schedules" / "bench.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def publish(recipe: Recipe) -> None:
    """The emulator in its own process (its CPU counts too), then `publish upload`, then stop it."""
    clips = len(list((recipe.project / "build" / EP / "clips").glob(f"{EP}-clip*.vertical.mp4")))
    cal = calendar(recipe, clips)
    port = free_port()
    emulator = subprocess.Popen(recipe.command("publish", "emulator", "--port", str(port)), cwd=recipe.project,
                                env=recipe.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        env = dict(recipe.env(), WEBSERIES_PUBLISH_EMULATOR=f"http://127.0.0.1:{port}")
        run(recipe, "publish", "upload", str(cal), env=env)
        recipe.uploads = json.loads(run(recipe, "publish", "status", "--json", str(cal), env=env))
    finally:
        emulator.terminate()
        emulator.wait()


def step(recipe: Recipe, names: Sequence[str]) -> None:
    if names == ("publish",):
        start, cpu = time.perf_counter(), children_cpu()
        publish(recipe)
        wall = time.perf_counter() - start
        recipe.times["publish"] = (wall, children_cpu() - cpu)
        recipe.chain_wall += wall
    else:
        run_side_by_side(recipe, names)
    if "subtitles" in names:
        run(recipe, "subtitles", "approve", EP, "fr", "--force")  # a person's step (lint notes accepted): not timed


# ------------------------------------------------------------------ quality

def measure_renditions(recipe: Recipe, master: Path) -> None:
    """Size per minute of every rendition, and SSIM of the video ones against the master (one decode)."""
    m = ffmpeg.probe(master)
    files = sorted(p for p in (recipe.project / "build" / EP / "renditions").glob(f"{EP}.*.*")
                   if not p.name.startswith(".") and ".sub-" not in p.name)
    parts, maps, videos = [], [], []
    for p in files:
        info = ffmpeg.probe(p)
        profile = p.name[len(EP) + 1:].rsplit(".", 1)[0]
        recipe.renditions[profile] = {"file": p.name, "width": info.width if info.has_video else 0,
                                      "height": info.height if info.has_video else 0,
                                      "mb_per_min": info.size_bytes / 1e6 / (info.duration / 60), "ssim": None}
        if info.has_video:
            videos.append((profile, p, info))
    if not videos:
        return
    parts.append(f"[0:v]split={len(videos)}" + "".join(f"[m{i}]" for i in range(len(videos))) if len(videos) > 1
                 else "[0:v]null[m0]")
    for i, (profile, _p, info) in enumerate(videos):
        w, h = info.width, info.height
        crop = ""
        if (h > w) != (m.height > m.width):  # a canvas of the other orientation: the picture sits on a fill
            w, h = plan.fit_inside(m.width, m.height, info.width, info.height)
            crop = f"crop={w}:{h}:{(info.width - w) // 2}:{(info.height - h) // 2},"
        rate = plan.output_rate(info.fps)
        parts.append(f"[m{i}]fps={rate.numerator}/{rate.denominator},scale={w}:{h}:flags=bicubic,"
                     f"format=yuv420p[r{i}]")
        parts.append(f"[{i + 1}:v]{crop}format=yuv420p[d{i}]")
        parts.append(f"[d{i}][r{i}]ssim@{profile.replace('-', '_')}[o{i}]")
        maps += ["-map", f"[o{i}]", "-f", "null", "-"]
    inputs = ["-i", str(master), *(x for _, p, _ in videos for x in ("-i", str(p)))]
    err = ffmpeg.run_args([*inputs, "-filter_complex", ";".join(parts), *maps])
    for name, value in re.findall(r"\[ssim@(\S+) @ 0x[0-9a-f]+\] SSIM .*All:([\d.]+)", err):
        recipe.renditions[name.replace("_", "-")]["ssim"] = float(value)


# ------------------------------------------------------------------ report

def stage_table(recipes: list[Recipe], length: float) -> list[str]:
    head = f"{'stage':10s}" + "".join(f" | {r.label[:31]:>31s}" for r in recipes)
    sub = f"{'':10s}" + " | {:>9s} {:>10s} {:>10s}".format("wall s", "CPU-s", "x length") * len(recipes)
    if len(recipes) == 2:
        head, sub = head + " |  CPU after/before", sub + " |"
    lines = [head, sub]
    for name in (*STAGES, "total"):
        row = f"{name:10s}"
        figures = []
        for r in recipes:
            wall, cpu = (r.chain_wall, sum(t[1] for t in r.times.values())) if name == "total" else r.times[name]
            figures.append(cpu)
            row += f" | {wall:9.1f} {cpu:10.1f} {wall / length:10.2f}"
        if len(recipes) == 2:
            row += f" | {figures[1] / figures[0]:8.2f}"
        lines.append(row)
    return lines


def rendition_table(recipes: list[Recipe]) -> tuple[list[str], list[str]]:
    """Per profile: size, MB/min and SSIM for each recipe; and every breach of the quality guard."""
    names = list(dict.fromkeys(n for r in recipes for n in r.renditions))
    lines = [f"{'rendition':11s}" + "".join(f" | {r.label[:30]:>30s}" for r in recipes)]
    lines.append(f"{'':11s}" + " | {:>11s} {:>8s} {:>9s}".format("size", "MB/min", "SSIM") * len(recipes))
    breaches = []
    for n in names:
        row = f"{n:11s}"
        for r in recipes:
            x = r.renditions.get(n)
            if x is None:
                row += f" | {'not made (on demand)':>30s}"
                continue
            size = f"{x['width']}x{x['height']}" if x["width"] else "audio"
            ssim = f"{x['ssim']:.4f}" if x["ssim"] is not None else "-"
            row += f" | {size:>11s} {x['mb_per_min']:8.2f} {ssim:>9s}"
        lines.append(row)
        if len(recipes) == 2 and all(n in r.renditions for r in recipes):
            before, after = (r.renditions[n] for r in recipes)
            if before["ssim"] is not None and after["ssim"] is not None and after["ssim"] < before["ssim"] - SSIM_DROP:
                breaches.append(f"{n}: SSIM {after['ssim']:.4f} < {before['ssim']:.4f} - {SSIM_DROP}")
            if after["mb_per_min"] > before["mb_per_min"] * 1.005:
                breaches.append(f"{n}: {after['mb_per_min']:.2f} MB/min > {before['mb_per_min']:.2f}")
    return lines, breaches


def uploads_table(recipes: list[Recipe]) -> list[str]:
    lines = []
    for r in recipes:
        states = [f"{u['release']}@{u['platform']}: {u['state']}" for u in r.uploads]
        lines.append(f"{r.label}: " + ", ".join(states))
    return lines


def checkout(ref: str, into: Path) -> Path:
    """The tree of a git ref (its pipeline/ and config.toml), without touching any worktree."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref, "pipeline", "config.toml"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="length of the episode (default 10)")
    ap.add_argument("--baseline", metavar="REF", help="also run the chain with the code of this git ref")
    ap.add_argument("--keep", metavar="DIR", help="keep the project folders there (default: a temporary folder)")
    ap.add_argument("--serial", action="store_true", help="subtitles after the transcode, not beside it")
    args = ap.parse_args()
    steps = tuple((name,) for name in STAGES) if args.serial else STEPS
    master = cached_master(args.minutes)
    length = ffmpeg.probe(master).duration
    with tempfile.TemporaryDirectory(prefix="bench-episode-") as tmp_name:
        tmp = Path(args.keep).resolve() if args.keep else Path(tmp_name)
        tokens = Path(tempfile.mkdtemp(prefix="bench-tokens-"))
        write_token_file(tokens / "youtube-token.json", json.dumps({"token": "bench-youtube-token"}))
        write_token_file(tokens / "facebook-page-token", "bench-facebook-token")
        recipes = []
        if args.baseline:
            rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.baseline],
                                 capture_output=True, text=True, check=True).stdout.strip()
            recipes.append(Recipe(f"before ({args.baseline} {rev})", checkout(args.baseline, tmp / "baseline-tree"),
                                  tmp / "before"))
        recipes.append(Recipe("after (this tree)" if args.baseline else "this tree", ROOT, tmp / "after"))
        for r in recipes:
            setup(r, master, tokens)
        print(f"episode: {length / 60:.1f} min hard master ({master}); {os.cpu_count()} cores; "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        loads = []
        for names in steps:
            for r in recipes:
                step(r, names)
                loads.append(os.getloadavg()[0])
                for name in names:
                    wall, cpu = r.times[name]
                    print(f"  {r.label}: {name}: wall {wall:.1f} s, {cpu:.1f} CPU-s, {wall / length:.2f}x", flush=True)
        for r in recipes:
            measure_renditions(r, master)
        shutil.rmtree(tokens)
    print()
    print("\n".join(stage_table(recipes, length)))
    print()
    lines, breaches = rendition_table(recipes)
    print("\n".join(lines))
    print()
    print("\n".join(uploads_table(recipes)))
    if not args.serial:
        print("transcode and subtitles ran side by side: the total is the chain's wall time, not the sum of the rows")
    print(f"load average during the run (1 min, after each step): {' '.join(f'{x:.1f}' for x in loads)}")
    total = recipes[-1].chain_wall / length
    print(f"total: {total:.2f}x the episode's length (target <= 2.0x)")
    if len(recipes) == 2:
        print("quality guard (SSIM within 0.005, MB/min not higher): "
              + ("kept" if not breaches else "BROKEN: " + "; ".join(breaches)))
    print(json.dumps({"length_s": length, "loadavg": loads, "recipes": [
        {"label": r.label, "stages": r.times, "chain_wall": r.chain_wall, "renditions": r.renditions}
        for r in recipes]}))


if __name__ == "__main__":
    main()
