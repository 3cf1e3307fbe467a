"""Word timestamps -> cues that obey the rules.

Whisper's segments are cut where its 30 s windows and decoder happened to stop, not where a
reader needs a break, so cues are built from the words: grow a cue while it still fits
(two lines of 42, 7 s, no long pause), then step back to the best break in it (sentence end,
clause, pause, phrase boundary), never cutting a sentence that would fit whole in the next cue. Timing then gives each cue its reading time, the minimum
duration and the two-frame gap, without ever overlapping the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.asr.base import Word
from pipeline.captions.rules import CueRules
from pipeline.captions.sentences import ends_sentence
from pipeline.captions.text import french, nfc
from pipeline.models import Cue

CLAUSE_END = (",", ";", ":", "—", ")")
# Words a line should not end on: articles, prepositions, conjunctions, pronouns (French, English).
WEAK_END = frozenset("""le la les l' un une des du de d' à au aux en et ou que qu' qui ne n' se s' ce
c' je j' il elle on nous vous ils elles mon ma mes ton ta tes son sa ses leur leurs notre nos votre vos
pour par sur sous dans avec sans chez vers entre cet cette ces mais donc car si plus très the a an of
to and or in on at for with by""".split())
BREAK_BEFORE = frozenset("et ou mais donc car que qui pour parce quand si avec dans lorsque puis".split())
APOSTROPHES = ("'", "\u2019")
LEAD_IN = 0.5  # at most this much before the first word, when reading speed needs it
PUNCT_ONLY = frozenset(".,;:!?…»)]\"'")


@dataclass(frozen=True)
class Token:
    text: str
    start: float
    end: float


def prepare(words: Sequence[Word], rules: CueRules) -> list[Token]:
    """Ordered tokens; bare punctuation joined to the word before; NFC and typography applied."""
    out: list[Token] = []
    for w in sorted(words, key=lambda w: (w.start, w.end)):
        text = nfc(" ".join(w.text.split()))
        if not text:
            continue
        start, end = max(0.0, w.start), max(w.start, w.end, 0.0)
        if out and (all(c in PUNCT_ONLY for c in text) or text[0] in APOSTROPHES
                    or out[-1].text.endswith(APOSTROPHES)):  # "?" alone, "n" + "'ont", "l'" + "épisode"
            prev = out[-1]
            out[-1] = Token(prev.text + text, prev.start, max(prev.end, end))
            continue
        out.append(Token(text, start, end))
    if rules.french_typography:
        out = [Token(french(t.text), t.start, t.end) for t in out]
    return out


def _key(word: str) -> str:
    return word.casefold().strip(".,;:!?…«»\"()\u00a0")


def line_break_cost(last: str, first: str) -> float:
    """Ending a line on `last` with `first` starting the next: lower is better (sentence end,
    clause, a phrase boundary), a dangling article or preposition costs (subtitles, clip captions)."""
    score = 0.0
    if ends_sentence(last):
        score -= 40
    elif last.endswith(CLAUSE_END):
        score -= 25
    if _key(last) in WEAK_END or last.endswith("'"):
        score += 30
    if _key(first) in BREAK_BEFORE:
        score -= 6
    return score


def _split_score(left: list[str], right: list[str]) -> float:
    l1, l2 = len(" ".join(left)), len(" ".join(right))
    score = abs(l1 - l2) + (2 if l1 > l2 else 0) + line_break_cost(left[-1], right[0])  # balanced, bottom-heavy
    for line in (left, right):
        if len(line) == 1 and len(line[0]) <= 3:  # a lone short word on a line
            score += 100
    return score


def break_lines(words: Sequence[str], rules: CueRules) -> tuple[str, ...] | None:
    """The best 1- or 2-line layout of these words, or None if they cannot fit (at once for
    text longer than two full lines: a pasted page must not take minutes)."""
    text = " ".join(words)
    if len(text) <= rules.max_line:
        return (text,) if text else None
    if rules.max_lines < 2 or len(words) < 2 or len(text) > 2 * rules.max_line + 1:
        return None
    best: tuple[float, tuple[str, str]] | None = None
    for i in range(1, len(words)):
        left, right = list(words[:i]), list(words[i:])
        a, b = " ".join(left), " ".join(right)
        if len(a) <= rules.max_line and len(b) <= rules.max_line:
            score = _split_score(left, right)
            if best is None or score < best[0]:
                best = (score, (a, b))
    return best[1] if best else None


def _fits(tokens: list[Token], i: int, j: int, rules: CueRules) -> bool:
    if tokens[j - 1].end - tokens[i].start > rules.max_duration:
        return False
    if j - i > 1 and tokens[j - 1].start - tokens[j - 2].end > rules.max_pause:
        return False
    return break_lines([t.text for t in tokens[i:j]], rules) is not None


def _sentences(tokens: list[Token]) -> list[tuple[int, int]]:
    """For each token, the (first, last+1) tokens of its sentence."""
    spans, start = [], 0
    for k, t in enumerate(tokens):
        if ends_sentence(t.text) or k == len(tokens) - 1:
            spans += [(start, k + 1)] * (k + 1 - start)
            start = k + 1
    return spans


def _break_score(tokens: list[Token], i: int, k: int, j: int, rules: CueRules,
                 sentences: list[tuple[int, int]] | None = None,
                 whole: Callable[[int, int], bool] | None = None) -> float:
    """Lower is better: where to end a cue that could run from i to j (exclusive), ending at k."""
    last = tokens[k - 1].text
    chars = len(" ".join(t.text for t in tokens[i:k]))
    capacity = rules.max_line * rules.max_lines
    score = -chars / capacity * 20  # all else equal, fuller cues
    if ends_sentence(last):
        score -= 40
    elif last.endswith(CLAUSE_END):
        score -= 22
    if k < len(tokens):
        pause = tokens[k].start - tokens[k - 1].end
        score -= min(pause, 1.0) * 30
        if _key(last) in WEAK_END or last.endswith("'"):
            score += 30
        if _key(tokens[k].text) in BREAK_BEFORE:
            score -= 5
        if sentences and whole and not ends_sentence(last):
            a, b = sentences[k - 1]
            if a >= i and whole(a, b):  # the sentence began in this cue and fits whole in one
                score += 60
            elif b - k <= 2 and len(" ".join(t.text for t in tokens[k:b])) <= 12:  # a stub left over
                score += 25
    if k - i == 1 and len(last) <= 3 and j - i > 1:  # a cue of one short word
        score += 60
    return score


def group(tokens: list[Token], rules: CueRules) -> list[tuple[int, int]]:
    """[(first, last+1)] token ranges, one per cue."""
    spans, i, n = [], 0, len(tokens)
    sentences = _sentences(tokens)
    fits_whole: dict[tuple[int, int], bool] = {}

    def whole(a: int, b: int) -> bool:
        if (a, b) not in fits_whole:
            fits_whole[(a, b)] = _fits(tokens, a, b, rules)
        return fits_whole[(a, b)]

    while i < n:
        j = i + 1
        while j < n and _fits(tokens, i, j + 1, rules):
            j += 1
        if j < n:
            j = min(range(i + 1, j + 1),
                    key=lambda k: (_break_score(tokens, i, k, j, rules, sentences, whole), -k))
        spans.append((i, j))
        i = j
    return spans


def make_cues(words: Sequence[Word], rules: CueRules) -> list[Cue]:
    """Cues for these words, in order, every word shown exactly once."""
    tokens = prepare(words, rules)
    spans = group(tokens, rules)
    cues: list[Cue] = []
    prev_end = None
    for n, (i, j) in enumerate(spans):
        texts = [t.text for t in tokens[i:j]]
        lines = break_lines(texts, rules) or (" ".join(texts),)  # one word wider than a line
        chars = sum(len(line) for line in lines)
        start = tokens[i].start if prev_end is None else max(tokens[i].start, prev_end + rules.min_gap)
        speech_end = tokens[j - 1].end
        next_start = tokens[spans[n + 1][0]].start if n + 1 < len(spans) else float("inf")
        want = max(speech_end, start + chars / rules.max_cps)
        end = min(want, next_start - rules.min_gap)     # reading time, as far as the next cue allows
        end = max(end, start + rules.min_duration)       # the minimum pushes the next cue, slightly
        end = min(end, start + rules.max_duration)
        if chars / (end - start) > rules.max_cps:  # still too fast: appear a little before the voice
            earliest = max(0.0, end - rules.max_duration, start - LEAD_IN,
                           prev_end + rules.min_gap if prev_end is not None else 0.0)
            start = max(earliest, min(start, end - chars / rules.max_cps))
        start, end = round(start, 3), round(end, 3)
        cues.append(Cue(start, end, lines))
        prev_end = end
    return cues
