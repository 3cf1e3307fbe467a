"""What a viewer's comment says, without reading it for us: language, question or not, themes, author key.

The communications team answers viewers' questions; the evaluators count them. Comments on
these videos are short, in French or Bambara (often mixed, often typed without the Bambara
letters), so the rules are simple and listed here: Bambara letters (ɛ ɔ ɲ ŋ) and common words
against French ones; a question mark, an interrogative word where it asks (French: pourquoi,
comment, combien, quel…, "est-ce que", an inverted subject "peut-on", "qui"/"quoi" opening a
sentence, "quand" opening one without a comma; Bambara: mun, jɔn, joli,
jumɛn anywhere, "wa"/"di"/"min" ending a sentence, "yala" opening one). Themes are the
configured keywords, matched like the clips stage's (word starts, accents ignored).
Authors are kept only as a keyed hash (HMAC-SHA-256 with a secret salt): the same person gets the
same key, and nobody can get back from the key to the person.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence

from pipeline.clips.select import keyword_hits
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.platforms.accounts import check_token_file, write_token_file

LANGUAGES = {"fr": "français", "bm": "bambara", "other": "autre / indéterminé"}
BAMBARA_LETTERS = frozenset("ɛɔɲŋƐƆƝŊ")
BAMBARA_WORDS = frozenset((
    "ka", "ni", "ye", "bɛ", "be", "tɛ", "te", "don", "aw", "an", "ko", "ani", "kɔ", "dɔ", "fɛ", "wa", "mun", "jɔn",
    "joli", "kɛ", "ke", "kan", "yen", "nin", "ninnu", "olu", "tigi", "jamana", "mɔgɔ", "mogo", "muso", "musow", "cɛ",
    "sugandili", "barika", "walasa", "sɔrɔ", "soro", "bɛɛ", "kalan", "jumɛn", "jumen", "baara", "fana", "yala",
    "tuma", "cogo", "kelen", "minnu", "hakɛ", "hake", "dusu", "ce", "nba", "nse", "inice", "anw", "kana",
    "bɛna", "bena", "tun", "meri", "kalata", "denmisɛn", "kamalen", "sira", "fo", "kɔnɔ", "kono", "nana", "taa",
))
FRENCH_WORDS = frozenset((
    "le", "les", "de", "des", "du", "et", "est", "un", "une", "pour", "que", "qui", "dans", "pas", "je", "vous",
    "nous", "il", "elle", "ce", "sur", "avec", "merci", "bonjour", "comment", "pourquoi", "quand", "mais", "très",
    "bien", "au", "aux", "on", "sont", "faut", "peut", "cette", "mon", "nos", "vos", "leur", "quel", "quelle",
    "si", "se", "en", "plus", "tout", "tous", "fait", "être", "avoir", "c", "qu", "d", "l", "j", "vote", "voter",
    "femmes", "jeunes", "mairie", "citoyens", "bravo", "super", "vidéo", "épisode", "où", "combien",
))
FRENCH_LETTERS = frozenset("éèêàçùûôîÉÈÊÀÇ")
QUESTION_MARKS = ("?", "？", "¿", "؟")
FR_ASKING = frozenset(("pourquoi", "comment", "combien", "quel", "quelle", "quels", "quelles", "lequel", "laquelle",
                       "lesquels", "lesquelles", "où"))
FR_OPENING = frozenset(("qui", "quoi"))   # asking when they open the sentence ("quand": only without a comma)
BM_ASKING = frozenset(("mun", "munna", "munkanma", "jɔn", "jon", "joli", "jumɛn", "jumen", "jumɛnw"))
BM_CLOSING = frozenset(("wa", "di", "min"))             # "I ka kɛnɛ wa", "A bɛ di", "A bɛ min"
INVERTED = re.compile(r"\b\w+-(?:t-)?(?:je|tu|il|elle|on|nous|vous|ils|elles)\b", re.I)
SENTENCES = re.compile(r"[^.!?\n…]+[.!?\n…]*")


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def language(text: str) -> str:
    """"fr", "bm" or "other": Bambara letters count triple, then common words of each language."""
    ws = words(text)
    bm = sum(w in BAMBARA_WORDS for w in ws) + 3 * sum(c in BAMBARA_LETTERS for c in text)
    fr = sum(w in FRENCH_WORDS for w in ws) + sum(c in FRENCH_LETTERS for c in text)
    if bm == fr == 0:
        return "other"
    return "bm" if bm > fr or (bm == fr and any(c in BAMBARA_LETTERS for c in text)) else "fr"


def is_question(text: str) -> bool:
    """A question mark, or an interrogative word in a position where it asks (French or Bambara)."""
    if any(m in text for m in QUESTION_MARKS):
        return True
    low = text.lower()
    if "est-ce" in low or "est ce que" in low or INVERTED.search(text):
        return True
    for sentence in SENTENCES.findall(low):
        ws = words(sentence)
        if not ws:
            continue
        opening = ws[0] in FR_OPENING or ws[0] == "yala" or (ws[0] == "quand" and "," not in sentence)
        if opening or any(w in FR_ASKING or w in BM_ASKING for w in ws):
            return True
        if ws[-1] in BM_CLOSING and language(sentence) == "bm":
            return True
    return False


def themes(text: str, configured: Mapping[str, Sequence[str]]) -> list[str]:
    """The configured themes whose keywords start a word of the text (accents ignored)."""
    return [name for name, keys in configured.items() if keyword_hits(text, keys)]


def salt(cfg: Config) -> bytes:
    """The secret salt of author keys: made once (0600, outside the project), then always the same."""
    path = cfg.metrics.evaluation.comments.salt_file
    if not path.exists():
        write_token_file(path, secrets.token_hex(32) + "\n")
    try:
        check_token_file(cfg, path, "delete it and pull again (new keys: authors are counted afresh)")
    except PipelineError as exc:
        raise PipelineError(exc.message.replace("token file", "the comments' salt file (author keys)"),
                            hint=exc.hint) from None
    return path.read_bytes().strip()


def author_key(key: bytes, platform: str, author_id: str) -> str:
    """A pseudonym: the same author always gets the same 16 hex digits; the id itself is never stored."""
    if not author_id:
        return ""
    return hmac.new(key, f"{platform}:{author_id}".encode(), hashlib.sha256).hexdigest()[:16]
