"""YouTube statistics: Analytics API v2 `reports.query` and the Data API's `videos.list` counters.

Both clients are google-api-python-client Resources built from the bundled discovery
documents with rootUrl/baseUrl replaced (as publish does for the Data API), so the emulator
sees every request. Every query names all videos at once (`filters=video==a,b,...`, up to
200; `videos.list(id=...)`, up to 50), so a pull costs the same few requests whether the
season has 5 videos or 50. YouTube omits `rows` when it has nothing: recorded as missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime

import httplib2

from pipeline.config import Config
from pipeline.log import stage_logger
from pipeline.metrics.dataset import TOTAL, MetricSample, PostedVideo, sample
from pipeline.metrics.dictionary import YOUTUBE_ANALYTICS, YOUTUBE_STATISTICS
from pipeline.platforms.accounts import LOGIN_YOUTUBE, youtube_credentials
from pipeline.platforms.base import Backoff
from pipeline.platforms.youtube import build_service, guarded_call

log = stage_logger("metrics")
SCOPE = "https://www.googleapis.com/auth/yt-analytics.readonly"
VIDEO_METRICS = tuple(YOUTUBE_ANALYTICS)   # views, estimatedMinutesWatched, ... subscribersGained
FILTER_MAX, LIST_MAX = 200, 50
SRC_A, SRC_D = "youtube-analytics", "youtube-data"


def build_analytics(api_root: str, credentials: object, timeout: float = 60):  # noqa: ANN201 - a Resource
    """The youtubeAnalytics v2 Resource from the bundled document, every URL under `api_root`."""
    import google_auth_httplib2
    from googleapiclient.discovery import build_from_document
    from googleapiclient.discovery_cache import get_static_doc

    doc = json.loads(get_static_doc("youtubeAnalytics", "v2"))
    root = api_root if api_root.endswith("/") else api_root + "/"
    doc["rootUrl"] = doc["mtlsRootUrl"] = root
    doc["baseUrl"] = root + doc.get("servicePath", "")
    http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))
    return build_from_document(doc, http=http)


def _chunks(items: list, n: int) -> list[list]:
    return [items[i:i + n] for i in range(0, len(items), n)]


class YouTubeMetrics:
    """Pulls every statistic for a list of videos; counts the requests it makes."""

    platform = "youtube"

    def __init__(self, cfg: Config, credentials: object | None = None) -> None:
        creds = credentials or youtube_credentials(cfg)
        self.cfg = cfg
        self.backoff = Backoff(cfg.publish.retry_attempts, cfg.publish.retry_base_seconds)
        self.analytics = build_analytics(cfg.metrics.youtube_analytics_root, creds)
        self.data = build_service(cfg.publish.youtube.api_root, creds)
        self.requests = {SRC_A: 0, SRC_D: 0}

    @staticmethod
    def planned_requests(n_videos: int) -> dict[str, int]:
        """What a pull of n videos will cost at least, checked against the quotas before starting:
        the Analytics queries, videos.list by 50, and the comments (channels.list + one page of threads)."""
        chunks = max(1, -(-n_videos // FILTER_MAX))
        return {SRC_A: 5 * chunks, SRC_D: max(1, -(-n_videos // LIST_MAX)) + 2}

    def call(self, source: str, what: str, request: Callable[[], object]) -> dict:
        self.requests[source] += 1
        return guarded_call(self.backoff, what, request,
                            refused_hint="check [metrics] in config.toml; the pull can be run again safely",
                            scope_hint=f"run `{LOGIN_YOUTUBE}` again and allow \"View YouTube Analytics reports\"")

    def _report(self, ids: list[str], start: date, end: date, dimensions: str, metrics: str, **extra: object) -> dict:
        req = self.analytics.reports().query(ids="channel==MINE", startDate=start.isoformat(), endDate=end.isoformat(),
                                             metrics=metrics, dimensions=dimensions,
                                             filters="video==" + ",".join(ids), **extra)
        return self.call(SRC_A, f"reports.query {dimensions}", req.execute)

    def pull(self, videos: list[PostedVideo], start: date, end: date, now: datetime) -> list[MetricSample]:
        by_id = {t.remote_id: t for t in videos}
        out: list[MetricSample] = []
        for ids in _chunks(sorted(by_id), FILTER_MAX):
            out += self._totals(ids, by_id, start, end, now)
            out += self._daily(ids, by_id, now)
            out += self._breakdowns(ids, start, end, now)
        for ids in _chunks(sorted(by_id), LIST_MAX):
            out += self._statistics(ids, by_id, end, now)
        return out

    def _totals(self, ids: list[str], by_id: dict[str, PostedVideo], start: date, end: date,
                now: datetime) -> list[MetricSample]:
        res = self._report(ids, start, end, "video", ",".join(VIDEO_METRICS), sort="-views", maxResults=FILTER_MAX)
        cols = [h["name"] for h in res.get("columnHeaders", [])]
        seen: set[str] = set()
        out = []
        for row in res.get("rows", []):   # absent when YouTube has no data at all
            rec = dict(zip(cols, row, strict=False))
            t = by_id.get(rec.get("video"))
            if t is None:
                continue
            seen.add(t.remote_id)
            for name in VIDEO_METRICS:
                key, scale = YOUTUBE_ANALYTICS[name]
                v = rec.get(name)
                out.append(sample(t, "youtube", SRC_A, key, None if v is None else v * scale,
                                  reason="not in YouTube's answer", start=max(start, t.publish_at.date()), end=end,
                                  pulled_at=now))
        for vid in ids:
            if vid not in seen:
                t = by_id[vid]
                why = (f"not yet published (scheduled for {t.publish_at.date()})" if t.publish_at > now
                       else "YouTube Analytics returned no rows for this video (no views yet, or data not ready: "
                            "analytics lag 1-2 days)")
                out += [sample(t, "youtube", SRC_A, YOUTUBE_ANALYTICS[n][0], None, reason=why,
                               start=max(start, t.publish_at.date()), end=end, pulled_at=now) for n in VIDEO_METRICS]
        return out

    def _daily(self, ids: list[str], by_id: dict[str, PostedVideo], now: datetime) -> list[MetricSample]:
        start = min(by_id[i].publish_at.date() for i in ids)
        end = now.date()
        if start > end:
            return []
        res = self._report(ids, start, end, "day,video", ",".join(VIDEO_METRICS), sort="day")
        cols = [h["name"] for h in res.get("columnHeaders", [])]
        out = []
        for row in res.get("rows", []):
            rec = dict(zip(cols, row, strict=False))
            t = by_id.get(rec.get("video"))
            if t is None:
                continue
            d = date.fromisoformat(rec["day"])
            for name in VIDEO_METRICS:
                if rec.get(name) is not None:
                    key, scale = YOUTUBE_ANALYTICS[name]
                    out.append(sample(t, "youtube", SRC_A, key, rec[name] * scale, dimension="day",
                                      dimension_value=d.isoformat(), start=d, end=d, pulled_at=now))
        return out

    def _breakdowns(self, ids: list[str], start: date, end: date, now: datetime) -> list[MetricSample]:
        """Audience of all the pulled videos together: age x gender, country, device."""
        out = []
        for dims, metrics in (("ageGroup,gender", "viewerPercentage"), ("country", "views,estimatedMinutesWatched"),
                              ("deviceType", "views,estimatedMinutesWatched")):
            res = self._report(ids, start, end, dims, metrics)
            cols = [h["name"] for h in res.get("columnHeaders", [])]
            rows = res.get("rows", [])
            for name in metrics.split(","):
                key = "viewer_percentage" if name == "viewerPercentage" else YOUTUBE_ANALYTICS[name][0]
                if not rows:
                    out.append(sample(None, "youtube", SRC_A, key, None, dimension=dims, start=start, end=end,
                                      reason="YouTube returned no rows (too few signed-in viewers to show an "
                                             "audience breakdown)", pulled_at=now))
                for row in rows:
                    rec = dict(zip(cols, row, strict=False))
                    value = ",".join(str(rec[d]) for d in dims.split(","))
                    out.append(sample(None, "youtube", SRC_A, key, rec.get(name), dimension=dims,
                                      dimension_value=value, reason="not in YouTube's answer", start=start, end=end,
                                      pulled_at=now))
        return out

    def _statistics(self, ids: list[str], by_id: dict[str, PostedVideo], end: date,
                    now: datetime) -> list[MetricSample]:
        res = self.call(SRC_D, "videos.list statistics",
                         self.data.videos().list(part="statistics", id=",".join(ids), maxResults=LIST_MAX).execute)
        items = {i["id"]: i.get("statistics", {}) for i in res.get("items", [])}
        out = []
        for vid in ids:
            t = by_id[vid]
            stats = items.get(vid)
            for field, key in YOUTUBE_STATISTICS.items():
                if stats is None:
                    v, why = None, "video not found on YouTube (deleted, or not visible to this account)"
                else:
                    v, why = (int(stats[field]) if field in stats else None), "hidden on YouTube (counter disabled)"
                out.append(sample(t, "youtube", SRC_D, key, v, reason=why, dimension=TOTAL,
                                  start=t.publish_at.date(), end=end, pulled_at=now))
        return out
