"""package screening: the community-screening kit, a folder for a USB key or a facilitator's
laptop or phone, that works with no internet.

index.html (French, Bambara titles) plays each episode in any browser at 720p and 480p with
the approved French and Bambara subtitles as selectable tracks, burned-in copies for players
that ignore tracks, the audio version, each episode's printable discussion guide (the [guide]
of episode.toml), the attendance sheet, and what the kit weighs against the USB key.
Every link is relative; nothing in the kit points to the web.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import paths
from pipeline.captions import files as subtitle_files
from pipeline.config import Config
from pipeline.fsutil import write_text_atomic
from pipeline.kits import pages, sizes
from pipeline.kits.sizes import KitSize
from pipeline.media import package as pack_media
from pipeline.models import LANGUAGES, Episode, LangText
from pipeline.stages.package import (Pack, PackFile, approved_languages, building, burned, default_out, log, place,
                                     renditions, version_of)
from pipeline.store import Store, utcnow

TRACK_LABELS = {"fr": "Français", "bm": "Bamanankan"}
POSTER_WIDTH = 640


@dataclass(frozen=True)
class Track:
    lang: str
    label: str
    src: str          # a data: address (Chromium loads no <track> file from a file:// page)


@dataclass(frozen=True)
class Link:
    label: str
    path: str         # relative to the kit's root
    size: float       # MB


@dataclass(frozen=True)
class Player:
    label: str        # "720p"
    page: str         # the page that plays it, relative to the kit's root
    video: str        # the file it plays, relative to the kit's root
    size: float       # MB


@dataclass(frozen=True)
class Entry:
    """One episode (or its Bambara version) as the kit shows it."""

    asset: str
    number: int
    title: LangText
    description: str
    duration: float
    is_version: bool
    poster: str
    players: tuple[Player, ...]   # best first
    burned: tuple[Link, ...]
    audio: Link | None
    tracks: tuple[Track, ...]
    guide: str | None


@dataclass(frozen=True)
class Kit(Pack):
    size: KitSize | None = None


def attendance_sheet(folder: Path) -> list[Path]:
    """The facilitators' attendance sheet (XLSX + CSV) from the evaluation stage's template writer.

    That writer comes with the evaluation work (issue 15); once it is merged this is its one call,
    e.g. `return screenings_template(folder)`. Until then the kit has no sheet, and says so."""
    return []


def _mb(path: Path) -> float:
    return path.stat().st_size / sizes.MB


def _entry(cfg: Config, store: Store, ep: Episode, original: Episode, root: Path, notes: list[str],
           show: bool) -> Entry:
    pc = cfg.package
    is_version = ep.id != original.id
    made = renditions(cfg, store, ep, [*pc.screening_profiles, pc.audio_profile, pc.screening_burn_profile], show)
    players: list[Player] = []
    for profile in pc.screening_profiles:
        r = made[profile]
        label = f"{min(r.width, r.height)}p"
        if any(p.label == label for p in players):
            continue  # a small master: two profiles gave the same size (sizes never upscale)
        video = place(r.path, root / "videos" / f"{ep.id}.{label}.mp4")
        page = f"episodes/{ep.id}.html" if not players else f"episodes/{ep.id}-{label}.html"
        players.append(Player(label, page, video.relative_to(root).as_posix(), _mb(video)))
    tracks = []
    for lang in LANGUAGES:
        if approved_languages(cfg, store, ep.id, (lang,), notes):
            srt = paths.subtitle_path(cfg, ep.id, lang)
            cues = subtitle_files.read_srt(srt)
            vtt = subtitle_files.vtt_text(cues)
            place(srt, root / "sous-titres" / f"{ep.id}.{lang}.srt")
            write_text_atomic(root / "sous-titres" / f"{ep.id}.{lang}.vtt", vtt)
            tracks.append(Track(lang, TRACK_LABELS[lang], pages.vtt_data_address(vtt)))
    burned_links = []
    for langs in pc.screening_burn:
        if approved_languages(cfg, store, ep.id, langs, notes):
            src = burned(cfg, store, ep.id, pc.screening_burn_profile, langs, show)
            dst = place(src, root / "videos" / f"{ep.id}.sous-titres-{'-'.join(langs)}.mp4")
            burned_links.append(Link(" + ".join(TRACK_LABELS[x].lower() for x in langs),
                                     dst.relative_to(root).as_posix(), _mb(dst)))
    audio = place(made[pc.audio_profile].path, root / "audio" / f"{ep.id}{made[pc.audio_profile].path.suffix}")
    smallest = made[pc.screening_profiles[-1]]
    at = original.thumbnail_time
    if at is None or at >= smallest.duration:
        at = smallest.duration * 0.1
    poster = root / "images" / f"{ep.id}.jpg"
    poster.parent.mkdir(parents=True, exist_ok=True)
    pack_media.poster(smallest.path, at, poster, POSTER_WIDTH)
    return Entry(ep.id, ep.number, original.title, ep.description.fr, smallest.duration, is_version,
                 poster.relative_to(root).as_posix(), tuple(players), tuple(burned_links),
                 Link("audio", audio.relative_to(root).as_posix(), _mb(audio)), tuple(tracks),
                 f"guides/{original.id}.html")


def screening(cfg: Config, store: Store, episodes: list[Episode], out: Path | None = None,
              show_progress: bool = True) -> Kit:
    """The kit for these episodes (and their Bambara versions, where made)."""
    notes: list[str] = []
    folder = out or default_out(cfg, "projection")
    with building(folder) as root:
        entries: list[Entry] = []
        for ep in episodes:
            first = _entry(cfg, store, ep, ep, root, notes, show_progress)
            entries.append(first)
            version = version_of(cfg, ep)
            if version is not None:
                entries.append(_entry(cfg, store, version, ep, root, notes, show_progress))
            if ep.guide.empty:
                notes.append(f"{ep.id}: the discussion guide is empty: add [guide] questions, key_messages and "
                             f"[[guide.resources]] to {ep.folder / 'episode.toml'}")
            guide = pages.render("guide.html", ep=ep, series=cfg.project.series_title, duration=first.duration)
            write_text_atomic(root / "guides" / f"{ep.id}.html", guide)
        for e in entries:
            for player in e.players:
                write_text_atomic(root / player.page, pages.render("episode.html", e=e, player=player))
        sheets = attendance_sheet(root / "fiche-de-presence")
        if not sheets:
            notes.append("no attendance sheet yet: the evaluation stage's template is not part of this version")
        made = pages.local_date(utcnow(), cfg.project.zone)
        index = pages.render("index.html", series=cfg.project.series_title, entries=entries, made=made,
                             attendance=[p.relative_to(root).as_posix() for p in sheets], size="{SIZE}")
        write_text_atomic(root / "index.html", index)
        write_text_atomic(root / "LISEZMOI.txt", pages.render("readme.txt", entries=entries,
                                                              series=cfg.project.series_title, size="{SIZE}"))
        size = sizes.measure(root, cfg.package.key_gb)
        for name in ("index.html", "LISEZMOI.txt"):  # the summary counts itself to within a few bytes
            text = (root / name).read_text(encoding="utf-8")
            write_text_atomic(root / name, text.replace("{SIZE}", size.sentence()))
        size = sizes.measure(root, cfg.package.key_gb)
        listing = [PackFile(p, "") for p in sorted(root.rglob("*")) if p.is_file()]
    for note in notes:
        log.info("%s", note)
    return Kit(folder, tuple(PackFile(folder / f.path.relative_to(root), f.what) for f in listing), tuple(notes),
               size)
