"""The trailer's title and end cards, composed with moviepy and saved as still images.

moviepy does what ffmpeg makes awkward (laid-out, wrapped text in two languages); the still is
then looped inside the trailer's single ffmpeg graph, so no frame is encoded twice.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ToolMissingError
from pipeline.fsutil import temp_path_for

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
BACKGROUND = (29, 53, 87)  # the series' dark blue
ACCENT = "#f4b942"


@dataclass(frozen=True)
class Card:
    """Lines of a card, biggest first: (text, relative size, colour)."""

    lines: tuple[tuple[str, float, str], ...]


def title_card(series_fr: str, series_bm: str) -> Card:
    lines = [(series_fr, 1.0, "white")]
    if series_bm:
        lines.append((series_bm, 0.7, ACCENT))
    lines.append(("Bande-annonce", 0.45, "white"))
    return Card(tuple(lines))


def end_card(first_release: str, channels: tuple[str, ...]) -> Card:
    lines = [(f"Dès le {first_release}" if first_release else "Bientôt", 0.8, ACCENT)]
    lines += [(c, 0.5, "white") for c in channels]
    return Card(tuple(lines))


def _moviepy():  # noqa: ANN202 - imported late: it is slow to import, and must see FFMPEG_BINARY
    system = shutil.which("ffmpeg")
    if system:
        os.environ.setdefault("FFMPEG_BINARY", system)  # never moviepy's bundled second ffmpeg
    import moviepy

    return moviepy


def render_card(card: Card, width: int, height: int, out: Path) -> Path:
    """The card as a PNG of the output's size (atomic: temp name, then rename)."""
    if not FONT.is_file():
        raise ToolMissingError(f"font not found: {FONT}", hint="install fonts-dejavu-core (make setup)")
    mp = _moviepy()
    base = min(width, height) * 0.085
    layers = [mp.ColorClip((width, height), color=BACKGROUND, duration=1)]
    heights = []
    texts = []
    for text, rel, colour in card.lines:
        size = round(base * rel)
        clip = mp.TextClip(font=str(FONT_BOLD if rel >= 0.7 else FONT), text=text, font_size=size,
                           color=colour, method="caption", size=(int(width * 0.84), None),
                           margin=(0, size // 3), text_align="center", duration=1)  # margin: room for descenders
        texts.append(clip)
        heights.append(clip.h)
    gap = base * 0.4
    y = (height - sum(heights) - gap * (len(heights) - 1)) / 2
    for clip, h in zip(texts, heights, strict=True):
        layers.append(clip.with_position(("center", int(y))))
        y += h + gap
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(out)
    try:
        mp.CompositeVideoClip(layers, size=(width, height)).save_frame(str(tmp), t=0)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
