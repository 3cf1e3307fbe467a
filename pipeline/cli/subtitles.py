"""`webseries subtitles make|lint|approve|status|template|import|burn`; `make` when no action is named.

`webseries subtitles ep01 --lang fr,bm` is `webseries subtitles make ep01 --lang fr,bm`: editors
type the episode first (the README and the demo do), so a first word that is not an action is
an episode for `make`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from pipeline import log
from pipeline.cli.common import context, open_store, positive_number
from pipeline.config import Config
from pipeline.errors import PipelineError


class _AnyWord:
    """The choices of the action argument: every word passes (one that is not an action is an episode)."""

    def __init__(self, actions: dict[str, argparse.ArgumentParser]) -> None:
        self.actions = actions

    def __contains__(self, word: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:  # the actions, where argparse lists the choices
        return iter(self.actions)


class MakeByDefault(argparse._SubParsersAction):
    """The action subparsers, with `make` put in front when the first word is not an action."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - argparse's own signature
        super().__init__(*args, **kwargs)
        self.choices = _AnyWord(self._name_parser_map)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: list[str],
                 option_string: str | None = None) -> None:
        if values[0] not in self._name_parser_map:
            values = ["make", *values]
        super().__call__(parser, namespace, values, option_string)


def _no_episode(args: argparse.Namespace) -> int:
    raise PipelineError("no episode given", hint="webseries subtitles EPISODE... [--lang fr,bm] (or 'all')")


def _langs(args: argparse.Namespace) -> list[str] | None:
    return [x.strip() for x in args.lang.split(",") if x.strip()] if args.lang else None


def _make(args: argparse.Namespace) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.subtitles import result_json, subtitles

    if not args.episodes:
        return _no_episode(args)
    cfg = context(args)
    episodes = resolve(cfg.project.episodes_dir, args.episodes)
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


def _subtitle_files(cfg: Config, items: list[str]) -> list[tuple[str, str, Path, bool]]:
    """(asset, lang, path, bare) for each file named, or every track of each episode named."""
    from pipeline.fsutil import require_file
    from pipeline.manifest import resolve

    out = []
    for item in items or ["all"]:
        path = Path(item)
        if path.suffix == ".srt":
            require_file(path, "subtitle file", "give the path of an .srt file, or an episode id")
            out.append((path.parent.name, path.stem.split(".")[0], path, True))
            continue
        for ep in resolve(cfg.project.episodes_dir, [item]):
            folder = cfg.project.subtitles_dir / ep.id
            out += [(ep.id, f.stem, f, False) for f in sorted(folder.glob("*.srt")) if "." not in f.stem]
    return out


def _violation_json(v) -> dict:  # noqa: ANN001 - a captions.lint.Violation
    return {"cue": v.cue, "time": v.timecode(), "rule": v.rule, "message": v.message}


def _lint(args: argparse.Namespace) -> int:
    from pipeline.captions.files import read_srt
    from pipeline.captions.lint import lint
    from pipeline.stages.subtitles_review import DEFAULT_FPS, timing

    cfg = context(args)
    report, total = [], 0
    rates: dict[str, float] = {}
    for asset, lang, path, bare in _subtitle_files(cfg, args.items):
        if bare:  # a file on its own: its frame rate is --fps
            fps = args.fps or DEFAULT_FPS
        elif args.fps:
            raise PipelineError(f"--fps is for a bare .srt file: {asset}'s frame rate comes from its master",
                                hint=f"webseries subtitles lint {asset} (or give the .srt file's path with --fps)")
        else:     # an episode's: its master's
            if asset not in rates:
                rates[asset] = timing(cfg, asset).fps
            fps = rates[asset]
        problems = lint(read_srt(path), cfg.subtitles.rules_for(lang, fps))
        total += len(problems)
        report.append({"file": str(path), "asset": asset, "lang": lang, "fps": round(fps, 3),
                       "violations": [_violation_json(v) for v in problems]})
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for f in report:
            print(f"{f['file']}: {len(f['violations'])} problem(s) (at {f['fps']:g} fps)")
            for v in f["violations"]:
                print(f"  cue {v['cue']} at {v['time']}: {v['rule']}: {v['message']}")
        if not report:
            print("no subtitle files found")
    return 1 if total else 0


def _approve(args: argparse.Namespace) -> int:
    from pipeline.captions import review
    from pipeline.manifest import resolve
    from pipeline.paths import subtitle_path
    from pipeline.stages.subtitles_review import LintRefusal, approve

    cfg = context(args)
    (ep,) = resolve(cfg.project.episodes_dir, [args.episode])
    lang = args.lang
    path = subtitle_path(cfg, ep.id, lang)
    with open_store(cfg) as store:
        try:
            track, problems = approve(cfg, store, ep.id, lang, by=args.by or "", force=args.force)
        except LintRefusal as exc:
            _print_violations(exc.violations)
            raise
    _print_violations(problems)
    log.stage_logger("subtitles").info("%s: %s: approved %s (sha256 %s...)%s", ep.id, lang, path,
                                       track.approved_sha256[:12],  # type: ignore[index]
                                       f" with {len(problems)} lint problem(s)" if problems else "")
    if review.new_path(path).is_file():
        log.stage_logger("subtitles").info("%s: %s: %s is still there: a newer machine version to compare",
                                           ep.id, lang, review.new_path(path).name)
    return 0


def _print_violations(violations: list) -> None:  # captions.lint.Violation
    for v in violations:
        print(f"  cue {v.cue} at {v.timecode()}: {v.rule}: {v.message}")


