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
    if args.list_profiles:
        return _list_profiles(cfg, args.json)
    if not args.episodes:
        raise PipelineError("no episode named", hint="e.g. `webseries transcode ep01` or `webseries transcode all`")
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


def _list_profiles(cfg: Config, as_json: bool) -> int:
    """The effective profiles: built-in defaults with config.toml's overrides applied."""
    from dataclasses import asdict

    profiles = [asdict(p) for p in cfg.transcode.profiles.values()]
    if as_json:
        print(json.dumps(profiles, indent=2))
        return 0
    for p in profiles:
        default = " (default)" if p["name"] in cfg.transcode.default_profiles else ""
        print(f"[{p.pop('name')}]{default}")
        keys = AUDIO_KEYS if p["kind"] == "audio" else [k for k in p if k != "fit" or p["canvas"]]
        print("  " + ", ".join(f"{k}={p[k]}" for k in keys if p.get(k) is not None))
    return 0


AUDIO_KEYS = ("kind", "audio_codec", "audio_kbps", "audio_channels", "sample_rate", "loudness", "true_peak", "lra")


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
# ------------------------------------------------------------------ subtitles

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
    from dataclasses import asdict

    from pipeline.stages.subtitles_status import status, table

    cfg = _context(args)
    with _store(cfg) as store:
        rows = status(cfg, store, items or None)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False))
    else:
        print(table(rows))
        print(f"(times in {cfg.project.timezone})")
    return 0


def _subtitles_template(args: argparse.Namespace, items: list[str]) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.subtitles_translate import template

    if not items:
        raise PipelineError("template takes an episode", hint="webseries subtitles template ep01 --lang bm "
                                                             "[--format srt,csv,xlsx]")
    cfg = _context(args)
    formats = tuple(f.strip().lower() for f in (args.format or "srt,csv").split(",") if f.strip())
    results = []
    with _store(cfg) as store:
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
    from pipeline.stages.subtitles_translate import import_file

    if len(items) != 2:
        raise PipelineError("import takes an episode and the translated file",
                            hint="webseries subtitles import ep01 --lang bm ep01-bm.csv (SRT, CSV or XLSX)")
    langs = _langs(args) or ["bm"]
    if len(langs) != 1:
        raise PipelineError("import reads one language at a time", hint="--lang bm")
    cfg = _context(args)
    (ep,) = resolve(cfg.project.episodes_dir, items[:1])
    with _store(cfg) as store:
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


# ------------------------------------------------------------------ publish

