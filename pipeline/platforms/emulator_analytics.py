"""Analytics routes of the local emulator: YouTube Analytics v2 reports, Data API statistics,
Graph `/{video-id}/video_insights` and Graph batch requests.

Numbers are deterministic (a hash of video id and day), exist only for videos the emulator
holds that are out (publishAt / scheduled_publish_time passed), and grow between pulls: the
current day's figures are multiplied by (1 + tick), and `advance()` (or POST
/_emulator/analytics {"advance": 1}) moves the tick, as time passing would. Like the real
services: YouTube leaves `rows` out when there is nothing; for "quiet" videos (a fixed
seventh of ids, or ones named in `empty`) YouTube has no rows and Meta returns empty `data`;
"partial" videos lack some fields; a metric named in `fb_deprecated` gets Meta's error 100.
`requests` counts what was asked, for tests.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from pipeline.platforms import emulator_facebook as fbe
from pipeline.platforms import emulator_youtube as yte
from pipeline.platforms.emulator import Emulator, Request, Response, Route

COUNTRIES = (("ML", 60), ("CI", 9), ("SN", 7), ("FR", 8), ("BF", 6), ("GN", 5), ("US", 5))
DEVICES = (("MOBILE", 79), ("DESKTOP", 11), ("TABLET", 6), ("TV", 4))
AGES = ("age13-17", "age18-24", "age25-34", "age35-44", "age45-54", "age55-64", "age65-")
AGE_WEIGHTS = (9, 34, 27, 14, 8, 5, 3)
DEMOGRAPHICS_MIN_VIEWS = 50   # below this YouTube shows no age/gender breakdown


@dataclass
class AnalyticsState:
    tick: int = 0
    empty: set[str] = field(default_factory=set)          # video ids with no data on either platform
    fb_deprecated: set[str] = field(default_factory=set)  # Graph metrics answered with error 100
    requests: Counter = field(default_factory=Counter)    # "reports", "videos.list", "graph-batch", "video_insights"

    def advance(self, ticks: int = 1) -> None:
        self.tick += ticks


def state(emu: Emulator) -> AnalyticsState:
    return emu.state.extra.setdefault("analytics", AnalyticsState())


def _h(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def quiet(video_id: str) -> bool:
    """A fixed seventh of videos have too small an audience: no data on either platform."""
    return _h(video_id, "quiet") % 7 == 3


def partial(video_id: str) -> bool:
    """Another seventh have some fields withheld (YouTube likeCount hidden, Meta complete views)."""
    return _h(video_id, "quiet") % 7 == 5


def _today() -> date:
    return datetime.now(UTC).date()


def _views(platform: str, vid: str, day: date, first: date, tick: int) -> int:
    """Views on one day: a launch peak decaying over days; today's are still coming in (x (1+tick))."""
    base = 20 + _h(platform, vid, day) % 80
    v = int(base * 4 / (1 + (day - first).days / 3)) + 1
    return v * (1 + tick) if day == _today() else v


# ------------------------------------------------------------------ YouTube Analytics v2

def _yt_first_day(emu: Emulator, vid: str) -> date | None:
    v = emu.state.yt_videos.get(vid)
    if v is None or vid in state(emu).empty or quiet(vid):
        return None
    when = v.get("status", {}).get("publishAt") or v.get("snippet", {}).get("publishedAt")
    first = datetime.fromisoformat(when.replace("Z", "+00:00")).date() if when else _today()
    return first if first <= _today() else None


