"""rapport.html: the evaluation report as one self-contained French page (inline CSS and SVG, no
script, no network), which prints cleanly: tables expanded, a page per section, headers repeated.

The numbers are EvaluationData's, laid out by chartspec.layout like the Word document; each numeric
cell carries its machine value in data-value, so a test (or a script) can read the page exactly.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from pipeline.metrics import charts, frcsv
from pipeline.metrics.chartspec import Chart, charts as chart_list, layout
from pipeline.metrics.dictionary import PLATFORM_FR
from pipeline.metrics.report_data import EvaluationData
from pipeline.metrics.tables import Table, all_tables

CSS = (
    "body{font-family:'DejaVu Sans',sans-serif;margin:24px;color:#222;max-width:1200px}"
    "table{border-collapse:collapse;margin:8px 0;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;"
    "vertical-align:top}td.n{text-align:right;white-space:nowrap}th{background:#f3f3f3}figure{margin:24px 0}"
    "figcaption,h3{font-weight:bold;margin:6px 0;font-size:15px}.note{font-size:12px;color:#555}.meta{color:#444}"
    "svg{max-width:100%;height:auto}nav ol{columns:2}tr.total td{font-weight:bold;background:#fafafa}"
    "@page{size:A4 landscape;margin:12mm}"
    "@media print{body{margin:0;max-width:none;font-size:11px}nav{display:none}details>summary{display:none}"
    "section{break-before:page}section:first-of-type{break-before:auto}figure,.block{break-inside:avoid}"
    "tr{break-inside:avoid}thead{display:table-header-group}table{font-size:9px}}"
)


def table_html(t: Table, zone: ZoneInfo) -> str:
    head = "".join(f"<th>{escape(c.label)}</th>" for c in t.cols)
    body = []
    for row, texts in zip(t.rows, t.shown(zone), strict=True):
        cells = []
        for c, v, text in zip(t.cols, row, texts, strict=True):
            if c.kind in ("int", "num", "p"):
                raw = "" if v is None else frcsv.number_plain(float(v))
                cells.append(f'<td class="n" data-key="{escape(c.key)}" data-value="{raw}">{escape(text)}</td>')
            else:
                cells.append(f"<td>{escape(text)}</td>")
        total = any(str(v).startswith(("Total", "Toutes les vidéos")) for v in row[:2])
        body.append(("<tr class='total'>" if total else "<tr>") + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(t.cols)}">Aucune donnée pour cette sélection.</td></tr>')
    return (f'<table id="{escape(t.id)}" data-table="{escape(t.id)}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def chart_svg(c: Chart) -> str:
    if c.kind == "line":
        return charts.line_chart(c.id, c.title, [(n, list(p)) for n, p, _ in c.lines], c.unit, [col for *_, col in c.lines])
    if c.kind == "hbar":
        s = c.series[0]
        return charts.hbar_chart(c.id, c.title, [(k, v) for k, v in zip(c.categories, s.values, strict=True)
                                                 if v is not None], c.unit, s.colour)
    if c.kind == "ci":
        s = c.series[0]
        return charts.ci_chart(c.id, c.title, list(c.categories), list(s.values), list(s.low), list(s.high), c.unit,
                               s.colour)
    return charts.bar_chart(c.id, c.title, list(c.categories), [(s.name, list(s.values)) for s in c.series], c.unit,
                            [s.colour for s in c.series])


def _block(t: Table, c: Chart | None, zone: ZoneInfo) -> str:
    note = " ".join(x for x in ((c.note if c else ""), t.note) if x)
    note_html = f'<p class="note">{escape(note)}</p>' if note else ""
    if c is None:
        return f'<div class="block"><h3>{escape(t.title)}</h3>{table_html(t, zone)}{note_html}</div>'
    return (f'<figure class="chart" data-chart="{c.id}"><figcaption>{escape(c.title)}</figcaption>{chart_svg(c)}'
            f'{note_html}<details open><summary>Chiffres du graphique</summary>{table_html(t, zone)}</details></figure>')


def render(d: EvaluationData, zone: ZoneInfo, timezone: str) -> str:
    def local(t: datetime | None) -> str:
        return t.astimezone(zone).strftime("%d/%m/%Y %H:%M") if t else "—"
    a = d.audience
    pulled = " · ".join(f"{PLATFORM_FR[p]} : {local(t)}" for p, t in a.pulled.items()) if a else "aucun relevé"
    parts = [f"<h1>{escape(d.series_title)} — rapport d'évaluation</h1>",
             f'<p class="meta">Rapport du <strong id="generated">{local(d.generated_at)}</strong> (heure de '
             f"{escape(timezone)}). Données extraites le <strong id=\"pull-date\">{pulled}</strong>. Sélection : "
             f"{escape(d.filters.describe())}."
             + (f" {len({r.pulled_at for r in a.rows})} relevé(s), {len(a.rows)} valeurs." if a else "") + "</p>",
             '<p class="meta">Chaque pourcentage est donné avec les nombres dont il est fait. Les mesures des '
             "plateformes ne sont comparées qu'entre elles-mêmes (voir « Définitions »). Fichiers joints : "
             "rapport.docx (Word), donnees.xlsx (un onglet par tableau), fichiers CSV.</p>"]
    sections = layout(all_tables(d), chart_list(d))
    parts.append("<nav><strong>Sommaire</strong><ol>" + "".join(
        f'<li><a href="#{sid}">{escape(h)}</a></li>' for sid, h, _ in sections) + "</ol></nav>")
    for sid, heading, blocks in sections:
        parts.append(f'<section id="{sid}"><h2>{escape(heading)}</h2>'
                     + "\n".join(_block(b.table, b.chart, zone) for b in blocks) + "</section>")
    if d.survey_notes:
        parts.append('<p class="note">' + escape(" ".join(d.survey_notes)) + "</p>")
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Rapport d\'évaluation — '
            f"{escape(d.series_title)}</title><style>{CSS}</style></head><body>" + "\n".join(parts) + "</body></html>\n")
