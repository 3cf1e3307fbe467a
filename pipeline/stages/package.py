"""package: the series for people beyond the feed, as folders to hand over.

`whatsapp` (what a communications officer forwards to community relays: every file under
WhatsApp's limit, the message to paste) and `radio` (the broadcast file and the programme note
for partner stations) live here; `screening` (the community-screening kit) in package_screening.

Renditions are asked of the transcode stage, which makes only what is missing. A pack is written
whole into a hidden folder beside its place, then swapped in: an interrupted run leaves the last
complete pack. Only subtitles a person approved leave the building.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline import ledger, paths, versions
from pipeline.captions import review
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.fsutil import TEMP_MARK, write_text_atomic
from pipeline.kits import sizes, texts
from pipeline.log import stage_logger
from pipeline.media import ffmpeg, plan
from pipeline.media import package as pack_media
from pipeline.models import Episode, Rendition
from pipeline.stages import subtitles_burn
from pipeline.stages.transcode import transcode
from pipeline.store import Store

STAGE = "package"
MARKER = ".webseries-pack"   # a folder with this file is a pack the pipeline may replace
MEDIA = (".mp4", ".m4a", ".ogg", ".jpg")
log = stage_logger(STAGE)


@dataclass(frozen=True)
class PackFile:
    path: Path
    what: str          # in French, for the table the officer reads

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass(frozen=True)
class Pack:
    folder: Path
    files: tuple[PackFile, ...]
    notes: tuple[str, ...] = ()


# ------------------------------------------------------------------ shared by the packs

@contextmanager
def building(out: Path) -> Iterator[Path]:
    """A fresh hidden folder beside `out`; on success it replaces `out` (only a pack made here)."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise PipelineError(f"{out} exists and is not a pack made by webseries: not touching it",
                            hint="choose an empty or new folder with --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}{TEMP_MARK}{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    (tmp / MARKER).write_text("made by `webseries package`; this folder is replaced on the next run\n")
    try:
        try:
            yield tmp
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            raise PipelineError(f"no space left on {out.parent} for the pack",
                                hint="free some space, use a larger USB key, or fewer episodes") from None
        old = out.with_name(f".{out.name}.old{TEMP_MARK}{os.getpid()}")
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def place(src: Path, dst: Path) -> Path:
    """Into the pack: media as a hard link where the file system allows (renditions are replaced,
    never rewritten in place, so a link never changes under the pack), else a copy. Text (subtitles)
    is always copied: an edit made in the pack must never reach an approved file."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.suffix.lower() in MEDIA:
        try:
            os.link(src, dst)
            return dst
        except OSError:
            pass
    shutil.copyfile(src, dst)
    return dst


def renditions(cfg: Config, store: Store, ep: Episode, profiles: list[str], show: bool) -> dict[str, Rendition]:
    """The renditions asked for, made by the transcode stage where missing or out of date."""
    return {r.profile: r for r in transcode(cfg, store, ep, list(dict.fromkeys(profiles)), show_progress=show)}


def approved_languages(cfg: Config, store: Store, asset: str, langs: tuple[str, ...],
                       notes: list[str]) -> bool:
    """True when every language's subtitles exist and are approved; else a note says which are not."""
    missing = []
    for lang in langs:
        path = paths.subtitle_path(cfg, asset, lang)
        track = review.current(store, asset, lang, path) if path.is_file() else None
        if track is None or track.status != "approved":
            missing.append(f"{lang} ({track.status if track else 'missing'})")
    if missing:
        notes.append(f"{asset}: subtitles {'+'.join(langs)} left out: not approved: {', '.join(missing)} "
                     f"(`webseries subtitles approve {asset} LANG`)")
    return not missing


