"""Statistiques: the evaluation report, live, for the selection in the address (?episode=&since=&until=).

The numbers are `metrics.evaluation.compute`'s, laid out by `chartspec.layout` and drawn by the
report's own `report_html.table_html`/`chart_svg`: the page, rapport.html, the Word document and
the workbook always show the same figures under the same definitions. Downloads are the files
`webseries metrics report` writes, made for the selection by `metrics.downloads` (the Word
document as a job). Who: evaluators and admins do everything; communication and editors read
(figures, questions, downloads); translators have no use for it (403).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote, urlencode

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, RedirectResponse, Response

from pipeline import jobs
from pipeline.metrics import comments, downloads, report_html
from pipeline.metrics.chartspec import charts, layout
from pipeline.metrics.evaluation import compute
from pipeline.metrics.feedback import LANGUAGES
from pipeline.metrics.report_data import EvaluationData, Filters
from pipeline.metrics.tables import all_tables, dataset_table
from pipeline.metrics.titles import catalogue, labelled
from pipeline.models import Episode
from pipeline.web.pages import statistics_import
from pipeline.web.registry import Ctx, Page, route

READ = jobs.KINDS["report"].roles          # admin, evaluation, communication, editor
EVALUATE = jobs.KINDS["kobo"].roles        # admin, evaluation: imports and the survey pull
DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
KEPT_VIEWS = 16                            # selections kept computed, per studio process


class FilterError(ValueError):
    """A filter the page cannot use (French message)."""


def _day(raw: str, label: str) -> date | None:
    text = raw.strip()
    if not text:
        return None
    for fmt in DAY_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FilterError(f"« {text[:40]} » n'est pas une date ({label}) : écrivez JJ/MM/AAAA ou choisissez-la "
                      "dans le calendrier.")


def parse_filters(query: dict[str, str], episodes: dict[str, Episode]) -> Filters:
    """The selection from the address, checked: a known episode, real dates, the start before the end."""
    episode = query.get("episode", "").strip()
    if episode and episode not in episodes:
        raise FilterError(f"Épisode inconnu « {episode[:40]} » : choisissez-en un dans la liste.")
    since, until = _day(query.get("since", ""), "début"), _day(query.get("until", ""), "fin")
    if since and until and since > until:
        raise FilterError(f"La date de début ({since:%d/%m/%Y}) est après la date de fin ({until:%d/%m/%Y}) : "
                          "inversez-les.")
    return Filters(since, until, episode or None)


def query_of(f: Filters) -> str:
    """The selection as an address query (what a bookmark keeps)."""
    pairs = {k: v for k, v in downloads.options(f).items() if v}
    return urlencode(pairs)


def _selection(ctx: Ctx) -> tuple[Filters, dict[str, Episode]]:
    episodes = catalogue(ctx.cfg)
    q = ctx.request.query_params
    raw = {k: q.get(k) or ctx.field(k) for k in ("episode", "since", "until")}
    return parse_filters(raw, episodes), episodes


@dataclass(frozen=True)
class Block:
    title: str
    chart: Markup | None
    table: Markup
    note: str
    chart_id: str


def sections(d: EvaluationData, ctx: Ctx) -> list[tuple[str, str, list[Block]]]:
    """The report's sections, in its order, with each chart's SVG and each table's HTML (the report's own)."""
    out = []
    for sid, heading, blocks in layout(all_tables(d), charts(d)):
        shown = []
        for b in blocks:
            note = " ".join(x for x in ((b.chart.note if b.chart else ""), b.table.note) if x)
            shown.append(Block(b.chart.title if b.chart else b.table.title,
                               Markup(report_html.chart_svg(b.chart)) if b.chart else None,  # noqa: S704 - escaped there
                               Markup(report_html.table_html(b.table, ctx.zone)), note,  # noqa: S704
                               b.chart.id if b.chart else ""))
        out.append((sid, heading, shown))
    return out


@dataclass(frozen=True)
class View:
    d: EvaluationData
    sections: list[tuple[str, str, list[Block]]]
    csvs: list[str]
    has_data: bool


_views: OrderedDict[str, View] = OrderedDict()
_views_lock = threading.Lock()


def view(ctx: Ctx, f: Filters) -> View:
    """compute() and its layout once per selection and state of the data: the key is the downloads' folder,
    which changes with every pull, import, config or manifest edit (a few queries, about a millisecond)."""
    key = str(downloads.folder(ctx.cfg, ctx.store, f))
    with _views_lock:
        if key in _views:
            _views.move_to_end(key)
            return _views[key]
    d = compute(ctx.cfg, ctx.store, f)
    data_table = dataset_table(d)
    has_data = bool(d.audience or d.feedback.total.comments or d.offline.screenings or d.offline.broadcasts
                    or d.survey)
    made = View(d, sections(d, ctx) if has_data else [],
                [t.id for t in all_tables(d)] + ([data_table.id] if data_table else []), has_data)
    with _views_lock:
        _views[key] = made
        while len(_views) > KEPT_VIEWS:
            _views.popitem(last=False)
    return made


def page_values(ctx: Ctx, f: Filters, episodes: dict[str, Episode]) -> dict:
    v = view(ctx, f)
    word = downloads.ready(ctx.cfg, ctx.store, f, "docx")
    preparing = [j for j in jobs.recent(ctx.store, limit=20, target=f.describe()) if j.kind == "report" and j.active]
    return {"d": v.d, "sections": v.sections, "has_data": v.has_data, "csvs": v.csvs,
            "word_ready": word is not None, "preparing": preparing, "query": query_of(f), "f": f,
            "episodes": sorted(episodes.values(), key=lambda e: e.number), "can_import": ctx.may(EVALUATE),
            "import_kinds": statistics_import.KINDS, "pulled": _pulled(v.d, ctx)}


def _pulled(d: EvaluationData, ctx: Ctx) -> list[tuple[str, str]]:
    names = {"platforms": "plateformes", "comments": "commentaires", "field": "fiches de terrain",
             "survey": "enquête"}
    return [(names.get(k, k), _local(v, ctx)) for k, v in d.as_of.items()]


def _local(value: datetime | None, ctx: Ctx) -> str:
    return value.astimezone(ctx.zone).strftime("%d/%m/%Y %H:%M") if value else "jamais"


def _form_values(ctx: Ctx) -> dict[str, str]:
    q = ctx.request.query_params
    return {k: (q.get(k) or "")[:40] for k in ("episode", "since", "until")}


MESSAGES = {"word": "Le document Word est en préparation : il sera prêt ici dans quelques instants "
                    "(rechargez la page, ou suivez-le dans Travaux).",
            "kobo": "Lecture de l'enquête KoboToolbox lancée : suivez-la dans Travaux."}


@route("/statistics", roles=READ)
def statistics(ctx: Ctx) -> Response:
    values = _form_values(ctx)
    q = ctx.request.query_params
    imported = re.fullmatch(r"(\w+):(\d+):(\d+)", q.get("imported", ""))
    notice = MESSAGES.get(q.get("ok", ""), "")
    if imported and imported[1] in statistics_import.KINDS:
        notice = (f"Import terminé ({statistics_import.KINDS[imported[1]]}) : {imported[2]} ligne(s) ajoutée(s), "
                  f"{imported[3]} déjà présente(s).")
    try:
        f, episodes = _selection(ctx)
    except FilterError as exc:
        return ctx.render("statistics.html", status=400, error=str(exc), form=values, notice="",
                          episodes=sorted(catalogue(ctx.cfg).values(), key=lambda e: e.number), has_data=False,
                          can_import=ctx.may(EVALUATE), import_kinds=statistics_import.KINDS)
    return ctx.render("statistics.html", error="", form=values, notice=notice, **page_values(ctx, f, episodes))


@route("/statistics/questions", roles=READ)
def questions(ctx: Ctx) -> Response:
    """Viewers' questions nobody answered, per episode (what `webseries metrics questions` lists)."""
    try:
        f, episodes = _selection(ctx)
    except FilterError as exc:
        return ctx.render("statistics_questions.html", status=400, error=str(exc), groups=[], form=_form_values(ctx),
                          episodes=sorted(catalogue(ctx.cfg).values(), key=lambda e: e.number))
    todo = comments.unanswered(comments.load(ctx.store, f.episode, f.since, f.until))
    groups = []
    for ep in sorted({c.episode for c in todo}):
        mine = [c for c in todo if c.episode == ep]
        groups.append((labelled(ep, episodes), [(datetime.fromisoformat(c.published_at), c.platform,
                                                 labelled(c.asset, episodes), LANGUAGES.get(c.lang, c.lang), c.likes,
                                                 c.text) for c in mine]))
    return ctx.render("statistics_questions.html", error="", groups=groups, form=_form_values(ctx),
                      episodes=sorted(episodes.values(), key=lambda e: e.number), query=query_of(f))


