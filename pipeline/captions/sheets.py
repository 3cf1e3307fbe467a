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
from pipeline.fsutil import require_file

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
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel and LibreOffice run as a formula
LOSSY = "Windows-1252"   # the one encoding read here that has no ɛ ɔ ɲ ŋ
MAX_FILE_BYTES = 5_000_000  # an episode's subtitles are a few tens of KB
_SRT_TIME = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)")


@dataclass(frozen=True)
class Row:
    where: str        # "row 4" / "cue 3 (line 9)": what a person looks for in their file
    start: float
    end: float
    text: str         # the Bambara text, lines separated by \n
    french: str = ""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


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


def decode(data: bytes, name: str) -> Decoded:
    """BOM -> UTF-16 / UTF-8; else UTF-8; else Windows-1252 (what older spreadsheets save)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "UTF-16")
        except UnicodeDecodeError as exc:
            raise PipelineError(f"{name}: starts as UTF-16 but byte {exc.start} is not",
                                hint="export it again as UTF-8 CSV (or 'Unicode text')") from None
    no_bom = _utf16_without_bom(data)
    if no_bom:
        try:
            return Decoded(data.decode(no_bom), "UTF-16 (no BOM)")
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, data = "UTF-8 (with BOM)", data[3:]
    else:
        encoding = "UTF-8"
    try:
        return Decoded(data.decode("utf-8"), encoding)
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), LOSSY)
    except UnicodeDecodeError as exc:
        raise PipelineError(f"{name}: unreadable text (neither UTF-8, UTF-16 nor Windows-1252; byte "
                            f"{exc.start} is 0x{data[exc.start]:02x})",
                            hint="save it again as 'CSV UTF-8' or as an SRT in UTF-8") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'-be' when every other byte is mostly NUL (Latin text in UTF-16), else None.
    UTF-8 text has no NUL bytes, so reading such a file as UTF-8 would "succeed" with garbage."""
    sample = data[:4000]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    half = len(sample) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


# ------------------------------------------------------------------ writing

def neutralise(text: str) -> str:
    """A CSV cell a spreadsheet would run as a formula, made plain text with a leading ' (OWASP)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def restore(text: str) -> str:
    """The inverse of `neutralise`: exactly the quote it added goes (a translator's own 'text' stays)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


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
    require_file(path, "file", "give the path of the translated file (SRT, CSV or XLSX)")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PipelineError(f"{path.name} is {size / 1e6:.1f} MB: far more than a subtitle file (an episode's "
                                f"is a few tens of KB; at most {MAX_FILE_BYTES / 1e6:g} MB are read)",
                                hint="check it is the translated subtitle file (SRT, CSV or XLSX)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise PipelineError(f"file not found: {path}", hint="give the path of the translated file") from None
    except OSError as exc:
        raise PipelineError(f"cannot read {path}: {exc.strerror}",
                            hint="give the path of the translated file (SRT, CSV or XLSX)") from None
    if data.startswith(b"PK\x03\x04") or path.suffix.lower() == ".xlsx":
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
    """The separator is the one whose header names the columns (else the most frequent in it)."""
    head = text.split("\n", 1)[0]
    named = [d for d in ("\t", ";", ",") if _columns(next(csv.reader([head], delimiter=d), [])) is not None]
    delimiter = named[0] if named else max(("\t", ";", ","), key=head.count)
    return _table([list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)], delimiter)


def _xlsx_rows(path: Path) -> tuple[list[Row], list[str]]:
    try:
        from openpyxl import load_workbook
    except ImportError:
        raise PipelineError("reading .xlsx files needs openpyxl",
                            hint="pip install openpyxl, or save the sheet as CSV UTF-8") from None
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise PipelineError(f"{path.name}: not a readable XLSX workbook ({type(exc).__name__})",
                            hint="open it in the spreadsheet and save again as .xlsx or CSV UTF-8") from None
    cells = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    return _table(cells)
