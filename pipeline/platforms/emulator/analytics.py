"""Analytics routes of the local emulator: YouTube Analytics v2 reports, Data API statistics,
and the data model they share with Graph `/{video-id}/video_insights` (insights.py).

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
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs

from pipeline.platforms.emulator import youtube as yte
from pipeline.platforms.emulator.server import Emulator, Request, Response, Route

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


def stable_hash(*parts: object) -> int:
    """A number fixed by its parts (unlike hash(), the same in every process): figures are reproducible."""
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def quiet(video_id: str) -> bool:
    """A fixed seventh of videos have too small an audience: no data on either platform."""
    return stable_hash(video_id, "quiet") % 7 == 3


def partial(video_id: str) -> bool:
    """Another seventh have some fields withheld (YouTube likeCount hidden, Meta complete views)."""
    return stable_hash(video_id, "quiet") % 7 == 5


def today(emu: Emulator) -> date:
    """The platforms' date (the emulator's clock, which tests may move to a release time)."""
    return datetime.fromtimestamp(emu.now(), UTC).date()


def daily_views(platform: str, vid: str, day: date, first: date, tick: int, current: date) -> int:
    """Views on one day: a launch peak decaying over days; the current day's are still coming in (x (1+tick))."""
    base = 20 + stable_hash(platform, vid, day) % 80
    v = int(base * 4 / (1 + (day - first).days / 3)) + 1
    return v * (1 + tick) if day == current else v


def lifetime_views(emu: Emulator, platform: str, vid: str, first: date) -> int:
    """Every view from the first day to today (a public counter, or a lifetime insight)."""
    views, d, current = 0, first, today(emu)
    while d <= current:
        views += daily_views(platform, vid, d, first, state(emu).tick, current)
        d += timedelta(days=1)
    return views


# ------------------------------------------------------------------ YouTube Analytics v2

def _yt_first_day(emu: Emulator, vid: str) -> date | None:
    v = emu.state.yt_videos.get(vid)
    if v is None or vid in state(emu).empty or quiet(vid):
        return None
    when = v.get("status", {}).get("publishAt") or v.get("snippet", {}).get("publishedAt")
    first = datetime.fromisoformat(when.replace("Z", "+00:00")).date() if when else today(emu)
    return first if first <= today(emu) else None


def _yt_day(vid: str, views: int) -> dict[str, float]:
    minutes = round(views * (1.1 + stable_hash("min", vid) % 120 / 100))
    return {"views": views, "estimatedMinutesWatched": minutes, "likes": views // 12, "comments": views // 40,
            "shares": views // 25, "subscribersGained": views // 60}


def _yt_finish(vid: str, acc: dict[str, float]) -> dict[str, float]:
    """Averages from sums: averageViewDuration (s) and averageViewPercentage of a ~10-minute episode."""
    views = acc["views"] or 1
    out = dict(acc)
    out["averageViewDuration"] = int(acc["estimatedMinutesWatched"] * 60 / views)
    length = 480 + stable_hash("len", vid) % 240
    out["averageViewPercentage"] = round(min(100.0, out["averageViewDuration"] / length * 100), 2)
    return out


METRIC_TYPES = {"views": "INTEGER", "estimatedMinutesWatched": "INTEGER", "averageViewDuration": "INTEGER",
                "averageViewPercentage": "FLOAT", "likes": "INTEGER", "comments": "INTEGER", "shares": "INTEGER",
                "subscribersGained": "INTEGER", "viewerPercentage": "FLOAT"}
DIMENSIONS = ("video", "day", "day,video", "ageGroup,gender", "country", "deviceType")


def reports_query(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := yte.auth(emu, req)) is not None:  # the same auth answer as the Data API
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
        while d <= min(end, today(emu)):
            per_video_day[(vid, d)] = _yt_day(vid, daily_views("youtube", vid, d, first, st.tick, today(emu)))
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
        seed = stable_hash(*sorted(ids))
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

def videos_statistics(emu: Emulator, req: Request, m: re.Match) -> Response:
    """videos.list(part=statistics): the public counters (the emulator's one videos.list route sends it here)."""
    if (r := yte.auth(emu, req)) is not None or (r := yte.charge(emu, "list")) is not None:
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
        # the public counter is ahead of Analytics: it includes today
        views = lifetime_views(emu, "youtube", vid, first) if first is not None else 0
        stats = {"viewCount": str(views), "likeCount": str(views // 12), "favoriteCount": "0",
                 "commentCount": str(views // 40)}
        if partial(vid):
            del stats["likeCount"]
        items.append({"kind": "youtube#video", "etag": f"etag-{vid}", "id": vid, "statistics": stats})
    return Response(200, {"kind": "youtube#videoListResponse", "items": items,
                          "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}})


def method_override(emu: Emulator, req: Request, m: re.Match) -> Response:
    """google-api-python-client turns a GET whose URL passes 2048 characters (many video ids)
    into a POST with X-HTTP-Method-Override: GET and the query in the body; Google accepts it."""
    if req.headers.get("x-http-method-override", "").upper() != "GET":
        return yte.error(405, "methodNotAllowed", "Method not allowed.", "global")
    query = {**req.query, **{k: v[-1] for k, v in parse_qs(req.body.decode()).items()}}
    sub = Request("GET", req.path, query, req.headers, b"", req.base_url)
    found = emu.route_for("GET", req.path)
    if found is None:
        return yte.error(404, "notFound", f"No GET route for {req.path}.", "global")
    route, match = found
    return route.handler(emu, sub, match)


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
    Route("POST", r"/_emulator/analytics", control),
    Route("GET", r"/_emulator/analytics", control),
)
