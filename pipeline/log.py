"""Log lines carry their stage's name: `[transcode] ep03: ...`. Progress bars go to stderr."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def progress_bar(label: str, total: float, enabled: bool = True) -> Iterator:
    """A seconds-based bar; returns a callback taking 'seconds done' (ffmpeg's out_time)."""
    bar = tqdm(total=round(total, 1), desc=label, unit="s", disable=not enabled or None, leave=False,
               bar_format="{desc} {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]")

    def update(seconds: float) -> None:
        bar.update(round(min(seconds, total), 1) - bar.n)

    try:
        yield update
    finally:
        bar.close()
