"""Viewers' comments in the project database: what was said, where, whether it asks and was answered.

Each pull reads every comment and reply of the published videos (comment_sources.py) and
updates this table: text, like count and "answered" change; a comment that a complete read
no longer returns is marked removed (deleted by its author or the moderators), never erased.
No name or profile id is stored: authors are a salted hash (feedback.author_key).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields, replace
from datetime import date, datetime

from pipeline.metrics import feedback
from pipeline.metrics.dataset import PostedVideo, between
from pipeline.store import Store


@dataclass(frozen=True)
class Comment:
    platform: str
    comment_id: str
    remote_id: str          # the video it is under
    release_id: str
    asset: str
    episode: str
    parent_id: str          # "" for a top-level comment; the thread's comment for a reply
    published_at: str       # ISO 8601 UTC
    text: str
    lang: str               # fr | bm | other (feedback.language)
    question: bool
    likes: int
    answered: bool          # top-level: the channel or Page replied to it
    by_us: bool             # written by the channel or Page itself
    author_key: str         # salted hash, "" when the platform does not say
    hidden: bool            # hidden by the Page / held for review: not counted, not listed


COLUMNS = tuple(f.name for f in fields(Comment))


@dataclass(frozen=True)
class Stored:
    comment: Comment
    first_seen: str
    removed_at: str | None


def make(video: PostedVideo, comment_id: str, parent_id: str, published: datetime, text: str, likes: int,
         by_us: bool, author_key: str, hidden: bool = False) -> Comment:
    text = text.strip()
    return Comment(video.platform, comment_id, video.remote_id, video.release_id, video.asset, video.episode,
                   parent_id, published.isoformat(), text, feedback.language(text),
                   not by_us and not parent_id and feedback.is_question(text), int(likes or 0), False, by_us,
                   author_key, hidden)


def with_answers(comments: list[Comment]) -> list[Comment]:
    """Top-level comments the channel or Page replied to are answered."""
    answered = {c.parent_id for c in comments if c.parent_id and c.by_us}
    return [replace(c, answered=True) if not c.parent_id and c.comment_id in answered else c for c in comments]


def save(store: Store, comments: list[Comment], complete: Iterable[tuple[str, str]], now: datetime) -> int:
    """Upsert one pull's comments; those of fully read videos ((platform, remote_id)) not seen are removed.
    Returns how many comments are new."""
    stamp = now.isoformat()
    cols = ", ".join(COLUMNS)
    changing = [c for c in COLUMNS if c not in ("platform", "comment_id", "published_at")]
    with store.db:
        before = store.db.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
        store.db.executemany(
            f"INSERT INTO comments ({cols}, first_seen, last_seen) VALUES ({', '.join('?' * len(COLUMNS))}, ?, ?) "
            f"ON CONFLICT (platform, comment_id) DO UPDATE SET "
            + ", ".join(f"{c}=excluded.{c}" for c in changing) + ", last_seen=excluded.last_seen, removed_at=NULL",
            [(*_row(c), stamp, stamp) for c in comments])
        for platform, remote_id in complete:
            store.db.execute("UPDATE comments SET removed_at=? WHERE platform=? AND remote_id=? AND last_seen<? "
                             "AND removed_at IS NULL", (stamp, platform, remote_id, stamp))
        after = store.db.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
    return after - before


def _row(c: Comment) -> tuple:
    return tuple(int(v) if isinstance(v, bool) else v for v in astuple(c))


def load(store: Store, episode: str | None = None, since: date | None = None, until: date | None = None,
         include_removed: bool = False) -> list[Stored]:
    """Comments (and replies) by publication date (UTC day), oldest first."""
    where, args = between("published_at", since, until)
    sql = f"SELECT {', '.join(COLUMNS)}, first_seen, removed_at FROM comments WHERE 1=1" + where
    if episode:
        sql += " AND episode=?"
        args.append(episode)
    if not include_removed:
        sql += " AND removed_at IS NULL"
    out = []
    for row in store.db.execute(sql + " ORDER BY published_at, platform, comment_id", args):
        values = list(row[:len(COLUMNS)])
        for i, name in enumerate(COLUMNS):
            if name in ("question", "answered", "by_us", "hidden"):
                values[i] = bool(values[i])
        out.append(Stored(Comment(*values), row[-2], row[-1]))
    return out


def viewers(rows: list[Stored]) -> list[Comment]:
    """What viewers wrote and everyone can see: not the channel's or Page's own, not hidden."""
    return [s.comment for s in rows if not s.comment.by_us and not s.comment.hidden]


def unanswered(rows: list[Stored]) -> list[Comment]:
    """Viewers' questions nobody from the team has replied to, oldest first."""
    return [c for c in viewers(rows) if c.question and not c.answered and not c.parent_id]
