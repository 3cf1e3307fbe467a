"""Cue rules, per language and audience. Defaults follow Netflix/BBC practice."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class CueRules:
    max_line: int = 42            # characters a line
    max_lines: int = 2
    max_cps: float = 17.0         # characters a second (adults); 13 for low-literacy audiences
    min_duration: float = 5 / 6   # seconds (20 frames at 24 fps)
    max_duration: float = 7.0
    min_gap_frames: int = 2       # frames between two cues, so the eye sees a change
    fps: float = 25.0
    max_pause: float = 1.0        # a silence longer than this always ends a cue
    french_typography: bool = True  # non-breaking space before : ; ? ! and inside « »

    @property
    def min_gap(self) -> float:
        return self.min_gap_frames / self.fps


AUDIENCES: dict[str, CueRules] = {
    "default": CueRules(),
    "low-literacy": CueRules(max_cps=13.0),
}


def for_audience(audience: str, **overrides: object) -> CueRules:
    return replace(AUDIENCES[audience], **overrides)
