"""The emulator's HTTP server: parses requests, dispatches them to a route table, writes answers.

It knows no route: the tables of the emulated APIs are composed in `__init__.py` and handed
to `Emulator`. A handler is a plain function (emulator, request, path match) -> Response,
called under the server's lock; raising `DropConnection` closes the socket unanswered.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pipeline.platforms.emulator.state import DropConnection, Faults, State


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


class Emulator:
    """A ThreadingHTTPServer on 127.0.0.1 answering the routes it is given."""

    def __init__(self, routes: Iterable[Route], port: int = 0, host: str = "127.0.0.1") -> None:
        self.routes = tuple(routes)
        seen: set[tuple[str, str]] = set()
        for r in self.routes:  # one handler per method and pattern: a second one would be dead code
            if (r.method, r.pattern) in seen:
                raise ValueError(f"two emulator routes answer {r.method} {r.pattern}")
            seen.add((r.method, r.pattern))
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

    def route_for(self, method: str, path: str) -> tuple[Route, re.Match] | None:
        """The route answering `method path`, and its match (Graph batches dispatch through it too)."""
        for route in self.routes:
            if route.method == method and (m := re.fullmatch(route.pattern, path)):
                return route, m
        return None

    def dispatch(self, req: Request) -> Response:
        with self.lock:
            self.state.requests.append((req.method, req.path))
            delay = self.faults.delay
        if delay:
            time.sleep(delay)
        found = self.route_for(req.method, req.path)
        if found is None:
            return Response(404, {"error": {"code": 404, "message": f"no route {req.method} {req.path}"}})
        route, m = found
        with self.lock:
            return route.handler(self, req, m)

    def now(self) -> float:
        """The platforms' clock (what decides that a scheduled video is now published)."""
        return time.time() + self.state.clock_offset

    def token_ok(self, token: str | None) -> bool:
        return bool(token) and (self.state.accept_any_token or token in self.state.valid_tokens)


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
