"""The emulator's routes are composed once: one answer per method and path, in every table."""

from __future__ import annotations

import re

import pytest
import requests
from publish_support import FB_TOKEN, YT_TOKEN, trust_tokens

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


def test_changes_follow_the_platforms_rules_and_the_state_survives_a_save() -> None:
    """videos.update replaces the part it is sent and needs categoryId; a video once public cannot be scheduled;
    Graph refuses a schedule under 10 minutes; the rehearsal's save/load keeps what the platforms hold."""
    with running() as emu:
        trust_tokens(emu)
        auth = {"Authorization": f"Bearer {YT_TOKEN}"}
        emu.state.yt_videos["yt1"] = {"id": "yt1", "snippet": {"title": "A", "categoryId": "27"},
                                      "status": {"privacyStatus": "private", "publishAt": "2099-01-02T00:00:00Z",
                                                 "uploadStatus": "uploaded"}}
        put = lambda part, body: requests.put(f"{emu.url}/youtube/v3/videos", params={"part": part},  # noqa: E731
                                              json={"id": "yt1", **body}, headers=auth, timeout=10)
        r = put("snippet", {"snippet": {"title": "B"}})
        assert r.status_code == 400 and r.json()["error"]["errors"][0]["reason"] == "invalidCategoryId"
        assert put("status", {"status": {"privacyStatus": "private"}}).status_code == 200
        assert emu.state.yt_videos["yt1"]["status"] == {"privacyStatus": "private", "uploadStatus": "uploaded"}
        assert put("status", {"status": {"privacyStatus": "public"}}).status_code == 200
        r = put("status", {"status": {"privacyStatus": "private", "publishAt": "2099-01-03T00:00:00Z"}})
        assert r.status_code == 400 and r.json()["error"]["errors"][0]["reason"] == "invalidPublishAt"
        emu.state.fb_videos["1001"] = {"id": "1001", "page": "424242", "finished": True, "published": False,
                                       "scheduled_publish_time": None, "title": "", "description": "",
                                       "data": b"x" * 10}
        r = requests.post(f"{emu.url}/v21.0/1001", data={"access_token": FB_TOKEN, "published": "false",
                                                          "scheduled_publish_time": "1"}, timeout=10)
        assert r.status_code == 400 and r.json()["error"]["error_subcode"] == 1363026
        saved = emu.state.to_json()
    with running() as emu:
        emu.state.load_json(saved)
        assert emu.state.yt_videos["yt1"]["status"]["privacyStatus"] == "public"
        assert emu.state.fb_videos["1001"]["finished"] and "data" not in emu.state.fb_videos["1001"]
        assert FB_TOKEN in emu.state.valid_tokens and emu.state.fb_pages["424242"]["name"]
