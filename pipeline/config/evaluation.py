"""[metrics.comments], [metrics.survey], [metrics.indicators]: what the evaluation report measures.

Sub-tables of [metrics] (read by config/metrics.py): the themes looked for in viewers' comments,
where the author keys' salt lives, how a KoboToolbox pre/post survey maps onto wave, sex, age,
region and scored questions, and the logframe's indicators with baseline and target.
Secrets (the Kobo token, the salt) are files with mode 0600 outside the project, never here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.config.publish import emulated
from pipeline.tomlread import Reader

DEFAULT_THEMES: dict[str, tuple[str, ...]] = {
    "Vote et élections": ("vote", "voter", "élection", "electeur", "électeur", "carte", "kalata", "sugandili"),
    "Mairie et élus": ("mairie", "maire", "élu", "conseil", "commune", "meri", "komini"),
    "Femmes": ("femme", "fille", "muso", "musow"),
    "Jeunes": ("jeune", "jeunesse", "kamalen", "npogotigi", "denmisɛn"),
    "Citoyenneté et droits": ("citoyen", "droit", "devoir", "loi", "jamanaden", "josira"),
    "Services et impôts": ("impôt", "taxe", "école", "santé", "eau", "route", "lekɔli"),
}
# What an indicator can measure (pipeline/metrics/indicators.py computes each; a test keeps both lists equal).
MEASURES = (
    "views", "views_youtube", "views_facebook", "unique_viewers_facebook", "watch_hours",
    "avg_percentage_youtube", "complete_views_pct_facebook", "comments", "questions", "answered_pct",
    "screenings", "screening_participants", "screening_women", "screening_men", "screening_under_35",
    "screening_disability", "screening_displaced", "broadcasts", "broadcast_audience",
    "survey_respondents", "knowledge_pre", "knowledge_post", "knowledge_gain",
)
DEFAULT_INDICATORS = (
    ("views", "Vues des vidéos (YouTube + Facebook, règle de chaque plateforme)"),
    ("unique_viewers_facebook", "Spectateurs uniques (Facebook)"),
    ("avg_percentage_youtube", "Part moyenne regardée (YouTube, %)"),
    ("complete_views_pct_facebook", "Vues complètes (Facebook, % des vues)"),
    ("comments", "Commentaires des spectateurs"),
    ("answered_pct", "Questions ayant reçu une réponse (%)"),
    ("screening_participants", "Participants aux projections"),
    ("screening_women", "Participantes aux projections (femmes et filles)"),
    ("screening_men", "Participants aux projections (hommes et garçons)"),
    ("broadcast_audience", "Auditoire estimé des diffusions radio/TV"),
    ("knowledge_gain", "Gain de connaissances (points de score, après − avant)"),
)
FEMALE = ("f", "femme", "femmes", "female", "feminin", "féminin", "fille", "woman", "muso", "w")
MALE = ("m", "h", "homme", "hommes", "male", "masculin", "garcon", "garçon", "man", "cɛ", "ce")


@dataclass(frozen=True)
class CommentsConfig:
    salt_file: Path                          # random salt for author keys (0600, made on first pull)
    youtube_channel_id: str                  # "" = asked from YouTube (channels.list mine=true)
    max_pages: int                           # safety cap on pagination per listing
    themes: dict[str, tuple[str, ...]]       # theme -> keywords (word starts, accents ignored)


@dataclass(frozen=True)
class SurveyConfig:
    wave: str                                # field holding the wave
    pre: tuple[str, ...]                     # its values for the survey before broadcast
    post: tuple[str, ...]                    # and after
    respondent: str                          # field linking one person's two answers ("" = none: Welch)
    sex: str
    age: str
    region: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    questions: dict[str, tuple[str, ...]]    # scored field -> right answer(s)
    min_cell: int                            # groups smaller than this are suppressed
    kobo_server: str
    kobo_asset: str
    kobo_token_env: str
    kobo_token_file: Path


@dataclass(frozen=True)
class Indicator:
    key: str
    measure: str
    label: str
    baseline: float | None
    target: float | None
    unit: str


@dataclass(frozen=True)
class EvaluationConfig:
    comments: CommentsConfig
    survey: SurveyConfig
    indicators: tuple[Indicator, ...]


def _answers(r: Reader, key: str) -> tuple[str, ...]:
    value = r.raw(key)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, list) and value and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v) for v in value)
    r.problem(key, "expected the right answer (a string or number) or a list of right answers")
    return ()


def _comments(r: Reader) -> CommentsConfig:
    t = r.table("themes")
    themes = {name: tuple(t.str_list(name) or ()) for name in t.data} or dict(DEFAULT_THEMES)
    cfg = CommentsConfig(
        salt_file=Path(r.str("salt_file", "~/.config/webseries/comment-salt")).expanduser(),
        youtube_channel_id=r.str("youtube_channel_id", ""),
        max_pages=r.int("max_pages", 20, lo=1, hi=1000),
        themes=themes)
    t.check_unknown()
    r.check_unknown()
    return cfg


def _survey(r: Reader) -> SurveyConfig:
    q = r.table("questions")
    questions = {name: _answers(q, name) for name in q.data}
    cfg = SurveyConfig(
        wave=r.str("wave", "vague"), pre=tuple(r.str_list("pre", ["pre", "avant", "baseline"]) or ()),
        post=tuple(r.str_list("post", ["post", "apres", "après", "endline"]) or ()),
        respondent=r.str("respondent", ""), sex=r.str("sex", "sexe"), age=r.str("age", "age"),
        region=r.str("region", "region"),
        female=tuple(r.str_list("female", list(FEMALE)) or ()), male=tuple(r.str_list("male", list(MALE)) or ()),
        questions=questions, min_cell=r.int("min_cell", 10, lo=1),
        kobo_server=emulated(r.str("kobo_server", "https://kf.kobotoolbox.org")).rstrip("/"),
        kobo_asset=r.str("kobo_asset", ""), kobo_token_env=r.str("kobo_token_env", "WEBSERIES_KOBO_TOKEN"),
        kobo_token_file=Path(r.str("kobo_token_file", "~/.config/webseries/kobo-token")).expanduser())
    if set(cfg.pre) & set(cfg.post):
        r.problem("post", "a wave value cannot be both pre and post")
    q.check_unknown()
    r.check_unknown()
    return cfg


def _indicators(r: Reader) -> tuple[Indicator, ...]:
    if not r.data:
        return tuple(Indicator(m, m, label, None, None, "") for m, label in DEFAULT_INDICATORS)
    out = []
    for key in r.data:
        t = r.table(key)
        measure = t.str("measure", key, choices=MEASURES)
        out.append(Indicator(key, measure or key, t.str("label", ""), t.float("baseline", None),
                             t.float("target", None), t.str("unit", "")))
        t.check_unknown()
    return tuple(out)


def parse(r: Reader) -> EvaluationConfig:
    """The three sub-tables of [metrics]; the caller checks [metrics]' own keys."""
    return EvaluationConfig(_comments(r.table("comments")), _survey(r.table("survey")),
                            _indicators(r.table("indicators")))