def cmd_publish(args: argparse.Namespace) -> int:
    from pipeline.platforms.accounts import install_redaction

    install_redaction()
    if args.action == "emulator":
        from pipeline.platforms.emulator import serve

        serve(args.port, quota=args.quota)
        return 0
    cfg = _context(args)
    if args.action == "login":
        from pipeline.platforms import accounts

        if args.platform == "youtube":
            path = accounts.login_youtube(cfg, headless=args.headless)
        else:
            path = accounts.login_facebook(cfg)
        log.stage_logger("publish").info("%s: token saved to %s (mode 0600)", args.platform, path)
        return 0
    if args.action == "demo":
        from pipeline.platforms.demo import run_demo

        return run_demo(cfg, args.episode)
    if args.action == "run":
        from pipeline.scheduler import run

        return run(cfg, until_idle=args.until_idle)
    from pipeline.releases import calendars, check
    from pipeline.stages import publish

    with _store(cfg) as store:
        if args.action == "check":
            result = check(cfg, store, calendars(cfg, args.calendars))
            if args.json:
                print(json.dumps({"ok": not result.problems, "problems": result.problems,
                                  "releases": publish.status_rows(cfg, store, result.releases)}, indent=2,
                                 ensure_ascii=False))
                return 0 if not result.problems else EXIT_ERROR
            if result.problems:
                raise ConfigError(result.problems, hint="fix the calendar and check again; nothing was uploaded")
            n = sum(len(r.targets) for r in result.releases)
            print(publish.status_table(publish.status_rows(cfg, store, result.releases)))
            units, per_day = publish.youtube_units(cfg, result.releases), cfg.publish.youtube.quota_per_day
            print(f"ok: {len(result.releases)} releases, {n} uploads, every file and subtitle ready; "
                  f"YouTube quota needed: {units} units ({per_day} a day: "
                  f"{'fits in one day' if units <= per_day else f'spread over {-(-units // per_day)} days by deferral'})")
            return 0
        if args.action == "upload":
            releases = publish.load_checked(cfg, store, args.calendars)
            if args.dry_run:
                publish.plan(cfg, store, releases)
                print(publish.status_table(publish.status_rows(cfg, store, releases)))
                print("dry run: nothing was sent")
                return 0
            with publish.publish_lock(cfg):
                outcomes = publish.publish_all(cfg, store, releases, publish.default_publishers(cfg))
            rows = publish.status_rows(cfg, store, releases)
            print(json.dumps(rows, indent=2, ensure_ascii=False) if args.json else publish.status_table(rows))
            failed = [f"{o.release_id} on {o.platform}" for o in outcomes if o.state == "failed"]
            if failed:
                raise PipelineError(f"{len(failed)} upload(s) failed: {', '.join(failed)} (reasons above)",
                                    hint="fix what the reason says, then `webseries publish upload` again: "
                                         "finished steps are not repeated and uploads resume")
            return 0
        # status
        try:
            releases = check(cfg, store, calendars(cfg, args.calendars)).releases
        except PipelineError:  # no calendar any more: the ledger still says what went out
            if args.calendars:
                raise
            releases = []
        if args.refresh:
            publish.refresh(cfg, store, publish.default_publishers(cfg))
        rows = publish.status_rows(cfg, store, releases)
        print(json.dumps(rows, indent=2, ensure_ascii=False) if args.json else publish.status_table(rows))
    return 0


def _publish_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="check calendars, upload and schedule releases, show their state")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("check", help="validate calendars before anything leaves the machine")
    a.add_argument("calendars", nargs="*", metavar="FILE", help="calendar files (default: schedules/*.toml)")
    a.add_argument("--json", action="store_true", help="print problems and releases as JSON")
    a = acts.add_parser("upload", help="upload what is due now and schedule it on the platforms")
    a.add_argument("calendars", nargs="*", metavar="FILE", help="calendar files (default: schedules/*.toml)")
    a.add_argument("--dry-run", action="store_true", help="check and plan, send nothing")
    a.add_argument("--json", action="store_true", help="print the state as JSON")
    a = acts.add_parser("status", help="the calendar with each release's state and links, in local time")
    a.add_argument("calendars", nargs="*", metavar="FILE", help="calendar files (default: schedules/*.toml)")
    a.add_argument("--refresh", action="store_true", help="ask the platforms which releases are out")
    a.add_argument("--json", action="store_true", help="print the state as JSON")
    a = acts.add_parser("run", help="the scheduler process: uploads that must wait, deferred jobs")
    a.add_argument("--until-idle", action="store_true", help="exit once no job is due within a minute (cron, demo)")
    a = acts.add_parser("login", help="authorise an account (token saved 0600 outside the project)")
    a.add_argument("platform", choices=("youtube", "facebook"))
    a.add_argument("--headless", action="store_true", help="no browser here: paste the redirect address back")
    a = acts.add_parser("emulator", help="run the local emulator of both platform APIs")
    a.add_argument("--port", type=int, default=8765)
    a.add_argument("--quota", type=int, default=None, help="YouTube quota units left (default: unlimited)")
    a = acts.add_parser("demo", help="publish an episode to the local emulator end to end (no account needed)")
    a.add_argument("episode", nargs="?", default="ep00-sample")
    p.set_defaults(func=cmd_publish)


# ---- metrics

def _date_arg(text: str):  # noqa: ANN202 - argparse type
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-21, got {text!r}") from None


