"""`webseries metrics pull|report|demo`: audience figures for the evaluators."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.cli.common import EXIT_ERROR, context, open_store
from pipeline.errors import PipelineError


def _date_arg(text: str):  # noqa: ANN202 - argparse type
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-21, got {text!r}") from None


def cmd_metrics(args: argparse.Namespace) -> int:
    from pipeline.platforms.accounts import install_redaction

    install_redaction()
    cfg = context(args)
    if args.action == "demo":
        from pipeline.stages.metrics_demo import run_demo

        return run_demo(cfg, Path(args.out) if args.out else cfg.project.build_dir / "metrics-demo" / "rapport")
    with open_store(cfg) as store:
        if args.action == "pull":
            from pipeline.stages import metrics
            from pipeline.stages.publish import publish_lock

            if args.dry_run:
                todo = metrics.posted_videos(store)
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


def register(sub: argparse._SubParsersAction) -> None:
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
