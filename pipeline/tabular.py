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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.fsutil import require_file

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")   # what Excel and LibreOffice run as a formula
LOSSY = "Windows-1252"   # the one encoding read here that has no ɛ ɔ ɲ ŋ (Excel writes "?" for them)


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


def delimiter_of(text: str, is_header: Callable[[list[str]], bool] | None = None) -> str:
    """The separator that makes line 1 a header the caller recognises (`is_header`), else the
    commonest of tab, ';' and ',' in line 1."""
    head = text.split("\n", 1)[0]
    named = [d for d in ("\t", ";", ",") if is_header and is_header(next(csv.reader([head], delimiter=d), []))]
    return named[0] if named else max(("\t", ";", ","), key=head.count)


def split_text(text: str, delimiter: str | None = None) -> list[list[object]]:
    """CSV or tab-separated text into rows (the separator found by `delimiter_of` unless given)."""
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter or delimiter_of(text))]


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


def read_bytes(path: Path, what: str = "file", max_bytes: int | None = None) -> bytes:
    """The file's bytes; a folder, pipe or missing file named, and a file far too big refused unread."""
    require_file(path, what, f"give the path of the {what}")
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise PipelineError(f"{path.name} is {size / 1e6:.1f} MB: far more than a {what} "
                                f"(at most {max_bytes / 1e6:g} MB are read)", hint=f"check it is the {what}")
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