def cmd_metrics(args: argparse.Namespace) -> int:
    from pipeline.platforms.accounts import install_redaction

    install_redaction()
    cfg = _context(args)
    if args.action == "demo":
        from pipeline.metrics.demo import run_demo

        return run_demo(cfg, Path(args.out) if args.out else cfg.project.build_dir / "metrics-demo" / "rapport")
    with _store(cfg) as store:
        if args.action == "pull":
            from pipeline.stages import metrics
            from pipeline.stages.publish import publish_lock

            if args.dry_run:
                todo = metrics.targets(store)
                print(f"dry run: would pull {len(todo)} video(s): "
                      + ", ".join(f"{t.asset} ({t.platform})" for t in todo))
                return 0
            with publish_lock(cfg, "metrics"):
                result = metrics.pull(cfg, store)
            if args.json:
                print(json.dumps({"pull_id": result.pull_id, "pulled_at": result.pulled_at.isoformat(),
                                  "videos": result.videos, "values": result.values,
                                  "missing": dict(result.missing), "requests": result.requests,
                                  "failed": result.failed}, indent=2, ensure_ascii=False))
            else:
                print(result.summary())
            return EXIT_ERROR if result.failed else 0
        from pipeline.metrics.report import build

        if args.since and args.until and args.since > args.until:
            raise PipelineError(f"--since {args.since} is after --until {args.until}", hint="swap the two dates")
        files = build(cfg, store, Path(args.out), args.since, args.until, args.episode)
        print(f"report: {files.html}\ndataset: {files.dataset_csv} ({files.rows} rows)\ntotals: {files.totals_csv}")
    return 0


def _metrics_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("metrics", help="pull platform statistics into the database; the evaluators' report")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("pull", help="one dated snapshot of every published video's statistics")
    a.add_argument("--dry-run", action="store_true", help="list the videos that would be asked about, ask nothing")
    a.add_argument("--json", action="store_true", help="print the pull's summary as JSON")
    a = acts.add_parser("report", help="HTML report (French) and CSV exports")
    a.add_argument("--out", required=True, metavar="DIR", help="folder for rapport.html, donnees.csv, totaux.csv")
    a.add_argument("--since", type=_date_arg, metavar="DATE", help="only pulls on or after this date (YYYY-MM-DD)")
    a.add_argument("--until", type=_date_arg, metavar="DATE", help="only pulls on or before this date")
    a.add_argument("--episode", metavar="ID", help="one episode (with its clips)")
    a = acts.add_parser("demo", help="a simulated season pulled from the local emulator, and its report")
    a.add_argument("--out", metavar="DIR", help="report folder (default: build/metrics-demo/rapport)")
    p.set_defaults(func=cmd_metrics)


# ------------------------------------------------------------------ parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="webseries", description="Construisons Ensemble production pipeline")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", help="path to config.toml (default: ./config.toml or a parent folder's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail in the log")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("transcode", help="render masters into every platform's renditions")
    p.add_argument("episodes", nargs="*", metavar="EPISODE", help="episode id, unique prefix, folder, or 'all'")
    p.add_argument("--profile", action="append", metavar="NAME", help="only this profile (repeatable)")
    p.add_argument("--list-profiles", action="store_true", help="show every profile's effective settings and exit")
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

    p = sub.add_parser("sample", help="generate the sample episode's master (no download needed)")
    p.add_argument("--force", action="store_true", help="remake it even if it exists")
    p.set_defaults(func=cmd_sample)

    _publish_parser(sub)
    _metrics_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # `subtitles import EP --lang bm FILE`: arguments after an option are items too
        if getattr(args, "func", None) is not cmd_subtitles or any(e.startswith("-") for e in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.items += extra
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
        print(f"error: {_redact(exc.message)}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted: unfinished outputs were removed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("WEBSERIES_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {_redact(str(exc))}", file=sys.stderr)
        print("hint: this is a bug; rerun with WEBSERIES_DEBUG=1 and report the traceback", file=sys.stderr)
        return EXIT_BUG


def _redact(text: str) -> str:
    """Tokens never reach the terminal, even inside an error message (see platforms/accounts.py)."""
    if "pipeline.platforms.accounts" not in sys.modules:
        return text
    return sys.modules["pipeline.platforms.accounts"].redact(text)
