"""Graph API routes of the analytics emulator: `/{video-id}/video_insights` and batch requests.

Page videos answer the `total_video_*` metrics, Reels their own (`blue_reels_play_count`, ...);
asking a video for a metric it does not have, or one named in `fb_deprecated`, gets Meta's
error 100 for the whole request. Small audiences ("quiet" videos) get an empty `data`.
A batch (`POST /` with `batch=[...]`, at most 50 items) answers each item as
{code, headers, body: "<json>"}, as Graph does. See analytics.py for the data model.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from pipeline.platforms.emulator import facebook as fbe
from pipeline.platforms.emulator.analytics import lifetime_views, partial, quiet, stable_hash, state, today
from pipeline.platforms.emulator.server import Emulator, Request, Response, Route


TITLES = {"total_video_views": "Lifetime Total Video Views", "total_video_views_unique": "Lifetime Unique Video Views",
          "total_video_avg_time_watched": "Lifetime Average time video viewed",
          "total_video_view_total_time": "Lifetime Total Video View Time (in MS)",
          "total_video_complete_views": "Lifetime Total 95% Video Views",
          "total_video_reactions_by_type_total": "Lifetime Reactions by type",
          "total_video_stories_by_action_type": "Lifetime Video Stories by action type"}
REEL_TITLES = {"blue_reels_play_count": "Plays", "post_video_avg_time_watched": "Average Watch Time",
               "post_video_view_time": "Total Watch Time", "post_video_likes_by_reaction_type": "Reactions by type",
               "post_video_social_actions": "Social actions"}


def _fb_values(emu: Emulator, vid: str) -> dict[str, object] | None:
    v = emu.state.fb_videos.get(vid)
    if vid in state(emu).empty or quiet(vid) or v is None:
        return None
    when = v.get("scheduled_publish_time")
    if when is None and not v.get("published"):
        return None
    first = datetime.fromtimestamp(when, UTC).date() if when else today(emu)
    if first > today(emu):
        return None
    views = lifetime_views(emu, "facebook", vid, first)
    avg_ms = 9000 + stable_hash("fbavg", vid) % 30000
    reactions = {k: views // n for k, n in (("like", 9), ("love", 30), ("wow", 80), ("haha", 120), ("sorry", 400))}
    values: dict[str, object] = {
        "total_video_views": views, "total_video_views_unique": int(views * 0.82),
        "total_video_avg_time_watched": avg_ms, "total_video_view_total_time": views * avg_ms,
        "total_video_complete_views": views // 6,
        "total_video_reactions_by_type_total": {k: n for k, n in reactions.items() if n},
        "total_video_stories_by_action_type": {k: n for k, n in (("share", views // 30), ("comment", views // 20),
                                                                 ("like", views // 9)) if n}}
    if v.get("reel"):   # Reels answer their own metric names
        values = {"blue_reels_play_count": views, "post_video_avg_time_watched": avg_ms,
                  "post_video_view_time": views * avg_ms,
                  "post_video_likes_by_reaction_type": {f"REACTION_{k.upper()}": n
                                                        for k, n in reactions.items() if n},
                  "post_video_social_actions": {k: n for k, n in (("SHARE", views // 30), ("COMMENT", views // 20)) if n}}
    elif partial(vid):
        del values["total_video_complete_views"]
    return values


def video_insights(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, _ = fbe.form(req)
    if (r := fbe.guard(emu, req, fields)) is not None:  # auth and throttling as elsewhere
        return fbe.usage(emu, r)
    st = state(emu)
    st.requests["video_insights"] += 1
    vid = m.group("video")
    v = emu.state.fb_videos.get(vid)
    if v is None or not v.get("finished"):
        return fbe.usage(emu, fbe.error(100, "(#100) Unsupported get request. Object with ID '%s' does not exist, "
                                              "cannot be loaded due to missing permissions" % vid, 33))
    titles = REEL_TITLES if v.get("reel") else TITLES
    names = [x for x in fields.get("metric", ",".join(titles)).split(",") if x]
    if any(x not in titles or x in st.fb_deprecated for x in names):
        return fbe.usage(emu, fbe.error(100, "(#100) The value must be a valid insights metric"))
    values = _fb_values(emu, vid)
    data = []
    if values is not None:
        for name in names:
            if name in values:
                data.append({"name": name, "period": "lifetime", "values": [{"value": values[name]}],
                             "title": titles[name], "description": f"Lifetime: {titles[name]}",
                             "id": f"{vid}/video_insights/{name}/lifetime"})
    return fbe.usage(emu, Response(200, {"data": data, "paging": {"previous": "", "next": ""}}))


def graph_batch(emu: Emulator, req: Request, m: re.Match) -> Response:
    """POST / with batch=[{method, relative_url}, ...]: each item answered as {code, headers, body: "json"}."""
    fields, _ = fbe.form(req)
    if (r := fbe.guard(emu, req, fields)) is not None:
        return fbe.usage(emu, r)
    state(emu).requests["graph-batch"] += 1
    try:
        items = json.loads(fields.get("batch", ""))
        assert isinstance(items, list)
    except (ValueError, AssertionError):
        return fbe.usage(emu, fbe.error(100, "(#100) The parameter batch must be a JSON array"))
    if len(items) > 50:
        return fbe.usage(emu, fbe.error(100, "(#100) Too many requests in batch message. Maximum batch size is 50"))
    token = fields.get("access_token", "")
    out = []
    for item in items:
        url = urlsplit("/" + str(item.get("relative_url", "")).lstrip("/"))
        sub = Request(str(item.get("method", "GET")).upper(), url.path,
                      {k: v[-1] for k, v in parse_qs(url.query).items()}, {"authorization": f"OAuth {token}"},
                      b"", req.base_url)
        resp = Response(404, {"error": {"message": "Unknown path components", "type": "OAuthException", "code": 2500}})
        found = emu.route_for(sub.method, sub.path)
        if found is not None and found[0].handler is not graph_batch:
            resp = found[0].handler(emu, sub, found[1])
        out.append({"code": resp.status, "headers": [{"name": "Content-Type", "value": "text/javascript; charset=UTF-8"}],
                    "body": json.dumps(resp.body)})
    return fbe.usage(emu, Response(200, out))


ROUTES = (
    Route("GET", fbe.V + r"/(?P<video>\d+)/video_insights", video_insights),
    Route("POST", fbe.V + r"/?", graph_batch),
)
