"""What the report shows, computed from dataset rows: latest values, totals, series, audiences.

Kept apart from the HTML so the CSV exports and the page are built from the very same
numbers (the test checks the page's totals against the CSV).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from pipeline.metrics.dataset import ALL, TOTAL, MetricSample
from pipeline.metrics.dictionary import METRICS

PLATFORMS = ("youtube", "facebook")
# Completion is two measures, never one column: YouTube's average percentage watched, Facebook's
# complete views (95 %) as a share of its 3-second views. Each is empty on the other platform.
COLUMNS = ("views", "unique_viewers", "watch_minutes", "avg_view_seconds", "avg_view_percentage", "complete_views",
           "complete_views_pct", "likes", "comments", "shares", "engagement_rate", "public_views")
COLUMN_LABELS = {"views": "Vues", "unique_viewers": "Spectateurs uniques (Facebook)",
                 "watch_minutes": "Temps de visionnage (min)", "avg_view_seconds": "Durée moyenne (s)",
                 "avg_view_percentage": "% moyen regardé (YouTube)", "complete_views": "Vues complètes (Facebook)",
                 "complete_views_pct": "Vues complètes, % des vues (Facebook)", "likes": "J'aime / réactions",
                 "comments": "Commentaires", "shares": "Partages", "engagement_rate": "Engagement (%)",
                 "public_views": "Compteur public (YouTube)"}
ADDITIVE = ("views", "watch_minutes", "complete_views", "likes", "comments", "shares", "public_views")  # in a platform


@dataclass(frozen=True)
class TotalRow:
    scope: str            # "video" | "platform" | "all"
    platform: str         # youtube | facebook | "ensemble"
    asset: str
    episode: str
    kind: str             # episode | trailer | clip | ""
    values: dict[str, float | None]
    pulled_at: str
    missing: int = 0      # values left out of a sum because the platform withheld them


def kind_of(asset: str) -> str:
    return "trailer" if asset == "trailer" else "clip" if "-clip" in asset else "episode"


def asset_order(asset: str) -> tuple:
    return (0 if asset == "trailer" else 1, asset)


def latest(rows: list[MetricSample]) -> list[MetricSample]:
    """Each platform's most recent pull (a platform that failed last time keeps its previous one)."""
    last: dict[str, str] = {}
    for r in rows:
        last[r.platform] = max(last.get(r.platform, ""), r.pulled_at)
    return [r for r in rows if r.pulled_at == last[r.platform]]


def _derived(platform: str, v: dict[str, float | None]) -> None:
    views = v.get("views")
    cv = v.get("complete_views")
    v["complete_views_pct"] = round(cv / views * 100, 2) if cv is not None and views else None
    parts = [v.get("likes"), v.get("comments"), v.get("shares")]
    v["engagement_rate"] = (round(sum(parts) / views * 100, 2)
                            if views and all(p is not None for p in parts) else None)


def totals(latest_rows: list[MetricSample]) -> list[TotalRow]:
    """One row per video, one per platform (sums within it), one for both (summable metrics only)."""
    per: dict[tuple[str, str], dict[str, float | None]] = defaultdict(dict)
    when: dict[str, str] = {}
    for r in latest_rows:
        if r.dimension == TOTAL and r.asset != ALL:
            per[(r.platform, r.asset)][r.metric] = r.value
            when[r.platform] = r.pulled_at
    out = []
    for (platform, asset), vals in sorted(per.items(), key=lambda kv: (PLATFORMS.index(kv[0][0]), asset_order(kv[0][1]))):
        v = {k: vals.get(k) for k in COLUMNS}
        _derived(platform, v)
        out.append(TotalRow("video", platform, asset, asset.split("-clip", 1)[0], kind_of(asset),
                            {k: v[k] for k in COLUMNS}, when[platform]))
    for platform in PLATFORMS:
        mine = [t for t in out if t.platform == platform and t.scope == "video"]
        if not mine:
            continue
        v: dict[str, float | None] = {}
        missing = 0
        for k in ADDITIVE:
            known = [t.values[k] for t in mine if t.values[k] is not None]
            missing += sum(1 for t in mine if t.values[k] is None and _applies(platform, k, t.asset))
            v[k] = sum(known) if known else None
        v["avg_view_seconds"] = round(v["watch_minutes"] * 60 / v["views"], 1) if v["views"] and v["watch_minutes"] else None
        v["avg_view_percentage"] = None   # an average of averages would mislead
        known = [t for t in mine if t.values["complete_views"] is not None and t.values["views"]]
        v["complete_views_pct"] = (round(sum(t.values["complete_views"] for t in known)
                                         / sum(t.values["views"] for t in known) * 100, 2) if known else None)
        parts = [v["likes"], v["comments"], v["shares"]]
        v["engagement_rate"] = round(sum(parts) / v["views"] * 100, 2) if v["views"] and None not in parts else None
        out.append(TotalRow("platform", platform, ALL, ALL, "", {k: v.get(k) for k in COLUMNS}, when[platform], missing))
    plats = [t for t in out if t.scope == "platform"]
    if len(plats) > 1:
        both = {k: (sum(t.values[k] or 0 for t in plats) if METRICS.get(k) and METRICS[k].summable else None)
                for k in COLUMNS}
        out.append(TotalRow("all", "ensemble", ALL, ALL, "", both, max(t.pulled_at for t in plats),
                            sum(t.missing for t in plats)))
    return out


