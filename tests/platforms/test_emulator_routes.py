"""The emulator's routes are composed once: one answer per method and path, in every table."""

from __future__ import annotations

import re

import pytest
import requests
from publish_support import YT_TOKEN, trust_tokens

from pipeline.platforms.emulator import ROUTES, Emulator, Response, Route, running


def test_one_route_per_method_and_path() -> None:
    keys = [(r.method, r.pattern) for r in ROUTES]
    assert len(keys) == len(set(keys))
    with pytest.raises(ValueError, match="two emulator routes answer GET /youtube/v3/videos"):
        Emulator([*ROUTES, Route("GET", r"/youtube/v3/videos", lambda emu, req, m: Response(200))])


def test_no_two_routes_answer_the_same_request() -> None:
    """An example path for each route (ids filled in) is answered by that route alone."""
    for route in ROUTES:
        path = (route.pattern.replace(r"/v\d+\.\d+", "/v21.0").replace(r"(?P<video>\d+)", "1000123")
                .replace(r"(?P<page>\d+)", "424242").replace(r"(?P<asset>\w+)", "aK0boForm")
                .replace("/?", "/"))
        assert "\\" not in path and "(" not in path, f"fill in an example for {route.pattern}"
        answering = [r.pattern for r in ROUTES if r.method == route.method and re.fullmatch(r.pattern, path)]
        assert answering == [route.pattern], (route.method, path)


def test_videos_list_answers_publish_and_metrics_from_one_route() -> None:
    """publish reads status (a scheduled video turns public at publishAt); metrics reads statistics."""
    with running() as emu:
        trust_tokens(emu)
        emu.state.yt_videos["yt1"] = {"id": "yt1", "snippet": {"publishedAt": "2024-01-01T00:00:00Z"},
                                      "status": {"privacyStatus": "private", "publishAt": "2024-01-02T00:00:00Z"}}
        get = lambda part: requests.get(f"{emu.url}/youtube/v3/videos", params={"id": "yt1", "part": part},  # noqa: E731
                                        headers={"Authorization": f"Bearer {YT_TOKEN}"}, timeout=10).json()
        status = get("status")["items"][0]
        assert status["status"]["privacyStatus"] == "public" and "statistics" not in status
        stats = get("statistics")["items"][0]
        assert set(stats) == {"kind", "etag", "id", "statistics"} and int(stats["statistics"]["viewCount"]) >= 0
        assert emu.routes == ROUTES
