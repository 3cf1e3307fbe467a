"""`webseries publish ...`: calendars, uploads, the scheduler process, accounts, the emulator."""

from __future__ import annotations

import argparse
import json

from pipeline import log
from pipeline.cli.common import EXIT_ERROR, context, open_store
from pipeline.errors import ConfigError, PipelineError


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
    if args.action == "run":
        from pipeline.scheduler import run

        return run(cfg, until_idle=args.until_idle)
    from pipeline.releases import calendars, check
    from pipeline.stages import publish

    with open_store(cfg) as store:
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


def register(sub: argparse._SubParsersAction) -> None:
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
