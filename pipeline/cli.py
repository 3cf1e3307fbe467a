"""The `webseries` command: the only place that prints errors and exits.

Expected problems (PipelineError) print `error:` and `hint:` lines and exit 2; anything else
is a bug and says so (set WEBSERIES_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline import __version__, log
from pipeline.config import Config, find_config, load_config
from pipeline.errors import ConfigError, PipelineError
from pipeline.models import Rendition

EXIT_ERROR, EXIT_BUG, EXIT_INTERRUPTED = 2, 3, 130


def _context(args: argparse.Namespace) -> Config:
    return load_config(find_config(args.config))


def _store(cfg: Config):  # noqa: ANN202 - keeps sqlite out of `webseries --help`
    from pipeline.store import Store

    return Store(cfg.project.database)


# ------------------------------------------------------------------ transcode

def cmd_transcode(args: argparse.Namespace) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.transcode import transcode

    cfg = _context(args)
    episodes = resolve(cfg.project.episodes_dir, args.episodes)
    results: list[Rendition] = []
    with _store(cfg) as store:
        for ep in episodes:
            results += transcode(cfg, store, ep, args.profile, force=args.force, show_progress=not args.json)
    if args.json:
        print(json.dumps([_rendition_json(r) for r in results], indent=2, ensure_ascii=False))
    else:
        print(rendition_table(results))
    return 0


def _rendition_json(r: Rendition) -> dict:
    return {"episode": r.episode, "profile": r.profile, "path": str(r.path), "width": r.width,
            "height": r.height, "duration": round(r.duration, 3), "size_bytes": r.size_bytes,
            "bitrate_kbps": round(r.bitrate_kbps, 1), "mb_per_minute": round(r.mb_per_minute, 2),
            "notes": list(r.notes)}


def rendition_table(rows: Sequence[Rendition]) -> str:
    head = ("episode", "rendition", "resolution", "kb/s", "size MB", "MB/min")
    body = [(r.episode, r.profile, f"{r.width}x{r.height}" if r.width else "audio", f"{r.bitrate_kbps:.0f}",
             f"{r.size_bytes / 1e6:.1f}", f"{r.mb_per_minute:.2f}") for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body, strict=False)]
    line = lambda cells: "  ".join(str(c).rjust(w) if i > 1 else str(c).ljust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
    return "\n".join([line(head), *(line(b) for b in body)])


# ---- clips

def cmd_clips(args: argparse.Namespace) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.clips import clips

    cfg = _context(args)
    episodes = resolve(cfg.project.episodes_dir, args.episodes)
    rows = []
    with _store(cfg) as store:
        for ep in episodes:
            material, results = clips(cfg, store, ep, count=args.count, force=args.force,
                                      render=not args.plan, show_progress=not args.json)
            rows += [_clip_json(r.clip_id, r.segment, r.outputs, r.thumbnail, material.captions_from)
                     for r in results]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r['clip']}  {r['start']:7.2f}-{r['end']:7.2f}  {r['duration']:5.1f} s  score {r['score']:.2f}  "
                  f"{'; '.join(r['reasons'])}")
            for path in r["outputs"].values():
                print(f"    {path}")
    return 0


def cmd_trailer(args: argparse.Namespace) -> int:
    from pipeline.clips.trailer import trailer
    from pipeline.manifest import resolve

    cfg = _context(args)
    episodes = resolve(cfg.project.episodes_dir, args.episodes or ["all"])
    with _store(cfg) as store:
        result = trailer(cfg, store, episodes, force=args.force, show_progress=not args.json, render=not args.plan)
    shots = [_clip_json(f"trailer-shot{i}", s, {}, None, "") for i, s in enumerate(result.segments, 1)]
    if args.json:
        outputs = {k: str(v) for k, v in result.outputs.items()}
        print(json.dumps({"duration": round(result.duration, 3), "outputs": outputs,
                          "thumbnail": str(result.thumbnail), "notes": list(result.notes), "shots": shots},
                         indent=2, ensure_ascii=False))
    else:
        for r in shots:
            print(f"{r['episode']}  {r['start']:7.2f}-{r['end']:7.2f}  {r['duration']:5.1f} s  {r['source']}  "
                  f"{'; '.join(r['reasons'])}")
        print(f"trailer: {result.duration:.1f} s")
        if not args.plan:
            for path in result.outputs.values():
                print(f"    {path}")
    return 0


def _clip_json(clip: str, seg, outputs: dict, thumbnail, captions: str) -> dict:  # noqa: ANN001
    return {"clip": clip, "episode": seg.episode, "start": seg.start, "end": seg.end,
            "duration": round(seg.duration, 3), "score": seg.score, "reasons": list(seg.reasons),
            "source": seg.source, "label": seg.label, "text": seg.text, "captions": captions,
            "outputs": {k: str(v) for k, v in outputs.items()},
            "thumbnail": str(thumbnail) if thumbnail else None}


# ------------------------------------------------------------------ sample

def cmd_sample(args: argparse.Namespace) -> int:
    from pipeline.manifest import load_episode
    from pipeline.media.synth import make_sample_master

    cfg = _context(args)
    episode = load_episode(cfg.project.episodes_dir / "ep00-sample")
    if episode.master.is_file() and not args.force:
        log.stage_logger("sample").info("%s: master already there (%s); --force to remake it",
                                        episode.id, episode.master)
        return 0
    log.stage_logger("sample").info("%s: generating the master from test sources and espeak-ng", episode.id)
    make_sample_master(episode.master)
    log.stage_logger("sample").info("%s: wrote %s", episode.id, episode.master)
    return 0


# ------------------------------------------------------------------ parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="webseries", description="Construisons Ensemble production pipeline")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", help="path to config.toml (default: ./config.toml or a parent folder's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail in the log")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("transcode", help="render masters into every platform's renditions")
    p.add_argument("episodes", nargs="+", metavar="EPISODE", help="episode id, unique prefix, folder, or 'all'")
    p.add_argument("--profile", action="append", metavar="NAME", help="only this profile (repeatable)")
    p.add_argument("--force", action="store_true", help="redo renditions even if they are up to date")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    p.set_defaults(func=cmd_transcode)

    p = sub.add_parser("clips", help="cut short vertical clips with captions (and thumbnails) from episodes")
    p.add_argument("episodes", nargs="+", metavar="EPISODE", help="episode id, unique prefix, folder, or 'all'")
    p.add_argument("--count", type=int, metavar="N", help="automatic clips per episode (default: [clips] count)")
    p.add_argument("--plan", action="store_true", help="only choose the clips and say why; render nothing")
    p.add_argument("--force", action="store_true", help="redo clips even if they are up to date")
    p.add_argument("--json", action="store_true", help="print the chosen segments, scores and reasons as JSON")
    p.set_defaults(func=cmd_clips)

    p = sub.add_parser("trailer", help="assemble the series trailer (16:9 and 9:16) from the best highlights")
    p.add_argument("episodes", nargs="*", metavar="EPISODE", help="episodes to draw from (default: all)")
    p.add_argument("--plan", action="store_true", help="only choose the shots and say why; render nothing")
    p.add_argument("--force", action="store_true", help="redo the trailer even if it is up to date")
    p.add_argument("--json", action="store_true", help="print the shots, scores and reasons as JSON")
    p.set_defaults(func=cmd_trailer)

    p = sub.add_parser("sample", help="generate the sample episode's master (no download needed)")
    p.add_argument("--force", action="store_true", help="remake it even if it exists")
    p.set_defaults(func=cmd_sample)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    log.setup(args.verbose)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_ERROR
    except PipelineError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted: unfinished outputs were removed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("WEBSERIES_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        print("hint: this is a bug; rerun with WEBSERIES_DEBUG=1 and report the traceback", file=sys.stderr)
        return EXIT_BUG
