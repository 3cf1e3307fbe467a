"""The audit trail: who approved, scheduled, moved, cancelled or imported what, and when.

Every studio action calls `record(store, user, action, target, detail)`; pages show the last
entry where it matters ("approuvé par Awa, 12/01 10:32", `describe`). Targets are strings
built by `target(kind, *ids)`, e.g. target("subtitles", "ep01", "bm") == "subtitles:ep01:bm",
target("episode", "ep01"), target("release", "ep01-yt", "youtube"), target("job", "12").
Rows are appended, never changed (table `audit_log`, migration "studio-1"). Times are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.store import Store, utcnow

ACTIONS: dict[str, str] = {  # action -> French past participle, for "approuvé par Awa"
    "approve": "approuvé",
    "schedule": "programmé",
    "move": "déplacé",
    "cancel": "annulé",
    "import": "importé",
    "create": "créé",
    "edit": "modifié",
    "start": "lancé",
    "login": "connecté",
    "logout": "déconnecté",
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    user: str
    action: str
    target: str
    detail: str

    def describe(self, zone: ZoneInfo) -> str:
        """"approuvé par Awa, 12/01 10:32" in the project's zone."""
        when = self.at.astimezone(zone).strftime("%d/%m %H:%M")
        return f"{ACTIONS.get(self.action, self.action)} par {self.user}, {when}"


def target(kind: str, *ids: str) -> str:
    return ":".join((kind, *ids))


def record(store: Store, user: str, action: str, target: str, detail: str = "") -> Entry:
    now = utcnow()
    with store.db:
        store.db.execute("INSERT INTO audit_log (at, user, action, target, detail) VALUES (?,?,?,?,?)",
                         (now.isoformat(), user, action, target, detail))
    return Entry(now, user, action, target, detail)


def _entries(rows: list[tuple]) -> list[Entry]:
    return [Entry(datetime.fromisoformat(r[0]), r[1], r[2], r[3], r[4]) for r in rows]


def latest(store: Store, target: str, action: str | None = None) -> Entry | None:
    """The last entry for a target (of one action if given), e.g. who approved a subtitle file."""
    sql = "SELECT at, user, action, target, detail FROM audit_log WHERE target=?"
    args: tuple = (target,)
    if action:
        sql, args = sql + " AND action=?", (target, action)
    found = _entries(store.db.execute(sql + " ORDER BY entry_id DESC LIMIT 1", args).fetchall())
    return found[0] if found else None


def history(store: Store, target_prefix: str = "", limit: int = 200) -> list[Entry]:
    """Newest first; `target_prefix` such as "episode:ep01" or "subtitles:ep01:" narrows it."""
    rows = store.db.execute("SELECT at, user, action, target, detail FROM audit_log WHERE target LIKE ? ESCAPE '\\' "
                            "ORDER BY entry_id DESC LIMIT ?",
                            (_like_prefix(target_prefix), limit)).fetchall()
    return _entries(rows)


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
