"""What the emulated platforms remember (`State`) and what goes wrong next (`Faults`).

Both are mutable on purpose: route handlers change them under the server's lock, and tests
change them while the server runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DropConnection(Exception):
    """Raised by a handler to close the socket without answering (a lost connection)."""


@dataclass
class Faults:
    """What goes wrong next. Mutable on purpose: tests change it while the server runs."""

    drop_at: int | None = None       # absolute byte offset in an upload; one-shot
    drop_commits: bool = True        # keep the bytes received before the drop (YouTube) / the chunk (Graph)
    fail_next: int = 0               # answer the next N upload requests with 503
    delay: float = 0.0               # seconds slept before each answer
    quota_left: int | None = None    # YouTube units left today (None: unlimited)
    throttle_next: int = 0           # Graph: answer the next N calls with a throttling error
    throttle_code: int = 4
    app_usage: int = 0               # percent reported in X-App-Usage
    refuse_caption_langs: set[str] = field(default_factory=set)

    def take_drop(self, start: int, end: int) -> int | None:
        """The drop offset if it falls in [start, end), consumed so it fires once."""
        if self.drop_at is not None and start <= self.drop_at < end:
            at, self.drop_at = self.drop_at, None
            return at
        return None

    def deliver(self, upload: dict, offset: int, data: bytes, whole_chunk: bool = False) -> None:
        """Append `data` (arriving at byte `offset`) to upload["data"], unless a drop is due in it.

        On a drop the connection is lost: with drop_commits the server keeps the bytes before the
        drop point (or, for `whole_chunk` protocols, the chunk itself: only the answer is lost).
        """
        drop = self.take_drop(offset, offset + len(data))
        if drop is not None:
            if self.drop_commits:
                upload["data"] += data if whole_chunk else data[:drop - offset]
            raise DropConnection
        upload["data"] += data


@dataclass
class State:
    """Everything the fake services remember. `extra` is for route tables added later."""

    valid_tokens: set[str] = field(default_factory=set)     # access tokens accepted
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> access token it mints
    accept_any_token: bool = False
    yt_sessions: dict[str, dict] = field(default_factory=dict)
    yt_videos: dict[str, dict] = field(default_factory=dict)
    yt_captions: dict[str, dict] = field(default_factory=dict)
    yt_thumbnails: dict[str, bytes] = field(default_factory=dict)
    yt_playlist_items: dict[str, dict] = field(default_factory=dict)
    yt_quota_used: int = 0
    fb_sessions: dict[str, dict] = field(default_factory=dict)
    fb_videos: dict[str, dict] = field(default_factory=dict)
    fb_captions: dict[str, list] = field(default_factory=dict)
    fb_chunk_size: int = 4 * 1024 * 1024
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) log
    extra: dict[str, Any] = field(default_factory=dict)
    counter: int = 0
    clock_offset: float = 0.0   # seconds added to the emulator's clock: tests jump to a release time

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter:06d}"
