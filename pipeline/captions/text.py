"""Displayed text: Unicode NFC (keeps Bambara ɛ ɔ ɲ ŋ as single letters) and French typography."""

from __future__ import annotations

import re
import unicodedata

NBSP = "\u00a0"
_BEFORE_HIGH = re.compile(r"(?<=[^\s:;?!\u00a0«])[ \t\u202f]*([;?!]+)")
_BEFORE_COLON = re.compile(r"(?<=[^\s:;?!\u00a0«\d])[ \t\u202f]*(:)(?=\s|$)")
_GUILLEMET_OPEN = re.compile(r"«[ \t\u202f\u00a0]*")
_GUILLEMET_CLOSE = re.compile(r"[ \t\u202f\u00a0]*»")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def french(text: str) -> str:
    """'Pourquoi?' -> 'Pourquoi\u00a0?', 'voici :' -> 'voici\u00a0:', '«oui»' -> '«\u00a0oui\u00a0»'.
    Times (10:30) and URLs (http://) are left alone."""
    text = _BEFORE_HIGH.sub(lambda m: NBSP + m.group(1), text)
    text = _BEFORE_COLON.sub(lambda m: NBSP + m.group(1), text)
    text = _GUILLEMET_OPEN.sub("«" + NBSP, text)
    return _GUILLEMET_CLOSE.sub(NBSP + "»", text)


def missing_french_spaces(text: str) -> bool:
    return french(text) != text
