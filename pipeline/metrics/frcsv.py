"""CSV files two ways: for a French Excel (double-click opens it right) or for programs.

French: `;` between cells, UTF-8 with a BOM (Excel then keeps é, ɛ, ɔ, ɲ, ŋ), decimal comma, dates
and times in the project's zone (JJ/MM/AAAA HH:MM), French headers, and text that a spreadsheet
would run as a formula (= + - @, tab, CR) prefixed with an apostrophe (OWASP). Plain: `,`, no BOM,
decimal point, ISO 8601 UTC, the machine headers — the format scripts have always read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pipeline.tabular import neutralise

BOM = "\ufeff"
FORMATS = ("french", "plain")


def number_fr(v: float) -> str:
    """1234.5 -> '1234,5' (no thousands separator: Excel reads it as a number)."""
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    text = f"{v:.10g}"
    if "e" in text:
        text = f"{v:.10f}".rstrip("0")
    return text.replace(".", ",")


def number_plain(v: float) -> str:
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else f"{v:.12g}"


def cell(value: object, zone: ZoneInfo | None, french: bool) -> str:
    """One value as text; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("oui" if value else "non") if french else ("true" if value else "false")
    if isinstance(value, int | float):
        return number_fr(float(value)) if french else number_plain(float(value))
    if isinstance(value, datetime):
        if not french:
            return value.isoformat()
        return value.astimezone(zone).strftime("%d/%m/%Y %H:%M") if zone else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if french else value.isoformat()
    text = str(value)
    return neutralise(text) if french else text


def write(header: Sequence[str], rows: Iterable[Sequence[object]], zone: ZoneInfo | None = None,
          french: bool = True) -> str:
    """The whole file's text (the French one starts with the BOM)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";" if french else ",", lineterminator="\r\n" if french else "\n")
    w.writerow([cell(h, None, french) for h in header])
    for row in rows:
        w.writerow([cell(v, zone, french) for v in row])
    return (BOM if french else "") + buf.getvalue()
