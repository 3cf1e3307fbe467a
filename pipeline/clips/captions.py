"""Captions for phone clips: cues shifted to the clip's own clock, at most two short lines.

Viewers scroll with the sound off, so the text is big: short lines (22 characters at the
vertical size), and a cue too long for two of them is split into parts timed by length.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from pipeline.clips.select import Utterance

MAX_LINES = 2
VERTICAL_CHARS = 22
LANDSCAPE_CHARS = 36


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width=width, break_long_words=False) or [""]


def split_cue(cue: Utterance, width: int) -> list[Utterance]:
    """One cue -> parts of at most two lines each, their time shared by character count."""
    lines = wrap(cue.text, width)
    parts = [" ".join(lines[i:i + MAX_LINES]) for i in range(0, len(lines), MAX_LINES)]
    total = sum(len(p) for p in parts) or 1
    out, t = [], cue.start
    for p in parts:
        end = cue.end if p is parts[-1] else t + (cue.end - cue.start) * len(p) / total
        out.append(Utterance(round(t, 3), round(end, 3), "\n".join(wrap(p, width))))
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
