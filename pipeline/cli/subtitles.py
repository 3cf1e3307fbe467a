"""`webseries subtitles ...`: make, lint, approve, burn, template, import, status."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline import log
from pipeline.cli.common import context, open_store
from pipeline.config import Config
from pipeline.errors import PipelineError

SUBTITLE_ACTIONS = ("lint", "approve", "burn", "status", "template", "import")


def cmd_subtitles(args: argparse.Namespace) -> int:
    """`subtitles EPISODE...` makes tracks; `subtitles lint|approve|burn|status ...` works on them."""
    action = args.items[0] if args.items and args.items[0] in SUBTITLE_ACTIONS else "make"
    items = args.items[1:] if action != "make" else args.items
    if action == "make" and not items:
        raise PipelineError("no episode given", hint="webseries subtitles EPISODE... [--lang fr,bm] (or 'all')")
    return {"make": _subtitles_make, "lint": _subtitles_lint, "approve": _subtitles_approve,
            "burn": _subtitles_burn, "status": _subtitles_status, "template": _subtitles_template,
            "import": _subtitles_import}[action](args, items)


def _langs(args: argparse.Namespace) -> list[str] | None:
    return [x.strip() for x in args.lang.split(",") if x.strip()] if args.lang else None


def _subtitles_make(args: argparse.Namespace, items: list[str]) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.subtitles import result_json, subtitles

    cfg = context(args)
    episodes = resolve(cfg.project.episodes_dir, items)
    results = []
    with open_store(cfg) as store:
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

    cfg = context(args)
    report, total = [], 0
    for asset, lang, path in _subtitle_files(cfg, items):
        problems = lint(read_srt(path), cfg.subtitles.rules_for(lang, args.fps))
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

    if len(items) != 2:
        raise PipelineError("approve takes an episode and a language", hint="webseries subtitles approve ep01 bm")
    cfg = context(args)
    (ep,) = resolve(cfg.project.episodes_dir, items[:1])
    lang = items[1]
    path = subtitle_path(cfg, ep.id, lang)
    with open_store(cfg) as store:
        track = review.approve(store, ep.id, lang, path)
    problems = lint(read_srt(path), cfg.subtitles.rules_for(lang, args.fps))
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

    cfg = context(args)
    langs = tuple(_langs(args) or cfg.subtitles.burn.languages)
    profiles = args.profile or list(cfg.subtitles.burn.profiles)
    done = []
    with open_store(cfg) as store:
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
    from dataclasses import asdict

    from pipeline.stages.subtitles_status import status, table

    cfg = context(args)
    with open_store(cfg) as store:
        rows = status(cfg, store, items or None)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False))
    else:
        print(table(rows))
        print(f"(times in {cfg.project.timezone})")
    return 0


def _subtitles_template(args: argparse.Namespace, items: list[str]) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.subtitles_templates import template

    if not items:
        raise PipelineError("template takes an episode", hint="webseries subtitles template ep01 --lang bm "
                                                             "[--format srt,csv,xlsx]")
    cfg = context(args)
    formats = tuple(f.strip().lower() for f in (args.format or "srt,csv").split(",") if f.strip())
    results = []
    with open_store(cfg) as store:
        for ep in resolve(cfg.project.episodes_dir, items):
            for lang in _langs(args) or ["bm"]:
                results.append(template(cfg, store, ep, lang, formats))
    if args.json:
        print(json.dumps([{"asset": r.asset, "lang": r.lang, "slots": r.slots, "files": [str(f) for f in r.files],
                           "notes": list(r.notes)} for r in results], indent=2, ensure_ascii=False))
    else:
        for r in results:
            print(f"{r.asset}  {r.lang}  {r.slots} slots")
            for f in r.files:
                print(f"    {f}")
            for note in r.notes:
                print(f"    note: {note}")
    return 0


def _subtitles_import(args: argparse.Namespace, items: list[str]) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.subtitles_templates import import_file

    if len(items) != 2:
        raise PipelineError("import takes an episode and the translated file",
                            hint="webseries subtitles import ep01 --lang bm ep01-bm.csv (SRT, CSV or XLSX)")
    langs = _langs(args) or ["bm"]
    if len(langs) != 1:
        raise PipelineError("import reads one language at a time", hint="--lang bm")
    cfg = context(args)
    (ep,) = resolve(cfg.project.episodes_dir, items[:1])
    with open_store(cfg) as store:
        r = import_file(cfg, store, ep.id, langs[0], Path(items[1]), args.fps)
    if args.json:
        print(json.dumps({"asset": r.asset, "lang": r.lang, "path": str(r.path), "cues": r.cues,
                          "read_as": r.read_as, "flagged": list(r.flagged),
                          "backup": str(r.backup) if r.backup else None,
                          "violations": [{"cue": v.cue, "time": v.timecode(), "rule": v.rule, "message": v.message}
                                         for v in r.violations]}, indent=2, ensure_ascii=False))
        return 0
    print(f"{r.asset}  {r.lang}  imported {r.cues} cues into {r.path} (read as {r.read_as}); status: edited, "
          f"approve with `webseries subtitles approve {r.asset} {r.lang}`")
    if r.backup:
        print(f"    the previous {r.path.name} (a person's) is kept as {r.backup.name}")
    for f in r.flagged:
        print(f"    check: {f}")
    for v in r.violations:
        print(f"    lint: cue {v.cue} at {v.timecode()}: {v.rule}: {v.message}")
    if not r.violations:
        print("    lint: clean")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("subtitles", help="French/Bambara subtitles: make, lint, approve, burn, status",
                       description="webseries subtitles EPISODE... [--lang fr,bm] | lint [EPISODE|FILE...] | "
                                   "approve EPISODE LANG | burn [EPISODE...] [--profile P] [--lang bm,fr] | "
                                   "status [EPISODE...] | template EPISODE --lang bm [--format srt,csv,xlsx] | "
                                   "import EPISODE --lang bm FILE")
    p.add_argument("items", nargs="*", metavar="ARG", help="episodes, or an action (lint, approve, burn, status, "
                                                           "template, import) and its arguments")
    p.add_argument("--lang", metavar="LIST", help="languages, comma-separated (fr,bm); for burn, two stack")
    p.add_argument("--profile", action="append", metavar="NAME", help="burn: rendition profile (repeatable)")
    p.add_argument("--fps", type=float, default=25.0, help="lint/approve/import: frame rate for the gap rule")
    p.add_argument("--format", metavar="LIST", help="template: srt, csv and/or xlsx, comma-separated (default srt,csv)")
    p.add_argument("--force", action="store_true", help="recognise speech again even if nothing changed")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    p.set_defaults(func=cmd_subtitles)
