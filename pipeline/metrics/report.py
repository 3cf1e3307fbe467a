"""`webseries metrics report`: the evaluation report's files, from one computation.

rapport.html (the page; prints to PDF), rapport.docx (Word, to paste into the donor's report),
donnees.xlsx (one sheet per table), and one CSV per table — for a French Excel by default
(`;`, BOM, decimal comma, local time, French headers), or `csv_format="plain"` for programs
(donnees.csv and totaux.csv exactly as scripts have always read them). The files are for sharing:
mode 0644, each written whole or not at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write
from pipeline.metrics import dataset, frcsv, report_docx, report_html, report_xlsx, summary
from pipeline.metrics.evaluation import compute
from pipeline.metrics.report_data import EvaluationData, Filters
from pipeline.metrics.tables import Table, all_tables, dataset_table
from pipeline.store import Store

SHARED = 0o644
FORMATS = ("html", "docx", "xlsx", "csv")   # what build writes; the studio asks for one at a time


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    docx: Path
    xlsx: Path
    dataset_csv: Path
    totals_csv: Path
    csv: tuple[Path, ...]     # every CSV written (donnees and totaux included)
    rows: int                 # values of the metrics dataset in the selection


def _write(path: Path, data: bytes) -> None:
    with atomic_write(path, "wb", permissions=SHARED) as fh:
        fh.write(data)


def build(cfg: Config, store: Store, out: Path, filters: Filters | None = None,
          csv_format: str = "french", formats: Collection[str] = FORMATS) -> ReportFiles:
    """The report's files for the selection in `out` (only `formats`, when the studio asks for one)."""
    if csv_format not in frcsv.FORMATS:
        raise PipelineError(f"unknown CSV format {csv_format!r}", hint="use french (default) or plain")
    d = compute(cfg, store, filters or Filters())
    if d.audience is None and not (d.feedback.total.comments or d.offline.screenings or d.offline.broadcasts
                                   or d.survey):
        raise PipelineError("nothing to report for this selection: no metrics pulled, no comments, no field "
                            "sheet or survey imported",
                            hint="run `webseries metrics pull` (or import screenings/surveys) first, or widen "
                                 "--since/--until/--episode")
    zone, tz = cfg.project.zone, cfg.project.timezone
    tables = all_tables(d)
    data_table = dataset_table(d)
    out.mkdir(parents=True, exist_ok=True)
    csvs = write_csvs(d, tables, data_table, out, csv_format, cfg) if "csv" in formats else []
    if "xlsx" in formats:
        _write(out / "donnees.xlsx", report_xlsx.render(d, [*tables, *([data_table] if data_table else [])], zone, tz))
    if "docx" in formats:
        _write(out / "rapport.docx", report_docx.render(d, zone, tz))
    if "html" in formats:
        _write(out / "rapport.html", report_html.render(d, zone, tz).encode("utf-8"))
    return ReportFiles(out / "rapport.html", out / "rapport.docx", out / "donnees.xlsx", out / "donnees.csv",
                       out / "totaux.csv", tuple(csvs), len(d.audience.rows) if d.audience else 0)


def write_csvs(d: EvaluationData, tables: list[Table], data_table: Table | None, out: Path, csv_format: str,
               cfg: Config) -> list[Path]:
    french = csv_format == "french"
    written = []
    for t in [*tables, *([data_table] if data_table else [])]:
        path = out / f"{t.id}.csv"
        if not french and t.id == "donnees" and d.audience:
            text = dataset.to_csv(d.audience.rows)          # the machine format scripts have always read
        elif not french and t.id == "totaux" and d.audience:
            text = totals_csv(d.audience.totals)
        elif french:   # for people: figures as the report shows them (the workbook keeps every digit)
            text = frcsv.write([c.label for c in t.cols], _rounded(t), cfg.project.zone)
        else:
            text = frcsv.write([c.key for c in t.cols], t.rows, french=False)
        _write(path, text.encode("utf-8"))
        written.append(path)
    return written


def _rounded(t: Table) -> list[tuple[object, ...]]:
    return [tuple(round(v, c.decimals) if c.kind == "num" and isinstance(v, float) else v
                  for c, v in zip(t.cols, row, strict=True)) for row in t.rows]


def totals_csv(table: list[summary.TotalRow]) -> str:
    """The plain totals: one value per line, machine names, UTC times."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(("scope", "platform", "asset", "episode", "kind", "metric", "value", "pulled_at"))
    for t in table:
        for k in summary.COLUMNS:
            v = t.values[k]
            w.writerow((t.scope, t.platform, t.asset, t.episode, t.kind, k, "" if v is None else frcsv.number_plain(v),
                        t.pulled_at))
    return buf.getvalue()
