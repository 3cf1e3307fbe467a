"""The emulator's analytics routes answer with the real services' shapes (raw HTTP, no client)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import requests
from publish_support import FB_TOKEN, YT_TOKEN, trust_tokens

from pipeline.platforms.emulator import analytics as ea
from pipeline.platforms.emulator import running

TODAY = datetime.now(UTC).date()


def _yt_video(emu, vid: str, days_ago: int) -> None:  # noqa: ANN001
    when = (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    emu.state.yt_videos[vid] = {"id": vid, "snippet": {"publishedAt": when}, "status": {"privacyStatus": "public"}}


def _report(emu, **params: str) -> requests.Response:  # noqa: ANN001
    q = {"ids": "channel==MINE", "startDate": (TODAY - timedelta(days=30)).isoformat(), "endDate": TODAY.isoformat(),
         **params}
    return requests.get(f"{emu.url}/v2/reports", params=q, headers={"Authorization": f"Bearer {YT_TOKEN}"}, timeout=10)


def test_reports_shapes_empty_and_growth() -> None:
    with running() as emu:
        trust_tokens(emu)
        loud = next(f"yt{i}" for i in range(50) if not ea.quiet(f"yt{i}") and not ea.partial(f"yt{i}"))
        quiet = next(f"yt{i}" for i in range(50) if ea.quiet(f"yt{i}"))
        _yt_video(emu, loud, 10)
        _yt_video(emu, quiet, 10)
        body = _report(emu, metrics="views,estimatedMinutesWatched", dimensions="day,video",
                       filters=f"video=={loud},{quiet}").json()
        assert body["kind"] == "youtubeAnalytics#resultTable"
        assert [h["name"] for h in body["columnHeaders"]] == ["day", "video", "views", "estimatedMinutesWatched"]
        assert {h["columnType"] for h in body["columnHeaders"]} == {"DIMENSION", "METRIC"}
        assert {r[1] for r in body["rows"]} == {loud} and len(body["rows"]) == 11   # 10 days ago .. today
        empty = _report(emu, metrics="views", dimensions="video", filters=f"video=={quiet}").json()
        assert "rows" not in empty and empty["columnHeaders"]   # YouTube leaves rows out when there is nothing
        total = _report(emu, metrics="views", dimensions="video", filters=f"video=={loud}").json()["rows"][0][1]
        ea.state(emu).advance()
        assert _report(emu, metrics="views", dimensions="video", filters=f"video=={loud}").json()["rows"][0][1] > total
        bad = _report(emu, metrics="views", dimensions="city", filters=f"video=={loud}")
        assert bad.status_code == 400 and bad.json()["error"]["errors"][0]["reason"] == "badRequest"
        assert requests.get(f"{emu.url}/v2/reports", params={"ids": "channel==MINE"}, timeout=10).status_code == 401


def test_graph_insights_batch_and_errors() -> None:
    with running() as emu:
        trust_tokens(emu)
        vid = next(str(1000 + i) for i in range(50) if not ea.quiet(str(1000 + i)) and not ea.partial(str(1000 + i)))
        emu.state.fb_videos[vid] = {"id": vid, "finished": True, "published": True,
                                    "scheduled_publish_time": int((datetime.now(UTC) - timedelta(days=5)).timestamp())}
        items = [{"method": "GET", "relative_url": f"v21.0/{vid}/video_insights?metric=total_video_views,"
                                                   "total_video_reactions_by_type_total&period=lifetime"},
                 {"method": "GET", "relative_url": "v21.0/999999/video_insights?metric=total_video_views"}]
        r = requests.post(f"{emu.url}/v21.0/", data={"access_token": FB_TOKEN, "batch": json.dumps(items)}, timeout=10)
        first, missing = r.json()
        assert first["code"] == 200 and missing["code"] == 400
        data = json.loads(first["body"])["data"]
        assert [d["name"] for d in data] == ["total_video_views", "total_video_reactions_by_type_total"]
        assert data[0]["period"] == "lifetime" and data[0]["values"][0]["value"] > 0
        assert isinstance(data[1]["values"][0]["value"], dict)
        assert json.loads(missing["body"])["error"]["error_subcode"] == 33
        ea.state(emu).fb_deprecated.add("total_video_views")
        r = requests.post(f"{emu.url}/v21.0/", data={"access_token": FB_TOKEN, "batch": json.dumps(items[:1])}, timeout=10)
        assert json.loads(r.json()[0]["body"])["error"]["code"] == 100
        r = requests.post(f"{emu.url}/v21.0/", data={"access_token": FB_TOKEN, "batch": json.dumps(items[:1] * 51)},
                          timeout=10)
        assert r.status_code == 400 and "Maximum batch size is 50" in r.json()["error"]["message"]
        r = requests.post(f"{emu.url}/v21.0/", data={"access_token": "wrong", "batch": "[]"}, timeout=10)
        assert r.json()["error"]["code"] == 190
        assert ea.state(emu).requests["graph-batch"] == 3   # the refused token is not counted


def test_long_queries_arrive_as_post_with_method_override() -> None:
    """The client sends a GET longer than 2048 characters as POST + X-HTTP-Method-Override (200 ids do)."""
    with running() as emu:
        trust_tokens(emu)
        vid = next(f"yt{i}" for i in range(50) if not ea.quiet(f"yt{i}"))
        _yt_video(emu, vid, 3)
        body = {"ids": "channel==MINE", "startDate": (TODAY - timedelta(days=5)).isoformat(),
                "endDate": TODAY.isoformat(), "metrics": "views", "dimensions": "video", "filters": f"video=={vid}"}
        r = requests.post(f"{emu.url}/v2/reports", data=body, timeout=10,
                          headers={"Authorization": f"Bearer {YT_TOKEN}", "X-HTTP-Method-Override": "GET"})
        assert r.status_code == 200 and r.json()["rows"][0][0] == vid
        assert requests.post(f"{emu.url}/v2/reports", data=body, timeout=10,
                             headers={"Authorization": f"Bearer {YT_TOKEN}"}).status_code == 405
