"""Texts that travel with the packs: the WhatsApp message to paste, the radio programme note.

French fixed words only: the Bambara is what the translators wrote in episode.toml (titles,
descriptions) and config.toml (credits); where they have not yet, the Bambara part is left out
and the caller says so, rather than sending French under a Bambara heading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.kits.sizes import human_duration
from pipeline.models import Episode, LangText


def first_line(text: str) -> str:
    """One line of description: the first sentence or line, as a WhatsApp preview shows it."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    for end in (". ", "! ", "? "):
        if end in line:
            return line[: line.index(end) + 1]
    return line


@dataclass(frozen=True)
class Message:
    fr: str
    bm: str | None     # None: no Bambara title yet


def whatsapp_message(series: LangText, ep: Episode, link: str | None) -> Message:
    """What a communications officer pastes to community relays, in French then Bambara."""
    fr = [f"*{series.fr}* — épisode {ep.number}", f"*{ep.title.fr}*", first_line(ep.description.fr)]
    if link:
        fr.append(f"Sur YouTube : {link}")
    if not ep.title.bm.strip():
        return Message("\n".join(fr).strip() + "\n", None)
    bm = [f"*{series.bm or series.fr}* — {ep.number}", f"*{ep.title.bm}*", first_line(ep.description.bm)]
    if link:
        bm.append(f"YouTube : {link}")
    return Message("\n".join(fr).strip() + "\n", "\n".join(line for line in bm if line).strip() + "\n")


@dataclass(frozen=True)
class Broadcast:
    """One file a station airs: its name, its exact duration, its measured loudness."""

    file: str
    duration: float
    loudness: float
    language: str      # "français et bambara (original)", "bambara (voix off)"


def programme_note(series: LangText, ep: Episode, credits: LangText, items: Sequence[Broadcast]) -> tuple[str, bool]:
    """The note partner stations file with the programme; False when its Bambara part is missing."""
    def block(lang: str) -> list[str]:
        title = ep.title.get(lang)
        summary = ep.description.get(lang)
        lines = [f"{series.get(lang) or series.fr} — {ep.number}", f"{title}", ""]
        for b in items:
            level = f"{b.loudness:.1f}".replace(".", ",").replace("-", "−")
            lines.append(f"{b.file} : {human_duration(b.duration)} ({round(b.duration)} s) — {b.language} — "
                         f"{level} LUFS")
        lines += ["", summary, "", credits.get(lang) or credits.fr]
        return lines

    head = ["FICHE PROGRAMME (radio)", f"Épisode : {ep.id}", "Son : AAC, niveau EBU R128 (−23 LUFS)", ""]
    text = head + ["— Français —"] + block("fr")
    complete = bool(ep.title.bm.strip() and ep.description.bm.strip())
    if complete:
        text += ["", "— Bamanankan —"] + block("bm")
    return "\n".join(text).rstrip() + "\n", complete
