"""What the pre/post survey shows: knowledge scores before and after, their difference and its test,
each question's share of right answers, and the same by sex, age group and region.

A group smaller than `min_cell` respondents in a wave is not shown (its mean would identify people
and mean little) and the report says which were suppressed. Paired when `respondent` links a
person's two answers (only the linked pairs are tested), Welch's test otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pipeline.config.evaluation import SurveyConfig
from pipeline.metrics import stats
from pipeline.metrics.survey import AGE_GROUPS, SEXES, Response, correct, score

DIMENSIONS = (("sex", "Sexe"), ("age_group", "Tranche d'âge"), ("region", "Région"))


@dataclass(frozen=True)
class QuestionResult:
    question: str
    right: tuple[str, ...]
    pre_correct: int
    pre_n: int
    post_correct: int
    post_n: int


@dataclass(frozen=True)
class GroupResult:
    dimension: str          # sex | age_group | region
    value: str              # f, 18_35, Ségou…
    label: str              # femmes, 18-35 ans, Ségou
    pre: stats.MeanCI
    post: stats.MeanCI
    difference: stats.Difference | None   # None when suppressed
    suppressed: bool


@dataclass(frozen=True)
class SurveyResults:
    n_pre: int
    n_post: int
    pre: stats.MeanCI
    post: stats.MeanCI
    difference: stats.Difference
    questions: tuple[QuestionResult, ...]
    groups: tuple[GroupResult, ...]
    min_cell: int
    paired: bool

    @property
    def suppressed(self) -> tuple[GroupResult, ...]:
        return tuple(g for g in self.groups if g.suppressed)


def label(dimension: str, value: str) -> str:
    if dimension == "sex":
        return SEXES.get(value, value)
    if dimension == "age_group":
        return AGE_GROUPS.get(value, value)
    return value or "région non précisée"


def _difference(pre: list[Response], post: list[Response], sc: SurveyConfig) -> stats.Difference:
    s = {r.key: score(r, sc.questions) for r in (*pre, *post)}
    if sc.respondent:
        before = {r.respondent: s[r.key] for r in pre if r.respondent}
        pairs = [(before[r.respondent], s[r.key]) for r in post if r.respondent in before]
        return stats.paired(pairs)
    return stats.welch([s[r.key] for r in pre], [s[r.key] for r in post])


def compute(responses: list[Response], sc: SurveyConfig) -> SurveyResults | None:
    if not responses or not sc.questions:
        return None
    pre = [r for r in responses if r.wave == "pre"]
    post = [r for r in responses if r.wave == "post"]
    scores = {r.key: score(r, sc.questions) for r in responses}
    questions = []
    for q, right in sc.questions.items():
        def right_count(rs: list[Response], q: str = q, right: tuple[str, ...] = right) -> int:
            return sum(correct(dict(r.answers).get(q, ""), right) for r in rs)
        questions.append(QuestionResult(q, right, right_count(pre), len(pre), right_count(post), len(post)))
    groups = []
    for dim, _ in DIMENSIONS:
        by: dict[str, tuple[list[Response], list[Response]]] = defaultdict(lambda: ([], []))
        for r in responses:
            by[getattr(r, dim)][0 if r.wave == "pre" else 1].append(r)
        for value in sorted(by, key=lambda v: (v == "", v)):
            a, b = by[value]
            small = len(a) < sc.min_cell or len(b) < sc.min_cell
            groups.append(GroupResult(
                dim, value, label(dim, value),
                stats.mean_ci([scores[r.key] for r in a]) if not small else stats.MeanCI(len(a), None, None, None, None),
                stats.mean_ci([scores[r.key] for r in b]) if not small else stats.MeanCI(len(b), None, None, None, None),
                None if small else _difference(a, b, sc), small))
    return SurveyResults(len(pre), len(post), stats.mean_ci([scores[r.key] for r in pre]),
                         stats.mean_ci([scores[r.key] for r in post]), _difference(pre, post, sc), tuple(questions),
                         tuple(groups), sc.min_cell, bool(sc.respondent))
