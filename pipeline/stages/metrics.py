"""metrics: pull every published release's statistics into the dataset, and the periodic job.

The release ledger says what is out there (platform, remote id, asset); each platform is
asked once for all its videos (batched), every value becomes a dated snapshot row, and
what the platform withheld is stored as missing with a reason and summarised at the end.
The viewers' comments are read in the same pull, through the same clients (comments table).
A platform that fails (quota, outage) does not stop the other one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline import ledger
from pipeline.config import Config, load_config
from pipeline.errors import PipelineError
from pipeline.log import stage_logger
from pipeline.metrics import comments, dataset
from pipeline.metrics.dataset import MetricSample, PostedVideo
from pipeline.platforms.base import AuthError
from pipeline.store import Store

STAGE = "metrics"
log = stage_logger(STAGE)
PULLED_STATES = ("scheduled", "published")
QUOTA_KEY = "youtube-analytics"   # our count of Analytics queries per Pacific day, in quota_usage


@dataclass(frozen=True)
class PullResult:
    pull_id: int
    pulled_at: datetime
    videos: dict[str, int]                   # platform -> videos asked about
    values: int                              # rows with a value
    missing: dict[str, int]                  # reason -> rows
    requests: dict[str, int]                 # API -> HTTP requests made (retries not counted)
    failed: dict[str, str] = field(default_factory=dict)  # platform -> why nothing came back
    comments: dict[str, int] = field(default_factory=dict)  # platform -> comments and replies read
    new_comments: int = 0
    notes: tuple[str, ...] = ()                             # what could not be read (comments)

    def summary(self) -> str:
        parts = [f"pull {self.pull_id}: {self.values} values from "
                 + ", ".join(f"{n} {p} video(s)" for p, n in self.videos.items())]
        if self.missing:
            parts.append(f"{sum(self.missing.values())} missing: "
                         + "; ".join(f"{n} x {why}" for why, n in self.missing.most_common()))
        parts += [f"{p} skipped: {why}" for p, why in self.failed.items()]
        if self.comments:
            parts.append("comments: " + ", ".join(f"{p} {n}" for p, n in self.comments.items())
                         + f" ({self.new_comments} new)")
        parts += list(self.notes)
        parts.append("requests: " + ", ".join(f"{k} {v}" for k, v in sorted(self.requests.items())))
        return "\n".join(parts)


def posted_videos(store: Store) -> list[PostedVideo]:
    """Every release the ledger says is scheduled or published, with its remote id."""
    return [PostedVideo(e.platform, e.release_id, e.remote_id, e.asset, e.publish_at, e.url or "")
            for e in ledger.all_entries(store) if e.state in PULLED_STATES and e.remote_id]


def _youtube(cfg: Config):  # noqa: ANN202
    from pipeline.metrics.youtube_source import YouTubeMetrics
    return YouTubeMetrics(cfg)


def _facebook(cfg: Config):  # noqa: ANN202
    from pipeline.metrics.facebook_source import FacebookMetrics
    return FacebookMetrics(cfg)


def _youtube_comments(cfg: Config, client: object, salt: bytes):  # noqa: ANN202
    from pipeline.metrics.comment_sources import YouTubeComments
    return YouTubeComments(cfg, client, salt)


def _facebook_comments(cfg: Config, client: object, salt: bytes):  # noqa: ANN202
    from pipeline.metrics.comment_sources import FacebookComments
    return FacebookComments(cfg, client, salt)


SOURCES: dict[str, Callable[[Config], object]] = {"youtube": _youtube, "facebook": _facebook}
COMMENTS: dict[str, Callable[[Config, object, bytes], object]] = {"youtube": _youtube_comments,
                                                                  "facebook": _facebook_comments}


def pull(cfg: Config, store: Store, now: datetime | None = None,
         sources: dict[str, Callable[[Config], object]] | None = None) -> PullResult:
    """One pull of every platform; the rows of each platform are written together or not at all."""
    from pipeline.metrics.feedback import salt as comment_salt
    from pipeline.platforms.youtube import pacific_day

    now = now or datetime.now(UTC)
    sources = sources or SOURCES
    todo = posted_videos(store)
    if not todo:
        raise PipelineError("no published or scheduled release in the ledger: nothing to measure",
                            hint="publish first (`webseries publish upload`), then pull metrics")
    pull_id = dataset.begin_pull(store)
    end = now.date()
    start = min(end, max(min(t.publish_at for t in todo).date(), end - timedelta(days=cfg.metrics.lookback_days)))
    requests: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    failed: dict[str, str] = {}
    videos: dict[str, int] = {}
    values = 0
    read: dict[str, int] = {}
    notes: list[str] = []
    new = 0
    key = comment_salt(cfg)
    for platform, make in sources.items():
        mine = [t for t in todo if t.platform == platform]
        if not mine:
            continue
        videos[platform] = len(mine)
        day = pacific_day(now)
        client = None
        rows: list[MetricSample] = []
        try:
            if platform == "youtube":
                _check_quota(cfg, store, day, len(mine))
            client = make(cfg)
            rows = client.pull(mine, start, end, now) if platform == "youtube" else client.pull(mine, end, now)
            if platform in COMMENTS:
                got = _comments(cfg, COMMENTS[platform], client, key, mine, failed, platform)
                if got is not None:
                    new += comments.save(store, got.comments, got.complete, now)
                    read[platform] = len(got.comments)
                    notes += got.notes
        except AuthError:
            raise
        except PipelineError as exc:   # quota, outage: the other platform still gets pulled
            log.error("%s: %s", platform, exc.message)
            failed[platform] = exc.message
            rows = []
        finally:
            made = dict(getattr(client, "requests", {}))
            requests.update(made)
            if platform == "youtube" and made:
                ledger.add_quota(store, QUOTA_KEY, day, made.get("youtube-analytics", 0))
                ledger.add_quota(store, "youtube", day,
                                 made.get("youtube-data", 0) * cfg.publish.youtube.quota_costs["list"])
        dataset.write(store, pull_id, rows)
        values += sum(1 for r in rows if r.value is not None)
        missing.update(f"{r.platform}: {r.missing_reason}" for r in rows if r.value is None)
    result = PullResult(pull_id, now, videos, values, missing, dict(requests), failed, read, new, tuple(notes))
    dataset.finish_pull(store, pull_id, dict(requests), result.summary())
    return result


def _comments(cfg: Config, make: Callable, client: object, key: bytes, videos: list[PostedVideo],  # noqa: PLR0913
              failed: dict[str, str], platform: str):  # noqa: ANN202 - a CommentPull or None
    """Comments through the platform's metrics client; a refusal leaves the statistics pulled."""
    try:
        return make(cfg, client, key).pull(videos)
    except AuthError:
        raise
    except PipelineError as exc:
        log.error("%s comments: %s", platform, exc.message)
        failed[f"{platform} comments"] = exc.message
        return None


