"""Captions for phone clips: cues shifted to the clip's own clock, at most two short lines.

Viewers scroll with the sound off, so the text is big: short lines (22 characters at the
vertical size), and a cue too long for two of them is split into parts timed by length. Lines
are broken with the subtitles' own costs (captions.segment): at sentence ends and phrase
boundaries, never after a dangling "Les" or "de".
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from pipeline.captions.segment import line_break_cost
from pipeline.clips.select import Utterance

MAX_LINES = 2
VERTICAL_CHARS = 22
LANDSCAPE_CHARS = 36


def lines(words: Sequence[str], width: int) -> list[str]:
    """Words laid out in lines of at most `width` (a longer word stands alone): the layout with the
    least ragged lines that ends none on a dangling short word (the subtitles' break costs)."""
    n = len(words)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n  # (cost, where the last line starts)
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            length = len(" ".join(words[i:j]))
            if length > width and j - i > 1:
                break
            cost = best[i][0] + (line_break_cost(words[j - 1], words[j]) + (width - length) ** 2 / width / 2
                                 if j < n else 0.0)
            if j - i == 1 and len(words[i]) <= 3 and n > 1:  # a lone short word on a line
                cost += 100
            if cost < best[j][0]:
                best[j] = (cost, i)
    out, j = [], n
    while j > 0:
        i = best[j][1]
        out.append(" ".join(words[i:j]))
        j = i
    return out[::-1]


def split_cue(cue: Utterance, width: int) -> list[Utterance]:
    """One cue -> parts of at most two lines each, their time shared by character count."""
    laid = lines(cue.text.split(), width) or [""]
    parts = ["\n".join(laid[i:i + MAX_LINES]) for i in range(0, len(laid), MAX_LINES)]
    total = sum(len(p) for p in parts) or 1
    out, t = [], cue.start
    for k, p in enumerate(parts):
        end = cue.end if k == len(parts) - 1 else t + (cue.end - cue.start) * len(p) / total
        out.append(Utterance(round(t, 3), round(end, 3), p))
        t = end
    return out


def clip_cues(cues: Sequence[Utterance], start: float, end: float, width: int) -> list[Utterance]:
    """Cues overlapping [start, end), on the clip's clock (0 = start), wrapped for the screen."""
    out = []
    for c in cues:
        if c.end <= start or c.start >= end or not c.text.strip():
            continue
        shifted = Utterance(max(0.0, c.start - start), min(end, c.end) - start, c.text)
        out.extend(split_cue(shifted, width))
    return out


def title_lines(text: str, width: int) -> list[str]:
    """A title in at most two lines, the second shortened with an ellipsis if need be."""
    lines = textwrap.wrap(text, width=width)
    return lines[:2] if len(lines) <= 2 else [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder="…")]


def _stamp(t: float) -> str:
    ms = int(round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def to_srt(cues: Sequence[Utterance]) -> str:
    return "".join(f"{i}\n{_stamp(c.start)} --> {_stamp(c.end)}\n{c.text}\n\n" for i, c in enumerate(cues, 1))


def ass_style(width: int, height: int) -> str:
    """libass overrides: pixel-sized text (PlayRes = frame size), outlined, inside safe margins.

    Vertical: captions sit at about two-thirds down, above the platforms' buttons and
    description overlay (bottom ~20 %), with 8 % side margins.
    """
    vertical = height > width
    size = round(height * (0.036 if vertical else 0.06))
    margin_v = round(height * (0.24 if vertical else 0.07))
    margin_lr = round(width * 0.08)
    return ",".join([
        f"PlayResX={width}", f"PlayResY={height}", "FontName=DejaVu Sans", f"FontSize={size}", "Bold=1",
        "PrimaryColour=&H00FFFFFF", "OutlineColour=&H00000000", "BackColour=&H80000000",
        "BorderStyle=1", f"Outline={max(2, size // 14)}", f"Shadow={max(1, size // 30)}", "Alignment=2",
        f"MarginV={margin_v}", f"MarginL={margin_lr}", f"MarginR={margin_lr}", "WrapStyle=2",
    ])
