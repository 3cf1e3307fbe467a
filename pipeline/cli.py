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


# ------------------------------------------------------------------ subtitles

SUBTITLE_ACTIONS = ("lint", "approve", "burn", "status")


def cmd_subtitles(args: argparse.Namespace) -> int:
    """`subtitles EPISODE...` makes tracks; `subtitles lint|approve|burn|status ...` works on them."""
    action = args.items[0] if args.items and args.items[0] in SUBTITLE_ACTIONS else "make"
    items = args.items[1:] if action != "make" else args.items
    if action == "make" and not items:
        raise PipelineError("no episode given", hint="webseries subtitles EPISODE... [--lang fr,bm] (or 'all')")
    return {"make": _subtitles_make, "lint": _subtitles_lint, "approve": _subtitles_approve,
            "burn": _subtitles_burn, "status": _subtitles_status}[action](args, items)


def _langs(args: argparse.Namespace) -> list[str] | None:
    return [x.strip() for x in args.lang.split(",") if x.strip()] if args.lang else None


def _subtitles_make(args: argparse.Namespace, items: list[str]) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.subtitles import result_json, subtitles

    cfg = _context(args)
    episodes = resolve(cfg.project.episodes_dir, items)
    results = []
    with _store(cfg) as store:
        for ep in episodes:
            results += subtitles(cfg, store, ep, _langs(args), force=args.force, show_progress=not args.json)
    if args.json:
        print(json.dumps([result_json(r) for r in results], indent=2, ensure_ascii=False))
    else:
        for r in results:
            where = r.path or "-"
            print(f"{r.asset}  {r.lang}  {r.status:<14} {r.action:<9} {r.cues:>4} cues  {where}")
            for note in r.notes:
                print(f"    note: {note}")
    return 0


def _subtitle_files(cfg: Config, items: list[str]) -> list[tuple[str, str, Path]]:
    """(asset, lang, path) for each file named, or every track of each episode named."""
    from pipeline.manifest import resolve

    out = []
    for item in items or ["all"]:
        path = Path(item)
        if path.suffix == ".srt":
            if not path.is_file():
                raise PipelineError(f"subtitle file not found: {path}")
            out.append((path.parent.name, path.stem.split(".")[0], path))
            continue
        for ep in resolve(cfg.project.episodes_dir, [item]):
            folder = cfg.project.subtitles_dir / ep.id
            out += [(ep.id, f.stem, f) for f in sorted(folder.glob("*.srt")) if "." not in f.stem]
    return out


def _subtitles_lint(args: argparse.Namespace, items: list[str]) -> int:
    from pipeline.captions.files import read_srt
    from pipeline.captions.lint import lint
    from pipeline.stages.subtitles import rules_for

    cfg = _context(args)
    report, total = [], 0
    for asset, lang, path in _subtitle_files(cfg, items):
        problems = lint(read_srt(path), rules_for(cfg, lang, args.fps))
        total += len(problems)
        report.append({"file": str(path), "asset": asset, "lang": lang,
                       "violations": [{"cue": v.cue, "time": v.timecode(), "rule": v.rule, "message": v.message}
                                      for v in problems]})
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for f in report:
            print(f"{f['file']}: {len(f['violations'])} problem(s)")
            for v in f["violations"]:
                print(f"  cue {v['cue']} at {v['time']}: {v['rule']}: {v['message']}")
        if not report:
            print("no subtitle files found")
    return 1 if total else 0


def _subtitles_approve(args: argparse.Namespace, items: list[str]) -> int:
    from pipeline.captions import review
    from pipeline.captions.files import read_srt
    from pipeline.captions.lint import lint
    from pipeline.manifest import resolve
    from pipeline.paths import subtitle_path
    from pipeline.stages.subtitles import rules_for

    if len(items) != 2:
        raise PipelineError("approve takes an episode and a language", hint="webseries subtitles approve ep01 bm")
    cfg = _context(args)
    (ep,) = resolve(cfg.project.episodes_dir, items[:1])
    lang = items[1]
    path = subtitle_path(cfg, ep.id, lang)
    with _store(cfg) as store:
        track = review.approve(store, ep.id, lang, path)
    problems = lint(read_srt(path), rules_for(cfg, lang, args.fps))
    log.stage_logger("subtitles").info("%s: %s: approved %s (sha256 %s...)%s", ep.id, lang, path,
                                       track.approved_sha256[:12],  # type: ignore[index]
                                       f"; lint still reports {len(problems)} problem(s)" if problems else "")
    if review.new_path(path).is_file():
        log.stage_logger("subtitles").info("%s: %s: %s is still there: a newer machine version to compare",
                                           ep.id, lang, review.new_path(path).name)
    return 0


def _subtitles_burn(args: argparse.Namespace, items: list[str]) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.subtitles_burn import burn

    cfg = _context(args)
    langs = tuple(_langs(args) or cfg.subtitles.burn.languages)
    profiles = args.profile or list(cfg.subtitles.burn.profiles)
    done = []
    with _store(cfg) as store:
        for ep in resolve(cfg.project.episodes_dir, items or ["all"]):
            for profile in profiles:
                done.append(burn(cfg, store, ep.id, profile, langs, show_progress=not args.json))
    if args.json:
        print(json.dumps([{"asset": b.asset, "profile": b.profile, "langs": list(b.langs), "path": str(b.path),
                           "statuses": list(b.statuses)} for b in done], indent=2, ensure_ascii=False))
    else:
        for b in done:
            print(f"{b.asset}  {b.profile}  {'+'.join(b.langs)}  {b.path}")
    return 0


def _subtitles_status(args: argparse.Namespace, items: list[str]) -> int:
    from pipeline.captions import review

    cfg = _context(args)
    with _store(cfg) as store:
        tracks = [review.refresh(store, t) for t in review.all_tracks(store)]
    wanted = set(items)
    tracks = [t for t in tracks if not wanted or t.asset in wanted]
    if args.json:
        print(json.dumps([{"asset": t.asset, "lang": t.lang, "path": str(t.path), "status": t.status,
                           "route": t.route} for t in tracks], indent=2, ensure_ascii=False))
    else:
        for t in tracks:
            print(f"{t.asset}  {t.lang}  {t.status:<10} {t.route:<12} {t.path}")
    return 0


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

    p = sub.add_parser("subtitles", help="French/Bambara subtitles: make, lint, approve, burn, status",
                       description="webseries subtitles EPISODE... [--lang fr,bm] | lint [EPISODE|FILE...] | "
                                   "approve EPISODE LANG | burn [EPISODE...] [--profile P] [--lang bm,fr] | status")
    p.add_argument("items", nargs="*", metavar="ARG", help="episodes, or an action (lint, approve, burn, status) "
                                                           "and its arguments")
    p.add_argument("--lang", metavar="LIST", help="languages, comma-separated (fr,bm); for burn, two stack")
    p.add_argument("--profile", action="append", metavar="NAME", help="burn: rendition profile (repeatable)")
    p.add_argument("--fps", type=float, default=25.0, help="lint/approve: frame rate for the gap rule")
    p.add_argument("--force", action="store_true", help="recognise speech again even if nothing changed")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    p.set_defaults(func=cmd_subtitles)

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
