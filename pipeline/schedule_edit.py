"""Change one release in a calendar file (schedules/*.toml) the way its officer would by hand.

`webseries publish move/cancel` and the studio's calendar page both change the plan here, so the
file stays the one source of truth: the release's `at` or `cancel` is rewritten with tomlkit
(comments and layout kept), the result is read back by the calendar's own parser before the
atomic write, and nothing else in the file moves.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pipeline import tomledit
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.releases import validate_calendar


def set_release(cfg: Config, file: Path, release_id: str, at: datetime | None = None,
                cancel: bool | None = None) -> bool:
    """Set a release's local time (`at`, naive: the calendar's zone) and/or its `cancel` flag (False removes
    the key). Returns whether the file changed."""
    doc = tomledit.load(file)
    tables = doc.get("release")
    table = None
    for t in tables if isinstance(tables, list) else []:
        if t.get("id", t.get("asset")) == release_id:
            table = t
            break
    if table is None:
        raise PipelineError(f"no release {release_id!r} in {file}", hint="check the id with `webseries publish status`")
    changed = False
    if at is not None:
        if at.tzinfo is not None:
            raise ValueError("`at` is written as the calendar's local time: pass a naive datetime")
        changed |= tomledit.put(table, "at", at.replace(microsecond=0))
    if cancel is not None:
        changed |= tomledit.put(table, "cancel", True if cancel else None)
    if changed:
        tomledit.save(file, doc, lambda data, path: validate_calendar(cfg, data, path))
    return changed
