"""Data that crosses module boundaries: frozen, typed, no bare dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

LANGUAGES = ("fr", "bm")
"""Languages the series is produced in: French and Bambara (ISO 639-1)."""


@dataclass(frozen=True)
class LangText:
    """A text in each production language; Bambara may be empty until translated."""

    fr: str
    bm: str = ""

    def get(self, lang: str) -> str:
        return self.bm if lang == "bm" else self.fr


@dataclass(frozen=True)
class Highlight:
    """An editor's marker: a stretch of the episode chosen for a clip or the trailer."""

    start: float
    end: float
    label: str = ""
    use: str = "clip"  # "clip" or "trailer"


@dataclass(frozen=True)
class Resource:
    """A practical resource for viewers: who to ask, where to go ("conseils pratiques")."""

    name: str
    contact: str = ""  # phone, address, place: printed as written, never a link
    note: str = ""


@dataclass(frozen=True)
class Guide:
    """An episode's discussion guide for community screenings ([guide] in episode.toml)."""

    questions: tuple[str, ...] = ()
    key_messages: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.questions or self.key_messages or self.resources)


@dataclass(frozen=True)
class Episode:
    """One episode, as described by episodes/<id>/episode.toml."""

    id: str
    number: int
    title: LangText
    description: LangText
    languages: tuple[str, ...]
    master: Path
    folder: Path
    highlights: tuple[Highlight, ...] = ()
    thumbnail_time: float | None = None
    guide: Guide = Guide()


@dataclass(frozen=True)
class MediaInfo:
    """What ffprobe says about a file, reduced to what the pipeline decides on."""

    path: Path
    duration: float
    width: int = 0  # as displayed: after rotation and pixel aspect ratio
    height: int = 0
    fps: float = 0.0
    interlaced: bool = False
    variable_fps: bool = False
    rotation: int = 0
    video_codec: str = ""
    pix_fmt: str = ""
    has_video: bool = False
    audio_channels: int = 0
    audio_rate: int = 0
    audio_codec: str = ""
    size_bytes: int = 0

    @property
    def has_audio(self) -> bool:
        return self.audio_channels > 0


@dataclass(frozen=True)
class Loudness:
    """An EBU R128 measurement (ffmpeg loudnorm's first pass)."""

    integrated: float
    true_peak: float
    lra: float
    threshold: float
    offset: float = 0.0


@dataclass(frozen=True)
class Rendition:
    """A finished output file of the transcode stage."""

    episode: str
    profile: str
    path: Path
    width: int
    height: int
    duration: float
    size_bytes: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def bitrate_kbps(self) -> float:
        return self.size_bytes * 8 / 1000 / self.duration if self.duration else 0.0

    @property
    def mb_per_minute(self) -> float:
        """What one minute costs a viewer on mobile data (MB = 10^6 bytes, as carriers count)."""
        return self.size_bytes / 1e6 / (self.duration / 60) if self.duration else 0.0


@dataclass(frozen=True)
class Cue:
    """One subtitle: shown from `start` to `end` seconds, one or two lines."""

    start: float
    end: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def chars(self) -> int:
        """Characters a viewer reads (spaces count, line breaks do not: Netflix's count)."""
        return sum(len(line) for line in self.lines)

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def cps(self) -> float:
        return self.chars / self.duration if self.duration > 0 else float("inf")
