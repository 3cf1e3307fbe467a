"""[studio]: the web studio (`webseries serve`) and its job queue.

The queue's broker address may also come from $WEBSERIES_REDIS_URL (it wins, see `effective`),
so a second machine can join without editing the shared config.toml.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.tomlread import Reader

REDIS_ENV = "WEBSERIES_REDIS_URL"


@dataclass(frozen=True)
class StudioConfig:
    redis_url: str            # "" = the embedded SQLite queue (one machine); redis://host:6379/0 = shared broker
    queue_name: str           # one queue per project when several share a Redis
    queue_file: Path          # the embedded queue's own SQLite file
    workers: int              # jobs one `webseries worker` runs at once (1: one heavy job per machine)
    session_hours: float      # a login lasts this long after the last page seen
    max_upload_mb: float      # larger request bodies are refused (413) before they are read
    login_failures_per_user: int      # failed logins allowed per account per `login_window_minutes`
    login_failures_per_address: int   # ... and per client address
    login_window_minutes: int

    def effective(self) -> StudioConfig:
        """These settings with $WEBSERIES_REDIS_URL applied (read at each call: workers set it late)."""
        env = os.environ.get(REDIS_ENV)
        return replace(self, redis_url=env) if env else self


def parse(r: Reader, build_dir: Path) -> StudioConfig:
    s = StudioConfig(
        redis_url=r.str("redis_url", ""),
        queue_name=r.str("queue_name", "webseries"),
        queue_file=build_dir / "studio-queue.sqlite3",
        workers=r.int("workers", 1, lo=1, hi=16),
        session_hours=r.float("session_hours", 12.0, lo=0.1, hi=24 * 30),
        max_upload_mb=r.float("max_upload_mb", 50.0, lo=0.1, hi=4096),
        login_failures_per_user=r.int("login_failures_per_user", 5, lo=1),
        login_failures_per_address=r.int("login_failures_per_address", 20, lo=1),
        login_window_minutes=r.int("login_window_minutes", 15, lo=1),
    )
    if s.redis_url and not str(s.redis_url).startswith(("redis://", "rediss://", "unix://")):
        r.problem("redis_url", f"expected redis://HOST:PORT/DB, got {s.redis_url!r}")
    return s
