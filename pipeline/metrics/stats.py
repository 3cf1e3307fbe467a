"""The few statistics the donor's report needs: a mean with its 95 % confidence interval (t
distribution) and the test of a pre/post difference (Welch's t-test for two independent waves,
the paired t-test when respondent ids link them). scipy supplies the t distribution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LEVEL = 0.95


@dataclass(frozen=True)
class MeanCI:
    n: int
    mean: float | None
    sd: float | None
    low: float | None       # None when n < 2: no interval from one value
    high: float | None


@dataclass(frozen=True)
class Difference:
    method: str             # "welch" | "paired"
    n_pre: int
    n_post: int             # for "paired", both are the number of pairs
    diff: float | None      # post - pre
    low: float | None
    high: float | None
    t: float | None
    df: float | None
    p: float | None


def _t_crit(df: float, level: float) -> float:
    from scipy.stats import t as student

    return float(student.ppf(0.5 + level / 2, df))


def _p_two_sided(t: float, df: float) -> float:
    from scipy.stats import t as student

    return float(2 * student.sf(abs(t), df))


def _mean_var(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    m = math.fsum(values) / n
    return m, (math.fsum((v - m) ** 2 for v in values) / (n - 1) if n > 1 else 0.0)


def mean_ci(values: Sequence[float], level: float = LEVEL) -> MeanCI:
    n = len(values)
    if n == 0:
        return MeanCI(0, None, None, None, None)
    m, var = _mean_var(values)
    if n < 2:
        return MeanCI(n, m, None, None, None)
    half = _t_crit(n - 1, level) * math.sqrt(var / n)
    return MeanCI(n, m, math.sqrt(var), m - half, m + half)


def welch(pre: Sequence[float], post: Sequence[float], level: float = LEVEL) -> Difference:
    """Welch's unequal-variances t-test of mean(post) - mean(pre), with its interval."""
    na, nb = len(pre), len(post)
    if na < 2 or nb < 2:
        return Difference("welch", na, nb, None, None, None, None, None, None)
    ma, va = _mean_var(pre)
    mb, vb = _mean_var(post)
    diff = mb - ma
    se2 = va / na + vb / nb
    if se2 == 0:
        return Difference("welch", na, nb, diff, diff, diff, None, None, None)
    df = se2 ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    se = math.sqrt(se2)
    half = _t_crit(df, level) * se
    t = diff / se
    return Difference("welch", na, nb, diff, diff - half, diff + half, t, df, _p_two_sided(t, df))


def paired(pairs: Sequence[tuple[float, float]], level: float = LEVEL) -> Difference:
    """Paired t-test on (pre, post) of the same respondents."""
    n = len(pairs)
    if n < 2:
        return Difference("paired", n, n, None, None, None, None, None, None)
    d = [b - a for a, b in pairs]
    m, var = _mean_var(d)
    if var == 0:
        return Difference("paired", n, n, m, m, m, None, None, None)
    se = math.sqrt(var / n)
    half = _t_crit(n - 1, level) * se
    t = m / se
    return Difference("paired", n, n, m, m - half, m + half, t, n - 1, _p_two_sided(t, n - 1))
