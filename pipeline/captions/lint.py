"""Every rule a cue breaks, with its number and time: for generated and human-edited files alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.captions import markup
from pipeline.captions.rules import CueRules
from pipeline.captions.text import missing_french_spaces, nfc
from pipeline.models import Cue

EPS = 0.0015  # SRT keeps milliseconds


@dataclass(frozen=True)
class Violation:
    cue: int       # 1-based, as in the SRT file
    start: float
    rule: str      # short name: line-length, lines, cps, too-short, too-long, gap, overlap, markup, ...
    message: str

    def timecode(self) -> str:
        ms = round(self.start * 1000)
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def lint(cues: Sequence[Cue], rules: CueRules) -> list[Violation]:
    out: list[Violation] = []
    for n, cue in enumerate(cues, 1):
        def v(rule: str, message: str, cue: Cue = cue, n: int = n) -> None:
            out.append(Violation(n, cue.start, rule, message))

        if not cue.text.strip():
            v("empty", "cue has no text")
        if len(cue.lines) > rules.max_lines:
            v("lines", f"{len(cue.lines)} lines (at most {rules.max_lines})")
        for i, line in enumerate(cue.lines, 1):
            if len(line) > rules.max_line:
                v("line-length", f"line {i} has {len(line)} characters (at most {rules.max_line})")
        if len(cue.lines) > 1 and any(len(ln.split()) == 1 and len(ln.strip()) <= 3 for ln in cue.lines):
            v("lone-word", "a line holds one short word")
        if cue.duration < rules.min_duration - EPS:
            v("too-short", f"shown {cue.duration:.2f} s (at least {rules.min_duration:.2f} s)")
        if cue.duration > rules.max_duration + EPS:
            v("too-long", f"shown {cue.duration:.2f} s (at most {rules.max_duration:.2f} s)")
        if cue.duration > 0 and cue.cps > rules.max_cps + 0.05:
            v("cps", f"{cue.cps:.1f} characters a second (at most {rules.max_cps:g})")
        if rules.french_typography and missing_french_spaces(cue.text):
            v("typography", "a non-breaking space is missing before : ; ? ! or inside « »")
        removable = markup.problems(cue.text)
        if removable:
            v("markup", f"{', '.join(removable)}: players show it as text or obey it (keep only <i> <b> <u>, "
                        "closed)")
        if nfc(cue.text) != cue.text:
            v("unicode", "text is not NFC-normalised (letters may render as two glyphs)")
        if n < len(cues):
            nxt = cues[n]
            gap = nxt.start - cue.end
            if gap < -EPS:
                v("overlap", f"overlaps the next cue by {-gap:.3f} s")
            elif gap < rules.min_gap - EPS:
                v("gap", f"{gap * 1000:.0f} ms before the next cue (at least {rules.min_gap_frames} frames, "
                         f"{rules.min_gap * 1000:.0f} ms)")
    return out
