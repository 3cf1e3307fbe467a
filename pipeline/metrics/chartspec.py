"""The report's charts as data: what each shows, drawn as SVG in the page (charts.py) and as PNG
in the Word document (figures.py), with its numbers as a table beneath it in both.

One chart, one measure, one meaning: YouTube's average percentage watched and Facebook's complete
views are two charts, never two bars on one axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipeline.metrics import summary
from pipeline.metrics.charts import PALETTE, PLATFORM_COLOURS
from pipeline.metrics.dictionary import AGE_FR, COUNTRY_FR, DEVICE_FR, GENDER_FR, KIND_FR, METRICS, PLATFORM_FR
from pipeline.metrics.report_data import EvaluationData
from pipeline.metrics.tables import SECTIONS, Col, Table

MAX_LINES = 12
WOMEN, MEN = "#d35490", "#1f6fb2"


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    colour: str
    low: tuple[float | None, ...] = ()     # confidence interval, when the chart has one
    high: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class Chart:
    id: str
    section: str
    title: str
    kind: str                               # bar | hbar | line | ci
    unit: str
    categories: tuple[str, ...] = ()
    series: tuple[Series, ...] = ()
    lines: tuple[tuple[str, tuple[tuple[date, float], ...], str], ...] = ()   # line charts: name, points, colour
    note: str = ""
    decimals: int = 0

    def table(self) -> Table:
        """The chart's numbers, as printed beneath it."""
        if self.kind == "line":
            return Table(self.id, self.section, self.title, (Col("series", "Série"), Col("date", "Date", "date"),
                                                             Col("value", self.unit, "num", self.decimals)),
                         tuple((name, d, v) for name, pts, _ in self.lines for d, v in pts))
        cols = [Col("category", "")]
        for s in self.series:
            cols.append(Col(s.name, s.name, "num", self.decimals))
            if s.low:
                cols += [Col(f"{s.name}_low", "IC 95 % bas", "num", self.decimals),
                         Col(f"{s.name}_high", "IC 95 % haut", "num", self.decimals)]
        rows = []
        for i, c in enumerate(self.categories):
            row: list[object] = [c]
            for s in self.series:
                row.append(s.values[i])
                if s.low:
                    row += [s.low[i], s.high[i]]
            rows.append(tuple(row))
        return Table(self.id, self.section, self.title, tuple(cols), tuple(rows))


def _audience(d: EvaluationData) -> list[Chart]:
    a = d.audience
    if a is None:
        return []
    out = []
    series = a.series
    note = ""
    if len(series) > MAX_LINES:   # a readable chart: the most watched; the table has them all
        keep = sorted(series, key=lambda k: -series[k][-1][1])[:MAX_LINES]
        note = f" Les {MAX_LINES} courbes les plus vues sur {len(series)}."
        series = {k: v for k, v in series.items() if k in keep}
    out.append(Chart("vues-temps", "audience", "Vues cumulées dans le temps, par épisode et plateforme", "line",
                     "vues cumulées", lines=tuple((f"{d.names.get(asset, asset)} ({PLATFORM_FR[p]})", tuple(pts),
                                                   PALETTE[i % len(PALETTE)])
                                                  for i, ((p, asset), pts) in enumerate(series.items())),
                     note="YouTube : vues quotidiennes, cumulées. Facebook : total à chaque relevé." + note))
    videos = [t for t in a.totals if t.scope == "video"]
    assets = sorted({t.asset for t in videos}, key=summary.asset_order)
    names = tuple(d.names.get(x, x) for x in assets)
    idx = {(t.platform, t.asset): t.values for t in videos}

    def by(metric: str, platforms: tuple[str, ...]) -> tuple[Series, ...]:
        return tuple(Series(PLATFORM_FR[p], tuple(idx.get((p, x), {}).get(metric) for x in assets), PLATFORM_COLOURS[p])
                     for p in platforms if any(t.platform == p for t in videos))
    both = ("youtube", "facebook")
    out.append(Chart("temps", "audience", "Temps de visionnage par vidéo", "bar", "minutes", names, by("watch_minutes", both)))
    out.append(Chart("achevement-youtube", "audience", "YouTube : pourcentage moyen regardé par vidéo", "bar", "%",
                     names, by("avg_view_percentage", ("youtube",)), note=METRICS["avg_view_percentage"].platforms[
                         "youtube"].fr, decimals=1))
    fb = [x for x in assets if idx.get(("facebook", x), {}).get("complete_views_pct") is not None]
    out.append(Chart("achevement-facebook", "audience", "Facebook : vues complètes (95 %) en % des vues (3 s)", "bar",
                     "% des vues", tuple(d.names.get(x, x) for x in fb),
                     (Series("Facebook", tuple(idx[("facebook", x)]["complete_views_pct"] for x in fb),
                             PLATFORM_COLOURS["facebook"]),),
                     note="Mesure propre à Facebook (les Reels n'en ont pas) : ne pas comparer au pourcentage moyen "
                          "regardé de YouTube.", decimals=1))
    out.append(Chart("engagement", "audience", "Taux d'engagement par vidéo", "bar", "%", names,
                     by("engagement_rate", both), note=METRICS["engagement_rate"].note_fr, decimals=2))
    ages = [x for x in AGE_FR if any(g.age == x for g in a.demographics)]
    pct = {(g.age, g.gender): g.percent for g in a.demographics}
    out.append(Chart("age-genre", "audience", "Âge et genre (YouTube, spectateurs connectés)", "bar",
                     "% des spectateurs", tuple(AGE_FR[x] for x in ages),
                     tuple(Series(GENDER_FR[g], tuple(pct.get((x, g)) for x in ages), c)
                           for g, c in (("female", WOMEN), ("male", MEN))),
                     note="Pourcentages des spectateurs connectés ; vues correspondantes (estimation) dans le "
                          "tableau « age-genre ».", decimals=1))
    for cid, title, items, labels in (("pays", "Vues YouTube par pays", a.countries, COUNTRY_FR),
                                      ("appareils", "Vues YouTube par type d'appareil", a.devices, DEVICE_FR)):
        items = sorted(items, key=lambda kv: -kv[1])
        out.append(Chart(cid, "audience", title, "hbar", "vues", tuple(labels.get(k, k) for k, _ in items),
                         (Series("Vues", tuple(v for _, v in items), MEN),)))
    kinds = ("episode", "trailer", "clip")
    out.append(Chart("contribution", "audience", "Part des vues : épisodes, bande-annonce et extraits", "bar",
                     "% des vues", tuple(PLATFORM_FR[p] for p in a.contribution),
                     tuple(Series(KIND_FR[k], tuple(a.contribution[p][k] for p in a.contribution), PALETTE[i])
                           for i, k in enumerate(kinds)), decimals=1))
    return out