@route("/statistics/download", roles=READ)
def download(ctx: Ctx) -> Response:
    """One of the report's files (?file=donnees.xlsx) for the selection; the Word document once a job made it."""
    name = ctx.request.query_params.get("file", "")
    fmt = downloads.file_format(name)
    if fmt is None:
        raise HTTPException(404)
    try:
        f, _ = _selection(ctx)
    except FilterError as exc:
        return ctx.render("error.html", status=400, title="Sélection impossible", message=str(exc), hint="")
    if fmt in downloads.SLOW:
        out = downloads.ready(ctx.cfg, ctx.store, f, fmt)
        if out is None:
            return RedirectResponse(f"/statistics?{query_of(f)}#telechargements", status_code=303)
    else:
        out = downloads.make(ctx.cfg, ctx.store, f, fmt)
    path = out / name
    if not path.is_file() or path.parent != out:
        raise HTTPException(404)  # a table this selection does not have
    return FileResponse(path, media_type=downloads.MEDIA_TYPES[fmt], filename=name,
                        headers={"Cache-Control": "no-store"})


@route("/statistics/prepare", roles=READ, methods=("POST",))
def prepare(ctx: Ctx) -> Response:
    """Make rapport.docx for the selection in a job (matplotlib draws every chart: seconds)."""
    try:
        f, _ = _selection(ctx)
    except FilterError as exc:
        return ctx.render("error.html", status=400, title="Sélection impossible", message=str(exc), hint="")
    if downloads.ready(ctx.cfg, ctx.store, f, "docx") is None:
        jobs.enqueue(ctx.cfg, ctx.store, "report", f.describe(), {**downloads.options(f), "format": "docx"},
                     ctx.user.name)  # type: ignore[union-attr]
    return RedirectResponse(f"/statistics?{query_of(f)}&ok=word#telechargements", status_code=303)


PAGE = Page("statistics", "Statistiques", "/statistics",
            routes=(statistics, questions, prepare, download, *statistics_import.routes(EVALUATE)),
            links={"episode": lambda episode: f"/statistics?episode={quote(episode)}",
                   "questions": lambda episode="": "/statistics/questions" + (f"?episode={quote(episode)}"
                                                                              if episode else "")})
