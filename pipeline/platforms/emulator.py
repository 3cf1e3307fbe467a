"""A local HTTP emulator of the YouTube Data API v3 and the Facebook Graph API (Pages).

The real clients (google-api-python-client, requests) are pointed at it, so tests and
`make demo` exercise the same wire protocol as production: resumable sessions, 308/Range,
Graph upload phases and offsets, the real error JSON shapes, and injectable faults
(drop the connection at byte N, 5xx, slowness, an exhausted quota, throttling).

Routes live in a table (`Route`): another module (e.g. a metrics stage adding YouTube
Analytics `reports.query` or `/{video-id}/video_insights`) passes its own table to `Emulator`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pipeline.log import stage_logger

log = stage_logger("publish")


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
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]     # lower-case names
    body: bytes
    base_url: str

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None


@dataclass
class Response:
    status: int
    body: Any = None                           # dict/list -> JSON; bytes as they are
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["Emulator", Request, re.Match], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str       # a regular expression on the path, matched in full
    handler: Handler


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


class Emulator:
    """A ThreadingHTTPServer on 127.0.0.1 answering both APIs' routes."""

    def __init__(self, port: int = 0, routes: Iterable[Route] | None = None, host: str = "127.0.0.1") -> None:
        from pipeline.platforms import emulator_analytics, emulator_facebook, emulator_youtube

        self.routes = [*(routes or ()), *emulator_analytics.ROUTES,  # metrics: before publish's videos.list
                       *emulator_youtube.ROUTES, *emulator_facebook.ROUTES, *CONTROL_ROUTES]
        self.state = State()
        self.faults = Faults()
        self.lock = threading.RLock()
        self.server = ThreadingHTTPServer((host, port), _make_handler(self))
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Emulator:
        self._thread = threading.Thread(target=self.server.serve_forever, name="emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def dispatch(self, req: Request) -> Response:
        with self.lock:
            self.state.requests.append((req.method, req.path))
            delay = self.faults.delay
        if delay:
            time.sleep(delay)
        for route in self.routes:
            if route.method == req.method:
                m = re.fullmatch(route.pattern, req.path)
                if m:
                    with self.lock:
                        return route.handler(self, req, m)
        return Response(404, {"error": {"code": 404, "message": f"no route {req.method} {req.path}"}})

    def now(self) -> float:
        """The platforms' clock (what decides that a scheduled video is now published)."""
        return time.time() + self.state.clock_offset

    def token_ok(self, token: str | None) -> bool:
        return bool(token) and (self.state.accept_any_token or token in self.state.valid_tokens)


@contextmanager
def running(port: int = 0, routes: Iterable[Route] | None = None) -> Iterator[Emulator]:
    emu = Emulator(port, routes).start()
    try:
        yield emu
    finally:
        emu.stop()


def _make_handler(emu: Emulator) -> type[BaseHTTPRequestHandler]:
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30  # a client that stops sending mid-body must not hold a thread forever
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: tokens may be in URLs
            pass

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = self.rfile.read(length) if length else b""
            except OSError:
                self.close_connection = True
                return
            req = Request(self.command, parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()},
                          {k.lower(): v for k, v in self.headers.items()}, body,
                          f"http://{self.headers.get('Host') or emu.url[7:]}")
            try:
                resp = emu.dispatch(req)
            except DropConnection:
                self.close_connection = True
                try:
                    self.connection.shutdown(2)
                except OSError:
                    pass
                return
            data = resp.body if isinstance(resp.body, bytes) else (
                b"" if resp.body is None else json.dumps(resp.body).encode())
            self.send_response(resp.status)
            ctype = "application/json; charset=UTF-8" if not isinstance(resp.body, bytes) else "application/octet-stream"
            self.send_header("Content-Type", ctype)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return H


# ------------------------------------------------------------------ control (tests, demo)

def _faults_set(emu: Emulator, req: Request, m: re.Match) -> Response:
    for key, value in req.json().items():
        if hasattr(emu.faults, key):
            setattr(emu.faults, key, set(value) if key == "refuse_caption_langs" else value)
    return Response(200, {"ok": True})


def _state_get(emu: Emulator, req: Request, m: re.Match) -> Response:
    s = emu.state
    return Response(200, {
        "youtube": {"videos": list(s.yt_videos.values()), "captions": list(s.yt_captions.values()),
                    "thumbnails": sorted(s.yt_thumbnails), "playlistItems": list(s.yt_playlist_items.values()),
                    "quota_used": s.yt_quota_used},
        "facebook": {"videos": [{k: v for k, v in vid.items() if k != "data"} for vid in s.fb_videos.values()],
                     "captions": s.fb_captions},
    })


CONTROL_ROUTES = (
    Route("POST", r"/_emulator/faults", _faults_set),
    Route("GET", r"/_emulator/state", _state_get),
)


def serve(port: int, accept_any_token: bool = True, quota: int | None = None) -> None:
    """`webseries publish emulator`: run in the foreground until interrupted."""
    emu = Emulator(port)
    emu.state.accept_any_token = accept_any_token
    emu.faults.quota_left = quota
    log.info("emulator listening on %s (YouTube Data API v3 + Graph API); Ctrl-C stops it", emu.url)
    try:
        emu.server.serve_forever()
    finally:
        emu.server.server_close()
