"""One Publisher protocol for every platform, and the errors the publish stage acts on.

A publisher does one platform call per method and never decides what to do next: the
release ledger (pipeline/ledger.py) remembers what is done, so a crash between
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
class RemoteState:
    """A video as the platform itself reports it (read back, never assumed from the ledger)."""

    found: bool
    privacy: str = ""                   # public | private | unlisted (YouTube); published | scheduled | draft (Facebook)
    publish_at: datetime | None = None  # the platform's own scheduled time, while it is not out
    published: bool = False             # out: anyone can see it
    title: str = ""
    detail: str = ""


@dataclass(frozen=True)
class AccountInfo:
    """Who the token speaks for (`publish check --online`): a name a person recognises, and what is missing."""

    name: str
    detail: str = ""
    missing_scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Capabilities:
    """What a platform can change after an upload. The stage asks these, never a platform's name:
    a platform that lacks one says so here (TikTok, Instagram: no native scheduling, no playlists)."""

    native_scheduling: bool = True   # the platform publishes at publish_at by itself (else `publish run` posts then)
    reschedule: bool = True          # move an unpublished video's time
    update_texts: bool = True        # title, description, tags in place
    replace_thumbnail: bool = True
    replace_captions: bool = True    # update or remove a caption track
    playlists: bool = False
    unpublish: bool = True           # make private / unscheduled (cancel)
    delete: bool = True


class Publisher(Protocol):
    """A platform: upload (scheduled at publish_at), attach captions, thumbnail, playlist; then
    bring the video to a changed calendar (schedule, texts, captions), read it back, cancel it.
    Every method is one platform conversation and idempotent: calling it twice leaves the same video."""

    name: str
    capabilities: Capabilities

    def upload(self, video: VideoUpload, resume: UploadProgress | None,
               on_progress: Callable[[UploadProgress], None]) -> RemoteVideo:
        """Upload (resuming `resume` when given) and schedule; returns the remote video."""

    def find_caption(self, remote_id: str, lang: str) -> str | None:
        """The id of an already attached caption track in `lang`, if any (crash recovery)."""

    def add_caption(self, remote_id: str, lang: str, path: Path) -> str:
        """Attach a subtitle file; returns what was attached (a track id or locale)."""

    def replace_caption(self, remote_id: str, lang: str, path: Path, track: str) -> str:
        """Put a new version of the `lang` track (known as `track`) in place of the old: never a second track."""

    def remove_caption(self, remote_id: str, lang: str, track: str) -> None:
        """Remove the `lang` track (gone already: nothing to do)."""

    def set_thumbnail(self, remote_id: str, path: Path) -> None:
        """Set the thumbnail (idempotent: setting twice replaces)."""

    def find_in_playlist(self, remote_id: str, playlist: str) -> str | None:
        """The playlist item holding the video, if already added."""

    def add_to_playlist(self, remote_id: str, playlist: str) -> str:
        """Add the video to a playlist; returns the playlist item id."""

    def remove_from_playlist(self, item: str) -> None:
        """Take a playlist item out (gone already: nothing to do)."""

    def set_schedule(self, remote_id: str, video: VideoUpload) -> None:
        """Give an unpublished video the time and privacy of `video` (a move, or a cancel undone)."""

    def update_texts(self, remote_id: str, video: VideoUpload) -> None:
        """Replace title, description and tags with those of `video`."""

    def unpublish(self, remote_id: str) -> None:
        """Cancel: private and unscheduled (YouTube), unpublished and unscheduled (Facebook)."""

    def delete(self, remote_id: str) -> None:
        """Remove the video for good (gone already: nothing to do)."""

    def read_back(self, remote_id: str) -> RemoteState:
        """The video as the platform reports it now: its own time, privacy, state and title."""

    def account(self) -> AccountInfo:
        """One cheap authenticated call: the channel or Page the token speaks for, and missing permissions."""


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
