"""Every table of the evaluation report, built once from EvaluationData for every output.

A Table holds typed values (numbers stay numbers, times stay aware datetimes) and, per column,
a French header, a machine key and a kind; the HTML page, the Word document, the workbook
(one sheet per table) and the CSV files (one per table, French or plain) only format them.
Percentages always come with the counts they are made of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pipeline.metrics import summary
from pipeline.metrics.charts import fmt
from pipeline.metrics.dataset import ALL
from pipeline.metrics.dictionary import (AGE_FR, COUNTRY_FR, DEVICE_FR, GENDER_FR, KIND_FR, METRICS, PLATFORM_FR,
                                         reason_fr)
from pipeline.metrics.feedback import LANGUAGES
from pipeline.metrics.report_data import EvaluationData
from pipeline.metrics.survey_results import DIMENSIONS

SECTIONS = (("indicateurs", "Indicateurs du cadre logique"), ("audience", "Audience en ligne"),
            ("retours", "Retours des spectateurs"), ("hors-ligne", "Projections et diffusions"),
            ("enquete", "Enquête avant / après"), ("definitions", "Définitions et données manquantes"))
DECIMALS = {"avg_view_seconds": 1, "avg_view_percentage": 1, "complete_views_pct": 1, "engagement_rate": 2,
            "watch_minutes": 0}


@dataclass(frozen=True)
class Col:
    key: str              # machine header (plain CSV)
    label: str            # French header
    kind: str = "text"    # text | int | num | p (a p-value) | datetime | date
    decimals: int = 0


@dataclass(frozen=True)
class Table:
    id: str               # file and sheet name
    section: str          # SECTIONS key
    title: str
    cols: tuple[Col, ...]
    rows: tuple[tuple[object, ...], ...]
    note: str = ""

    def shown(self, zone: ZoneInfo) -> list[list[str]]:
        """The cells as the page and the Word document print them: French numbers, a column's decimals only
        when one of its values needs them, local times, p-values below 0.001 as "< 0,001", "—" for missing."""
        whole = [all(float(r[j]).is_integer() for r in self.rows if isinstance(r[j], int | float)) for j in
                 range(len(self.cols))]
        return [[_text(v, c, 0 if whole[j] else c.decimals, zone) for j, (c, v) in enumerate(zip(self.cols, row,
                                                                                                  strict=True))]
                for row in self.rows]


def _text(value: object, c: Col, decimals: int, zone: ZoneInfo) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if c.kind == "p":
        return "< 0,001" if value < 0.001 else fmt(float(value), 3)
    return fmt(float(value), decimals if c.kind in ("num", "p") else 0)


def _t(tid: str, section: str, title: str, cols: list[Col], rows: list[tuple], note: str = "") -> Table:
    return Table(tid, section, title, tuple(cols), tuple(tuple(r) for r in rows), note)


def _pct(part: float | None, whole: float | None, decimals: int = 1) -> float | None:
    return round(100 * part / whole, decimals) if part is not None and whole else None


def indicators(d: EvaluationData) -> list[Table]:
    rows = [(i.label, i.value, i.unit, i.baseline, i.target, i.reached_pct, i.source, i.as_of) for i in d.indicators]
    return [_t("indicateurs", "indicateurs", "Indicateurs : valeur, cible et part atteinte", [
        Col("indicator", "Indicateur"), Col("value", "Valeur", "num", 1), Col("unit", "Unité"),
        Col("baseline", "Référence", "num", 1), Col("target", "Cible", "num", 1),
        Col("reached_pct", "% atteint", "num", 1), Col("source", "Source"), Col("as_of", "Données du", "datetime")],
        rows, "% atteint = (valeur − référence) ÷ (cible − référence) × 100. Vide : pas de cible ou pas de donnée.")]


def audience(d: EvaluationData) -> list[Table]:
    a = d.audience
    if a is None:
        return []
    out = []
    metric_cols = [Col(k, summary.COLUMN_LABELS[k], "num", DECIMALS.get(k, 0)) for k in summary.COLUMNS]
    rows = []
    for t in a.totals:
        name = d.names.get(t.asset, t.asset) if t.scope == "video" else "Total" + (" *" if t.missing else "")
        rows.append((PLATFORM_FR.get(t.platform, t.platform), name, t.asset if t.asset != ALL else "",
                     *(t.values[k] for k in summary.COLUMNS)))
    out.append(_t("totaux", "audience", "Totaux par vidéo et par plateforme",
                  [Col("platform", "Plateforme"), Col("video", "Vidéo"), Col("asset", "Identifiant"), *metric_cols],
                  rows, "Vide : valeur non fournie par la plateforme. * : total sans les valeurs manquantes. La ligne "
                        "« Ensemble » n'additionne que les mesures de même sens sur les deux plateformes (temps de "
                        "visionnage, commentaires, partages). Le % moyen regardé (YouTube) et les vues complètes "
                        "(Facebook) sont deux mesures différentes : jamais sur le même axe."))
    out.append(_t("vues-temps", "audience", "Vues cumulées dans le temps, par épisode et plateforme",
                  [Col("platform", "Plateforme"), Col("video", "Vidéo"), Col("date", "Date", "date"),
                   Col("views", "Vues cumulées", "num")],
                  [(PLATFORM_FR[p], d.titles.get(asset, asset), day, v) for (p, asset), pts in a.series.items()
                   for day, v in pts],
                  "YouTube : vues quotidiennes de YouTube Analytics, cumulées. Facebook : total à chaque relevé."))
    yt = a.youtube_views_all
    out.append(_t("age-genre", "audience", "Âge et genre des spectateurs connectés de YouTube (estimation)",
                  [Col("age", "Âge"), Col("gender", "Genre"), Col("percent", "% des vues (connectés)", "num", 1),
                   Col("estimated_views", "Vues correspondantes (estimation)", "num")],
                  [(AGE_FR.get(x.age, x.age), GENDER_FR.get(x.gender, x.gender), x.percent, x.estimated_views)
                   for x in a.demographics],
                  "Estimation : YouTube ne donne que des pourcentages, et seulement pour les spectateurs connectés à "
                  f"un compte Google. Vues correspondantes = % × {yt or 0:.0f} vues YouTube de toutes les vidéos "
                  "relevées. Facebook ne donne pas ces données par vidéo."))
    for tid, title, items, names in (("pays", "Vues YouTube par pays", a.countries, COUNTRY_FR),
                                     ("appareils", "Vues YouTube par type d'appareil", a.devices, DEVICE_FR)):
        total = sum(v for _, v in items)
        out.append(_t(tid, "audience", title, [Col("name", "Pays" if tid == "pays" else "Appareil"),
                                               Col("views", "Vues", "num"), Col("share", "% des vues", "num", 1)],
                      [(names.get(k, k), v, _pct(v, total)) for k, v in sorted(items, key=lambda kv: -kv[1])]))
    kinds = ("episode", "trailer", "clip")
    out.append(_t("contribution", "audience", "Part des vues : épisodes, bande-annonce et extraits",
                  [Col("platform", "Plateforme"), *(c for k in kinds for c in (
                      Col(f"{k}_views", f"{KIND_FR[k]} (vues)", "num"), Col(f"{k}_pct", f"{KIND_FR[k]} (%)", "num", 1)))],
                  [(PLATFORM_FR[p], *(x for k in kinds for x in (a.contribution_views.get(p, {}).get(k, 0),
                                                                  a.contribution[p][k]))) for p in a.contribution]))
    return out


def feedback(d: EvaluationData) -> list[Table]:
    f = d.feedback
    rows = [(e.title, e.comments, e.authors, e.questions, e.answered, e.answered_pct,
             ", ".join(f"{LANGUAGES.get(lang, lang)} {n}" for lang, n in e.languages),
             ", ".join(f"{name} ({n})" for name, n in e.themes[:4])) for e in (*f.episodes, f.total)]
    out = [_t("commentaires", "retours", "Commentaires et questions par épisode (YouTube et Facebook)", [
        Col("episode", "Épisode"), Col("comments", "Commentaires", "int"), Col("authors", "Auteurs distincts", "int"),
        Col("questions", "Questions", "int"), Col("answered", "Avec réponse", "int"),
        Col("answered_pct", "% avec réponse", "num", 1), Col("languages", "Langues"), Col("themes", "Thèmes principaux")],
        rows, "Commentaires et réponses des spectateurs (ceux de la chaîne ou de la Page, et les masqués, exclus). "
              f"Supprimés depuis leur relevé : {f.removed}. Masqués : {f.hidden}. Une question a une réponse quand "
              "la chaîne ou la Page y a répondu. Langue et questions : repérage automatique (lettres et mots "
              "bambara, point d'interrogation, mots interrogatifs).")]
    out.append(_t("questions", "retours", "Questions sans réponse (à traiter par l'équipe communication)", [
        Col("published_at", "Publiée le", "datetime"), Col("platform", "Plateforme"), Col("video", "Vidéo"),
        Col("lang", "Langue"), Col("likes", "J'aime", "int"), Col("text", "Question")],
        [(datetime.fromisoformat(c.published_at), PLATFORM_FR.get(c.platform, c.platform),
          d.titles.get(c.asset, c.asset), LANGUAGES.get(c.lang, c.lang), c.likes, c.text) for c in f.unanswered],
        "Aussi : `webseries metrics questions [--episode EP]`."))
    return out


def offline(d: EvaluationData) -> list[Table]:
    o = d.offline
    out = [_t("projections", "hors-ligne", "Projections communautaires", [
        Col("day", "Date", "date"), Col("region", "Région"), Col("cercle", "Cercle"), Col("commune", "Commune"),
        Col("place", "Lieu"), Col("episodes", "Épisodes"), Col("women", "Femmes et filles", "int"),
        Col("men", "Hommes et garçons", "int"), Col("participants", "Total", "int"),
        Col("disability", "Dont handicapées", "int"), Col("displaced", "Dont déplacées", "int"),
        Col("language", "Langue"), Col("questions", "Questions posées")],
        [(s.day, s.region, s.cercle, s.commune, s.place, ", ".join(d.titles.get(e, e) for e in s.episodes), s.women,
          s.men, s.participants, s.disability, s.displaced, s.language, s.questions) for s in o.screenings])]
    total = o.participants("participants")
    groups = [("moins de 18 ans", "girls_u18", "boys_u18"), ("18-35 ans", "women_18_35", "men_18_35"),
              ("plus de 35 ans", "women_o35", "men_o35")]
    rows = [(g, o.participants(w), o.participants(m), o.participants(w) + o.participants(m),
             _pct(o.participants(w) + o.participants(m), total)) for g, w, m in groups]
    rows.append(("Total", o.participants("women"), o.participants("men"), total, 100.0 if total else None))
    out.append(_t("participants", "hors-ligne", "Participants aux projections par sexe et âge", [
        Col("age", "Âge"), Col("women", "Femmes et filles", "int"), Col("men", "Hommes et garçons", "int"),
        Col("total", "Total", "int"), Col("share", "% du total", "num", 1)], rows,
        f"Dont personnes handicapées : {o.participants('disability')} "
        f"({_f(_pct(o.participants('disability'), total), 1)} %) ; personnes déplacées : "
        f"{o.participants('displaced')} ({_f(_pct(o.participants('displaced'), total), 1)} %)."
        if total else "Aucune projection importée."))
    out.append(_t("projections-regions", "hors-ligne", "Projections par région", [
        Col("region", "Région"), Col("screenings", "Projections", "int"), Col("women", "Femmes et filles", "int"),
        Col("men", "Hommes et garçons", "int")], o.by("region")))
    out.append(_t("diffusions", "hors-ligne", "Diffusions radio et télévision", [
        Col("day", "Date", "date"), Col("station", "Station"), Col("medium", "Média"), Col("episodes", "Épisodes"),
        Col("language", "Langue"), Col("audience", "Auditoire estimé", "int"), Col("source", "Source de l'estimation")],
        [(b.day, b.station, b.medium, ", ".join(d.titles.get(e, e) for e in b.episodes), b.language, b.audience,
          b.audience_source) for b in o.broadcasts],
        "Auditoire : estimation de la station ou d'une étude, à citer avec sa source ; ne s'additionne pas avec "
        "les vues en ligne."))
    return out


def survey(d: EvaluationData) -> list[Table]:
    s = d.survey
    if s is None:
        return []
    diff = s.difference
    method = "test t apparié (mêmes personnes)" if diff.method == "paired" else "test t de Welch (vagues indépendantes)"
    out = [_t("enquete-scores", "enquete", "Score moyen de connaissances (sur 100) avant et après", [
        Col("wave", "Vague"), Col("n", "Répondants", "int"), Col("mean", "Score moyen", "num", 1),
        Col("low", "IC 95 % bas", "num", 1), Col("high", "IC 95 % haut", "num", 1)],
        [("Avant", s.pre.n, s.pre.mean, s.pre.low, s.pre.high), ("Après", s.post.n, s.post.mean, s.post.low, s.post.high),
         ("Différence (après − avant)", diff.n_post if diff.method == "paired" else None, diff.diff, diff.low,
          diff.high)],
        f"{method} : t = {_f(diff.t, 2)}, ddl = {_f(diff.df, 1)}, p {_p(diff.p)}. Score = part des questions "
        "notées bien répondues (une réponse vide compte comme fausse). IC : intervalle de confiance à 95 % "
        "(loi de Student).")]
    out.append(_t("enquete-questions", "enquete", "Part de bonnes réponses par question", [
        Col("question", "Question"), Col("right", "Bonne(s) réponse(s)"), Col("pre_correct", "Avant : justes", "int"),
        Col("pre_n", "Avant : répondants", "int"), Col("pre_pct", "Avant : %", "num", 1),
        Col("post_correct", "Après : justes", "int"), Col("post_n", "Après : répondants", "int"),
        Col("post_pct", "Après : %", "num", 1)],
        [(q.question, " / ".join(q.right), q.pre_correct, q.pre_n, _pct(q.pre_correct, q.pre_n), q.post_correct,
          q.post_n, _pct(q.post_correct, q.post_n)) for q in s.questions]))
    names = dict(DIMENSIONS)
    rows = []
    for g in s.groups:
        dd = g.difference
        rows.append((names[g.dimension], g.label, g.pre.n, g.pre.mean, g.pre.low, g.pre.high, g.post.n, g.post.mean,
                     g.post.low, g.post.high, dd.diff if dd else None, dd.p if dd else None,
                     f"masqué (moins de {s.min_cell} répondants dans une vague)" if g.suppressed else ""))
    hidden = [f"{names[g.dimension]} {g.label}" for g in s.suppressed]
    out.append(_t("enquete-groupes", "enquete", "Scores par sexe, tranche d'âge et région", [
        Col("dimension", "Désagrégation"), Col("group", "Groupe"), Col("pre_n", "Avant : n", "int"),
        Col("pre_mean", "Avant : score", "num", 1), Col("pre_low", "Avant : IC bas", "num", 1),
        Col("pre_high", "Avant : IC haut", "num", 1), Col("post_n", "Après : n", "int"),
        Col("post_mean", "Après : score", "num", 1), Col("post_low", "Après : IC bas", "num", 1),
        Col("post_high", "Après : IC haut", "num", 1), Col("diff", "Différence", "num", 1),
        Col("p", "p", "p", 4), Col("note", "Remarque")], rows,
        f"Groupes de moins de {s.min_cell} répondants dans une vague non montrés (secret et fiabilité) : "
        + (", ".join(hidden) if hidden else "aucun") + "."))
    return out


def definitions(d: EvaluationData) -> list[Table]:
    out = []
    if d.audience:
        out.append(_t("manquantes", "definitions", "Données manquantes au dernier relevé", [
            Col("platform", "Plateforme"), Col("reason", "Raison"), Col("values", "Valeurs", "int"),
            Col("videos", "Vidéos")],
            [(PLATFORM_FR[p], reason_fr(why), n, ", ".join(d.titles.get(x, x) for x in a[:12]) + (" …" if len(a) > 12
                                                                                                  else ""))
             for p, why, n, a in d.audience.missing],
            "Valeurs que la plateforme n'a pas fournies : enregistrées comme manquantes, jamais comme zéro."))
    rows = []
    for m in METRICS.values():
        yt, fb = m.platforms.get("youtube"), m.platforms.get("facebook")
        rows.append((m.label_fr, {"count": "nombre", "minutes": "minutes", "seconds": "secondes", "percent": "%"}[m.unit],
                     ("oui" if m.summable else "non") + (f" — {m.note_fr}" if m.note_fr else ""),
                     f"{yt.fr} ({yt.source})" if yt else "", f"{fb.fr} ({fb.source})" if fb else ""))
    out.append(_t("definitions", "definitions", "Définitions des mesures", [
        Col("metric", "Mesure"), Col("unit", "Unité"), Col("summable", "Additionnable entre plateformes"),
        Col("youtube", "YouTube"), Col("facebook", "Facebook")], rows))
    return out


def _f(v: float | None, decimals: int) -> str:
    return "—" if v is None else f"{v:.{decimals}f}".replace(".", ",")


def _p(p: float | None) -> str:
    return "= —" if p is None else "< 0,001" if p < 0.001 else "= " + _f(p, 3)


def all_tables(d: EvaluationData) -> list[Table]:
    """Every table, in the report's order."""
    return [*indicators(d), *audience(d), *feedback(d), *offline(d), *survey(d), *definitions(d)]


