"""The validators' problems (English, shared with the CLI) said in French beside a form's fields.

`field_errors` splits ConfigError problems ("<file>: title.fr: is required") into
{"title.fr": "obligatoire"}; a sentence with no French form is shown as it is.
"""

from __future__ import annotations

import re

_FRENCH = (
    (r"^is required$", "obligatoire"),
    (r"^expected a string, got .*", "doit être un texte"),
    (r"^expected an integer, got .*", "doit être un nombre entier"),
    (r"^expected a number, got .*", "doit être un nombre"),
    (r"^expected a list of strings.*", "doit être une liste de textes"),
    (r"^must be between (\S+) and (\S+), got (.*)", r"doit être entre \1 et \2 (reçu \3)"),
    (r"^must be at least (\S+), got (.*)", r"doit être au moins \1 (reçu \2)"),
    (r"^must be at most (\S+), got (.*)", r"doit être au plus \1 (reçu \2)"),
    (r"^must be one of (.*), got (.*)", r"doit être l'une de ces valeurs : \1 (reçu \2)"),
    (r"^use lower-case letters, digits and dashes.*", "lettres minuscules, chiffres et tirets seulement (ex. ep03-vote)"),
    (r"^unknown language '([^']*)' \(use (.*)\)", r"langue inconnue « \1 » (langues : \2)"),
    (r"^expected seconds or a timecode like 01:23.5, got (.*)",
     r"une durée en secondes ou un temps comme 01:23.5 (reçu \1)"),
    (r"^must be after start \((.*)\)", "doit être après le début"),
    (r"^unknown key \(misspelt\?\)", "clé inconnue (faute de frappe ?)"),
    (r"^expected \[\[highlights\]\] tables", "les repères doivent être des tables [[highlights]]"),
)
_PROBLEM = re.compile(r"^(?P<file>.+?): (?P<key>[\w.\[\]-]+): (?P<text>.+)$")


def french(text: str, table: tuple[tuple[str, str], ...] = _FRENCH) -> str:
    """`text` said in French by the first pattern of `table` that matches it (else as it is)."""
    for pattern, replacement in table:
        m = re.match(pattern, text)
        if m:
            return m.expand(replacement)
    return text


def field_errors(problems: list[str]) -> dict[str, str]:
    """{key: French message}; problems not about a key go under ""."""
    out: dict[str, str] = {}
    for problem in problems:
        m = _PROBLEM.match(problem)
        key, text = (m["key"], m["text"]) if m else ("", problem)
        out[key] = f"{out[key]} ; {french(text)}" if key in out else french(text)
    return out