def _applies(platform: str, metric: str, asset: str) -> bool:
    """Whether the platform measures this for this video (a gap is then "missing", not "not applicable")."""
    if metric == "public_views":
        return platform == "youtube"
    if metric == "complete_views":
        return platform == "facebook" and kind_of(asset) != "clip"   # Reels have no complete views
    return True


def views_over_time(rows: list[MetricSample], latest_rows: list[MetricSample],
                    publish: dict[tuple[str, str], date]) -> dict[tuple[str, str], list[tuple[date, float]]]:
    """Cumulative views per (platform, asset) for episodes and the trailer.

    YouTube: the daily rows of the latest pull, accumulated. Facebook gives lifetime totals
    only, so its curve is the value at each pull (the last of each day), from 0 at release.
    """
    series: dict[tuple[str, str], dict[date, float]] = defaultdict(dict)
    for r in latest_rows:
        if r.platform == "youtube" and r.metric == "views" and r.dimension == "day" and r.value is not None \
                and kind_of(r.asset) != "clip" and r.asset != ALL:
            series[(r.platform, r.asset)][date.fromisoformat(r.dimension_value)] = r.value
    out: dict[tuple[str, str], list[tuple[date, float]]] = {}
    for key, days in series.items():
        acc, pts = 0.0, []
        for d in sorted(days):
            acc += days[d]
            pts.append((d, acc))
        out[key] = pts
    fb: dict[tuple[str, str], dict[date, tuple[str, float]]] = defaultdict(dict)
    for r in rows:
        if r.platform == "facebook" and r.metric == "views" and r.dimension == TOTAL and r.value is not None \
                and kind_of(r.asset) != "clip":
            d = datetime.fromisoformat(r.pulled_at).date()
            if d not in fb[(r.platform, r.asset)] or fb[(r.platform, r.asset)][d][0] < r.pulled_at:
                fb[(r.platform, r.asset)][d] = (r.pulled_at, r.value)
    for key, days in fb.items():
        pts = [(d, v) for d, (_, v) in sorted(days.items())]
        start = publish.get(key)
        if start and start < pts[0][0]:
            pts.insert(0, (start, 0.0))
        out[key] = pts
    return dict(sorted(out.items(), key=lambda kv: (asset_order(kv[0][1]), PLATFORMS.index(kv[0][0]))))


def breakdown(latest_rows: list[MetricSample], dimension: str, metric: str) -> list[tuple[str, float]]:
    """All videos together (YouTube): age x gender, country, device."""
    return [(r.dimension_value, r.value) for r in latest_rows
            if r.asset == ALL and r.dimension == dimension and r.metric == metric and r.value is not None]


def contribution(table: list[TotalRow]) -> dict[str, dict[str, float]]:
    """Share of each platform's views (%) from episodes, the trailer and clips."""
    out: dict[str, dict[str, float]] = {}
    for platform in PLATFORMS:
        by_kind: dict[str, float] = defaultdict(float)
        for t in table:
            if t.scope == "video" and t.platform == platform and t.values["views"] is not None:
                by_kind[t.kind] += t.values["views"]
        total = sum(by_kind.values())
        if total:
            out[platform] = {k: round(by_kind.get(k, 0) / total * 100, 1) for k in ("episode", "trailer", "clip")}
    return out


def missing_summary(latest_rows: list[MetricSample]) -> list[tuple[str, str, int, list[str]]]:
    """(platform, reason, how many values, which assets) for what the platforms withheld."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in latest_rows:
        if r.value is None:
            groups[(r.platform, r.missing_reason)].append(r.asset if r.asset != ALL else "toutes les vidéos")
    return [(p, why, len(a), sorted(set(a), key=asset_order)) for (p, why), a in sorted(groups.items())]
