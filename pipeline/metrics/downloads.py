"""The report's files on demand (the studio's downloads): `report.build`, one format at a time,
into a folder named after the selection and the state of the data, so a file asked twice is
made once and a new pull or import gives new files. rapport.docx draws every chart with
matplotlib (seconds): the studio makes it as a job (`jobs.kinds`), the others while you wait.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from datetime import date
from pathlib import Path

from pipeline.config import Config
from pipeline.metrics.report import build
from pipeline.metrics.report_data import Filters
from pipeline.store import Store

FILES = {"rapport.html": "html", "rapport.docx": "docx", "donnees.xlsx": "xlsx"}
CSV_NAME = re.compile(r"[a-z0-9_-]{1,40}\.csv")
SLOW = frozenset({"docx"})
KEEP_HOURS = 24
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_STATE_SQL = (("metric_pulls", "finished_at"), ("comments", "last_seen"), ("field_records", "imported_at"),
              ("survey_responses", "imported_at"))


def file_format(name: str) -> str | None:
    """html | docx | xlsx | csv for a file name the report writes; None for anything else."""
    return FILES.get(name) or ("csv" if CSV_NAME.fullmatch(name) else None)


def options(filters: Filters) -> dict[str, str]:
    """Filters as a job's plain-JSON options."""
    return {"episode": filters.episode or "", "since": filters.since.isoformat() if filters.since else "",
            "until": filters.until.isoformat() if filters.until else ""}


def from_options(opts: dict[str, object]) -> Filters:
    def day(key: str) -> date | None:
        value = str(opts.get(key) or "")
        return date.fromisoformat(value) if value else None
    return Filters(day("since"), day("until"), str(opts.get("episode") or "") or None)


def _state(cfg: Config, store: Store) -> list[object]:
    """What the files depend on: every table's last write and size, the config (targets), the manifests (titles)."""
    out: list[object] = []
    for table, column in _STATE_SQL:
        out += list(store.db.execute(f"SELECT MAX({column}), COUNT(*) FROM {table}").fetchone())  # noqa: S608
    for path in (cfg.file, *sorted(cfg.project.episodes_dir.glob("*/episode.toml"))):
        try:
            out.append((str(path), path.stat().st_mtime_ns))
        except OSError:
            out.append((str(path), None))
    return out


def folder(cfg: Config, store: Store, filters: Filters) -> Path:
    key = hashlib.sha256(json.dumps([options(filters), _state(cfg, store)], default=str).encode()).hexdigest()[:24]
    return cfg.project.build_dir / "studio-reports" / key


def ready(cfg: Config, store: Store, filters: Filters, fmt: str) -> Path | None:
    """The folder holding this selection's `fmt` files if they are made already."""
    out = folder(cfg, store, filters)
    return out if (out / f".{fmt}.done").is_file() else None


def make(cfg: Config, store: Store, filters: Filters, fmt: str) -> Path:
    """The folder with this selection's `fmt` files, made now if they are not there yet."""
    out = folder(cfg, store, filters)
    if (out / f".{fmt}.done").is_file():
        return out
    _sweep(out.parent)
    build(cfg, store, out, filters, formats=(fmt,))
    (out / f".{fmt}.done").touch()
    return out


def _sweep(parent: Path) -> None:
    cutoff = time.time() - KEEP_HOURS * 3600
    if parent.is_dir():
        for old in parent.iterdir():
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
