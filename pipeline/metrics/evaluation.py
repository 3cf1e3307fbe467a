"""The evaluation report's numbers, computed once for every way of showing them.

`compute(cfg, store, filters)` returns frozen dataclasses: the platforms' audience (from the
metrics dataset), viewers' feedback per episode, offline screenings and broadcasts, the pre/post
survey and the logframe indicators. The HTML page, the Word document, the workbook, the CSV
files — and the studio's Statistiques page — render these same objects (tables.py), so every
output shows the same figures under the same definitions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime

from pipeline import ledger
from pipeline.config import Config
from pipeline.metrics import comments as comment_store
from pipeline.metrics import dataset, fieldwork, indicators, summary, survey, survey_results
from pipeline.metrics.comments import Comment
from pipeline.metrics.dataset import ALL
from pipeline.metrics.feedback import themes
from pipeline.metrics.report_data import (Audience, Demographic, EpisodeFeedback, EvaluationData, Feedback, Filters,
                                          Offline)
from pipeline.metrics.titles import catalogue, labelled, short
from pipeline.store import Store


def audience(store: Store, filters: Filters) -> Audience | None:
    rows = dataset.query(store, filters.since, filters.until, filters.episode)
    if not rows:
        return None
    last = summary.latest(rows)
    table = summary.totals(last)
    publish = {(e.platform, e.asset): e.publish_at.date() for e in ledger.all_entries(store)}
    yt_all = sum(r.value for r in last if r.platform == "youtube" and r.metric == "views"
                 and r.dimension == dataset.TOTAL and r.asset != ALL and r.value is not None) or None
    demo = tuple(Demographic(*v.split(",", 1), pct, round(pct * yt_all / 100) if yt_all else 0)
                 for v, pct in summary.breakdown(last, "ageGroup,gender", "viewer_percentage"))
    contrib = summary.contribution(table)
    views: dict[str, dict[str, float]] = {}
    for t in table:
        if t.scope == "video" and t.values["views"] is not None:
            views.setdefault(t.platform, Counter())[t.kind] += t.values["views"]
    pulled = {p: datetime.fromisoformat(max(r.pulled_at for r in last if r.platform == p))
              for p in summary.PLATFORMS if any(r.platform == p for r in last)}
    return Audience(rows, last, table, summary.views_over_time(rows, last, publish), demo, yt_all,
                    summary.breakdown(last, "country", "views"), summary.breakdown(last, "deviceType", "views"),
                    contrib, {p: dict(v) for p, v in views.items()}, summary.missing_summary(last), pulled)


def _episode_feedback(episode: str, title: str, cs: list[Comment], configured: dict) -> EpisodeFeedback:
    asks = [c for c in cs if c.question and not c.parent_id]
    theme_counts: Counter[str] = Counter()
    for c in cs:
        theme_counts.update(themes(c.text, configured))
    return EpisodeFeedback(episode, title, len(cs), len({c.author_key for c in cs if c.author_key}), len(asks),
                           sum(c.answered for c in asks), tuple(sorted(Counter(c.lang for c in cs).items())),
                           tuple(theme_counts.most_common()))


def feedback(cfg: Config, store: Store, filters: Filters, titles: dict[str, str]) -> Feedback:
    stored = comment_store.load(store, filters.episode, filters.since, filters.until, include_removed=True)
    live = [s for s in stored if s.removed_at is None]
    viewers = comment_store.viewers(live)
    configured = cfg.metrics.evaluation.comments.themes
    by_episode: dict[str, list[Comment]] = defaultdict(list)
    for c in viewers:
        by_episode[c.episode].append(c)
    rows = tuple(_episode_feedback(ep, titles.get(ep, ep), cs, configured)
                 for ep, cs in sorted(by_episode.items(), key=lambda kv: summary.asset_order(kv[0])))
    return Feedback(rows, _episode_feedback("*", "Toutes les vidéos", viewers, configured),
                    tuple(comment_store.unanswered(live)), sum(1 for s in stored if s.removed_at),
                    sum(1 for s in live if s.comment.hidden))


def _as_of(store: Store) -> dict[str, datetime | None]:
    out: dict[str, datetime | None] = {}
    for key, sql in (("platforms", "SELECT MAX(finished_at) FROM metric_pulls"),
                     ("comments", "SELECT MAX(last_seen) FROM comments"),
                     ("field", "SELECT MAX(imported_at) FROM field_records"),
                     ("survey", "SELECT MAX(imported_at) FROM survey_responses")):
        (last,) = store.db.execute(sql).fetchone()
        out[key] = datetime.fromisoformat(last) if last else None
    return out


def compute(cfg: Config, store: Store, filters: Filters | None = None,
            generated_at: datetime | None = None) -> EvaluationData:
    """Every section's numbers for the selection (the survey is never filtered: it spans the broadcast)."""
    filters = filters or Filters()
    episodes = catalogue(cfg)
    aud = audience(store, filters)
    assets = {r.asset for r in aud.rows if r.asset != ALL} if aud else set()
    assets |= {a for (a,) in store.db.execute("SELECT DISTINCT asset FROM comments")}
    assets |= set(episodes)
    titles = {a: labelled(a, episodes) for a in assets}
    names = {a: short(a, episodes) for a in assets}
    offline = Offline(tuple(fieldwork.load(store, fieldwork.SCREENING, filters.episode, filters.since, filters.until)),
                      tuple(fieldwork.load(store, fieldwork.BROADCAST, filters.episode, filters.since, filters.until)))
    responses = survey.load(store)
    sc = cfg.metrics.evaluation.survey
    notes = []
    if responses and not sc.questions:
        notes.append("Aucune question notée dans [metrics.survey.questions] : pas de score.")
    data = EvaluationData(filters, generated_at or datetime.now(UTC), cfg.project.series_title.fr, titles, names, aud,
                          feedback(cfg, store, filters, titles), offline, survey_results.compute(responses, sc),
                          _as_of(store), tuple(notes))
    return replace(data, indicators=indicators.compute(cfg, data))
