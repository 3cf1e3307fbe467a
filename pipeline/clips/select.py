"""Which stretches of an episode become clips and trailer shots: pure decisions, no I/O.

Authority, in order: the editor's markers (used as given), then automatic candidates made of
whole spoken sentences, scored by keywords, scene changes and speech energy. A candidate
starts and ends in the pause around its sentences, never inside a cue.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.captions.sentences import sentence_groups
from pipeline.errors import PipelineError
from pipeline.models import Episode, Highlight

PAUSE_ENDS_SENTENCE = 1.5  # seconds between two cues that end a sentence, punctuated or not
MAX_INNER_GAP = 4.0  # a pause longer than this (music, silence) ends a run of speech
LEAD_IN, LEAD_OUT = 0.25, 0.4  # seconds of pause kept before the first and after the last word


@dataclass(frozen=True)
class Utterance:
    """Something said from `start` to `end`: a subtitle cue's time and text on one line (or,
    without subtitles, a stretch of sound between pauses, with no text)."""

    start: float
    end: float
    text: str = ""


@dataclass(frozen=True)
class Analysis:
    """What one pass of ffmpeg over the master found (see media/analysis.py)."""

    duration: float
    scene_cuts: tuple[float, ...]
    loudness: tuple[tuple[float, float], ...]  # (time, momentary LUFS) every 0.1 s
    silences: tuple[tuple[float, float], ...]
    frames: tuple[tuple[float, float, float], ...]  # (time, mean luma 0-255, blur) twice a second

    def mean_loudness(self, start: float, end: float) -> float:
        values = [m for t, m in self.loudness if start <= t < end and m > -70]
        return sum(values) / len(values) if values else -70.0

    def cuts_within(self, start: float, end: float, margin: float = 0.5) -> int:
        return sum(1 for c in self.scene_cuts if start + margin < c < end - margin)


@dataclass(frozen=True)
class Excerpt:
    """A stretch of an episode chosen for a clip or a trailer shot, with why it was chosen."""

    episode: str
    start: float
    end: float
    score: float
    reasons: tuple[str, ...]
    source: str  # "marker", "auto" or "b-roll"
    label: str = ""
    text: str = ""
    cues: tuple[Utterance, ...] = field(default=(), compare=False)

    @property
    def duration(self) -> float:
        return self.end - self.start

    def overlaps(self, other: Excerpt) -> bool:
        return self.episode == other.episode and self.start < other.end and other.start < self.end


# ------------------------------------------------------------------ sentences

def padded(cues: Sequence[Utterance], first: int, last: int, duration: float) -> tuple[float, float]:
    """Start/end around cues[first..last], widened into the pauses but at most halfway to the
    next cue, so neighbouring segments never overlap and never cut into a cue."""
    before = (cues[first - 1].end + cues[first].start) / 2 if first > 0 else 0.0
    after = (cues[last].end + cues[last + 1].start) / 2 if last + 1 < len(cues) else duration
    return max(before, cues[first].start - LEAD_IN, 0.0), min(after, cues[last].end + LEAD_OUT, duration)


# ------------------------------------------------------------------ scoring

def fold(text: str) -> str:
    """Lower case without accents, so 'Élus' matches 'elus'."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def keyword_hits(text: str, keywords: Iterable[str]) -> list[str]:
    """Keywords that begin a word of the text ('citoyen' matches 'citoyenneté')."""
    words = re.findall(r"\w+", fold(text))
    return [k for k in keywords if any(w.startswith(fold(k)) for w in words)]


