"""`webseries publish ...`: calendars, uploads, moves and cancels, status, the scheduler, accounts, rehearsals.

Each action is a thin layer over the publish stage's library functions (the studio calls the same):
it reads the arguments, calls them, and prints. `--emulator` runs the same action in a rehearsal.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime

from pipeline import log
from pipeline.cli.common import EXIT_ERROR, context, open_store
from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.store import Store


def cmd_publish(args: argparse.Namespace) -> int:
    from pipeline.platforms.accounts import install_redaction

    install_redaction()
    if args.action == "emulator":
        from pipeline.platforms.emulator import serve

        serve(args.port, quota=args.quota)
        return 0
    cfg = context(args)
    if args.action == "login":
        from pipeline.platforms import accounts

        if args.platform == "youtube":
            path = accounts.login_youtube(cfg, headless=args.headless)
        else:
            path = accounts.login_facebook(cfg)
        log.stage_logger("publish").info("%s: token saved to %s (mode 0600)", args.platform, path)
        return 0
    if args.action == "demo":
        from pipeline.stages.publish_demo import run_demo

        return run_demo(cfg, args.episode)
    if args.action == "rehearsal":
        return _rehearsal(cfg, args)
    if args.action == "run":
        from pipeline.scheduler import run

        return run(cfg, until_idle=args.until_idle, files=args.calendars or None)
    action = ACTIONS[args.action]
    if getattr(args, "emulator", False):
        from pipeline.stages.publish_rehearsal import rehearsal

        say = _say(args)
        with rehearsal(cfg, getattr(args, "calendars", None) or None) as r:
            say("rehearsal on the local emulator: no account used, nothing leaves this machine "
                "(links are emulator://; `webseries publish rehearsal --reset` starts over)")
            for note in r.notes:
                say(f"note: {note}")
            if getattr(args, "calendars", None):
                args.calendars = r.files
            try:
                with Store(r.cfg.project.database) as store:
                    return action(r.cfg, store, args)
            finally:
                say(r.summary())
    with open_store(cfg) as store:
        return action(cfg, store, args)


def _say(args: argparse.Namespace) -> Callable[[str], None]:
    """Messages around a --json answer go to stderr, so stdout stays one JSON document."""
    return (lambda m: print(m, file=sys.stderr)) if getattr(args, "json", False) else print


def _check(cfg: Config, store: Store, args: argparse.Namespace) -> int:
    from pipeline.platforms.accounts import preflight
    from pipeline.releases import calendars, check
    from pipeline.stages import publish, publish_status

    result = check(cfg, store, calendars(cfg, args.calendars))
    problems = list(result.problems)
    used = sorted({t.platform for r in result.releases if not r.cancel for t in r.targets})
    notes: list[str] = []
    if not cfg.publish.rehearsal:
        found, notes = preflight(cfg, used)
        problems += found
    accounts = _online(cfg, used, problems) if args.online else []
    rows = publish_status.status(cfg, store, result.releases, result.not_ready)
    if args.json:
        print(json.dumps({"ok": not problems, "problems": problems, "notes": notes, "accounts": accounts,
                          "not_ready": result.not_ready, "releases": [r.to_json() for r in rows]},
                         indent=2, ensure_ascii=False))
        return 0 if not problems else EXIT_ERROR
    if problems:
        raise ConfigError(problems, hint="fix these and check again; nothing was uploaded")
    ready = [r for r in result.releases if r.id not in result.not_ready and not r.cancel]
    print(publish_status.status_table(rows))
    for line in [*(f"account: {a['platform']}: {a['name']} ({a['detail']})" for a in accounts),
                 *(f"note: {n}" for n in notes)]:
        print(line)
    units, per_day = publish.youtube_units(cfg, ready), cfg.publish.youtube.quota_per_day
    waiting = f"; {len(result.not_ready)} planned, not ready yet (listed above)" if result.not_ready else ""
    print(f"ok: {len(ready)} releases ready, {sum(len(r.targets) for r in ready)} uploads{waiting}; "
          f"YouTube quota needed: {units} units ({per_day} a day: "
          f"{'fits in one day' if units <= per_day else f'spread over {-(-units // per_day)} days by deferral'})")
    return 0


def _online(cfg: Config, platforms: list[str], problems: list[str]) -> list[dict]:
    """One cheap authenticated call per platform: who the token speaks for, and what it may not do."""
    from pipeline.platforms.base import PlatformError, TransientError
    from pipeline.stages import publish

    publishers = publish.default_publishers(cfg)
    out = []
    for platform in platforms:
        try:
            info = publishers(platform).account()
        except (PlatformError, TransientError, PipelineError) as exc:
            problems.append(f"{platform}: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""))
            continue
        if info.missing_scopes:
            fix = f"webseries publish login {platform}"
            problems.append(f"{platform}: the token lacks {', '.join(info.missing_scopes)}: run `{fix}` again "
                            "and allow every permission asked")
        out.append({"platform": platform, "name": info.name, "detail": info.detail,
                    "missing_scopes": list(info.missing_scopes)})
    return out


def _upload(cfg: Config, store: Store, args: argparse.Namespace) -> int:
    from pipeline.releases import calendars, check
    from pipeline.stages import publish, publish_status

    result = check(cfg, store, calendars(cfg, args.calendars))
    if result.problems:
        raise ConfigError(result.problems, hint="fix the calendar (`webseries publish check FILE` lists the same); "
                                                "nothing was uploaded")
    releases = [r for r in result.releases if r.id not in result.not_ready]
    if args.dry_run:
        publish.plan(cfg, store, releases)
        print(publish_status.status_table(publish_status.status(cfg, store, result.releases, result.not_ready)))
        print("dry run: nothing was sent")
        return 0
    with publish.publish_lock(cfg):
        outcomes = publish.publish_all(cfg, store, releases, publish.default_publishers(cfg))
    _print_rows(publish_status.status(cfg, store, result.releases, result.not_ready), args.json)
    _raise_if_failed(outcomes, "upload")
    return 0


def _status(cfg: Config, store: Store, args: argparse.Namespace) -> int:
    from pipeline.releases import calendars, check
    from pipeline.stages import publish, publish_status

    try:
        result = check(cfg, store, calendars(cfg, args.calendars))
        releases, not_ready = result.releases, result.not_ready
    except PipelineError:  # no calendar any more: the ledger still says what went out
        if args.calendars:
            raise
        releases, not_ready = [], {}
    if args.refresh:
        with publish.publish_lock(cfg):
            publish_status.refresh(cfg, store, publish.default_publishers(cfg), releases=releases)
    _print_rows(publish_status.status(cfg, store, releases, not_ready), args.json)
    return 0


def _move(cfg: Config, store: Store, args: argparse.Namespace) -> int:
    from pipeline.stages import publish

    try:
        at = datetime.fromisoformat(args.at.strip().replace(" ", "T"))
    except ValueError:
        raise PipelineError(f"unreadable time {args.at!r}", hint='give the local date and time, e.g. '
                                                                 '"2027-01-16 18:00"') from None
    outcomes = publish.move(cfg, store, args.release, at, publish.default_publishers(cfg), args.calendars or None)
    return _report(cfg, store, args, outcomes, "move")


def _cancel(cfg: Config, store: Store, args: argparse.Namespace) -> int:
    from pipeline.stages import publish

    if args.delete and not args.yes:
        if not sys.stdin.isatty():
            raise PipelineError("--delete removes the video from every platform for good",
                                hint=f"confirm with `webseries publish cancel {args.release} --delete --yes`")
        answer = input(f"Supprimer définitivement {args.release} de chaque plateforme ? "
                       f"Tapez {args.release} pour confirmer : ").strip()
        if answer != args.release:
            raise PipelineError("not confirmed: nothing was deleted", hint="type the release id exactly")
    outcomes = publish.cancel(cfg, store, args.release, publish.default_publishers(cfg), delete=args.delete,
                              files=args.calendars or None)
    return _report(cfg, store, args, outcomes, "cancel")


def _restore(cfg: Config, store: Store, args: argparse.Namespace) -> int:
    from pipeline.stages import publish

    outcomes = publish.restore(cfg, store, args.release, publish.default_publishers(cfg), args.calendars or None)
    return _report(cfg, store, args, outcomes, "restore")


def _report(cfg: Config, store: Store, args: argparse.Namespace, outcomes: list, what: str) -> int:
    from pipeline.releases import calendars, check
    from pipeline.stages import publish_status

    releases = [r for r in check(cfg, store, calendars(cfg, args.calendars or None)).releases if r.id == args.release]
    _print_rows(publish_status.status(cfg, store, releases), args.json)
    _raise_if_failed(outcomes, what)
    return 0


def _print_rows(rows: list, as_json: bool) -> None:
    from pipeline.stages.publish_status import status_table

    print(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False) if as_json else status_table(rows))


def _raise_if_failed(outcomes: list, what: str) -> None:
    failed = [o for o in outcomes if o.failed]
    if failed:
        detail = "; ".join(f"{o.release_id} on {o.platform}: {(o.error or o.detail)[:160]}" for o in failed)
        raise PipelineError(f"{len(failed)} {what}(s) failed: {detail}",
                            hint=f"fix what the reason says, then `webseries publish {what} ...` again: "
                                 "finished steps are not repeated and uploads resume")


def _rehearsal(cfg: Config, args: argparse.Namespace) -> int:
    from pipeline.stages import publish_rehearsal

    if args.reset:
        path = publish_rehearsal.reset(cfg)
        print(f"rehearsal forgotten ({path} removed): the next --emulator command starts from empty platforms")
        return 0
    path = publish_rehearsal.folder(cfg)
    print(f"rehearsal kept in {path}: {'empty' if not path.is_dir() else ', '.join(sorted(p.name for p in path.iterdir()))}"
          "\n`webseries publish upload --emulator` (or status, move, cancel) continues it; --reset starts over")
    return 0


ACTIONS: dict[str, Callable[[Config, Store, argparse.Namespace], int]] = {
    "check": _check, "upload": _upload, "status": _status, "move": _move, "cancel": _cancel, "restore": _restore}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="plan, check, rehearse, upload, move and cancel releases; their state")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    def calendars_arg(a: argparse.ArgumentParser) -> None:
        a.add_argument("calendars", nargs="*", metavar="FILE", help="calendar files (default: schedules/*.toml)")

    def emulator_arg(a: argparse.ArgumentParser) -> None:
        a.add_argument("--emulator", action="store_true",
                       help="rehearse on a local emulator: no account, a rehearsal database, your calendar")

    a = acts.add_parser("check", help="validate calendars, accounts and settings before anything leaves the machine")
    calendars_arg(a)
    a.add_argument("--online", action="store_true", help="also ask each platform who the token is for (one call)")
    a.add_argument("--json", action="store_true", help="print problems and releases as JSON")
    emulator_arg(a)
    a = acts.add_parser("upload", help="upload what is due, and bring what is on the platforms to the calendar")
    calendars_arg(a)
    a.add_argument("--dry-run", action="store_true", help="check and plan, send nothing")
    a.add_argument("--json", action="store_true", help="print the state as JSON")
    emulator_arg(a)
    a = acts.add_parser("status", help="the calendar beside each platform's own state and time, in local time")
    calendars_arg(a)
    a.add_argument("--refresh", action="store_true", help="read every video back from the platforms first")
    a.add_argument("--json", action="store_true", help="print the state as JSON")
    emulator_arg(a)
    def release_action(name: str, help_text: str) -> argparse.ArgumentParser:
        a = acts.add_parser(name, help=help_text)
        a.add_argument("release", metavar="ID")
        a.add_argument("--calendar", dest="calendars", action="append", metavar="FILE",
                       help="look only in this calendar")
        a.add_argument("--json", action="store_true", help="print the state as JSON")
        emulator_arg(a)
        return a

    a = release_action("move", "give a release a new time, in its calendar and on the platforms")
    a.add_argument("at", metavar="TIME", help='local date and time, e.g. "2027-01-16 18:00"')
    a = release_action("cancel", "cancel a release: private and unscheduled on every platform")
    a.add_argument("--delete", action="store_true", help="remove the videos for good (asks to confirm)")
    a.add_argument("--yes", action="store_true", help="confirm --delete without asking (scripts)")
    release_action("restore", "undo a cancel: scheduled again at its calendar time")
    a = acts.add_parser("run", help="the scheduler process: uploads that must wait, deferred jobs, changes")
    calendars_arg(a)
    a.add_argument("--until-idle", action="store_true", help="exit once no job is due within a minute (cron, demo)")
    a = acts.add_parser("rehearsal", help="where the --emulator rehearsal stands; --reset forgets it")
    a.add_argument("--reset", action="store_true", help="forget the rehearsal's database and emulated platforms")
    a = acts.add_parser("login", help="authorise an account (token saved 0600 outside the project)")
    a.add_argument("platform", choices=("youtube", "facebook"))
    a.add_argument("--headless", action="store_true", help="no browser here: paste the redirect address back")
    a = acts.add_parser("emulator", help="run the local emulator of both platform APIs")
    a.add_argument("--port", type=int, default=8765)
    a.add_argument("--quota", type=int, default=None, help="YouTube quota units left (default: unlimited)")
    a = acts.add_parser("demo", help="publish an episode to the local emulator end to end (no account needed)")
    a.add_argument("episode", nargs="?", default="ep00-sample")
    p.set_defaults(func=cmd_publish)