def burned(cfg: Config, store: Store, asset: str, profile: str, langs: tuple[str, ...], show: bool) -> Path:
    """A rendition with subtitles burned in; made again only when it is older than its inputs."""
    out = paths.burned_path(cfg, asset, profile, langs)
    inputs = [paths.rendition_path(cfg, asset, profile), *(paths.subtitle_path(cfg, asset, x) for x in langs)]
    if out.is_file() and all(out.stat().st_mtime_ns >= p.stat().st_mtime_ns for p in inputs):
        return out
    return subtitles_burn.burn(cfg, store, asset, profile, langs, show_progress=show).path


def version_of(cfg: Config, ep: Episode) -> Episode | None:
    """The Bambara voice-over version, where one was mixed: viewers who cannot read want it most."""
    return versions.find(cfg, versions.version_id(ep.id, "bm"))


def default_out(cfg: Config, name: str) -> Path:
    return cfg.project.build_dir / "packs" / name


# ------------------------------------------------------------------ WhatsApp

def youtube_link(store: Store, asset: str) -> str | None:
    """The episode's YouTube address, once the ledger says it is published."""
    for e in ledger.all_entries(store):
        if e.asset == asset and e.platform == "youtube" and e.state == "published" and e.url:
            return e.url
    return None


def _under_limit(cfg: Config, src: Path, dst: Path, limit: int, notes: list[str]) -> Path:
    """`src` into the pack as `dst`, made again smaller where it is over WhatsApp's limit."""
    if src.stat().st_size < limit:
        return place(src, dst)
    info = ffmpeg.probe(src)
    base = cfg.transcode.profiles[cfg.package.whatsapp_profile]
    capped = replace(base, max_size_mb=limit / sizes.MB)
    for attempt in (1.0, 0.85, 0.7):  # VBV keeps x264 close to the cap; a retry goes lower
        if info.has_video:
            video, audio = plan.size_capped_bitrates(capped, info.duration)
            video = int(video * attempt)
            w, h = plan.fit_short_side(info.width, info.height, plan.size_capped_short_side(capped, video))
            rate = plan.capped_rate(plan.output_rate(info.fps), base.max_fps)
            pack_media.run(pack_media.fit_video_command(src, dst, w, h, f"{rate.numerator}/{rate.denominator}",
                                                        video, audio))
        else:
            kbps = max(12, min(48, int(limit * 8 / 1000 * 0.9 * attempt / info.duration)))
            pack_media.run(pack_media.fit_audio_command(src, dst, kbps))
        if dst.stat().st_size < limit:
            notes.append(f"{src.name}: {sizes.megabytes(src.stat().st_size)} is over the limit: "
                         f"re-encoded to {sizes.megabytes(dst.stat().st_size)}")
            return dst
    raise PipelineError(f"{src.name} cannot be brought under {sizes.megabytes(limit)}",
                        hint="make shorter clips for WhatsApp (webseries clips), or raise [package.whatsapp] max_mb")


