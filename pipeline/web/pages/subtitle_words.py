"""What the subtitle rules and the translators' import say (English, shared with the CLI), in French.

The checks themselves are the library's (captions.lint, stages.subtitles_templates); this only
words their findings for the Sous-titres page. A sentence with no French form here is shown as
the library wrote it, so a new rule is never hidden.
"""

from __future__ import annotations

import re

from pipeline.captions.lint import Violation
from pipeline.web.messages import french

RULES: dict[str, str] = {  # lint rule -> the short French name shown beside a cue
    "empty": "vide", "lines": "lignes", "line-length": "ligne trop longue", "lone-word": "mot isolé",
    "too-short": "trop court", "too-long": "trop long", "cps": "lecture trop rapide", "typography": "typographie",
    "unicode": "lettres", "overlap": "chevauchement", "gap": "écart",
}

LINT = (
    (r"^cue has no text$", "le sous-titre n'a pas de texte"),
    (r"^(\d+) lines \(at most (\d+)\)$", r"\1 lignes (au plus \2)"),
    (r"^line (\d+) has (\d+) characters \(at most (\d+)\)$", r"la ligne \1 a \2 caractères (au plus \3)"),
    (r"^a line holds one short word$", "une ligne ne porte qu'un mot court"),
    (r"^shown (\S+) s \(at least (\S+) s\)$", r"affiché \1 s (au moins \2 s)"),
    (r"^shown (\S+) s \(at most (\S+) s\)$", r"affiché \1 s (au plus \2 s)"),
    (r"^(\S+) characters a second \(at most (\S+)\)$", r"\1 caractères par seconde (au plus \2)"),
    (r"^a non-breaking space is missing.*", "il manque une espace insécable avant : ; ? ! ou dans « »"),
    (r"^text is not NFC-normalised.*", "texte non normalisé (NFC) : des lettres peuvent s'afficher en deux signes"),
    (r"^overlaps the next cue by (\S+) s$", r"empiète de \1 s sur le suivant"),
    (r"^(\S+) ms before the next cue \(at least (\d+) frames, (\S+) ms\)$",
     r"\1 ms avant le suivant (au moins \2 images, \3 ms)"),
)

WHERE = (
    (r"^row (\d+)$", r"ligne \1"),
    (r"^cue (\S+) \(line (\d+)\)$", r"sous-titre \1 (ligne \2 du fichier)"),
    (r"^line (\d+)$", r"ligne \1"),
)

IMPORT = (
    (r"^the translation is empty.*", "la traduction est vide (écrivez-la, ou supprimez la ligne si rien n'est dit)"),
    (r"^ends at (\S+), not after its start (\S+)$", r"finit à \1, pas après son début \2"),
    (r"^starts at (\S+), before (.+) ends \((\S+)\)$", r"commence à \1, avant la fin de la précédente (\3)"),
    (r"^unreadable time (.*?)(?: \(write HH:MM:SS,mmm\))?$", r"temps illisible \1 (écrivez HH:MM:SS,mmm)"),
    (r"^no 'HH:MM:SS,mmm --> HH:MM:SS,mmm' time line$", "pas de ligne de temps « HH:MM:SS,mmm --> HH:MM:SS,mmm »"),
    (r"^no header naming the columns \((.*)\)$", r"pas d'en-tête qui nomme les colonnes (\1)"),
    (r"^the file is empty$", "le fichier est vide"),
    (r"^no subtitles in it$", "aucun sous-titre dans ce fichier"),
)

_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_LOOKALIKE = re.compile(r"^cue (\d+) \((.+?)\): '(.)' \(U\+([0-9A-F]{4,6})[^)]*\) may stand for '(.)'$")
_WHERE_FIRST = re.compile(r"^(row \d+|cue \S+ \(line \d+\)|line \d+): (.*)$", re.S)


def decimals(text: str) -> str:
    return _DECIMAL.sub(",", text)


def lint_message(v: Violation) -> str:
    return decimals(french(v.message, LINT))


def rule_name(rule: str) -> str:
    return RULES.get(rule, rule)


def problem(text: str) -> tuple[str, str]:
    """('ligne 4', 'la traduction est vide …') from 'row 4: the translation is empty …'; where may be ''."""
    m = _WHERE_FIRST.match(text)
    if not m:
        return "", french(text, IMPORT)
    return french(m[1], WHERE), french(m[2], IMPORT)


def lookalike(text: str) -> tuple[str, str]:
    """("sous-titre 2 (ligne 3)", "« è » (U+00E8) est peut-être un « ɛ »") from the import's flag."""
    m = _LOOKALIKE.match(text)
    if not m:
        return "", text
    return (f"sous-titre {m[1]} ({french(m[2], WHERE)})",
            f"« {m[3]} » (U+{m[4]}) est peut-être un « {m[5]} » : vérifiez la lettre")