def charts(d: EvaluationData) -> list[Chart]:
    out = _audience(d)
    f = d.feedback
    if f.episodes:
        cats = tuple(d.names.get(e.episode, e.episode) for e in f.episodes)
        out.append(Chart("commentaires", "retours", "Commentaires, questions et réponses par épisode", "bar", "nombre",
                         cats, (Series("Commentaires", tuple(float(e.comments) for e in f.episodes), PALETTE[1]),
                                Series("Questions", tuple(float(e.questions) for e in f.episodes), PALETTE[2]),
                                Series("Avec réponse", tuple(float(e.answered) for e in f.episodes), PALETTE[3]))))
    o = d.offline
    if o.screenings:
        groups = (("moins de 18 ans", "girls_u18", "boys_u18"), ("18-35 ans", "women_18_35", "men_18_35"),
                  ("plus de 35 ans", "women_o35", "men_o35"))
        out.append(Chart("participants", "hors-ligne", "Participants aux projections par sexe et âge", "bar",
                         "personnes", tuple(g for g, _, _ in groups),
                         (Series("Femmes et filles", tuple(float(o.participants(w)) for _, w, _ in groups), WOMEN),
                          Series("Hommes et garçons", tuple(float(o.participants(m)) for _, _, m in groups), MEN))))
    s = d.survey
    if s is not None:
        out.append(Chart("enquete", "enquete", "Score moyen de connaissances avant et après (IC 95 %)", "ci",
                         "score sur 100", ("Avant", "Après"),
                         (Series("Score moyen", (s.pre.mean, s.post.mean), PALETTE[3], (s.pre.low, s.post.low),
                                 (s.pre.high, s.post.high)),), decimals=1,
                         note=f"n = {s.pre.n} avant, {s.post.n} après. Barres : intervalle de confiance à 95 %."))
    return out


@dataclass(frozen=True)
class Block:
    """One item of a report section: a table, with the chart it belongs to (if any) drawn above it."""

    table: Table
    chart: Chart | None = None


def layout(tables: list[Table], drawn: list[Chart]) -> list[tuple[str, str, list[Block]]]:
    """(section id, heading, blocks) in the report's order. A chart goes with the table of the same id
    (which has the counts behind its percentages); a chart without one follows the section's first table."""
    by_id = {c.id: c for c in drawn}
    used = {t.id for t in tables}
    out = []
    for sid, heading in SECTIONS:
        blocks = [Block(t, by_id.get(t.id)) for t in tables if t.section == sid]
        extra = [Block(c.table(), c) for c in drawn if c.section == sid and c.id not in used]
        blocks = blocks[:1] + extra + blocks[1:]
        if blocks:
            out.append((sid, heading, blocks))
    return out
