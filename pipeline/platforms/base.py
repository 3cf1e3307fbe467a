"""One Publisher protocol for every platform, and the errors the publish stage acts on.

A publisher does one platform call per method and never decides what to do next: the
release ledger (pipeline/platforms/ledger.py) remembers what is done, so a crash between
any two calls is resumed without doing anything twice.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from pipeline.errors import PipelineError


@dataclass(frozen=True)
class VideoUpload:
    """What one platform receives for one release (texts already checked against its limits)."""

    release_id: str
    file: Path
    title: str
    description: str
    tags: tuple[str, ...]
    publish_at: datetime   # aware; the platform publishes at this time
    privacy: str           # final privacy once published: public | unlisted | private
    language: str = "fr"
    vertical: bool = False


@dataclass(frozen=True)
class UploadProgress:
    """Where a resumable upload stands: persisted after every chunk."""

    session: str
    offset: int
    size: int


@dataclass(frozen=True)
class RemoteVideo:
    remote_id: str
    url: str


@dataclass(frozen=True)
class RemoteStatus:
    published: bool
    detail: str = ""


class Publisher(Protocol):
    """A platform: upload (scheduled at publish_at) then attach captions, thumbnail, playlist."""

    name: str

    def upload(self, video: VideoUpload, resume: UploadProgress | None,
               on_progress: Callable[[UploadProgress], None]) -> RemoteVideo:
        """Upload (resuming `resume` when given) and schedule; returns the remote video."""

    def find_caption(self, remote_id: str, lang: str) -> str | None:
        """The id of an already attached caption track in `lang`, if any (crash recovery)."""

    def add_caption(self, remote_id: str, lang: str, path: Path) -> str:
        """Attach a subtitle file; returns what was attached (a track id or locale)."""

    def set_thumbnail(self, remote_id: str, path: Path) -> None:
        """Set the thumbnail (idempotent: setting twice replaces)."""

    def find_in_playlist(self, remote_id: str, playlist: str) -> str | None:
        """The playlist item holding the video, if already added."""

    def add_to_playlist(self, remote_id: str, playlist: str) -> str:
        """Add the video to a playlist; returns the playlist item id."""

    def status(self, remote_id: str) -> RemoteStatus:
        """Whether the platform has published the video yet."""


class AuthError(PipelineError):
    """The token is missing, expired or revoked: the hint names the command that fixes it."""


class QuotaExceeded(PipelineError):
    """The platform's daily quota is spent; retry at `retry_at` (aware UTC)."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message, hint=f"the job is deferred to {retry_at.isoformat()} (after the daily reset)")
        self.retry_at = retry_at


class PlatformError(PipelineError):
    """The platform refused a request for a reason retrying will not fix."""


class TransientError(PipelineError):
    """A 5xx, a lost connection or throttling that did not clear after every retry."""


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter, as Google and Meta both recommend."""

    attempts: int = 6
    base: float = 1.0
    cap: float = 64.0

    def delays(self) -> list[float]:
        return [random.uniform(0, min(self.cap, self.base * 2 ** i)) for i in range(self.attempts - 1)]

    def run(self, what: str, call: Callable[[], object], transient: Callable[[BaseException], bool],
            on_retry: Callable[[str], None] | None = None) -> object:
        """Call until it succeeds; transient failures wait and retry, the last one raises TransientError."""
        delays = self.delays()
        for attempt in range(self.attempts):
            try:
                return call()
            except Exception as exc:  # noqa: BLE001 - classified just below
                if not transient(exc):
                    raise
                if attempt == self.attempts - 1:
                    raise TransientError(f"{what} failed {self.attempts} times: {_short(exc)}",
                                         hint="the platform or the network is unwell; `webseries publish upload` "
                                              "again resumes where it stopped") from exc
                if on_retry:
                    on_retry(f"{what}: {_short(exc)}; retrying in {delays[attempt]:.1f} s")
                time.sleep(delays[attempt])
        raise AssertionError("unreachable")


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"
