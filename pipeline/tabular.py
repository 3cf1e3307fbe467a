"""Spreadsheet files people send back: CSV (any encoding a spreadsheet saves) or XLSX, as a grid of cells.

Translators' subtitle sheets (captions/sheets.py) and field teams' screening and broadcast
sheets and survey exports (metrics/) are read the same way: UTF-16 "Unicode text", UTF-8 with
or without a BOM, or Windows-1252 detected and named; the separator taken from the header line;
XLSX through openpyxl with typed cells. What the rows mean is the caller's business.
Writing: `neutralise` is OWASP's defence against formula injection in CSV text cells.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


@dataclass(frozen=True)
class Sheet:
    """The cells of a file's first sheet, row by row, and how the file was read (encoding or "XLSX")."""

    cells: list[list[object]]
    encoding: str


def decode(data: bytes, name: str) -> Decoded:
    """BOM -> UTF-16 / UTF-8; else UTF-8; else Windows-1252 (what older spreadsheets save)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "UTF-16")
        except UnicodeDecodeError as exc:
            raise PipelineError(f"{name}: starts as UTF-16 but byte {exc.start} is not",
                                hint="export it again as UTF-8 CSV (or 'Unicode text')") from None
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, data = "UTF-8 (with BOM)", data[3:]
    else:
        encoding = "UTF-8"
    try:
        return Decoded(data.decode("utf-8"), encoding)
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), "Windows-1252")
    except UnicodeDecodeError as exc:
        raise PipelineError(f"{name}: unreadable text (neither UTF-8, UTF-16 nor Windows-1252; byte "
                            f"{exc.start} is 0x{data[exc.start]:02x})",
                            hint="save it again as 'CSV UTF-8' or as an SRT in UTF-8") from None


def split_text(text: str) -> list[list[object]]:
    """CSV or tab-separated text into rows; the separator is the commonest of tab, ';' and ',' in line 1."""
    head = text.split("\n", 1)[0]
    delimiter = max(("\t", ";", ","), key=head.count)
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def xlsx_cells(path: Path) -> list[list[object]]:
    """The first worksheet's values (numbers, dates and text as openpyxl types them)."""
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
    return cells


def read_bytes(path: Path, what: str = "file") -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PipelineError(f"file not found: {path}", hint=f"give the path of the {what}") from None
    except IsADirectoryError:
        raise PipelineError(f"{path} is a folder, not a file", hint=f"give the path of the {what}") from None
    except OSError as exc:
        raise PipelineError(f"cannot read {path}: {exc.strerror}") from None


def is_xlsx(path: Path, data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04") or path.suffix.lower() == ".xlsx"


def read_sheet(path: Path, what: str = "file") -> Sheet:
    """A CSV/TSV (any of the encodings above) or XLSX file's first sheet as cells."""
    data = read_bytes(path, what)
    if is_xlsx(path, data):
        return Sheet(xlsx_cells(path), "XLSX")
    decoded = decode(data, path.name)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    return Sheet(split_text(text), decoded.encoding)


def neutralise(text: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
