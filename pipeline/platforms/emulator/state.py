"""What the emulated platforms remember (`State`) and what goes wrong next (`Faults`).

Both are mutable on purpose: route handlers change them under the server's lock, and tests
change them while the server runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any


class DropConnection(Exception):
    """Raised by a handler to close the socket without answering (a lost connection)."""


CHANNEL_ID = "UCemulator"   # the YouTube channel the emulated token speaks for (uploads, comments)


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
    yt_channel: dict = field(default_factory=lambda: {"id": CHANNEL_ID, "title": "Chaîne (émulateur)"})
    fb_sessions: dict[str, dict] = field(default_factory=dict)
    fb_videos: dict[str, dict] = field(default_factory=dict)
    fb_captions: dict[str, list] = field(default_factory=dict)
    fb_pages: dict[str, dict] = field(default_factory=dict)   # page id -> {"name": ...}: what GET /{page} answers
    fb_chunk_size: int = 4 * 1024 * 1024
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) log
    extra: dict[str, Any] = field(default_factory=dict)
    counter: int = 0
    clock_offset: float = 0.0   # seconds added to the emulator's clock: tests jump to a release time

    def new_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter:06d}"

    # ------------------------------------------------------------------ persistence (rehearsals)

    def to_json(self) -> str:
        """What the platforms hold, for a rehearsal to continue in its next command. Bytes are kept as their
        length only (a finished upload's content is not needed again); faults, the request log and `extra`
        (analytics counters) start afresh."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("requests", "extra"):
                continue
            value = getattr(self, f.name)
            if f.name == "fb_videos":
                value = {k: {x: y for x, y in v.items() if not (x == "data" and v.get("finished"))}
                         for k, v in value.items()}
            elif f.name in ("yt_sessions", "fb_sessions"):  # a finished session's bytes are the video's
                value = {k: {**v, "data": b""} if self._finished(v) else v for k, v in value.items()}
            out[f.name] = _encode(value)
        return json.dumps(out, indent=1, sort_keys=True)

    def _finished(self, session: dict) -> bool:
        if "meta" in session:  # YouTube's
            return session.get("video") is not None
        return bool(self.fb_videos.get(session.get("video", ""), {}).get("finished"))

    def load_json(self, text: str) -> None:
        data = json.loads(text)
        for f in fields(self):
            if f.name in data:
                value = _decode(data[f.name])
                setattr(self, f.name, set(value) if isinstance(getattr(self, f.name), set) else value)


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"$bytes": len(value)}
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return bytearray(value["$bytes"])  # an unfinished upload resumes at the same offset
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
