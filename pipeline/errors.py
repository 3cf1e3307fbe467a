"""Errors a user can act on.

Library code raises these; only `pipeline.cli` prints them and exits. Anything
else that escapes is a bug and is reported as one.
"""

from __future__ import annotations


class PipelineError(Exception):
    """An expected problem: one line saying what is wrong, one saying what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(PipelineError):
    """config.toml or an episode manifest is invalid; `problems` lists every one."""

    def __init__(self, problems: list[str], hint: str | None = None) -> None:
        head = problems[0] if len(problems) == 1 else f"{len(problems)} problems found"
        super().__init__(head, hint)
        self.problems = problems


class MediaError(PipelineError):
    """A media file is missing, unreadable, or ffmpeg failed on it."""


class ToolMissingError(PipelineError):
    """A required external program (ffmpeg, ffprobe, espeak-ng) is not installed."""
