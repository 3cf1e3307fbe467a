"""[metrics]: how often platform statistics are pulled, and how far back; its sub-tables (evaluation.py)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.config import evaluation
from pipeline.config.publish import emulated
from pipeline.tomlread import Reader


@dataclass(frozen=True)
class MetricsConfig:
    pull_every_hours: float               # the scheduler pulls when the last pull is older than this
    lookback_days: int                    # YouTube Analytics period starts at most this many days back
    youtube_analytics_root: str           # https://youtubeanalytics.googleapis.com/ (or the emulator)
    analytics_requests_per_day: int       # our own ceiling on YouTube Analytics queries (its own quota)
    evaluation: evaluation.EvaluationConfig  # [metrics.comments], [metrics.survey], [metrics.indicators]


def parse(r: Reader) -> MetricsConfig:
    cfg = MetricsConfig(
        pull_every_hours=r.float("pull_every_hours", 24.0, lo=1.0),
        lookback_days=r.int("lookback_days", 365, lo=1, hi=3650),
        youtube_analytics_root=emulated(r.str("youtube_analytics_root", "https://youtubeanalytics.googleapis.com/"),
                                        "/"),
        analytics_requests_per_day=r.int("analytics_requests_per_day", 200, lo=1),
        evaluation=evaluation.parse(r),
    )
    r.check_unknown()
    return cfg
