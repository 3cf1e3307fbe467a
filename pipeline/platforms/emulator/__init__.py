"""A local HTTP emulator of the platforms' APIs: YouTube Data API v3 and Analytics v2, the
Facebook Graph API (Pages, Reels, insights, comments), and KoboToolbox's API v2.

The real clients (google-api-python-client, requests) are pointed at it, so tests and
`make demo` exercise the same wire protocol as production: resumable sessions, 308/Range,
Graph upload phases and offsets, the real error JSON shapes, and injectable faults
(drop the connection at byte N, 5xx, slowness, an exhausted quota, throttling).

    server.py     HTTP, dispatch (knows no route); state.py: what the platforms remember, Faults
    youtube.py    Data API v3: resumable upload, videos.list, captions, thumbnails, playlists, OAuth token
    facebook.py   Graph API Pages: chunked upload, scheduling, captions, thumbnails, Reels
    changes.py    after an upload: videos.update/delete, captions update/delete, Graph video updates, debug_token
    analytics.py  YouTube Analytics v2 reports, videos.list statistics, the figures' data model
    insights.py   Graph /{video}/video_insights and batch requests
    comments.py   YouTube commentThreads/comments/channels(mine), Graph /{video}/comments
    kobo.py       KoboToolbox API v2: a form's submissions (the evaluation's surveys)
    control.py    /_emulator/faults and /_emulator/state, for tests and the demo

This file is the one place the route tables are composed. To emulate another service, add
its module (handlers + a ROUTES tuple) and one line to ROUTES below. Each method and pattern
has one route (`Emulator` refuses two) and no two patterns match one path (a test checks),
so the order of the table never decides who answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from pipeline.log import stage_logger
from pipeline.platforms.emulator import analytics, changes, comments, control, facebook, insights, kobo, youtube
from pipeline.platforms.emulator.server import Emulator, Request, Response, Route
from pipeline.platforms.emulator.state import Faults, State

__all__ = ["ROUTES", "Emulator", "Faults", "Request", "Response", "Route", "State", "build", "running", "serve"]

log = stage_logger("publish")


def videos_list(emu: Emulator, req: Request, m: re.Match) -> Response:
    """GET /youtube/v3/videos: part=statistics is what metrics reads, anything else what publish reads."""
    if "statistics" in req.query.get("part", "").split(","):
        return analytics.videos_statistics(emu, req, m)
    return youtube.videos_list(emu, req, m)


ROUTES: tuple[Route, ...] = (
    Route("GET", r"/youtube/v3/videos", videos_list),
    *youtube.ROUTES,
    *facebook.ROUTES,
    *changes.ROUTES,
    *analytics.ROUTES,
    *insights.ROUTES,
    *comments.ROUTES,
    *kobo.ROUTES,
    *control.ROUTES,
)


def build(port: int = 0, routes: Iterable[Route] = ()) -> Emulator:
    """An emulator of every service, plus `routes` (a test's own), not started yet."""
    return Emulator((*routes, *ROUTES), port)


@contextmanager
def running(port: int = 0, routes: Iterable[Route] = ()) -> Iterator[Emulator]:
    emu = build(port, routes).start()
    try:
        yield emu
    finally:
        emu.stop()


def serve(port: int, accept_any_token: bool = True, quota: int | None = None) -> None:
    """`webseries publish emulator`: run in the foreground until interrupted."""
    emu = build(port)
    emu.state.accept_any_token = accept_any_token
    emu.faults.quota_left = quota
    log.info("emulator listening on %s (YouTube Data API v3 + Graph API); Ctrl-C stops it", emu.url)
    try:
        emu.server.serve_forever()
    finally:
        emu.server.server_close()
