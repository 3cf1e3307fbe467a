"""The logframe's indicators, each computed from the report's data, with its source and date.

`[metrics.indicators]` in config.toml names them, with baseline and target; each `measure` is
one of MEASURE below (config/evaluation.py lists the same names; a test keeps them equal).
% reached = (value − baseline) ÷ (target − baseline) × 100: the share of the promised change, from the
unrounded value (the tables round for display only).
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.config import Config
from pipeline.metrics.report_data import EvaluationData, IndicatorRow


def _platform(d: EvaluationData, platform: str, metric: str) -> float | None:
    if d.audience is None:
        return None
    row = next((t for t in d.audience.totals if t.scope == "platform" and t.platform == platform), None)
    return None if row is None else row.values.get(metric)


def _sum(*values: float | None) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _videos(d: EvaluationData, platform: str) -> list:
    return [t for t in (d.audience.totals if d.audience else []) if t.scope == "video" and t.platform == platform]


def _yt_percentage(d: EvaluationData) -> float | None:
    """Views-weighted mean of YouTube's average percentage watched."""
    pairs = [(t.values["views"], t.values["avg_view_percentage"]) for t in _videos(d, "youtube")
             if t.values.get("views") and t.values.get("avg_view_percentage") is not None]
    total = sum(v for v, _ in pairs)
    return sum(v * p for v, p in pairs) / total if total else None


def _fb_complete(d: EvaluationData) -> float | None:
    pairs = [(t.values["views"], t.values["complete_views"]) for t in _videos(d, "facebook")
             if t.values.get("views") and t.values.get("complete_views") is not None]
    total = sum(v for v, _ in pairs)
    return 100 * sum(c for _, c in pairs) / total if total else None


def _survey(d: EvaluationData, what: str) -> float | None:
    s = d.survey
    if s is None:
        return None
    value = {"pre": s.pre.mean, "post": s.post.mean, "gain": s.difference.diff,
             "n": float(s.n_pre + s.n_post)}[what]
    return value


Measure = tuple[str, str, str, Callable[[EvaluationData], float | None]]   # label, unit, source, compute
PLATFORMS_SRC = "YouTube Analytics (views) + Facebook video_insights (vues ≥ 3 s)"
SCREEN_SRC = "fiches des projections importées"
MEASURE: dict[str, Measure] = {
    "views": ("Vues (YouTube + Facebook)", "vues", PLATFORMS_SRC,
              lambda d: _sum(_platform(d, "youtube", "views"), _platform(d, "facebook", "views"))),
    "views_youtube": ("Vues YouTube", "vues", "YouTube Analytics : views", lambda d: _platform(d, "youtube", "views")),
    "views_facebook": ("Vues Facebook (≥ 3 s)", "vues", "Facebook video_insights : total_video_views",
                       lambda d: _platform(d, "facebook", "views")),
    "unique_viewers_facebook": ("Spectateurs uniques Facebook", "personnes",
                                "Facebook : total_video_views_unique, additionné sur les vidéos",
                                lambda d: _sum(*(t.values.get("unique_viewers") for t in _videos(d, "facebook")))),
    "watch_hours": ("Heures regardées", "heures", "YouTube estimatedMinutesWatched + Facebook temps total",
                    lambda d: None if (m := _sum(_platform(d, "youtube", "watch_minutes"),
                                                 _platform(d, "facebook", "watch_minutes"))) is None else m / 60),
    "avg_percentage_youtube": ("Part moyenne regardée (YouTube)", "%",
                               "YouTube averageViewPercentage, pondéré par les vues", _yt_percentage),
    "complete_views_pct_facebook": ("Vues complètes (Facebook)", "% des vues",
                                    "Facebook total_video_complete_views ÷ total_video_views", _fb_complete),
    "comments": ("Commentaires des spectateurs", "commentaires", "commentaires relevés (YouTube, Facebook)",
                 lambda d: float(d.feedback.total.comments)),
    "questions": ("Questions des spectateurs", "questions", "commentaires relevés, détecteur de questions",
                  lambda d: float(d.feedback.total.questions)),
    "answered_pct": ("Questions avec réponse", "%", "réponses de la chaîne ou de la Page",
                     lambda d: d.feedback.total.answered_pct),
    "screenings": ("Projections communautaires", "projections", SCREEN_SRC, lambda d: float(len(d.offline.screenings))),
    "screening_participants": ("Participants aux projections", "personnes", SCREEN_SRC,
                               lambda d: float(d.offline.participants("participants"))),
    "screening_women": ("Participantes (femmes et filles)", "personnes", SCREEN_SRC,
                        lambda d: float(d.offline.participants("women"))),
    "screening_men": ("Participants (hommes et garçons)", "personnes", SCREEN_SRC,
                      lambda d: float(d.offline.participants("men"))),
    "screening_under_35": ("Participants de moins de 35 ans", "personnes", SCREEN_SRC,
                           lambda d: float(sum(s.girls_u18 + s.boys_u18 + s.women_18_35 + s.men_18_35
                                               for s in d.offline.screenings))),
    "screening_disability": ("Participants en situation de handicap", "personnes", SCREEN_SRC,
                             lambda d: float(d.offline.participants("disability"))),
    "screening_displaced": ("Participants déplacés", "personnes", SCREEN_SRC,
                            lambda d: float(d.offline.participants("displaced"))),
    "broadcasts": ("Diffusions radio et télévision", "diffusions", "fiches des diffusions importées",
                   lambda d: float(len(d.offline.broadcasts))),
    "broadcast_audience": ("Auditoire estimé des diffusions", "personnes (estimation)",
                           "fiches des diffusions (estimations des stations)",
                           lambda d: float(sum(b.audience for b in d.offline.broadcasts))),
    "survey_respondents": ("Personnes enquêtées (avant + après)", "réponses", "enquêtes KoboToolbox",
                           lambda d: _survey(d, "n")),
    "knowledge_pre": ("Score de connaissances avant", "points sur 100", "enquête avant diffusion",
                      lambda d: _survey(d, "pre")),
    "knowledge_post": ("Score de connaissances après", "points sur 100", "enquête après diffusion",
                       lambda d: _survey(d, "post")),
    "knowledge_gain": ("Gain de connaissances", "points sur 100", "enquêtes avant/après (différence des moyennes)",
                       lambda d: _survey(d, "gain")),
}


def _source_of(measure: str) -> str:
    if measure.startswith(("views", "unique", "watch", "avg_", "complete")):
        return "platforms"
    if measure in ("comments", "questions", "answered_pct"):
        return "comments"
    return "survey" if measure.startswith(("survey", "knowledge")) else "field"


def compute(cfg: Config, d: EvaluationData) -> tuple[IndicatorRow, ...]:
    out = []
    for ind in cfg.metrics.evaluation.indicators:
        label, unit, source, fn = MEASURE[ind.measure]
        value = fn(d)
        reached = None
        if value is not None and ind.target is not None:
            base = ind.baseline or 0.0
            if ind.target != base:
                reached = round(100 * (value - base) / (ind.target - base), 1)
        out.append(IndicatorRow(ind.key, ind.label or label, value, ind.unit or unit, ind.baseline, ind.target,
                                 reached, source, d.as_of.get(_source_of(ind.measure))))
    return tuple(out)