def score(episode: str, start: float, end: float, text: str, analysis: Analysis,
          keywords: Sequence[str], source: str = "auto", cues: tuple[Utterance, ...] = ()) -> Excerpt:
    hits = keyword_hits(text, keywords)
    cuts = analysis.cuts_within(start, end)
    loud = analysis.mean_loudness(start, end)
    energy = min(1.0, max(0.0, (loud + 40.0) / 25.0))
    total = min(len(hits), 3) * 1.0 + min(cuts, 3) * 0.5 + energy
    reasons = []
    if hits:
        reasons.append(f"keywords: {', '.join(hits)}")
    reasons.append(f"{cuts} scene change{'s' if cuts != 1 else ''}")
    reasons.append(f"speech energy {loud:.0f} LUFS")
    return Excerpt(episode, round(start, 3), round(end, 3), round(total, 3), tuple(reasons), source,
                   text=text, cues=cues)


def candidates(episode: str, cues: Sequence[Utterance], analysis: Analysis, keywords: Sequence[str],
               lo: float, hi: float) -> list[Excerpt]:
    """Every run of whole sentences lasting lo..hi seconds with no long pause inside, scored."""
    groups = sentence_groups(cues, PAUSE_ENDS_SENTENCE)
    index = {id(c): i for i, c in enumerate(cues)}
    out = []
    for i in range(len(groups)):
        for j in range(i, len(groups)):
            if j > i and groups[j][0].start - groups[j - 1][-1].end > MAX_INNER_GAP:
                break
            first, last = index[id(groups[i][0])], index[id(groups[j][-1])]
            start, end = padded(cues, first, last, analysis.duration)
            if end - start > hi:
                break
            if end - start >= lo:
                chosen = tuple(cues[first:last + 1])
                out.append(score(episode, start, end, " ".join(c.text for c in chosen), analysis, keywords,
                                 cues=chosen))
    return out


def pick(pool: Iterable[Excerpt], taken: Sequence[Excerpt], n: int) -> list[Excerpt]:
    """Best-scored first (earlier on ties), never overlapping what is already taken."""
    chosen: list[Excerpt] = []
    for seg in sorted(pool, key=lambda s: (-s.score, s.start)):
        if len(chosen) >= n:
            break
        if not any(seg.overlaps(o) for o in (*taken, *chosen)):
            chosen.append(seg)
    return chosen


# ------------------------------------------------------------------ markers

def check_markers(ep: Episode, duration: float, lo: float) -> None:
    """A marker outside the master, or a clip marker shorter than the minimum, stops the run."""
    where = ep.folder / "episode.toml"
    for i, h in enumerate(ep.highlights, start=1):
        name = f"highlight {i}" + (f" ({h.label!r})" if h.label else "")
        if h.end > duration + 0.05:
            raise PipelineError(
                f"{ep.id}: {name} ends at {timecode(h.end)}, after the end of the episode ({timecode(duration)})",
                hint=f"fix start/end of [[highlights]] number {i} in {where}")
        if h.use == "clip" and h.end - h.start < lo - 1e-6:
            raise PipelineError(
                f"{ep.id}: {name} lasts {h.end - h.start:.1f} s, shorter than the {lo:g} s minimum for a clip",
                hint=f"widen it in {where}, or lower [clips] min_seconds in config.toml")


def marker_segment(ep: Episode, h: Highlight, cues: Sequence[Utterance], analysis: Analysis,
                   keywords: Sequence[str]) -> Excerpt:
    inside = tuple(c for c in cues if c.end > h.start and c.start < h.end)
    text = " ".join(c.text for c in inside)
    seg = score(ep.id, h.start, h.end, text, analysis, keywords, source="marker", cues=inside)
    return Excerpt(ep.id, h.start, h.end, seg.score, ("editor's marker", *seg.reasons), "marker",
                   label=h.label, text=text, cues=inside)


def choose_clips(ep: Episode, cues: Sequence[Utterance], analysis: Analysis, keywords: Sequence[str],
                 count: int, lo: float, hi: float) -> list[Excerpt]:
    """Editor's clip markers first, as given; then the best automatic candidates up to `count`."""
    check_markers(ep, analysis.duration, lo)
    markers = [marker_segment(ep, h, cues, analysis, keywords) for h in ep.highlights if h.use == "clip"]
    auto = pick(candidates(ep.id, cues, analysis, keywords, lo, hi), markers, max(0, count - len(markers)))
    return markers + sorted(auto, key=lambda s: s.start)


