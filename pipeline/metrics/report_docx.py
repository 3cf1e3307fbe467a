"""rapport.docx: the same report as an editable Word document (python-docx), to paste into the
donor's report: the same sections and tables, the charts as images, the notes under them.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.metrics import figures
from pipeline.metrics.chartspec import charts as chart_list
from pipeline.metrics.chartspec import layout
from pipeline.metrics.report_data import EvaluationData
from pipeline.metrics.tables import Table, all_tables

MAX_ROWS = 400   # a longer table is cut in Word (the workbook has it whole) and says so


def _table(doc, t: Table, zone: ZoneInfo) -> None:  # noqa: ANN001 - a docx Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    rows = t.shown(zone)[:MAX_ROWS] or [["Aucune donnée pour cette sélection."] + [""] * (len(t.cols) - 1)]
    table = doc.add_table(rows=1 + len(rows), cols=len(t.cols))
    table.style = "Table Grid"
    size = Pt(7 if len(t.cols) > 8 else 8)
    for i, (tr, values) in enumerate(zip(table.rows, [[c.label for c in t.cols], *rows], strict=True)):
        for cell, c, text in zip(tr.cells, t.cols, values, strict=True):   # row by row: table.cell() is quadratic
            p = cell.paragraphs[0]
            run = p.add_run(text)
            run.font.size = size
            run.bold = i == 0
            if i and c.kind in ("int", "num", "p"):
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if len(t.rows) > MAX_ROWS:
        doc.add_paragraph(f"… {len(t.rows) - MAX_ROWS} lignes de plus dans donnees.xlsx (onglet « {t.id} »).")


def render(d: EvaluationData, zone: ZoneInfo, timezone: str) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.styles["Normal"].font.name = "DejaVu Sans"
    doc.styles["Normal"].font.size = Pt(9)
    doc.core_properties.title = f"{d.series_title} — rapport d'évaluation"
    doc.add_heading(f"{d.series_title} — rapport d'évaluation", level=0)

    def local(t: datetime | None) -> str:
        return t.astimezone(zone).strftime("%d/%m/%Y %H:%M") if t else "—"
    pulled = ", ".join(f"{p} {local(t)}" for p, t in d.audience.pulled.items()) if d.audience else "aucun relevé"
    doc.add_paragraph(f"Rapport du {local(d.generated_at)} (heure de {timezone}). Données extraites : {pulled}. "
                      f"Sélection : {d.filters.describe()}. Chaque pourcentage est donné avec ses nombres ; "
                      "les mesures des plateformes ne sont comparées qu'à elles-mêmes.")
    first = True
    for _, heading, blocks in layout(all_tables(d), chart_list(d)):
        if not first:
            doc.add_page_break()
        first = False
        doc.add_heading(heading, level=1)
        for b in blocks:
            doc.add_heading(b.chart.title if b.chart else b.table.title, level=2)
            if b.chart is not None:
                doc.add_picture(io.BytesIO(figures.png(b.chart)), width=Cm(22))
            _table(doc, b.table, zone)
            note = " ".join(x for x in ((b.chart.note if b.chart else ""), b.table.note) if x)
            if note:
                p = doc.add_paragraph(note)
                for run in p.runs:
                    run.italic = True
                    run.font.size = Pt(8)
    for note in d.survey_notes:
        doc.add_paragraph(note)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
