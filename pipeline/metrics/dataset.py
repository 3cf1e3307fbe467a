"""The one metrics dataset: dated snapshot rows in SQLite, never updated, and its CSV form.

Every pull appends rows under a new pull_id; nothing is overwritten, so the same metric
pulled on two dates shows its growth. A value the platform did not give is a row with
value NULL and a reason, so "zero" and "unknown" never get confused.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import astuple, dataclass, fields
from datetime import date, datetime

from pipeline.store import Store, utcnow

TOTAL = "total"   # dimension of a whole-period value


@dataclass(frozen=True)
class PostedVideo:
    """A published (or scheduled) release on one platform, as the ledger knows it."""

    platform: str
    release_id: str
    remote_id: str
    asset: str
    publish_at: datetime
    url: str = ""

    @property
    def reel(self) -> bool:
        """A Facebook Reel (vertical clips go up as Reels): Meta measures those with other metrics."""
        return "/reel/" in self.url

    @property
    def episode(self) -> str:
        """The episode an asset belongs to ("ep01-vote-clip2" -> "ep01-vote"; the trailer is its own)."""
        return self.asset.split("-clip", 1)[0]

    @property
    def kind(self) -> str:
        return "trailer" if self.asset == "trailer" else "clip" if "-clip" in self.asset else "episode"


@dataclass(frozen=True)
class MetricSample:
    """One value (or one missing value) of the dataset. `value` None = missing, see missing_reason."""

    platform: str
    source: str
    release_id: str
    remote_id: str
    asset: str
    episode: str
    metric: str
    dimension: str
    dimension_value: str
    value: float | None
    missing_reason: str
    period_start: str     # YYYY-MM-DD (UTC), "" when the platform gives no start (lifetime)
    period_end: str
    pulled_at: str        # ISO 8601 UTC


COLUMNS = tuple(f.name for f in fields(MetricSample))
ALL = "*"   # release_id/remote_id/asset of a value covering every pulled video together


def sample(t: PostedVideo | None, platform: str, source: str, metric: str, value: float | None, *, reason: str = "",
           dimension: str = TOTAL, dimension_value: str = "", start: date | None = None, end: date,
           pulled_at: datetime) -> MetricSample:
    """A row for one video (or, with t None, for all pulled videos of a platform together)."""
    return MetricSample(platform, source, t.release_id if t else ALL, t.remote_id if t else ALL,
                        t.asset if t else ALL, t.episode if t else ALL, metric, dimension, dimension_value,
                        None if value is None else float(value), reason if value is None else "",
                        start.isoformat() if start else "", end.isoformat(), pulled_at.isoformat())


def begin_pull(store: Store) -> int:
    with store.db:
        cur = store.db.execute("INSERT INTO metric_pulls (started_at) VALUES (?)", (utcnow().isoformat(),))
    return int(cur.lastrowid)


def write(store: Store, pull_id: int, samples: list[MetricSample]) -> None:
    """Append one platform's rows in one transaction: a failed platform leaves no half set."""
    with store.db:
        store.db.executemany(f"INSERT INTO metric_samples (pull_id, {', '.join(COLUMNS)}) "
                             f"VALUES (?, {', '.join('?' * len(COLUMNS))})",
                             [(pull_id, *astuple(s)) for s in samples])


def finish_pull(store: Store, pull_id: int, requests: dict[str, int], summary: str) -> None:
    with store.db:
        store.db.execute("UPDATE metric_pulls SET finished_at=?, requests=?, summary=? WHERE pull_id=?",
                         (utcnow().isoformat(), json.dumps(requests, sort_keys=True), summary, pull_id))


def last_pull(store: Store) -> tuple[int, datetime] | None:
    row = store.db.execute("SELECT pull_id, finished_at FROM metric_pulls WHERE finished_at IS NOT NULL "
                           "ORDER BY pull_id DESC LIMIT 1").fetchone()
    return (row[0], datetime.fromisoformat(row[1])) if row else None


def pulls(store: Store) -> list[tuple[int, str, str, dict, str]]:
    return [(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in store.db.execute(
        "SELECT pull_id, started_at, finished_at, requests, summary FROM metric_pulls "
        "WHERE finished_at IS NOT NULL ORDER BY pull_id")]


def query(store: Store, since: date | None = None, until: date | None = None,
          episode: str | None = None) -> list[MetricSample]:
    """Rows of finished pulls; since/until filter on the pull date, episode on the episode (and clips)."""
    sql = (f"SELECT {', '.join('s.' + c for c in COLUMNS)} FROM metric_samples s "
           "JOIN metric_pulls p USING (pull_id) WHERE p.finished_at IS NOT NULL")
    where, args = between("s.pulled_at", since, until)
    sql += where
    if episode:
        sql += " AND (s.episode = ? OR s.episode = ?)"
        args += [episode, ALL]
    sql += " ORDER BY s.pulled_at, s.platform, s.asset, s.metric, s.dimension, s.dimension_value"
    return [MetricSample(*r) for r in store.db.execute(sql, args)]


def between(column: str, since: date | None, until: date | None) -> tuple[str, list[object]]:
    """SQL (" AND ...") and its arguments keeping rows whose ISO time `column` falls on since..until (UTC days)."""
    sql, args = "", []
    if since:
        sql += f" AND substr({column}, 1, 10) >= ?"
        args.append(since.isoformat())
    if until:
        sql += f" AND substr({column}, 1, 10) <= ?"
        args.append(until.isoformat())
    return sql, args


def to_csv(rows: list[MetricSample]) -> str:
    """Tidy CSV: one value per line; an empty value cell means missing (see missing_reason)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow(["" if v is None else (_num(v) if isinstance(v, float) else v) for v in astuple(r)])
    return buf.getvalue()


def _num(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:.12g}"
