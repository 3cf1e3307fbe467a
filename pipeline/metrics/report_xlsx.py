"""donnees.xlsx: one sheet per table of the report, French headers, typed cells.

Numbers are numbers (sums and charts work in Excel), times are local date-times with a French
format, and text is always a text cell, so a comment starting with "=" is never run as a formula.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pipeline.metrics.report_data import EvaluationData
from pipeline.metrics.tables import Table

FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})


def _put(ws, row: int, col: int, value: object, zone: ZoneInfo) -> None:  # noqa: ANN001 - a worksheet
    cell = ws.cell(row=row, column=col)
    if value is None:
        return
    if isinstance(value, bool):
        cell.value = "oui" if value else "non"
    elif isinstance(value, int | float):
        cell.value = value
    elif isinstance(value, datetime):
        cell.value = value.astimezone(zone).replace(tzinfo=None)
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "DD/MM/YYYY"
    else:
        cell.value = str(value)
        cell.data_type = "s"          # text, even when it starts with "=" (never a formula)


def render(d: EvaluationData, tables: list[Table], zone: ZoneInfo, timezone: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    about = wb.active
    about.title = "lisez-moi"
    about.append([f"{d.series_title} — données du rapport d'évaluation"])
    about["A1"].font = Font(bold=True, size=13)
    about.append([f"Rapport du {d.generated_at.astimezone(zone):%d/%m/%Y %H:%M} (heure de {timezone}) ; "
                  f"sélection : {d.filters.describe()}"])
    about.append([])
    about.append(["Onglet", "Contenu", "Remarque"])
    for cell in about[4]:
        cell.font = Font(bold=True)
    for t in tables:
        about.append([t.id, t.title, t.note])
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 60
    names: set[str] = set()
    for t in tables:
        name = t.id.translate(FORBIDDEN)[:31]
        while name in names:
            name = name[:29] + f"{len(names) % 100:02d}"
        names.add(name)
        ws = wb.create_sheet(name)
        for j, c in enumerate(t.cols, start=1):
            ws.cell(row=1, column=j, value=c.label).font = Font(bold=True)
            ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = max(10, min(45, len(c.label) + 4))
        for i, row in enumerate(t.rows, start=2):
            for j, value in enumerate(row, start=1):
                _put(ws, i, j, value, zone)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
