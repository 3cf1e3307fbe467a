"""Facebook Page video statistics: `/{video-id}/video_insights` through the Graph batch API.

One batch (`POST /` with `batch=[...]`, at most 50 items) carries one insights request per
video, so 5 or 50 videos cost one HTTP request. The pinned Graph version, the token
handling, retries and throttling are publish's Facebook client (pipeline/platforms/facebook.py).

Meta hides insights of small audiences (empty `data`) and deprecates metrics (error 100
for the whole item). Both are recorded as missing; a rejected metric is found with one
extra batch (one item per metric, on one video), then dropped for every video in one more.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import urlencode

from pipeline.config import Config
from pipeline.log import stage_logger
from pipeline.metrics.dataset import MetricSample, PostedVideo, sample
from pipeline.metrics.dictionary import FACEBOOK_INSIGHTS, FACEBOOK_REELS_INSIGHTS
from pipeline.platforms.base import PlatformError
from pipeline.platforms.facebook import AUTH_CODES, THROTTLE_CODES, Facebook

log = stage_logger("metrics")
BATCH_MAX = 50
SRC = "facebook-graph"
INSIGHTS = tuple(FACEBOOK_INSIGHTS)
REELS = tuple(FACEBOOK_REELS_INSIGHTS)
SPLIT = {"total_video_stories_by_action_type": {"comments": "comment", "shares": "share"},
         "post_video_social_actions": {"comments": "COMMENT", "shares": "SHARE"}}
KEYS = ("views", "unique_viewers", "avg_view_seconds", "watch_minutes", "complete_views", "likes", "comments", "shares")
NOT_FOUND_SUBCODE = 33


def _chunks(items: list, n: int) -> list[list]:
    return [items[i:i + n] for i in range(0, len(items), n)]


class FacebookMetrics:
    platform = "facebook"

    def __init__(self, cfg: Config, client: Facebook | None = None) -> None:
        self.client = client or Facebook(cfg)
        self.version = cfg.publish.facebook.graph_version
        self.requests = {SRC: 0}
        self.rejected: dict[str, str] = {}   # metric -> Meta's message, learnt during this pull

    @staticmethod
    def planned_requests(n_videos: int) -> dict[str, int]:
        return {SRC: max(1, -(-n_videos // BATCH_MAX))}

    def batch(self, items: list[tuple[str, dict]], what: str = "insights batch") -> list[dict | None]:
        """One POST / with up to 50 GET items; each answer as {"code", "body" (parsed)} or None."""
        batch = [{"method": "GET", "relative_url": f"{self.version}/{path}?{urlencode(params)}"}
                 for path, params in items]
        self.requests[SRC] += 1
        # publish's client: pinned version root, token in the form body, retries, throttling
        try:
            answers = self.client.call(what, "POST", "",  # same protocol, same error handling
                                        {"batch": json.dumps(batch), "include_headers": "false"})
        except PlatformError as exc:
            raise PlatformError(exc.message, hint="check [publish.facebook] page_id and graph_version; "
                                                  "`webseries metrics pull` can be run again safely") from None
        if not isinstance(answers, list):   # the client wraps non-dict JSON bodies as they are
            answers = answers.get("data", []) if isinstance(answers, dict) else []
        out: list[dict | None] = []
        for a in answers:
            if a is None:
                out.append(None)
                continue
            try:
                body = json.loads(a.get("body") or "{}")
            except ValueError:
                body = {"error": {"code": 2, "message": "unreadable answer"}}
            out.append({"code": a.get("code", 0), "body": body})
        return out

    def _metrics(self, t: PostedVideo) -> tuple[str, ...]:
        return tuple(m for m in (REELS if t.reel else INSIGHTS) if m not in self.rejected)

    def _insights(self, videos: list[PostedVideo]) -> list[dict | None]:
        answers: list[dict | None] = []
        for part in _chunks(videos, BATCH_MAX):
            answers += self.batch([(f"{t.remote_id}/video_insights",
                                     {"metric": ",".join(self._metrics(t)), "period": "lifetime"}) for t in part])
        return answers

    def pull(self, videos: list[PostedVideo], end: date, now: datetime) -> list[MetricSample]:
        ordered = sorted(videos, key=lambda t: t.remote_id)
        answers = dict(zip([t.remote_id for t in ordered], self._insights(ordered), strict=False))
        refused = [t for t in ordered if (a := answers[t.remote_id]) and _metric_refused(a)]
        for kind in (False, True):   # Page videos, then Reels: which metric? ask one of them metric by metric
            mine = [t for t in refused if t.reel == kind]
            if not mine:
                continue
            names = self._metrics(mine[0])
            probe = self.batch([(f"{mine[0].remote_id}/video_insights", {"metric": m, "period": "lifetime"})
                                 for m in names])
            for m, a in zip(names, probe, strict=False):
                if a and _metric_refused(a):
                    self.rejected[m] = a["body"]["error"].get("message", "")
            if any(self._metrics(t) for t in mine):   # then everyone refused, without those metrics
                answers.update(zip([t.remote_id for t in mine], self._insights(mine), strict=False))
        if self.rejected:
            log.warning("facebook: Meta refused metric(s) %s: recorded as missing", ", ".join(self.rejected))
        out: list[MetricSample] = []
        for t in ordered:
            out += self._samples(t, answers.get(t.remote_id), end, now)
        return out

    def _samples(self, t: PostedVideo, answer: dict | None, end: date, now: datetime) -> list[MetricSample]:
        start = t.publish_at.date()

        def row(metric: str, value: float | None, reason: str = "", dim: str = "total", dv: str = "") -> MetricSample:
            return sample(t, "facebook", SRC, metric, value, reason=reason, dimension=dim, dimension_value=dv,
                          start=start, end=end, pulled_at=now)

        def all_missing(reason: str) -> list[MetricSample]:   # Reels have no unique viewers/complete views
            return [row(k, None, reason) for k in KEYS if not (t.reel and k in ("unique_viewers", "complete_views"))]

        if answer is None:
            return all_missing("Meta did not answer this item of the batch (timeout); pulled again next time")
        err = answer["body"].get("error") if isinstance(answer["body"], dict) else None
        if err:
            code = int(err.get("code", 0))
            if code in AUTH_CODES:
                from pipeline.platforms.accounts import auth_error
                raise auth_error("facebook", f"code {code}")
            if err.get("error_subcode") == NOT_FOUND_SUBCODE:
                return all_missing("video not found on Facebook (deleted, or not on this Page)")
            if code in THROTTLE_CODES:
                return all_missing(f"Meta throttled this request (code {code}); pulled again next time")
            return all_missing(f"Meta refused the request (code {code}: {err.get('message', '')[:120]})")
        data = {d.get("name"): d for d in answer["body"].get("data", [])}
        if not data:
            when = f"not yet published (scheduled for {t.publish_at.date()})" if t.publish_at > now else \
                "Meta returned no insights (audience too small to report, or not processed yet)"
            return all_missing(when)
        out = []
        table = FACEBOOK_REELS_INSIGHTS if t.reel else FACEBOOK_INSIGHTS
        for name, (key, scale) in table.items():
            entry = data.get(name)
            values = (entry or {}).get("values") or []
            value = values[-1].get("value") if values else None
            reason = (f"metric refused by Meta: {self.rejected[name][:120]}" if name in self.rejected
                      else "not in Meta's answer (deprecated or hidden for this video)")
            if name in SPLIT:
                # Meta leaves out action types with no story: an answered dict without "share" means 0
                for k, src in SPLIT[name].items():
                    out.append(row(k, None if not isinstance(value, dict) else value.get(src, 0), reason))
            elif isinstance(value, dict):   # reactions by type: each type, and their sum as the total
                out += [row(key, v, dim="reaction", dv=k.lower().removeprefix("reaction_"))
                        for k, v in sorted(value.items())]
                out.append(row(key, sum(value.values())))
            else:
                out.append(row(key, None if value is None else round(value * scale, 3), reason))
        return out


def _metric_refused(answer: dict) -> bool:
    err = answer["body"].get("error") if isinstance(answer.get("body"), dict) else None
    return bool(err) and int(err.get("code", 0)) == 100 and err.get("error_subcode") != NOT_FOUND_SUBCODE
