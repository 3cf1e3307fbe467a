"""The evaluation report's data: frozen dataclasses that every rendering reads (see evaluation.py).

Kept apart from the code that computes them so the indicators (indicators.py), the renderers and
the studio's page can all depend on these shapes without depending on each other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from pipeline.metrics import summary, survey_results
from pipeline.metrics.comments import Comment
from pipeline.metrics.dataset import MetricSample
from pipeline.metrics.fieldwork import Broadcast, Screening


@dataclass(frozen=True)
class Filters:
    """What the evaluator selected: pulls/comments/field records by date, one episode (with its clips)."""

    since: date | None = None
    until: date | None = None
    episode: str | None = None

    def describe(self) -> str:
        out = self.episode or "toutes les vidéos"
        if self.since:
            out += f", du {self.since:%d/%m/%Y}"
        if self.until:
            out += f" au {self.until:%d/%m/%Y}"
        return out


@dataclass(frozen=True)
class Demographic:
    """An age x gender share of YouTube's signed-in viewers, and the views it implies (an estimate)."""

    age: str
    gender: str
    percent: float
    estimated_views: int


@dataclass(frozen=True)
class Audience:
    rows: list[MetricSample]                  # every pulled value of the selection
    latest: list[MetricSample]                # each platform's latest pull
    totals: list[summary.TotalRow]
    series: dict[tuple[str, str], list[tuple[date, float]]]
    demographics: tuple[Demographic, ...]
    youtube_views_all: float | None           # what the demographic percentages apply to
    countries: list[tuple[str, float]]
    devices: list[tuple[str, float]]
    contribution: dict[str, dict[str, float]]
    contribution_views: dict[str, dict[str, float]]
    missing: list[tuple[str, str, int, list[str]]]
    pulled: dict[str, datetime]               # platform -> latest pull (UTC)


@dataclass(frozen=True)
class EpisodeFeedback:
    episode: str
    title: str
    comments: int                 # viewers' comments and replies (not the team's, not hidden)
    authors: int                  # distinct author keys
    questions: int
    answered: int
    languages: tuple[tuple[str, int], ...]
    themes: tuple[tuple[str, int], ...]

    @property
    def answered_pct(self) -> float | None:
        return round(100 * self.answered / self.questions, 1) if self.questions else None


@dataclass(frozen=True)
class Feedback:
    episodes: tuple[EpisodeFeedback, ...]
    total: EpisodeFeedback
    unanswered: tuple[Comment, ...]
    removed: int                  # comments seen once, then deleted
    hidden: int


@dataclass(frozen=True)
class Offline:
    screenings: tuple[Screening, ...]
    broadcasts: tuple[Broadcast, ...]

    def participants(self, attr: str) -> int:
        return sum(getattr(s, attr) for s in self.screenings)

    def by(self, key: str) -> list[tuple[str, int, int, int]]:
        """(region | episode | language, screenings, women, men)."""
        acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for s in self.screenings:
            for k in (s.episodes if key == "episodes" else (getattr(s, key),)):
                acc[k][0] += 1
                acc[k][1] += s.women
                acc[k][2] += s.men
        return [(k, *v) for k, v in sorted(acc.items())]


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    label: str
    value: float | None
    unit: str
    baseline: float | None
    target: float | None
    reached_pct: float | None     # (value - baseline) / (target - baseline) x 100
    source: str
    as_of: datetime | None        # when the data behind it was pulled or imported (UTC)


@dataclass(frozen=True)
class EvaluationData:
    filters: Filters
    generated_at: datetime
    series_title: str
    titles: dict[str, str]                    # asset -> "French title (id)", as tables name videos
    names: dict[str, str]                     # asset -> French title alone, as charts label them
    audience: Audience | None                 # None: nothing pulled yet
    feedback: Feedback
    offline: Offline
    survey: survey_results.SurveyResults | None
    as_of: dict[str, datetime | None]         # platforms | comments | field | survey -> last pull or import (UTC)
    survey_notes: tuple[str, ...] = ()
    indicators: tuple[IndicatorRow, ...] = field(default=())   # filled by evaluation.compute()
