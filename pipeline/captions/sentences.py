"""Where a sentence ends: the one definition subtitles (cue breaks, translation) and clips share.

A sentence ends at . ! ? or …, maybe followed by a closing quote, with or without the
non-breaking space French typography puts before it ("oui.\u00a0»" and 'oui."' both end one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

SENTENCE_END = re.compile(r"[.!?…][\s»\"”]*$")


class TimedText(Protocol):
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def text(self) -> str: ...


T = TypeVar("T", bound=TimedText)


def ends_sentence(text: str) -> bool:
    return SENTENCE_END.search(text) is not None


def sentence_groups(cues: Sequence[T], max_pause: float = float("inf")) -> list[tuple[T, ...]]:
    """Consecutive cues grouped into whole sentences. A group also ends at a cue without text
    (a stretch of sound found from pauses stands alone) and before a pause longer than `max_pause`."""
    groups: list[tuple[T, ...]] = []
    current: list[T] = []
    for i, cue in enumerate(cues):
        current.append(cue)
        nxt = cues[i + 1] if i + 1 < len(cues) else None
        if nxt is None or not cue.text or ends_sentence(cue.text) or nxt.start - cue.end > max_pause:
            groups.append(tuple(current))
            current = []
    return groups
