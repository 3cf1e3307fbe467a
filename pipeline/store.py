"""The project's one SQLite database: what each stage produced, from which inputs.

Stages share state only through files and this store. Schema changes are named
migrations, applied once each in the order listed and recorded in `migrations`;
a stage adds its tables by appending one (name, sql) pair.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.fsutil import sha256_file

MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("core-1", """
    CREATE TABLE file_digests (
        path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL);
    CREATE TABLE stage_outputs (
        stage TEXT NOT NULL, episode TEXT NOT NULL, item TEXT NOT NULL,
        fingerprint TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,
        info TEXT NOT NULL DEFAULT '{}', updated_at TEXT NOT NULL,
        PRIMARY KEY (stage, episode, item));
    """),
    # Subtitle files and their review state: written by subtitles, read by clips and publish.
    # status: generated (machine, untouched) | draft (machine Bambara, needs a person) |
    #         edited (changed by a person since generation) | approved (reviewed for release).
    ("subtitles-1", """
    CREATE TABLE subtitle_tracks (
        asset TEXT NOT NULL, lang TEXT NOT NULL, path TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('generated', 'draft', 'edited', 'approved')),
        generated_sha256 TEXT, approved_sha256 TEXT, route TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (asset, lang));
    """),
    # The release ledger (publish): the source of truth for what was uploaded and scheduled.
    # One row per release x platform; steps (captions per language, thumbnail, playlist) are
    # recorded one by one so a restart never repeats one. Read by metrics for remote ids.
    ("publish-1", """
    CREATE TABLE releases (
        release_id TEXT NOT NULL, platform TEXT NOT NULL, asset TEXT NOT NULL, calendar TEXT NOT NULL,
        publish_at TEXT NOT NULL, file TEXT NOT NULL, file_sha256 TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('planned', 'uploading', 'uploaded', 'scheduled', 'published', 'failed', 'deferred')),
        session TEXT, upload_offset INTEGER NOT NULL DEFAULT 0, upload_size INTEGER NOT NULL DEFAULT 0,
        remote_id TEXT, url TEXT, reason TEXT NOT NULL DEFAULT '', retry_at TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (release_id, platform));
    CREATE TABLE release_steps (
        release_id TEXT NOT NULL, platform TEXT NOT NULL, step TEXT NOT NULL,
        result TEXT NOT NULL, done_at TEXT NOT NULL,
        PRIMARY KEY (release_id, platform, step));
    CREATE TABLE release_events (
        at TEXT NOT NULL, release_id TEXT NOT NULL, platform TEXT NOT NULL, state TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '');
    CREATE TABLE quota_usage (
        platform TEXT NOT NULL, day TEXT NOT NULL, units INTEGER NOT NULL,
        PRIMARY KEY (platform, day));
    """),
    # Metric snapshots (metrics): one row per value per pull, never updated, so growth shows.
    # value NULL = the platform gave nothing (missing_reason says why). Periods are dates (UTC).
    ("metrics-1", """
    CREATE TABLE metric_pulls (
        pull_id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
        requests TEXT NOT NULL DEFAULT '{}', summary TEXT NOT NULL DEFAULT '');
    CREATE TABLE metric_samples (
        pull_id INTEGER NOT NULL REFERENCES metric_pulls(pull_id),
        platform TEXT NOT NULL, source TEXT NOT NULL, release_id TEXT NOT NULL, remote_id TEXT NOT NULL,
        asset TEXT NOT NULL, episode TEXT NOT NULL, metric TEXT NOT NULL,
        dimension TEXT NOT NULL, dimension_value TEXT NOT NULL,
        value REAL, missing_reason TEXT NOT NULL DEFAULT '',
        period_start TEXT NOT NULL, period_end TEXT NOT NULL, pulled_at TEXT NOT NULL);
    CREATE INDEX metric_samples_by_metric ON metric_samples (metric, platform, pulled_at);
    CREATE INDEX metric_samples_by_pull ON metric_samples (pull_id);
    """),
    # Every step of a subtitle track, for `subtitles status`: what happened and when (UTC).
    # event: generated | draft | edited | approved (a review state saved) | template (a template
    # was issued to a translator) | imported (a translator's file was read back).
    ("subtitles-2", """
    CREATE TABLE subtitle_events (
        asset TEXT NOT NULL, lang TEXT NOT NULL, event TEXT NOT NULL, at TEXT NOT NULL,
        sha256 TEXT, detail TEXT NOT NULL DEFAULT '');
    CREATE INDEX subtitle_events_track ON subtitle_events (asset, lang, at);
    """),
    # The studio (`webseries serve`): accounts and their login sessions (pipeline/users.py; only a
    # SHA-256 of each session token is kept), failed logins for the rate limit, the audit trail
    # (pipeline/audit.py: who approved, scheduled, moved, cancelled or imported what), and the jobs
    # the worker runs (pipeline/jobs/: state, progress 0-1, who started it). Times are UTC ISO.
    ("studio-1", """
    CREATE TABLE users (
        name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL, password_changed_at TEXT NOT NULL);
    CREATE TABLE user_sessions (
        token_sha256 TEXT PRIMARY KEY, user TEXT NOT NULL,
        csrf TEXT NOT NULL, created_at TEXT NOT NULL, last_seen TEXT NOT NULL, address TEXT NOT NULL DEFAULT '');
    CREATE TABLE login_failures (at TEXT NOT NULL, user TEXT NOT NULL, address TEXT NOT NULL);
    CREATE INDEX login_failures_at ON login_failures (at);
    CREATE TABLE audit_log (
        entry_id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL,
        action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');
    CREATE INDEX audit_log_target ON audit_log (target, action, at);
    CREATE TABLE jobs (
        job_id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, target TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        progress REAL NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '', started_by TEXT NOT NULL,
        queue_id TEXT NOT NULL DEFAULT '', worker TEXT NOT NULL DEFAULT '', pid INTEGER,
        cancel_requested_by TEXT, created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,
        updated_at TEXT NOT NULL);
    CREATE INDEX jobs_by_state ON jobs (state, created_at);
    """),
    # publish: a release can be cancelled (made private / unscheduled, or deleted) from the calendar.
    # SQLite cannot alter a CHECK constraint, so `releases` is rebuilt with the new state, keeping its rows.
    # release_remote keeps the last read-back of each video (`publish status --refresh`): the platform's
    # own time, privacy and title, shown beside the calendar's (times UTC ISO, read_at when asked).
    ("publish-2", """
    CREATE TABLE releases_new (
        release_id TEXT NOT NULL, platform TEXT NOT NULL, asset TEXT NOT NULL, calendar TEXT NOT NULL,
        publish_at TEXT NOT NULL, file TEXT NOT NULL, file_sha256 TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('planned', 'uploading', 'uploaded', 'scheduled', 'published', 'failed', 'deferred', 'cancelled')),
        session TEXT, upload_offset INTEGER NOT NULL DEFAULT 0, upload_size INTEGER NOT NULL DEFAULT 0,
        remote_id TEXT, url TEXT, reason TEXT NOT NULL DEFAULT '', retry_at TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (release_id, platform));
    INSERT INTO releases_new SELECT release_id, platform, asset, calendar, publish_at, file, file_sha256, state,
        session, upload_offset, upload_size, remote_id, url, reason, retry_at, updated_at FROM releases;
    DROP TABLE releases;
    ALTER TABLE releases_new RENAME TO releases;
    CREATE TABLE release_remote (
        release_id TEXT NOT NULL, platform TEXT NOT NULL, read_at TEXT NOT NULL, found INTEGER NOT NULL,
        privacy TEXT NOT NULL DEFAULT '', publish_at TEXT, published INTEGER NOT NULL DEFAULT 0,
        title TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (release_id, platform));
    """),
    # The evaluation report (metrics): viewers' comments (one row per comment or reply, updated at each
    # pull: text, like count, whether the channel/Page answered; removed_at when it disappeared; the
    # author only as a salted hash, never a name or profile id), field records imported from facilitators'
    # sheets (kind screening | broadcast; row_key = digest of the row, so a second import adds nothing)
    # and pre/post survey responses (only the mapped fields; response_key = Kobo's _uuid or a digest).
    ("evaluation-1", """
    CREATE TABLE comments (
        platform TEXT NOT NULL, comment_id TEXT NOT NULL, remote_id TEXT NOT NULL, release_id TEXT NOT NULL,
        asset TEXT NOT NULL, episode TEXT NOT NULL, parent_id TEXT NOT NULL DEFAULT '',
        published_at TEXT NOT NULL, text TEXT NOT NULL, lang TEXT NOT NULL, question INTEGER NOT NULL,
        likes INTEGER NOT NULL DEFAULT 0, answered INTEGER NOT NULL DEFAULT 0, by_us INTEGER NOT NULL DEFAULT 0,
        author_key TEXT NOT NULL DEFAULT '', hidden INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, removed_at TEXT,
        PRIMARY KEY (platform, comment_id));
    CREATE INDEX comments_by_episode ON comments (episode, published_at);
    CREATE TABLE field_records (
        kind TEXT NOT NULL, row_key TEXT NOT NULL, day TEXT NOT NULL, episodes TEXT NOT NULL,
        data TEXT NOT NULL, source TEXT NOT NULL, imported_at TEXT NOT NULL,
        PRIMARY KEY (kind, row_key));
    CREATE TABLE survey_responses (
        response_key TEXT PRIMARY KEY, wave TEXT NOT NULL CHECK (wave IN ('pre', 'post')),
        respondent TEXT NOT NULL DEFAULT '', sex TEXT NOT NULL, age_group TEXT NOT NULL, region TEXT NOT NULL,
        answers TEXT NOT NULL, submitted_at TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, imported_at TEXT NOT NULL);
    """),
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class OutputRecord:
    stage: str
    episode: str
    item: str
    fingerprint: str
    path: Path
    size: int
    info: dict[str, Any]
    updated_at: datetime

    def still_valid(self, fingerprint: str) -> bool:
        """Same inputs and settings, and the file is still there, whole."""
        try:
            return self.fingerprint == fingerprint and self.path.stat().st_size == self.size
        except OSError:
            return False


def damaged(path: Path, why: str) -> PipelineError:
    """The database exists but is not one SQLite can use: said so, and how to get the history back."""
    return PipelineError(
        f"the project database {path} is damaged ({why}); it was left exactly as it is",
        hint=f"restore it from a backup, or recover what it holds: sqlite3 {path} \".recover\" | sqlite3 "
             f"{path.with_name('recovered.sqlite3')} (then move the damaged file aside and put the recovered one "
             f"in its place); moving it aside alone starts an empty one, without the release ledger")


def _size(path: Path) -> int | None:
    """The database file's size; None when there is no file yet. Never opens the file: closing any
    descriptor of it would drop the locks SQLite holds on it in this process (POSIX locks belong to
    the process), and another program closing the database would then delete the WAL under our
    connections, losing what they write (SQLite's "How to corrupt", section 2.2)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PipelineError(f"cannot read the project database {path}: {exc.strerror}",
                            hint="check the file's permissions, or set project.database in config.toml") from None


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._refuse_empty(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30)
            self._wal()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "readonly" in str(exc) or "unable to open" in str(exc):
                raise PipelineError(f"cannot open the project database {path}: {exc}",
                                    hint="check the folder is writable and no other program holds the "
                                         "database, or set project.database in config.toml") from None
            why = "it is not an SQLite database" if "not a database" in str(exc) else str(exc)
            raise damaged(path, why) from None
        except (sqlite3.Error, OSError) as exc:
            raise PipelineError(f"cannot open the project database {path}: {exc}",
                                hint="check the folder is writable, or set project.database in config.toml") from None

    @staticmethod
    def _refuse_empty(path: Path) -> None:
        """An empty file is never opened: SQLite would start a new database in it, and a project's
        history lost that way (a disk that filled up, a bad copy) would not be noticed. It may be one
        another command is creating this instant (subtitles started beside a transcode): it gets 2 s.
        A file that is not SQLite at all is refused by SQLite itself before anything is written."""
        wal = path.with_name(path.name + "-wal")  # a WAL beside an empty file: SQLite is creating it
        for _ in range(40):
            size = _size(path)
            if size is None or size > 0 or wal.exists():
                return
            time.sleep(0.05)
        raise damaged(path, "the file is empty: 0 bytes")

    def _wal(self) -> None:
        """WAL mode (readers never block the writer). Switching needs the file alone, and SQLite answers
        "locked" at once rather than waiting: commands opening a new project together take turns (30 s)."""
        for attempt in range(600):
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 599:
                    raise
                time.sleep(0.05)

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {row[0] for row in self.db.execute("SELECT name FROM migrations")}
        for name, script in MIGRATIONS:
            if name in done:
                continue
            try:  # IMMEDIATE: a second command migrating at the same moment waits for this one
                self.db.executescript(f"BEGIN IMMEDIATE; {script}; "
                                      f"INSERT INTO migrations VALUES ('{name}', '{utcnow().isoformat()}'); COMMIT;")
            except sqlite3.OperationalError:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if not self.db.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                    raise
                # the other command applied this one while we waited: nothing to do

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def file_digest(self, path: Path) -> str:
        """SHA-256 of a file, re-read only when its size or modification time changed."""
        st = path.stat()
        key = str(path.resolve())
        row = self.db.execute("SELECT size, mtime_ns, sha256 FROM file_digests WHERE path=?", (key,)).fetchone()
        if row and row[0] == st.st_size and row[1] == st.st_mtime_ns:
            return row[2]
        digest = sha256_file(path)
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO file_digests VALUES (?,?,?,?)",
                            (key, st.st_size, st.st_mtime_ns, digest))
        return digest

    def output(self, stage: str, episode: str, item: str) -> OutputRecord | None:
        row = self.db.execute(
            "SELECT fingerprint, path, size, info, updated_at FROM stage_outputs "
            "WHERE stage=? AND episode=? AND item=?", (stage, episode, item)).fetchone()
        if not row:
            return None
        return OutputRecord(stage, episode, item, row[0], Path(row[1]), row[2], json.loads(row[3]),
                            datetime.fromisoformat(row[4]))

    def record_output(self, stage: str, episode: str, item: str, fingerprint: str, path: Path,
                      info: dict[str, Any] | None = None) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO stage_outputs VALUES (?,?,?,?,?,?,?,?)",
                (stage, episode, item, fingerprint, str(path), path.stat().st_size,
                 json.dumps(info or {}, sort_keys=True), utcnow().isoformat()))
