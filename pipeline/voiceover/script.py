"""The narrator's script: each approved line to read, when, with the French beside it, and the
pauses where nobody speaks (the narrator stays silent there: the music and effects carry on)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.models import Cue

MIN_PAUSE = 1.0  # seconds between two lines that the script shows as a pause


@dataclass(frozen=True)
class Row:
    number: int          # the line's number (0 for a pause)
    start: float
    end: float
    text: str            # the line to read (empty for a pause)
    beside: str          # the French said meanwhile, for meaning

    @property
    def pause(self) -> bool:
        return self.number == 0

    @property
    def duration(self) -> float:
        return self.end - self.start


def _overlap(a: Cue, start: float, end: float) -> float:
    return max(0.0, min(a.end, end) - max(a.start, start))


def rows(lines: Sequence[Cue], beside: Sequence[Cue], duration: float) -> list[Row]:
    """Lines in time order, each with the French cues it overlaps most, and the pauses between."""
    out: list[Row] = []
    owner: dict[int, int] = {}
    for j, b in enumerate(beside):  # each French cue goes beside the line it overlaps most
        best = max(range(len(lines)), key=lambda i: _overlap(b, lines[i].start, lines[i].end), default=None)
        if best is not None and _overlap(b, lines[best].start, lines[best].end) > 0:
            owner[j] = best
    previous_end = 0.0
    for i, cue in enumerate(lines, 1):
        if cue.start - previous_end >= MIN_PAUSE:
            out.append(Row(0, previous_end, cue.start, "", ""))
        text = " ".join(b.text.replace("\n", " ") for j, b in enumerate(beside) if owner.get(j) == i - 1)
        out.append(Row(i, cue.start, cue.end, cue.text, text))
        previous_end = max(previous_end, cue.end)
    if duration - previous_end >= MIN_PAUSE:
        out.append(Row(0, previous_end, duration, "", ""))
    return out
