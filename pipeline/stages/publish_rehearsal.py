"""`webseries publish ... --emulator`: rehearse your own calendar on a local emulator, no account needed.

The real calendars, media and subtitle approvals; a rehearsal database beside the real one
(build/publish-rehearsal/rehearsal.sqlite3, so the real ledger never holds an emulated id); an
emulator started for the command, whose platforms' state is saved beside that database
(emulator-state.json). Successive commands — upload, a move, status --refresh, cancel — act on
the same emulated videos until `webseries publish rehearsal --reset`.

A rehearsal never writes your calendars: it reads copies (build/publish-rehearsal/calendars/),
and the moves and cancels rehearsed there are kept in changes.json and laid over fresh copies
at the next command, so edits you make to the real files reach the rehearsal too.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline import schedule_edit
from pipeline.captions import review
from pipeline.config import Config
from pipeline.fsutil import write_text_atomic
from pipeline.releases import calendars
from pipeline.platforms.emulator import Emulator
from pipeline.stages.publish import publish_lock
from pipeline.stages.publish_demo import demo_config, demo_session, emulator_summary
from pipeline.store import Store

FOLDER = "publish-rehearsal"
STATE_FILE = "emulator-state.json"
CHANGES_FILE = "changes.json"


@dataclass(frozen=True)
class Rehearsal:
    cfg: Config              # the project's config with the platforms at the emulator and the rehearsal database
    emulator: Emulator
    quota_before: int        # YouTube units the emulator had counted before this command
    notes: tuple[str, ...]   # what differs from a real run (a stand-in Facebook Page...)
    files: list[str] | None  # the rehearsal's copies of the calendar files named on the command line

    def summary(self) -> str:
        return emulator_summary(self.cfg, self.emulator, self.quota_before)


def folder(cfg: Config) -> Path:
    return cfg.project.build_dir / FOLDER


def rehearsal_config(cfg: Config, url: str, tokens: Path) -> Config:
    """The demo's emulator endpoints and throw-away tokens; the rehearsal's database and calendar copies."""
    dcfg = demo_config(cfg, url, tokens)
    project = dataclasses.replace(cfg.project, database=folder(cfg) / "rehearsal.sqlite3",
                                  schedules_dir=folder(cfg) / "calendars")
    return dataclasses.replace(dcfg, project=project)


@contextmanager
def rehearsal(cfg: Config, files: list[str] | None = None) -> Iterator[Rehearsal]:
    """A running emulator holding what the previous rehearsal commands left, saved again on the way out."""
    state_file = folder(cfg) / STATE_FILE
    with demo_session(cfg, rehearsal_config, fresh=False) as (emu, rcfg), publish_lock(rcfg, "rehearsal"):
        originals = _copy_calendars(cfg, rcfg, files)
        if state_file.is_file():
            emu.state.load_json(state_file.read_text(encoding="utf-8"))
        notes = []
        if not cfg.publish.facebook.page_id:
            notes.append("[publish.facebook] page_id is empty in config.toml: this rehearsal uses a stand-in Page; "
                         "set it before the real upload (`webseries publish check` says so)")
        if cfg.project.database.exists():  # the subtitle approvals, as they are now
            with Store(cfg.project.database) as project, Store(rcfg.project.database) as store:
                for asset in sorted({t.asset for t in review.all_tracks(project)}):
                    review.copy_tracks(project, store, asset)
        copies = [str(rcfg.project.schedules_dir / Path(f).name) for f in files] if files else None
        try:
            yield Rehearsal(rcfg, emu, emu.state.yt_quota_used, tuple(notes), copies)
        finally:
            write_text_atomic(state_file, emu.state.to_json())
            _save_changes(cfg, rcfg, originals)


def _copy_calendars(cfg: Config, rcfg: Config, files: list[str] | None) -> dict[str, Path]:
    """Fresh copies of the real calendars (and the files named), with the rehearsal's own moves and cancels."""
    dst = rcfg.project.schedules_dir
    if dst.is_dir():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    originals: dict[str, Path] = {}
    sources = sorted(cfg.project.schedules_dir.glob("*.toml")) + (calendars(cfg, files) if files else [])
    for src in sources:
        shutil.copy(src, dst / src.name)
        originals[src.name] = src
    changes = _changes(cfg)
    for name, releases in changes.items():
        for rid, change in releases.items():
            if name in originals:
                at = datetime.fromisoformat(change["at"]) if change.get("at") else None
                schedule_edit.set_release(rcfg, dst / name, rid, at=at, cancel=change.get("cancel"))
    return originals


def _changes(cfg: Config) -> dict[str, dict[str, dict]]:
    path = folder(cfg) / CHANGES_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _save_changes(cfg: Config, rcfg: Config, originals: dict[str, Path]) -> None:
    """What the rehearsal's copies say differently from the real calendars (`at`, `cancel`), per release."""
    out: dict[str, dict[str, dict]] = {}
    for name, src in originals.items():
        copy = rcfg.project.schedules_dir / name
        if not (copy.is_file() and src.is_file()):
            continue
        real = {_rid(r): r for r in tomllib.loads(src.read_text(encoding="utf-8")).get("release", [])}
        for r in tomllib.loads(copy.read_text(encoding="utf-8")).get("release", []):
            before = real.get(_rid(r), {})
            change = {}
            if r.get("at") != before.get("at"):
                change["at"] = r["at"].isoformat() if isinstance(r.get("at"), datetime) else r.get("at")
            if bool(r.get("cancel")) != bool(before.get("cancel")):
                change["cancel"] = bool(r.get("cancel"))
            if change:
                out.setdefault(name, {})[_rid(r)] = change
    write_text_atomic(folder(cfg) / CHANGES_FILE, json.dumps(out, indent=1))


def _rid(release: dict) -> str:
    return str(release.get("id", release.get("asset")))


def reset(cfg: Config) -> Path:
    """Forget every rehearsal: its database and the emulated platforms' state."""
    path = folder(cfg)
    if path.is_dir():
        shutil.rmtree(path)
    return path
