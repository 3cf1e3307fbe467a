"""Bambara text as people type it: NFC, the letters ɛ ɔ ɲ ŋ kept, look-alikes flagged (never changed).

Keyboards without Bambara letters lead people to type è for ɛ, ò for ɔ, ñ for ɲ, or a Greek
letter that looks right on screen but is another character (and breaks search, fonts and
spell checks). Whether "è" is a mistake or a French name is for the translator to say, so
these are reported with the cue, not rewritten.

A "?" inside a word is worse: a file saved as "CSV (séparateur : point-virgule)" by a French
Excel is Windows-1252, which has no ɛ ɔ ɲ ŋ, and Excel writes "?" for each. The letter is
gone; the import must refuse the file and say how to save it (`lost_letters`).
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.captions.rules import CueRules
from pipeline.captions.segment import break_lines
from pipeline.captions.text import nfc

LOOKALIKES: dict[str, str] = {
    "è": "ɛ", "È": "Ɛ", "ò": "ɔ", "Ò": "Ɔ", "ñ": "ɲ", "Ñ": "Ɲ",
    "\u03b5": "ɛ", "\u0395": "Ɛ",   # Greek epsilon
    "\u037b": "ɔ",                  # Greek reversed lunate sigma
    "\u03b7": "ŋ", "\u019e": "ŋ",   # Greek eta, n with long right leg
}


# A "?" a question never makes: right before a letter ("?aniya", "b?n"). In a file whose
# encoding cannot hold ɛ ɔ ɲ ŋ, also a "?" stuck to a word and followed by more than a space
# or a closing mark ("b??.", "b?,").
_BEFORE_LETTER = re.compile(r"\?(?=[^\W\d_])")
_STUCK = re.compile(r"(?<=[^\W\d_?])\?+(?![\s»\"”)\]]|$)|(?<=[^\W\d_])\?{2,}")


def lost_letters(text: str, lossy_encoding: bool) -> bool:
    """True when a "?" stands where a letter was (see the module's docstring)."""
    return bool(_BEFORE_LETTER.search(text) or (lossy_encoding and _STUCK.search(text)))


def normalise(text: str) -> str:
    """NFC, no stray spaces, one line per line; letters themselves untouched."""
    lines = [" ".join(nfc(line).split()) for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def lookalikes(text: str) -> list[str]:
    """'è (U+00E8) may stand for ɛ' for each suspicious letter, once each."""
    out, seen = [], set()
    for ch in text:
        if ch in LOOKALIKES and ch not in seen:
            seen.add(ch)
            out.append(f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, '?').lower()}) may stand for "
                       f"{LOOKALIKES[ch]!r}")
    return out


def reflow(text: str, rules: CueRules) -> tuple[str, ...]:
    """The translator's lines if they fit the rules, else the words re-broken into at most two
    balanced lines; text too long for any layout stays as written (lint reports it)."""
    lines = tuple(text.split("\n"))
    if len(lines) <= rules.max_lines and all(len(line) <= rules.max_line for line in lines):
        return lines
    return break_lines(text.split(), rules) or lines