def _check_quota(cfg: Config, store: Store, day: str, n: int) -> None:
    """Analytics has its own quota: stay under our ceiling, and leave the Data API's to publish."""
    from pipeline.metrics.youtube_source import YouTubeMetrics

    need = YouTubeMetrics.planned_requests(n)
    used = ledger.quota_used(store, QUOTA_KEY, day)
    if used + need["youtube-analytics"] > cfg.metrics.analytics_requests_per_day:
        raise PipelineError(f"YouTube Analytics: {used} queries made today (Pacific time); a pull needs "
                            f"{need['youtube-analytics']} more, over analytics_requests_per_day = "
                            f"{cfg.metrics.analytics_requests_per_day}", hint="pulled again after midnight Pacific")
    units = need["youtube-data"] * cfg.publish.youtube.quota_costs["list"]
    if ledger.quota_used(store, "youtube", day) + units > cfg.publish.youtube.quota_per_day:
        raise PipelineError("YouTube Data API: today's quota is spent (publishing comes first)",
                            hint="pulled again after midnight Pacific")


def due(cfg: Config, store: Store, now: datetime | None = None) -> bool:
    """Whether the last finished pull is older than [metrics] pull_every_hours."""
    now = now or datetime.now(UTC)
    last = dataset.last_pull(store)
    return last is None or now - last[1] >= timedelta(hours=cfg.metrics.pull_every_hours)


def pull_job(config_path: str) -> str:
    """The scheduler's periodic job: pull if due (the dataset, not the job store, says when)."""
    from pipeline.stages.publish import publish_lock

    cfg = load_config(Path(config_path))
    with Store(cfg.project.database) as store, publish_lock(cfg, "metrics"):
        if not due(cfg, store):
            return "not due"
        if not posted_videos(store):
            return "nothing published"
        result = pull(cfg, store)
    for line in result.summary().splitlines():
        log.info("%s", line)
    return "pulled"

