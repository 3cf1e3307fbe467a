"""`webseries metrics pull|report|demo|questions|template|import|login`: the evaluators' room."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.cli.common import EXIT_ERROR, context, open_store
from pipeline.errors import PipelineError

FIELD_KINDS = ("screenings", "broadcasts")


def _date_arg(text: str):  # noqa: ANN202 - argparse type
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-21, got {text!r}") from None


def _pull(cfg, store, args: argparse.Namespace) -> int:  # noqa: ANN001
    from pipeline.stages import metrics
    from pipeline.stages.publish import publish_lock

    if args.dry_run:
        todo = metrics.posted_videos(store)
        print(f"dry run: would pull {len(todo)} video(s): " + ", ".join(f"{t.asset} ({t.platform})" for t in todo))
        return 0
    with publish_lock(cfg, "metrics"):
        result = metrics.pull(cfg, store)
    if args.json:
        print(json.dumps({"pull_id": result.pull_id, "pulled_at": result.pulled_at.isoformat(),
                          "videos": result.videos, "values": result.values, "missing": dict(result.missing),
                          "requests": result.requests, "failed": result.failed, "comments": result.comments,
                          "new_comments": result.new_comments, "notes": list(result.notes)},
                         indent=2, ensure_ascii=False))
    else:
        print(result.summary())
    return EXIT_ERROR if result.failed else 0


def _report(cfg, store, args: argparse.Namespace) -> int:  # noqa: ANN001
    from pipeline.metrics.report import build
    from pipeline.metrics.report_data import Filters

    if args.since and args.until and args.since > args.until:
        raise PipelineError(f"--since {args.since} is after --until {args.until}", hint="swap the two dates")
    files = build(cfg, store, Path(args.out), Filters(args.since, args.until, args.episode), args.csv_format)
    print(f"report: {files.html}\nWord: {files.docx}\nworkbook: {files.xlsx}\n"
          f"dataset: {files.dataset_csv} ({files.rows} rows)\ntotals: {files.totals_csv}\n"
          f"CSV ({args.csv_format}): {', '.join(p.name for p in files.csv)}")
    return 0


def _questions(cfg, store, args: argparse.Namespace) -> int:  # noqa: ANN001
    from pipeline.metrics import comments
    from pipeline.metrics.feedback import LANGUAGES
    from pipeline.metrics.titles import catalogue, labelled

    episodes = catalogue(cfg)
    if args.episode and args.episode not in episodes and not store.db.execute(
            "SELECT 1 FROM comments WHERE episode=? LIMIT 1", (args.episode,)).fetchone():
        raise PipelineError(f"no episode {args.episode!r} and no comment under it",
                            hint="give an episode id as in episodes/ (e.g. ep01-vote)")
    todo = comments.unanswered(comments.load(store, args.episode))
    if args.json:
        print(json.dumps([{"episode": c.episode, "asset": c.asset, "platform": c.platform, "comment_id": c.comment_id,
                           "published_at": c.published_at, "lang": c.lang, "likes": c.likes, "text": c.text}
                          for c in todo], indent=2, ensure_ascii=False))
        return 0
    if not todo:
        print("Aucune question sans réponse." + (" (Aucun commentaire relevé : `webseries metrics pull`.)"
                                                 if not store.db.execute("SELECT 1 FROM comments").fetchone() else ""))
        return 0
    from datetime import datetime

    zone = cfg.project.zone
    for ep in sorted({c.episode for c in todo}):
        mine = [c for c in todo if c.episode == ep]
        print(f"{labelled(ep, episodes)} : {len(mine)} question(s) sans réponse")
        for c in mine:
            when = datetime.fromisoformat(c.published_at).astimezone(zone)
            where = f"{c.platform}" + (f", {c.asset}" if c.asset != ep else "")
            print(f"  {when:%d/%m/%Y %H:%M}  [{where}; {LANGUAGES.get(c.lang, c.lang)}]  « {c.text} »")
    return 0


def _template(cfg, args: argparse.Namespace) -> int:  # noqa: ANN001
    from pipeline.metrics import fieldwork
    from pipeline.metrics.titles import catalogue

    for path in fieldwork.write_template(fieldwork.KINDS[args.kind], Path(args.out), catalogue(cfg)):
        note = " (a file of that name was already there: this one is written beside it)" if ".nouveau." in path.name else ""
        print(f"{path}{note}")
    return 0


def _import(cfg, store, args: argparse.Namespace) -> int:  # noqa: ANN001
    if args.kind == "survey":
        from pipeline.metrics import survey

        if args.kobo == (args.file is not None):
            raise PipelineError("give either a KoboToolbox export FILE or --kobo (the API), not both or neither",
                                hint="webseries metrics import survey export.xlsx   or   webseries metrics import survey --kobo")
        if args.kobo:
            got, calls = survey.pull_kobo(cfg, store)
            print(f"KoboToolbox: {calls} request(s)")
        else:
            got = survey.import_file(cfg, store, Path(args.file))
        print(f"survey: {got.rows} responses read ({got.read_as}: {got.pre} before, {got.post} after), {got.new} new, "
              f"{got.already} already imported")
        return 0
    from pipeline.metrics import fieldwork
    from pipeline.metrics.titles import catalogue

    if args.file is None or args.kobo:
        raise PipelineError(f"import {args.kind} needs the FILE filled in by the field team",
                            hint=f"webseries metrics import {args.kind} FILE.xlsx")
    got = fieldwork.import_file(store, fieldwork.KINDS[args.kind], Path(args.file), catalogue(cfg))
    print(f"{args.kind}: {got.rows} row(s) read ({got.read_as}), {got.new} new, {got.already} already imported")
    return 0


def cmd_metrics(args: argparse.Namespace) -> int:
    from pipeline.platforms.accounts import install_redaction

    install_redaction()
    cfg = context(args)
    if args.action == "demo":
        from pipeline.stages.metrics_demo import run_demo

        return run_demo(cfg, Path(args.out) if args.out else cfg.project.build_dir / "metrics-demo" / "rapport")
    if args.action == "template":
        return _template(cfg, args)
    if args.action == "login":
        from pipeline.platforms.accounts import login_token

        sc = cfg.metrics.evaluation.survey
        print(f"saved to {login_token(sc.kobo_token_file, 'KoboToolbox API token (not shown): ')}")
        return 0
    with open_store(cfg) as store:
        if args.action == "pull":
            return _pull(cfg, store, args)
        if args.action == "questions":
            return _questions(cfg, store, args)
        if args.action == "import":
            return _import(cfg, store, args)
        return _report(cfg, store, args)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("metrics", help="audience, viewers' feedback, field reach and surveys; the evaluation report")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("pull", help="one dated snapshot of every published video's statistics, and its comments")
    a.add_argument("--dry-run", action="store_true", help="list the videos that would be asked about, ask nothing")
    a.add_argument("--json", action="store_true", help="print the pull's summary as JSON")
    a = acts.add_parser("report", help="the evaluation report: HTML, Word, Excel workbook and CSV files")
    a.add_argument("--out", required=True, metavar="DIR", help="folder for rapport.html, rapport.docx, donnees.xlsx, *.csv")
    a.add_argument("--since", type=_date_arg, metavar="DATE", help="only pulls, comments, screenings on or after it")
    a.add_argument("--until", type=_date_arg, metavar="DATE", help="only those on or before this date")
    a.add_argument("--episode", metavar="ID", help="one episode (with its clips)")
    a.add_argument("--csv-format", choices=("french", "plain"), default="french",
                   help="french (default): ';', BOM, decimal comma, local time, French headers, for Excel; "
                        "plain: ',', ISO UTC times, machine headers, for programs")
    a = acts.add_parser("questions", help="viewers' questions nobody has answered yet, per episode")
    a.add_argument("--episode", metavar="ID", help="one episode (with its clips)")
    a.add_argument("--json", action="store_true", help="as JSON")
    a = acts.add_parser("template", help="the sheet field teams fill in (XLSX + CSV)")
    a.add_argument("kind", choices=FIELD_KINDS, help="screenings (community screenings) or broadcasts (radio/TV)")
    a.add_argument("--out", default=".", metavar="DIR", help="folder to write it in (default: here)")
    a = acts.add_parser("import", help="a field team's sheet, or the pre/post survey (KoboToolbox)")
    a.add_argument("kind", choices=(*FIELD_KINDS, "survey"))
    a.add_argument("file", nargs="?", metavar="FILE", help="the XLSX or CSV file")
    a.add_argument("--kobo", action="store_true", help="survey: read it through the KoboToolbox API (token needed)")
    a = acts.add_parser("login", help="store the KoboToolbox API token (0600 file, outside the project)")
    a.add_argument("service", choices=("kobo",))
    a = acts.add_parser("demo", help="a simulated season with comments, screenings, broadcasts, a survey, and its report")
    a.add_argument("--out", metavar="DIR", help="report folder (default: build/metrics-demo/rapport)")
    p.set_defaults(func=cmd_metrics)
