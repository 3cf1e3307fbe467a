"""Translator files in and out: SRT, CSV and XLSX, read back whatever the spreadsheet did to them.

Spreadsheets export "Unicode text" as UTF-16 with a BOM (tab-separated), some tools drop the
BOM, and older Windows tools save Windows-1252; all must read correctly, and the user is told
which was used. Every problem names the row (spreadsheets) or the cue and line (SRT), all at once.

Text going out is never a formula: a CSV cell starting with = + - @ tab or CR gets a leading '
(OWASP "CSV injection"), stripped again on the way in, and XLSX text cells are typed as text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.tabular import (FORMULA_STARTS, LOSSY, Decoded, decode, delimiter_of, is_xlsx, neutralise, read_bytes,
                              split_text, xlsx_cells)

__all__ = ["LOSSY", "Decoded", "decode", "neutralise"]   # re-exported: shared reading lives in pipeline/tabular.py

TODO = "[à traduire]"   # the placeholder a template's Bambara slot holds until a person fills it
COLUMNS = ("n", "début", "fin", "français", "bamanankan")
_HEADER_NAMES = {
    "n": ("n", "no", "n°", "#", "cue", "numéro", "numero"),
    "start": ("début", "debut", "start", "begin"),
    "end": ("fin", "end", "stop"),
    "french": ("français", "francais", "french", "fr", "référence", "reference"),
    "bambara": ("bamanankan", "bambara", "bm", "traduction", "translation"),
}
_TIME = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?\s*$")
MAX_FILE_BYTES = 5_000_000  # an episode's subtitles are a few tens of KB
_SRT_TIME = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)")


@dataclass(frozen=True)
class Row:
    where: str        # "row 4" / "cue 3 (line 9)": what a person looks for in their file
    start: float
    end: float
    text: str         # the Bambara text, lines separated by \n
    french: str = ""


def timecode(seconds: float, sep: str = ",") -> str:
    ms = max(0, round(seconds * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def parse_time(value: object) -> float | None:
    """'00:01:02,500', '1:02.5', seconds as a number, or a spreadsheet time (fraction of a day)."""
    import datetime as dt

    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, int | float):
        return float(value) * 86400 if 0 < value < 1 else float(value)
    text = str(value or "").strip()
    m = _TIME.match(text)
    if m:
        h, mnt, s, frac = m.groups()
        if int(s) >= 60 or (h is not None and int(mnt) >= 60):  # "99:99" is no time, not 100:39
            return None
        return int(h or 0) * 3600 + int(mnt) * 60 + int(s) + (int(frac.ljust(3, "0")) / 1000 if frac else 0.0)
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


# ------------------------------------------------------------------ writing

def restore(text: str) -> str:
    """The inverse of `neutralise`: exactly the quote it added goes (a translator's own 'text' stays)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def csv_text(rows: Sequence[tuple[int, float, float, str, str]]) -> str:
    """Semicolon-separated (French-locale spreadsheets split on ';'), written with a BOM by the caller."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(COLUMNS)
    for n, start, end, fr, bm in rows:
        w.writerow([n, timecode(start), timecode(end), neutralise(fr), neutralise(bm)])
    return out.getvalue()


def xlsx_bytes(rows: Sequence[tuple[int, float, float, str, str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "sous-titres"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, start, end, fr, bm in rows:
        ws.append([n, timecode(start), timecode(end), fr, bm])  # times as text: no spreadsheet rounding
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
    for col, width in zip("ABCDE", (5, 14, 14, 50, 50), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row[3:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ reading

def read_rows(path: Path) -> tuple[list[Row], str, list[str]]:
    """(rows, encoding or format used, problems). Problems name rows; nothing is guessed silently."""
    data = read_bytes(path, "translated file (SRT, CSV or XLSX)", MAX_FILE_BYTES)
    if is_xlsx(path, data):
        rows, problems = _xlsx_rows(path)
        return rows, "XLSX", problems
    decoded = decode(data, path.name)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    first = [ln for ln in text.split("\n") if ln.strip()][:2]
    is_srt = path.suffix.lower() == ".srt" or (len(first) == 2 and "-->" in first[1])
    rows, problems = _srt_rows(text) if is_srt else _table_rows(text)
    return rows, decoded.encoding, problems


def _srt_rows(text: str) -> tuple[list[Row], list[str]]:
    rows, problems, line_no = [], [], 1
    for block in re.split(r"\n[ \t]*\n", text.strip("\n")):
        lines = block.split("\n")
        start_line = line_no
        line_no += len(lines) + 1
        while lines and not lines[0].strip():
            lines.pop(0)
            start_line += 1
        if not lines:
            continue
        label = lines[0].strip()
        where = f"cue {label} (line {start_line})" if label.isdigit() else f"line {start_line}"
        if label.isdigit():
            lines = lines[1:]
        m = _SRT_TIME.match(lines[0]) if lines else None
        if not m:
            problems.append(f"{where}: no 'HH:MM:SS,mmm --> HH:MM:SS,mmm' time line")
            continue
        start, end = parse_time(m.group(1)), parse_time(m.group(2))
        if start is None or end is None:
            problems.append(f"{where}: unreadable time {lines[0].strip()!r}")
            continue
        rows.append(Row(where, start, end, "\n".join(ln.strip() for ln in lines[1:] if ln.strip())))
    return rows, problems


def _columns(header: Sequence[str]) -> dict[str, int] | None:
    names = [str(h or "").strip().casefold() for h in header]
    found = {}
    for key, aliases in _HEADER_NAMES.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[key] = i
                break
    return found if {"start", "end", "bambara"} <= found.keys() else None


def _table(cells: list[list[object]], separator: str = "") -> tuple[list[Row], list[str]]:
    """Rows of a sheet; `separator` for a CSV (its cells were neutralised against formulas)."""
    while cells and not any(str(c or "").strip() for c in cells[0]):
        cells.pop(0)
    if not cells:
        return [], ["the file is empty"]
    cols = _columns([str(c or "") for c in cells[0]])
    body_start = 1
    if cols is None:
        if len(cells[0]) < 5:
            return [], [f"row 1: no header naming the columns ({'; '.join(COLUMNS)})"]
        cols, body_start = {"n": 0, "start": 1, "end": 2, "french": 3, "bambara": 4}, 0
    width = max(cols.values()) + 1
    if body_start:
        width = max(width, max((j + 1 for j, c in enumerate(cells[0]) if str(c or "").strip()), default=0))
    text_of = restore if separator else (lambda t: t)
    rows, problems = [], []
    for i, cells_row in enumerate(cells[body_start:], body_start + 1):
        def cell(key: str, row: list[object] = cells_row) -> object:
            j = cols.get(key)
            return row[j] if j is not None and j < len(row) else None

        if not any(str(c or "").strip() for c in cells_row):
            continue
        where = f"row {i}"
        used = max((j + 1 for j, c in enumerate(cells_row) if str(c or "").strip()), default=0)
        if separator and used > width:  # a value holding the separator, unquoted: every column after it moved
            problems.append(f"{where}: {used} cells where the header has {width}: a value holds the separator "
                            f"{separator!r} without quotes (a time such as 00:00:01,000 in a ','-separated "
                            "file); save the sheet again as CSV UTF-8")
            continue
        start, end = parse_time(cell("start")), parse_time(cell("end"))
        if start is None or end is None:
            bad = cell("start") if start is None else cell("end")
            problems.append(f"{where}: unreadable time {str(bad or '').strip()!r} (write HH:MM:SS,mmm)")
            continue
        text = text_of(str(cell("bambara") or "").replace("\r", "").strip())
        rows.append(Row(where, start, end, text, text_of(str(cell("french") or "").strip())))
    return rows, problems


def _table_rows(text: str) -> tuple[list[Row], list[str]]:
    delimiter = delimiter_of(text, lambda head: _columns(head) is not None)
    return _table(split_text(text, delimiter), delimiter)


def _xlsx_rows(path: Path) -> tuple[list[Row], list[str]]:
    return _table(xlsx_cells(path))
