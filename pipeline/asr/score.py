"""Word error rate for French, used by the bench and the heavy tests (never for displayed text)."""

from __future__ import annotations

import re
import unicodedata


def norm_words(text: str) -> list[str]:
    """French words for WER: case, punctuation, apostrophes (l'affaire -> l affaire) and hyphens
    do not count; accents do (électorale vs electoral is a spelling error a viewer sees)."""
    text = unicodedata.normalize("NFC", text.casefold()).replace("\u2019", "'").replace("œ", "oe")
    return re.sub(r"[^\w']+|'|_", " ", text).split()


def wer(ref: list[str], hyp: list[str]) -> float:
    """(substitutions + deletions + insertions) / reference words: Levenshtein over words."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(1, len(ref))