def dataset_table(d: EvaluationData) -> Table | None:
    """The tidy dataset (every pulled value): the workbook's last sheet and donnees.csv."""
    if d.audience is None:
        return None
    return _t("donnees", "", "Toutes les valeurs relevées (une par ligne)", [
        Col("pulled_at", "Relevé le", "datetime"), Col("platform", "Plateforme"), Col("source", "Source"),
        Col("video", "Vidéo"), Col("asset", "Identifiant"), Col("episode", "Épisode"), Col("metric", "Mesure"),
        Col("dimension", "Dimension"), Col("dimension_value", "Valeur de la dimension"),
        Col("value", "Valeur", "num", 3), Col("missing_reason", "Raison si manquante"),
        Col("period_start", "Début de période", "date"), Col("period_end", "Fin de période", "date")],
        [(datetime.fromisoformat(r.pulled_at), PLATFORM_FR.get(r.platform, r.platform), r.source,
          "toutes" if r.asset == ALL else d.titles.get(r.asset, r.asset), r.asset, r.episode, r.metric, r.dimension,
          r.dimension_value, r.value, reason_fr(r.missing_reason) if r.missing_reason else "",
          date.fromisoformat(r.period_start) if r.period_start else None,
          date.fromisoformat(r.period_end) if r.period_end else None) for r in d.audience.rows])