def broll(episode: str, cues: Sequence[Utterance], analysis: Analysis, shortest: float = 3.0) -> list[Excerpt]:
    """Loud stretches without speech (music), scored by their scene changes: filler for a trailer."""
    spans, start = [], None
    for t, m in analysis.loudness:
        speaking = any(c.start - 0.5 <= t <= c.end + 0.5 for c in cues)
        if m > -40 and not speaking:
            start = t if start is None else start
        elif start is not None:
            spans.append((start, t))
            start = None
    if start is not None:
        spans.append((start, analysis.duration))
    out = []
    for a, b in spans:
        if b - a >= shortest:
            cuts = analysis.cuts_within(a, b)
            out.append(Excerpt(episode, round(a, 3), round(b, 3), round(0.2 + 0.1 * cuts, 3),
                               (f"b-roll: sound without speech, {cuts} scene changes",), "b-roll"))
    return out


def timecode(t: float) -> str:
    """mm:ss.s, as an editor reads a position in the timeline (logs, errors)."""
    return f"{int(t // 60):02d}:{t % 60:04.1f}"


# ------------------------------------------------------------------ thumbnails

def best_frame(a: Analysis, start: float, end: float) -> float:
    """The sharpest frame that is neither dark nor washed out, away from scene cuts."""
    pool = [(t, y, b) for t, y, b in a.frames if start + 0.5 <= t <= end - 0.5
            and not any(abs(t - c) < 0.6 for c in a.scene_cuts)]
    good = [f for f in pool if 35 <= f[1] <= 225] or pool
    if not good:
        return (start + end) / 2
    return min(good, key=lambda f: (round(f[2], 1), abs(f[1] - 128)))[0]


# ------------------------------------------------------------------ trailer

@dataclass(frozen=True)
class EpisodePool:
    """One episode's material for the trailer."""

    episode: Episode
    markers: tuple[Excerpt, ...]  # the editor's trailer markers
    sentences: tuple[Excerpt, ...]  # short automatic candidates (a sentence or two)
    broll: tuple[Excerpt, ...]


def choose_trailer(pools: Sequence[EpisodePool], lo: float, hi: float) -> list[Excerpt]:
    """Shots totalling lo..hi seconds: every trailer marker, then the best sentences of each
    episode in turn (so every episode is seen), then b-roll if speech runs short."""
    chosen = [m for p in pools for m in p.markers]
    total = sum(s.duration for s in chosen)
    if total > hi + 1e-6:
        raise PipelineError(f"the editor's trailer markers last {total:.1f} s, more than the {hi:.1f} s "
                            "the trailer has room for (cards excluded)",
                            hint="shorten or remove some use = \"trailer\" markers, or raise [clips] trailer_seconds")
    queues = [sorted(p.sentences, key=lambda s: (-s.score, s.start)) for p in pools]
    progress = True
    while progress:
        progress = False
        for q in queues:
            while q:
                seg = q.pop(0)
                if total + seg.duration <= hi and not any(seg.overlaps(o) for o in chosen):
                    chosen.append(seg)
                    total += seg.duration
                    progress = True
                    break
    fillers = sorted((b for p in pools for b in p.broll), key=lambda s: (-s.score, s.start))
    for b in fillers:
        need = lo - total
        if need <= 0:
            break
        length = min(b.duration, max(need, 2.0), hi - total)
        if length < 2.0 or any(b.overlaps(o) for o in chosen):
            continue
        mid = (b.start + b.end) / 2
        start = round(max(b.start, mid - length / 2), 3)
        seg = Excerpt(b.episode, start, round(start + length, 3), b.score, b.reasons, "b-roll")
        chosen.append(seg)
        total += seg.duration
    order = {p.episode.id: i for i, p in enumerate(pools)}
    return sorted(chosen, key=lambda s: (order[s.episode], s.start))
