"""What subtitle text may carry besides words: SRT's <i> <b> <u>, closed; nothing else.

A translator's file can bring HTML (`<script>`, `<b onmouseover=…>`), ASS override blocks
(`{\\an8}` moves a burned-in line to the top of the picture) and control bytes (NUL, BEL, ESC,
from a bad copy-paste). Players show some as text and obey others. `clean` removes them and
says what it removed (an import reports it per cue); `problems` is what lint flags in a file a
person edited; `vtt` escapes < and & for WebVTT, which would read them as markup.
"""

from __future__ import annotations

import re
import unicodedata

ALLOWED = ("i", "b", "u")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][\w.:-]*)([^<>]*)>")
_ASS = re.compile(r"\{\\[^{}]*\}")
_ALLOWED_TAG = re.compile(r"</?[ibu]>")


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch not in "\n\t"


def _control_name(ch: str) -> str:
    return f"control character U+{ord(ch):04X}"


def _unpaired(text: str) -> set[int]:
    """Start offsets of tags to drop: anything but <i> <b> <u> without attributes, and those never closed."""
    drop: set[int] = set()
    stack: list[tuple[str, int]] = []
    for m in _TAG.finditer(text):
        closing, name, rest = m.group(1), m.group(2), m.group(3)
        if name not in ALLOWED or rest.strip() or m.group(0) != f"<{closing}{name}>":
            drop.add(m.start())
        elif not closing:
            stack.append((name, m.start()))
        elif stack and stack[-1][0] == name:
            stack.pop()
        else:
            drop.add(m.start())
    drop.update(start for _, start in stack)
    return drop


def clean(text: str) -> tuple[str, tuple[str, ...]]:
    """(text without control bytes, ASS overrides and tags SRT does not allow, what was removed)."""
    removed: list[str] = []

    def note(what: str) -> None:
        if what not in removed:
            removed.append(what)

    out = []
    for ch in text:
        if _is_control(ch):
            note(_control_name(ch))
        else:
            out.append(ch)
    text = "".join(out)

    def drop_ass(m: re.Match[str]) -> str:
        note(m.group(0))
        return ""

    text = _ASS.sub(drop_ass, text)
    drop = _unpaired(text)

    def drop_tag(m: re.Match[str]) -> str:
        if m.start() in drop:
            note(m.group(0))
            return ""
        return m.group(0)

    return _TAG.sub(drop_tag, text), tuple(removed)


def problems(text: str) -> list[str]:
    """What `clean` would remove, for lint: the text itself is left to the person."""
    return list(clean(text)[1])


def vtt(text: str) -> str:
    """WebVTT cue text: & < > escaped, the allowed tags kept."""
    parts = re.split(f"({_ALLOWED_TAG.pattern})", text)
    return "".join(p if i % 2 else p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   for i, p in enumerate(parts))
