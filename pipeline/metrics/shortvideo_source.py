"""TikTok and Instagram Reels statistics, through publish's clients (same tokens, retries and errors).

TikTok: status/fetch gives a post's public id, then video/query (20 ids a call) its view, like,
comment and share counts. Instagram: `/{media}/insights` for views, reach, likes, comments,
shares and saves. Missing is not zero: a private TikTok post (SELF_ONLY), a metric Meta
withholds, or a refused request is a row with no value and the reason.
"""

from __future__ import annotations

from datetime import date, datetime

from pipeline.config import Config
from pipeline.metrics.dataset import MetricSample, PostedVideo, sample
from pipeline.metrics.dictionary import INSTAGRAM_INSIGHTS, TIKTOK_FIELDS
from pipeline.platforms.base import PlatformError


class TikTokMetrics:
    platform = "tiktok"

    def __init__(self, cfg: Config) -> None:
        from pipeline.platforms.tiktok import TikTok
        self.client = TikTok(cfg)
        self.requests = {"tiktok": 0}

    def pull(self, videos: list[PostedVideo], end: date, now: datetime) -> list[MetricSample]:
        post_ids: dict[str, str] = {}
        reasons: dict[str, str] = {}
        for t in videos:
            self.requests["tiktok"] += 1
            try:
                st = self.client.call("status", "/v2/post/publish/status/fetch/", {"publish_id": t.remote_id})
            except PlatformError as exc:
                reasons[t.remote_id] = f"TikTok refused the request ({exc.message[:120]})"
                continue
            ids = st.get("publicaly_available_post_id") or []
            if ids:
                post_ids[t.remote_id] = str(ids[0])
            else:
                reasons[t.remote_id] = ("not public on TikTok (a private SELF_ONLY post has no statistics)"
                                        if st.get("status") == "PUBLISH_COMPLETE" else
                                        f"not published on TikTok ({st.get('status', '?')})")
        stats: dict[str, dict] = {}
        if post_ids:
            self.requests["tiktok"] += -(-len(post_ids) // 20)
            stats = self.client.video_stats(list(post_ids.values()), tuple(TIKTOK_FIELDS))
        out = []
        for t in videos:
            got = stats.get(post_ids.get(t.remote_id, ""))
            why = reasons.get(t.remote_id) or "TikTok did not return this video (deleted or made private)"
            for field, key in TIKTOK_FIELDS.items():
                value = got.get(field) if got else None
                out.append(sample(t, "tiktok", "tiktok-video-query", key, value, reason=why if got is None else
                                  "not in TikTok's answer", start=t.publish_at.date(), end=end, pulled_at=now))
        return out


class InstagramMetrics:
    platform = "instagram"

    def __init__(self, cfg: Config) -> None:
        from pipeline.platforms.instagram import Instagram
        self.client = Instagram(cfg)
        self.requests = {"instagram-graph": 0}

    def pull(self, videos: list[PostedVideo], end: date, now: datetime) -> list[MetricSample]:
        out = []
        for t in videos:
            self.requests["instagram-graph"] += 1
            why = "Meta returned no value (hidden for a small audience, or not processed yet)"
            try:
                data = self.client.graph.call("reel insights", "GET", f"{t.remote_id}/insights",
                                              {"metric": ",".join(INSTAGRAM_INSIGHTS)}, gone_ok=True)
                values = {d.get("name"): (d.get("values") or [{}])[-1].get("value") for d in data.get("data", [])}
                if not data:
                    why = "Reel not found on Instagram (deleted?)"
            except PlatformError as exc:
                values, why = {}, f"Meta refused the request ({exc.message[:120]})"
            for name, key in INSTAGRAM_INSIGHTS.items():
                out.append(sample(t, "instagram", "instagram-graph", key, values.get(name), reason=why,
                                  start=t.publish_at.date(), end=end, pulled_at=now))
        return out
