"""`webseries metrics report`: one self-contained HTML page (French) and CSV exports.

The page needs nothing else (inline CSS and SVG, no script, no network), so it can be mailed
or opened offline. Each chart has its numbers in a table beneath it; the totals table is
also `totaux.csv`, and every row behind it is in `donnees.csv` (the tidy dataset).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline import ledger
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.fsutil import write_text_atomic
from pipeline.metrics import charts, dataset, summary
from pipeline.metrics.charts import PLATFORM_COLOURS, fmt
from pipeline.metrics.dictionary import AGE_FR, DEVICE_FR, GENDER_FR, METRICS
from pipeline.store import Store

PLATFORM_FR = {"youtube": "YouTube", "facebook": "Facebook", "ensemble": "Ensemble (additionnable)"}
KIND_FR = {"episode": "Épisodes", "trailer": "Bande-annonce", "clip": "Extraits"}
COUNTRY_FR = {"ML": "Mali", "CI": "Côte d'Ivoire", "SN": "Sénégal", "FR": "France", "BF": "Burkina Faso",
              "GN": "Guinée", "US": "États-Unis", "NE": "Niger", "CA": "Canada", "BE": "Belgique"}
MAX_LINES = 12
DECIMALS = {"avg_view_seconds": 1, "completion_pct": 1, "engagement_rate": 2}


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    dataset_csv: Path
    totals_csv: Path
    rows: int


def build(cfg: Config, store: Store, out: Path, since: date | None = None, until: date | None = None,
          episode: str | None = None) -> ReportFiles:
    rows = dataset.query(store, since, until, episode)
    if not rows:
        raise PipelineError("no metrics in the database for this selection",
                            hint="run `webseries metrics pull` first, or widen --since/--until/--episode")
    zone = cfg.project.zone
    last = summary.latest(rows)
    table = summary.totals(last)
    publish = {(e.platform, e.asset): e.publish_at.date() for e in ledger.all_entries(store)}
    html = render(cfg, rows, last, table, publish, zone, since, until, episode)
    out.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(out / "rapport.html", out / "donnees.csv", out / "totaux.csv", len(rows))
    write_text_atomic(files.dataset_csv, dataset.to_csv(rows))
    write_text_atomic(files.totals_csv, totals_csv(table))
    write_text_atomic(files.html, html)
    return files


def totals_csv(table: list[summary.TotalRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(("scope", "platform", "asset", "episode", "kind", "metric", "value", "pulled_at"))
    for t in table:
        for k in summary.COLUMNS:
            v = t.values[k]
            w.writerow((t.scope, t.platform, t.asset, t.episode, t.kind, k, "" if v is None else _plain(v), t.pulled_at))
    return buf.getvalue()


def _plain(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:.12g}"


def _local(ts: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(ts).astimezone(zone).strftime("%d/%m/%Y %H:%M")


def _table(head: list[str], body: list[list[str]], cls: str = "") -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(c if c.startswith("<td") else f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                  for row in body)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>'


def _figure(chart_id: str, title: str, svg: str, table: str, note: str = "") -> str:
    n = f'<p class="note">{escape(note)}</p>' if note else ""
    return (f'<figure class="chart" data-chart="{chart_id}"><figcaption>{escape(title)}</figcaption>{svg}{n}'
            f'<details><summary>Chiffres du graphique</summary>{table}</details></figure>')


def render(cfg: Config, rows, last, table, publish, zone, since, until, episode) -> str:  # noqa: ANN001, PLR0913
    pulled = sorted({r.pulled_at for r in last})
    parts = [f"<h1>{escape(cfg.project.series_title.fr)} — statistiques de diffusion</h1>",
             f'<p class="meta">Données extraites le <strong id="pull-date">{_local(pulled[-1], zone)}</strong> '
             f"(heure de {escape(cfg.project.timezone)})"
             + "".join(f" · {PLATFORM_FR[p]} : {_local(max(r.pulled_at for r in last if r.platform == p), zone)}"
                       for p in summary.PLATFORMS if any(r.platform == p for r in last))
             + f". Sélection : {escape(episode or 'toutes les vidéos')}"
             + (f", du {since:%d/%m/%Y}" if since else "") + (f" au {until:%d/%m/%Y}" if until else "")
             + f". {len({r.pulled_at for r in rows})} relevé(s), {len(rows)} valeurs.</p>"]
    periods = [f"{PLATFORM_FR[p]} : du {min(starts):%d/%m/%Y} au {max(ends):%d/%m/%Y}"
               for p in summary.PLATFORMS
               if (starts := [date.fromisoformat(r.period_start) for r in last
                              if r.platform == p and r.dimension == "total" and r.period_start])
               and (ends := [date.fromisoformat(r.period_end) for r in last if r.platform == p and r.period_end])]
    if periods:
        parts.append('<p class="meta">Période couverte par les totaux (de la mise en ligne au relevé) — '
                     + escape(" · ".join(periods)) + ". Filtres --since/--until : dates des relevés.</p>")
    parts.append(_totals_section(table))
    parts += _charts(rows, last, table, publish)
    parts.append(_missing_section(last))
    parts.append(_definitions_section())
    css = ("body{font-family:'DejaVu Sans',sans-serif;margin:24px;color:#222;max-width:1000px}"
           "table{border-collapse:collapse;margin:8px 0;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px}"
           "td.n{text-align:right}th{background:#f3f3f3}figure{margin:24px 0}figcaption{font-weight:bold;margin:6px 0}"
           ".note{font-size:12px;color:#555}.meta{color:#444}tr.sum td{font-weight:bold;background:#fafafa}")
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Statistiques — '
            f'{escape(cfg.project.series_title.fr)}</title><style>{css}</style></head><body>'
            + "\n".join(parts) + "</body></html>\n")


def _totals_section(table: list[summary.TotalRow]) -> str:
    head = ["Plateforme", "Vidéo", *summary.COLUMN_LABELS.values()]
    body = []
    for t in table:
        cells = [f'<td>{escape(PLATFORM_FR.get(t.platform, t.platform))}</td>',
                 f'<td>{escape(t.asset if t.scope == "video" else "Total" + (" *" if t.missing else ""))}</td>']
        for k in summary.COLUMNS:
            v = t.values[k]
            cells.append(f'<td class="n" data-scope="{t.scope}" data-platform="{t.platform}" data-asset="{escape(t.asset)}" '
                         f'data-metric="{k}" data-value="{"" if v is None else _plain(v)}">{fmt(v, DECIMALS.get(k, 0))}</td>')
        body.append(cells)
    html = _table(head, body, "totals").replace('<table class="totals">', '<table class="totals" id="totaux">')
    return ("<h2>Totaux par vidéo et par plateforme</h2>" + html +
            '<p class="note">— : valeur non fournie par la plateforme (voir « Données manquantes »). '
            "* : total calculé sans les valeurs manquantes. La ligne « Ensemble » n'additionne que les mesures "
            "qui ont le même sens sur les deux plateformes (temps de visionnage, commentaires, partages) ; "
            "les vues ne s'additionnent pas (une vue Facebook compte dès 3 secondes). "
            "Mêmes chiffres : totaux.csv.</p>")


def _charts(rows, last, table, publish) -> list[str]:  # noqa: ANN001
    out = []
    series = summary.views_over_time(rows, last, publish)
    shown_note = ""
    if len(series) > MAX_LINES:   # a readable chart: the most watched; the table below has them all
        keep = sorted(series, key=lambda k: -series[k][-1][1])[:MAX_LINES]
        all_series, series = series, {k: v for k, v in series.items() if k in keep}
        shown_note = f" Les {MAX_LINES} courbes les plus vues sur {len(all_series)} ; toutes dans le tableau."
    else:
        all_series = series
    names = [f"{a} ({PLATFORM_FR[p]})" for p, a in series]
    svg = charts.line_chart("vues-temps", "Vues cumulées", [(n, pts) for n, pts in zip(names, series.values(), strict=True)],
                            "vues cumulées")
    tbl = _table(["Série", "Date", "Vues cumulées"],
                 [[f"{a} ({PLATFORM_FR[p]})", f"{d:%d/%m/%Y}", fmt(v)] for (p, a), pts in all_series.items()
                  for d, v in pts])
    out.append(_figure("vues-temps", "Vues cumulées dans le temps, par épisode et plateforme", svg, tbl,
                       "YouTube : vues quotidiennes de YouTube Analytics, cumulées. Facebook : total à chaque relevé "
                       "(Facebook ne donne pas de détail quotidien par vidéo)." + shown_note))
    videos = [t for t in table if t.scope == "video"]
    assets = sorted({t.asset for t in videos}, key=summary.asset_order)
    plats = [p for p in summary.PLATFORMS if any(t.platform == p for t in videos)]

    def by(metric: str) -> list[tuple[str, list[float | None]]]:
        idx = {(t.platform, t.asset): t.values[metric] for t in videos}
        return [(PLATFORM_FR[p], [idx.get((p, a)) for a in assets]) for p in plats]
    colours = [PLATFORM_COLOURS[p] for p in plats]
    for cid, metric, title, unit, note in (
            ("temps", "watch_minutes", "Temps de visionnage par vidéo", "minutes", ""),
            ("achevement", "completion_pct", "Achèvement par vidéo", "%",
             "YouTube : pourcentage moyen regardé. Facebook : vues complètes (95 %) ÷ vues (3 s)."),
            ("engagement", "engagement_rate", "Taux d'engagement par vidéo", "%",
             METRICS["engagement_rate"].note_fr)):
        s = by(metric)
        svg = charts.bar_chart(cid, title, assets, s, unit, colours)
        tbl = _table(["Vidéo", *(n for n, _ in s)], [[a, *(fmt(v, DECIMALS.get(metric, 0)) for _, vals in s
                                                          for v in [vals[i]])] for i, a in enumerate(assets)])
        out.append(_figure(cid, title, svg, tbl, note))
    out += _audience(last)
    contrib = summary.contribution(table)
    kinds = ["episode", "trailer", "clip"]
    s = [(KIND_FR[k], [contrib[p][k] for p in contrib]) for k in kinds]
    svg = charts.bar_chart("contribution", "Part des vues", [PLATFORM_FR[p] for p in contrib], s, "% des vues")
    tbl = _table(["Plateforme", *(KIND_FR[k] for k in kinds)],
                 [[PLATFORM_FR[p], *(fmt(contrib[p][k], 1) for k in kinds)] for p in contrib])
    out.append(_figure("contribution", "Contribution de la bande-annonce et des extraits (part des vues)", svg, tbl))
    return out


def _audience(last) -> list[str]:  # noqa: ANN001
    out = []
    ag = summary.breakdown(last, "ageGroup,gender", "viewer_percentage")
    ages = [a for a in AGE_FR if any(v.startswith(a + ",") for v, _ in ag)]
    s = [(GENDER_FR[g], [next((x for v, x in ag if v == f"{a},{g}"), None) for a in ages]) for g in ("female", "male")]
    svg = charts.bar_chart("age-genre", "Âge et genre", [AGE_FR[a] for a in ages], s, "% des spectateurs",
                           ["#d35490", "#1f6fb2"])
    tbl = _table(["Âge", *(n for n, _ in s)], [[AGE_FR[a], *(fmt(vals[i], 1) for _, vals in s)] for i, a in enumerate(ages)])
    out.append(_figure("age-genre", "Âge et genre des spectateurs (YouTube, spectateurs connectés)", svg, tbl,
                       "Toutes les vidéos sélectionnées ensemble. Facebook ne fournit pas ces données par vidéo ici."))
    for cid, dim, title, names in (("pays", "country", "Vues par pays (YouTube)", COUNTRY_FR),
                                   ("appareils", "deviceType", "Vues par type d'appareil (YouTube)", DEVICE_FR)):
        items = sorted(((names.get(k, k), v) for k, v in summary.breakdown(last, dim, "views")), key=lambda kv: -kv[1])
        svg = charts.hbar_chart(cid, title, items, "vues")
        out.append(_figure(cid, title, svg, _table(["", "Vues"], [[k, fmt(v)] for k, v in items])))
    return out


REASONS_FR = (  # the dataset keeps the pipeline's English reasons; the report speaks French
    ("YouTube Analytics returned no rows for this video", "YouTube Analytics n'a rien renvoyé pour cette vidéo "
     "(pas encore de vues, ou données pas prêtes : 1 à 2 jours de retard)"),
    ("YouTube returned no rows", "YouTube n'a rien renvoyé (trop peu de spectateurs connectés pour une répartition)"),
    ("hidden on YouTube", "compteur masqué sur YouTube"),
    ("video not found on YouTube", "vidéo introuvable sur YouTube (supprimée ou invisible pour ce compte)"),
    ("Meta returned no insights", "Meta ne fournit pas de statistiques (audience trop faible, ou pas encore traitées)"),
    ("metric refused by Meta", "mesure refusée par Meta (obsolète)"),
    ("not in Meta's answer", "absente de la réponse de Meta (obsolète ou masquée pour cette vidéo)"),
    ("video not found on Facebook", "vidéo introuvable sur Facebook (supprimée ?)"),
    ("not yet published", "pas encore publiée"),
    ("Meta throttled", "Meta a limité les requêtes ; nouvel essai au prochain relevé"),
)


def reason_fr(reason: str) -> str:
    for en, fr in REASONS_FR:
        if reason.startswith(en):
            return f"{fr} [{reason}]" if en == "metric refused by Meta" else fr
    return reason


def _missing_section(last) -> str:  # noqa: ANN001
    groups = summary.missing_summary(last)
    if not groups:
        return "<h2>Données manquantes</h2><p>Aucune : chaque valeur demandée a été fournie.</p>"
    body = [[PLATFORM_FR[p], reason_fr(why), str(n), ", ".join(a[:12]) + (" …" if len(a) > 12 else "")] for p, why, n, a in groups]
    return ('<h2>Données manquantes</h2><p class="note">Valeurs que la plateforme n\'a pas fournies au dernier relevé '
            '(enregistrées comme manquantes, jamais comme zéro).</p>'
            + _table(["Plateforme", "Raison", "Valeurs", "Vidéos"], body, "missing"))


def _definitions_section() -> str:
    body = []
    for m in METRICS.values():
        yt, fb = m.platforms.get("youtube"), m.platforms.get("facebook")
        body.append([m.label_fr, {"count": "nombre", "minutes": "minutes", "seconds": "secondes",
                                  "percent": "%"}[m.unit],
                     ("oui" if m.summable else "non") + (f" — {m.note_fr}" if m.note_fr else ""),
                     f"{yt.fr} ({yt.source})" if yt else "—", f"{fb.fr} ({fb.source})" if fb else "—"])
    return ("<h2>Définitions des mesures</h2>"
            + _table(["Mesure", "Unité", "Additionnable entre plateformes", "YouTube", "Facebook"], body, "defs"))