def whatsapp(cfg: Config, store: Store, ep: Episode, out: Path | None = None, show_progress: bool = True) -> Pack:
    """Everything a relay forwards for one episode, every file under WhatsApp's limit."""
    pc = cfg.package
    limit = int(pc.whatsapp_max_mb * sizes.MB)
    notes: list[str] = []
    video, audio = pc.whatsapp_profile, pc.audio_profile
    made = renditions(cfg, store, ep, [video, audio], show_progress)
    sources: list[tuple[Path, str, str]] = []   # (file, name in the pack, what it is)
    for langs in pc.whatsapp_burn:
        if approved_languages(cfg, store, ep.id, langs, notes):
            sources.append((burned(cfg, store, ep.id, video, langs, show_progress),
                            f"{ep.id}.sous-titres-{'-'.join(langs)}.mp4",
                            f"épisode, sous-titres {' + '.join(langs)} incrustés"))
    if not sources:
        sources.append((made[video].path, f"{ep.id}.mp4", "épisode, sans sous-titres"))
    version = version_of(cfg, ep)
    if version is not None:
        v = renditions(cfg, store, version, [video, audio], show_progress)
        sources.append((v[video].path, f"{ep.id}.version-bambara.mp4", "épisode en bambara (voix)"))
        sources.append((v[audio].path, f"{ep.id}.version-bambara.audio.ogg", "audio en bambara (note vocale)"))
    clips = sorted(paths.clips_dir(cfg, ep.id).glob(f"{ep.id}-clip*.vertical.mp4"))
    if not clips:
        notes.append(f"{ep.id}: no vertical clips yet (`webseries clips {ep.id}` makes them)")
    for i, clip in enumerate(clips, 1):
        sources.append((clip, f"{ep.id}.extrait-{i}.mp4", "extrait vertical"))
    sources.append((made[audio].path, f"{ep.id}.audio.ogg", "audio à écouter (note vocale)"))
    folder = out or default_out(cfg, f"whatsapp-{ep.id}")
    with building(folder) as tmp:
        files = [PackFile(_under_limit(cfg, src, tmp / name, limit, notes), what) for src, name, what in sources]
        thumb = paths.thumbnail_path(cfg, ep.id)
        if thumb.is_file():
            files.append(PackFile(place(thumb, tmp / f"{ep.id}.miniature.jpg"), "miniature"))
        else:
            pack_media.poster(made[video].path, ep.thumbnail_time or made[video].duration * 0.1,
                              tmp / f"{ep.id}.miniature.jpg", 640)
            files.append(PackFile(tmp / f"{ep.id}.miniature.jpg", "miniature"))
        link = youtube_link(store, ep.id)
        message = texts.whatsapp_message(cfg.project.series_title, ep, link)
        text = message.fr + ("\n" + message.bm if message.bm else "")
        write_text_atomic(tmp / f"{ep.id}.message.txt", text)
        files.append(PackFile(tmp / f"{ep.id}.message.txt", "message à coller (français, bambara)"))
        if message.bm is None:
            notes.append(f"{ep.id}: no Bambara title in episode.toml ([title] bm): the message is in French only")
        if link is None:
            notes.append(f"{ep.id}: not yet published on YouTube: the message has no link")
        over = [f for f in files if f.size >= limit]
        if over:  # cannot happen: _under_limit checked each; kept as the pack's own guarantee
            raise PipelineError(f"{over[0].path.name} is over {sizes.megabytes(limit)}", hint="this is a bug")
    files = [PackFile(folder / f.path.name, f.what) for f in files]
    for note in notes:
        log.info("%s", note)
    return Pack(folder, tuple(files), tuple(notes))


# ------------------------------------------------------------------ radio

def radio(cfg: Config, store: Store, episodes: list[Episode], out: Path | None = None,
          show_progress: bool = True) -> Pack:
    """The radio rendition of each episode (and of its Bambara version), with a programme note."""
    profile = cfg.package.radio_profile
    notes: list[str] = []
    folder = out or default_out(cfg, "radio")
    with building(folder) as tmp:
        files: list[PackFile] = []
        for ep in episodes:
            items = [(ep, f"{ep.id}.radio.m4a", "français et bambara (original)")]
            version = version_of(cfg, ep)
            if version is not None:
                items.append((version, f"{ep.id}.version-bambara.radio.m4a", "bambara (voix off)"))
            broadcasts = []
            for asset, name, language in items:
                r = renditions(cfg, store, asset, [profile], show_progress)[profile]
                files.append(PackFile(place(r.path, tmp / name), f"émission, {language}"))
                loudness, _peak = ffmpeg.ebur128(r.path)
                broadcasts.append(texts.Broadcast(name, ffmpeg.probe(r.path).duration, loudness, language))
            note, complete = texts.programme_note(cfg.project.series_title, ep, cfg.package.credits, broadcasts)
            write_text_atomic(tmp / f"{ep.id}.fiche-programme.txt", note)
            files.append(PackFile(tmp / f"{ep.id}.fiche-programme.txt", "fiche programme (français, bambara)"))
            if not complete:
                notes.append(f"{ep.id}: no Bambara title or description in episode.toml: the note is in French only")
    for note in notes:
        log.info("%s", note)
    return Pack(folder, tuple(PackFile(folder / f.path.name, f.what) for f in files), tuple(notes))