def _yt_day(vid: str, views: int) -> dict[str, float]:
    minutes = round(views * (1.1 + _h("min", vid) % 120 / 100))
    return {"views": views, "estimatedMinutesWatched": minutes, "likes": views // 12, "comments": views // 40,
            "shares": views // 25, "subscribersGained": views // 60}


def _yt_finish(vid: str, acc: dict[str, float]) -> dict[str, float]:
    """Averages from sums: averageViewDuration (s) and averageViewPercentage of a ~10-minute episode."""
    views = acc["views"] or 1
    out = dict(acc)
    out["averageViewDuration"] = int(acc["estimatedMinutesWatched"] * 60 / views)
    out["averageViewPercentage"] = round(min(100.0, out["averageViewDuration"] / (480 + _h("len", vid) % 240) * 100), 2)
    return out


METRIC_TYPES = {"views": "INTEGER", "estimatedMinutesWatched": "INTEGER", "averageViewDuration": "INTEGER",
                "averageViewPercentage": "FLOAT", "likes": "INTEGER", "comments": "INTEGER", "shares": "INTEGER",
                "subscribersGained": "INTEGER", "viewerPercentage": "FLOAT"}
DIMENSIONS = ("video", "day", "day,video", "ageGroup,gender", "country", "deviceType")


def reports_query(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := yte._auth(emu, req)) is not None:  # noqa: SLF001 - the same auth answer as the Data API
        return r
    st = state(emu)
    st.requests["reports"] += 1
    q = req.query
    for key in ("ids", "startDate", "endDate", "metrics"):
        if not q.get(key):
            return yte.error(400, "required", f"Required parameter: {key}", "global")
    try:
        start, end = date.fromisoformat(q["startDate"]), date.fromisoformat(q["endDate"])
    except ValueError:
        return yte.error(400, "invalid", "Invalid value for startDate or endDate.", "global")
    if start > end:
        return yte.error(400, "badRequest", "The start date must be before the end date.", "global")
    dims = q.get("dimensions", "")
    metrics = q["metrics"].split(",")
    unknown = [x for x in metrics if x not in METRIC_TYPES]
    if dims not in DIMENSIONS or unknown or ("viewerPercentage" in metrics) != (dims == "ageGroup,gender"):
        return yte.error(400, "badRequest", "The query is not supported. Check the list of supported reports.",
                         "global")
    flt = q.get("filters", "")
    if not flt.startswith("video=="):
        return yte.error(400, "badRequest", "This pipeline's emulator serves video-filtered reports only.", "global")
    ids = [v for v in flt[len("video=="):].split(";")[0].split(",") if v]
    if len(ids) > 500:
        return yte.error(400, "badRequest", "Too many values in the video filter (at most 500).", "global")
    per_video_day: dict[tuple[str, date], dict[str, float]] = {}
    for vid in ids:
        first = _yt_first_day(emu, vid)
        if first is None:
            continue
        d = max(first, start)
        while d <= min(end, _today()):
            per_video_day[(vid, d)] = _yt_day(vid, _views("youtube", vid, d, first, st.tick))
            d += timedelta(days=1)
    rows = _rows(dims, metrics, per_video_day, ids)
    headers = [{"name": d, "columnType": "DIMENSION", "dataType": "STRING"} for d in dims.split(",") if d]
    headers += [{"name": x, "columnType": "METRIC", "dataType": METRIC_TYPES[x]} for x in metrics]
    body: dict = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
    if rows:
        body["rows"] = rows
    return Response(200, body)


def _sum(items: list[dict[str, float]]) -> dict[str, float]:
    acc: Counter = Counter()
    for it in items:
        acc.update(it)
    return {k: acc.get(k, 0) for k in ("views", "estimatedMinutesWatched", "likes", "comments", "shares",
                                      "subscribersGained")}


def _split(total: int, weights: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """Integer shares that add up to `total` exactly (the remainder goes to the first)."""
    parts = [(k, total * w // 100) for k, w in weights]
    rest = total - sum(p for _, p in parts)
    return [(parts[0][0], parts[0][1] + rest), *parts[1:]]


def _rows(dims: str, metrics: list[str], data: dict[tuple[str, date], dict[str, float]], ids: list[str]) -> list:
    if not data:
        return []
    if dims in ("video", "day", "day,video"):
        groups: dict[tuple, list] = {}
        for (vid, d), vals in data.items():
            key = {"video": (vid,), "day": (d.isoformat(),), "day,video": (d.isoformat(), vid)}[dims]
            groups.setdefault(key, []).append((vid, vals))
        rows = []
        for key in sorted(groups):
            vid = groups[key][0][0]
            vals = _yt_finish(vid, _sum([v for _, v in groups[key]]))
            rows.append([*key, *(vals[x] for x in metrics)])
        if dims == "video":
            rows.sort(key=lambda r: -r[1 + metrics.index("views")] if "views" in metrics else 0)
        return rows
    total = _sum(list(data.values()))
    if dims == "ageGroup,gender":
        if total["views"] < DEMOGRAPHICS_MIN_VIEWS:
            return []
        seed = _h(*sorted(ids))
        female = 38 + seed % 12     # percent of signed-in viewers who are women
        rows = []
        for age, w in zip(AGES, AGE_WEIGHTS, strict=True):
            for gender, share in (("female", female), ("male", 100 - female)):
                rows.append([age, gender, round(w * share / 100, 1)])
        return rows
    weights = COUNTRIES if dims == "country" else DEVICES
    views = _split(int(total["views"]), weights)
    minutes = dict(_split(int(total["estimatedMinutesWatched"]), weights))
    return [[k, *(v if x == "views" else minutes[k] for x in metrics)]
            for k, v in views if v > 0]


# ------------------------------------------------------------------ Data API videos.list(part=statistics)

def videos_list(emu: Emulator, req: Request, m: re.Match) -> Response:
    """part=statistics is answered here; anything else goes to publish's videos.list."""
    if "statistics" not in req.query.get("part", "").split(","):
        return yte.videos_list(emu, req, m)
    if (r := yte._auth(emu, req)) is not None or (r := yte._charge(emu, "list")) is not None:  # noqa: SLF001
        return r
    st = state(emu)
    st.requests["videos.list"] += 1
    ids = [i for i in req.query.get("id", "").split(",") if i]
    if len(ids) > 50:
        return yte.error(400, "badRequest", "The request specifies more than 50 video ids.")
    items = []
    for vid in ids:
        if vid not in emu.state.yt_videos:
            continue
        first = _yt_first_day(emu, vid)
        views = 0
        if first is not None:   # the public counter is ahead of Analytics: include today
            d = first
            while d <= _today():
                views += _views("youtube", vid, d, first, st.tick)
                d += timedelta(days=1)
        stats = {"viewCount": str(views), "likeCount": str(views // 12), "favoriteCount": "0",
                 "commentCount": str(views // 40)}
        if partial(vid):
            del stats["likeCount"]
        items.append({"kind": "youtube#video", "etag": f"etag-{vid}", "id": vid, "statistics": stats})
    return Response(200, {"kind": "youtube#videoListResponse", "items": items,
                          "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}})


# ------------------------------------------------------------------ Graph video_insights and batch

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
    first = datetime.fromtimestamp(when, UTC).date() if when else _today()
    if first > _today():
        return None
    views, d = 0, first
    while d <= _today():
        views += _views("facebook", vid, d, first, state(emu).tick)
        d += timedelta(days=1)
    avg_ms = 9000 + _h("fbavg", vid) % 30000
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
    if (r := fbe._guard(emu, req, fields)) is not None:  # noqa: SLF001 - auth and throttling as elsewhere
        return fbe._usage(emu, r)  # noqa: SLF001
    st = state(emu)
    st.requests["video_insights"] += 1
    vid = m.group("video")
    v = emu.state.fb_videos.get(vid)
    if v is None or not v.get("finished"):
        return fbe._usage(emu, fbe.error(100, "(#100) Unsupported get request. Object with ID '%s' does not exist, "  # noqa: SLF001
                                              "cannot be loaded due to missing permissions" % vid, 33))
    titles = REEL_TITLES if v.get("reel") else TITLES
    names = [x for x in fields.get("metric", ",".join(titles)).split(",") if x]
    if any(x not in titles or x in st.fb_deprecated for x in names):
        return fbe._usage(emu, fbe.error(100, "(#100) The value must be a valid insights metric"))  # noqa: SLF001
    values = _fb_values(emu, vid)
    data = []
    if values is not None:
        for name in names:
            if name in values:
                data.append({"name": name, "period": "lifetime", "values": [{"value": values[name]}],
                             "title": titles[name], "description": f"Lifetime: {titles[name]}",
                             "id": f"{vid}/video_insights/{name}/lifetime"})
    return fbe._usage(emu, Response(200, {"data": data, "paging": {"previous": "", "next": ""}}))  # noqa: SLF001


def graph_batch(emu: Emulator, req: Request, m: re.Match) -> Response:
    """POST / with batch=[{method, relative_url}, ...]: each item answered as {code, headers, body: "json"}."""
    fields, _ = fbe.form(req)
    if (r := fbe._guard(emu, req, fields)) is not None:  # noqa: SLF001
        return fbe._usage(emu, r)  # noqa: SLF001
    state(emu).requests["graph-batch"] += 1
    try:
        items = json.loads(fields.get("batch", ""))
        assert isinstance(items, list)
    except (ValueError, AssertionError):
        return fbe._usage(emu, fbe.error(100, "(#100) The parameter batch must be a JSON array"))  # noqa: SLF001
    if len(items) > 50:
        return fbe._usage(emu, fbe.error(100, "(#100) Too many requests in batch message. Maximum batch size is 50"))  # noqa: SLF001
    token = fields.get("access_token", "")
    out = []
    for item in items:
        url = urlsplit("/" + str(item.get("relative_url", "")).lstrip("/"))
        sub = Request(str(item.get("method", "GET")).upper(), url.path,
                      {k: v[-1] for k, v in parse_qs(url.query).items()}, {"authorization": f"OAuth {token}"},
                      b"", req.base_url)
        resp = Response(404, {"error": {"message": "Unknown path components", "type": "OAuthException", "code": 2500}})
        for route in emu.routes:
            if route.method == sub.method and (mm := re.fullmatch(route.pattern, sub.path)):
                if route.handler is not graph_batch:
                    resp = route.handler(emu, sub, mm)
                break
        out.append({"code": resp.status, "headers": [{"name": "Content-Type", "value": "text/javascript; charset=UTF-8"}],
                    "body": json.dumps(resp.body)})
    return fbe._usage(emu, Response(200, out))  # noqa: SLF001


def method_override(emu: Emulator, req: Request, m: re.Match) -> Response:
    """google-api-python-client turns a GET whose URL passes 2048 characters (many video ids)
    into a POST with X-HTTP-Method-Override: GET and the query in the body; Google accepts it."""
    if req.headers.get("x-http-method-override", "").upper() != "GET":
        return yte.error(405, "methodNotAllowed", "Method not allowed.", "global")
    query = {**req.query, **{k: v[-1] for k, v in parse_qs(req.body.decode()).items()}}
    sub = Request("GET", req.path, query, req.headers, b"", req.base_url)
    handler = reports_query if req.path == "/v2/reports" else videos_list
    return handler(emu, sub, m)


# ------------------------------------------------------------------ control

def control(emu: Emulator, req: Request, m: re.Match) -> Response:
    st = state(emu)
    if req.method == "POST":
        body = req.json()
        st.advance(int(body.get("advance", 0)))
        st.empty |= set(body.get("empty", []))
        st.fb_deprecated |= set(body.get("fb_deprecated", []))
    return Response(200, {"tick": st.tick, "requests": dict(st.requests), "empty": sorted(st.empty),
                          "fb_deprecated": sorted(st.fb_deprecated)})


ROUTES = (
    Route("GET", r"/v2/reports", reports_query),
    Route("POST", r"/v2/reports", method_override),
    Route("GET", r"/youtube/v3/videos", videos_list),
    Route("GET", fbe.V + r"/(?P<video>\d+)/video_insights", video_insights),
    Route("POST", fbe.V + r"/?", graph_batch),
    Route("POST", r"/_emulator/analytics", control),
    Route("GET", r"/_emulator/analytics", control),
)