def _burn(args: argparse.Namespace) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.subtitles_burn import burn

    cfg = context(args)
    langs = tuple(_langs(args) or cfg.subtitles.burn.languages)
    profiles = args.profile or list(cfg.subtitles.burn.profiles)
    done = []
    with open_store(cfg) as store:
        for ep in resolve(cfg.project.episodes_dir, args.episodes or ["all"]):
            for profile in profiles:
                done.append(burn(cfg, store, ep.id, profile, langs, show_progress=not args.json))
    if args.json:
        print(json.dumps([{"asset": b.asset, "profile": b.profile, "langs": list(b.langs), "path": str(b.path),
                           "statuses": list(b.statuses)} for b in done], indent=2, ensure_ascii=False))
    else:
        for b in done:
            print(f"{b.asset}  {b.profile}  {'+'.join(b.langs)}  {b.path}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from pipeline.stages.subtitles_status import status, table

    cfg = context(args)
    with open_store(cfg) as store:
        rows = status(cfg, store, args.episodes or None)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False))
    else:
        print(table(rows))
        print(f"(times in {cfg.project.timezone})")
    return 0


def _template(args: argparse.Namespace) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.subtitles_templates import template

    cfg = context(args)
    formats = tuple(f.strip().lower() for f in (args.format or "srt,csv").split(",") if f.strip())
    results = []
    with open_store(cfg) as store:
        for ep in resolve(cfg.project.episodes_dir, args.episodes):
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


def _import(args: argparse.Namespace) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.subtitles_templates import import_file

    langs = _langs(args) or ["bm"]
    if len(langs) != 1:
        raise PipelineError("import reads one language at a time", hint="--lang bm")
    cfg = context(args)
    (ep,) = resolve(cfg.project.episodes_dir, [args.episode])
    with open_store(cfg) as store:
        r = import_file(cfg, store, ep.id, langs[0], Path(args.file))
    if args.json:
        print(json.dumps({"asset": r.asset, "lang": r.lang, "path": str(r.path), "cues": r.cues,
                          "read_as": r.read_as, "flagged": list(r.flagged),
                          "backup": str(r.backup) if r.backup else None,
                          "violations": [_violation_json(v) for v in r.violations]}, indent=2, ensure_ascii=False))
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
    p = sub.add_parser("subtitles", help="French/Bambara subtitles: make, lint, approve, status, template, "
                                         "import, burn",
                       description="Subtitles for each episode: `webseries subtitles EPISODE... [--lang fr,bm]` makes "
                                   "them (the `make` action); the other actions work on the files.")
    p.register("action", "parsers", MakeByDefault)
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    p.set_defaults(func=_no_episode)
    as_json = {"action": "store_true", "help": "print the result as JSON on stdout"}
    a = acts.add_parser("make", help="recognise speech and write each language's SRT and VTT (the default action)")
    a.add_argument("episodes", nargs="*", metavar="EPISODE", help="episode id, unique prefix, folder, or 'all'")
    a.add_argument("--lang", metavar="LIST", help="languages, comma-separated (default: [subtitles] languages)")
    a.add_argument("--force", action="store_true", help="recognise speech again even if nothing changed")
    a.add_argument("--json", **as_json)
    a.set_defaults(func=_make)
    a = acts.add_parser("lint", help="check files against the cue rules (line length, reading speed, timing)")
    a.add_argument("items", nargs="*", metavar="EPISODE|FILE", help="episodes or .srt files (default: all)")
    a.add_argument("--fps", type=positive_number, metavar="FPS",
                   help="frame rate of a bare .srt file, for the two-frame gap rule (default 25; an episode's "
                        "files use its master's)")
    a.add_argument("--json", **as_json)
    a.set_defaults(func=_lint)
    a = acts.add_parser("approve", help="mark a language's file as reviewed: fit for release until it changes")
    a.add_argument("episode", metavar="EPISODE")
    a.add_argument("lang", metavar="LANG", help="fr, bm, ...")
    a.add_argument("--force", action="store_true", help="approve even though lint finds problems (they are shown)")
    a.add_argument("--by", metavar="NAME", help="who approves (default: your user name)")
    a.set_defaults(func=_approve)
    a = acts.add_parser("status", help="where every track stands (machine, translator, imported, approved)")
    a.add_argument("episodes", nargs="*", metavar="EPISODE", help="episodes (their clips included), or 'trailer'")
    a.add_argument("--json", **as_json)
    a.set_defaults(func=_status)
    a = acts.add_parser("template", help="a timed file for translators, the French beside each slot")
    a.add_argument("episodes", nargs="+", metavar="EPISODE")
    a.add_argument("--lang", metavar="LIST", help="languages to translate into (default: bm)")
    a.add_argument("--format", metavar="LIST", help="srt, csv and/or xlsx, comma-separated (default: srt,csv)")
    a.add_argument("--json", **as_json)
    a.set_defaults(func=_template)
    a = acts.add_parser("import", help="read a translator's SRT, CSV or XLSX back as the person's version")
    a.add_argument("episode", metavar="EPISODE")
    a.add_argument("file", metavar="FILE", help="the translated file (SRT, CSV or XLSX)")
    a.add_argument("--lang", metavar="LANG", help="the file's language (default: bm)")
    a.add_argument("--json", **as_json)
    a.set_defaults(func=_import)
    a = acts.add_parser("burn", help="renditions with the subtitles burned into the picture (WhatsApp, TikTok)")
    a.add_argument("episodes", nargs="*", metavar="EPISODE", help="episodes (default: all)")
    a.add_argument("--profile", action="append", metavar="NAME", help="rendition profile (repeatable; default: "
                                                                      "[subtitles.burn] profiles)")
    a.add_argument("--lang", metavar="LIST",
                   help="one language, or two stacked, first above (default: [subtitles.burn] languages)")
    a.add_argument("--json", **as_json)
    a.set_defaults(func=_burn)
