"""Log lines carry their stage's name: `[transcode] ep03: ...`. Progress bars go to stderr.

A studio job watches the same progress as the terminal bar: `observe_progress(callback)`
makes every `progress_bar` opened inside it (in this thread) also call
callback(label, seconds_done, total_seconds), even when the bar itself is hidden.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from tqdm import tqdm


def setup(verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("pipeline")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False


class StageLog(logging.LoggerAdapter):
    def process(self, msg, kwargs):  # type: ignore[no-untyped-def]
        return f"[{self.extra['stage']}] {msg}", kwargs


def stage_logger(stage: str) -> StageLog:
    return StageLog(logging.getLogger(f"pipeline.{stage}"), {"stage": stage})


ProgressObserver = Callable[[str, float, float], None]  # (label, seconds done, total seconds)
_observer: ContextVar[ProgressObserver | None] = ContextVar("progress_observer", default=None)


@contextmanager
def observe_progress(callback: ProgressObserver) -> Iterator[None]:
    """Send every progress bar opened inside this block to `callback` too (a job's progress)."""
    token = _observer.set(callback)
    try:
        yield
    finally:
        _observer.reset(token)


@contextmanager
def progress_bar(label: str, total: float, enabled: bool = True) -> Iterator:
    """A seconds-based bar; returns a callback taking 'seconds done' (ffmpeg's out_time)."""
    bar = tqdm(total=round(total, 1), desc=label, unit="s", disable=not enabled or None, leave=False,
               bar_format="{desc} {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]")
    observer = _observer.get()
    if observer:
        observer(label, 0.0, total)

    def update(seconds: float) -> None:
        bar.update(round(min(seconds, total), 1) - bar.n)
        if observer:
            observer(label, min(seconds, total), total)

    try:
        yield update
    finally:
        bar.close()
