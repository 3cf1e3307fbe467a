"""One run at a time writes an episode's files for a stage; a second is refused, never destructive.

Two `webseries transcode ep01 --force` at once (two terminals, or the studio and a terminal)
would each render into the same folder, and the second would clear the first's live
temporaries. The stage functions take a lock first (`@locked("transcode")`): an OS lock
(fcntl) on build/<episode>/.<stage>.lock, freed by the OS when the holder ends, even killed. The
file says who holds it, so the refusal names the process and when it started. A stage that
calls another on the same episode in the same process (template making a draft) is let through.
"""

from __future__ import annotations

import fcntl
import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.paths import TRAILER
from pipeline.store import utcnow

F = TypeVar("F", bound=Callable[..., Any])
_held = threading.local()  # lock files this thread holds: a nested call on them is let through


def lock_path(cfg: Config, asset: str, stage: str) -> Path:
    episode = TRAILER if asset == TRAILER else asset.split("-clip", 1)[0]
    return cfg.project.build_dir / episode / f".{stage}.lock"


def _holder(text: str, cfg: Config) -> str:
    fields = dict(part.split("=", 1) for part in text.split() if "=" in part)
    pid, started = fields.get("pid", "?"), fields.get("started", "")
    try:
        since = datetime.fromisoformat(started).astimezone(cfg.project.zone).strftime("%d/%m %H:%M:%S %Z")
    except ValueError:
        since = "an unknown time"
    return f"pid {pid}, started {since}"


@contextmanager
def episode_lock(cfg: Config, asset: str, stage: str, command: str | None = None) -> Iterator[None]:
    """Hold the (episode, stage) lock for the block; refuse at once if another process holds it."""
    path = lock_path(cfg, asset, stage)
    held: set[Path] = getattr(_held, "paths", set())
    if path in held:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            raise PipelineError(f"{asset}: another `webseries {command or stage}` is writing its files "
                                f"({_holder(fh.read(), cfg)})",
                                hint="let it finish (or stop that process), then run this again") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid={os.getpid()} started={utcnow().isoformat()} stage={stage}\n")
        fh.flush()
        _held.paths = held | {path}
        try:
            yield
        finally:
            _held.paths = held


def locked(stage: str, command: str | None = None) -> Callable[[F], F]:
    """Decorate a stage function `f(cfg, store, episode_or_asset, ...)` to run under its episode's lock."""
    def wrap(func: F) -> F:
        @functools.wraps(func)
        def run(cfg: Config, store: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
            with episode_lock(cfg, target if isinstance(target, str) else target.id, stage, command):
                return func(cfg, store, target, *args, **kwargs)
        return run  # type: ignore[return-value]
    return wrap
