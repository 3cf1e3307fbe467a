"""Hallucination guards: what Whisper says over silence and music is dropped, with a reason.

Whisper was trained on subtitled video, so over non-speech it tends to "hear" the credits of
its training data ("Sous-titres réalisés par la communauté d'Amara.org"). Three checks:
the model's own no-speech/log-probability verdict, repetition (compression ratio), and the
configured list of phantom phrases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pipeline.asr.base import AsrSettings, Segment

DEFAULT_PHANTOMS_FR = (
    "Sous-titres réalisés par la communauté d'Amara.org",
    "Sous-titrage ST' 501",
    "Sous-titrage Société Radio-Canada",
    "Merci d'avoir regardé",
    "Merci d'avoir regardé cette vidéo",
    "Abonnez-vous",
    "N'oubliez pas de vous abonner",
    "Sous-titres par",
)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^\w]+", " ", text).strip()


def is_phantom(text: str, phrases: Iterable[str]) -> str | None:
    """The phantom phrase this text is (or is made of), else None. A real sentence that merely
    contains 'merci' is kept: the segment must be the phrase, give or take punctuation."""
    t = _norm(text)
    if not t:
        return "empty"
    for phrase in phrases:
        p = _norm(phrase)
        if p and (t == p or (len(p) > 12 and p in t and len(t) <= len(p) + 12)):
            return phrase
    return None


def filter_segments(segments: Iterable[Segment], s: AsrSettings) -> tuple[list[Segment], list[str]]:
    """(kept, reasons for each dropped one)."""
    kept, dropped = [], []
    for seg in segments:
        where = f"{seg.start:.1f}-{seg.end:.1f} s {seg.text.strip()[:40]!r}"
        if seg.no_speech_prob > s.no_speech_threshold and seg.avg_logprob < s.log_prob_threshold:
            dropped.append(f"{where}: no speech (p={seg.no_speech_prob:.2f}, logprob={seg.avg_logprob:.2f})")
        elif seg.avg_logprob < s.log_prob_threshold - 0.5:
            dropped.append(f"{where}: too unsure (logprob={seg.avg_logprob:.2f})")
        elif seg.compression_ratio > s.compression_ratio_threshold:
            dropped.append(f"{where}: repeats itself (compression {seg.compression_ratio:.1f})")
        elif (phrase := is_phantom(seg.text, s.phantom_phrases)) is not None:
            dropped.append(f"{where}: phantom phrase ({phrase})")
        elif not seg.words:
            dropped.append(f"{where}: no words")
        else:
            kept.append(seg)
    return kept, dropped
