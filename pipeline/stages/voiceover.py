"""voiceover: a version of an episode for viewers who cannot read, with a narrator's voice.

`script` gives the narrator what to read (the approved subtitles, timed, the French beside) and a
guide video whose lead-in carries a sync sound. `mix` lines the recording up with the episode
(cross-correlation with that sound, or with the episode's own sound, or at 0), lowers the original
under the voice by the configured depth, leaves it untouched where nobody speaks, sets the voice
to the programme's loudness, and makes the version an asset of its own (`ep01-vote-bm`) that the
transcode stage renders and a calendar releases. A silent, clipped or too long recording is refused.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from pipeline import versions
from pipeline.captions import files, review
from pipeline.clips.cards import FONT
from pipeline.config import Config
from pipeline.errors import MediaError, PipelineError
from pipeline.fsutil import fingerprint, temp_path_for, write_text_atomic
from pipeline.kits import pages
from pipeline.log import progress_bar, stage_logger
from pipeline.media import assembly, ffmpeg
from pipeline.media import voiceover as vo_media
from pipeline.media.ffmpeg import F
from pipeline.models import LANGUAGES, Episode, MediaInfo, Rendition
from pipeline.paths import subtitle_path, thumbnail_path
from pipeline.stages import subtitles_burn
from pipeline.stages.transcode import AUDIO_PRE, transcode
from pipeline.store import Store, utcnow
from pipeline.voiceover import script as script_rows
from pipeline.voiceover import sync, voice

STAGE = "voiceover"
RECIPE = 1  # bump when the mix changes, so versions are mixed again
log = stage_logger(STAGE)
FALLBACK_LOUDNESS = -23.0  # a master with no measurable sound: the voice goes to EBU R128's level


def work_dir(cfg: Config, ep: Episode, lang: str) -> Path:
    """build/<episode>/voiceover/<lang>/: the narrator's script and guide video."""
    return cfg.project.build_dir / ep.id / "voiceover" / lang


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise PipelineError(f"unknown language {lang!r}", hint=f"use one of {', '.join(LANGUAGES)} (e.g. --lang bm)")


def master_info(ep: Episode) -> MediaInfo:
    """The episode's master, probed; refused without a picture (a version keeps the picture)."""
    ffmpeg.require_tools()
    if not ep.master.is_file():
        raise MediaError(f"{ep.id}: master not found: {ep.master}",
                         hint=f"export the master there, or fix `master` in {ep.folder / 'episode.toml'}")
    info = ffmpeg.probe(ep.master)
    if not info.has_video:
        raise MediaError(f"{ep.id}: master has no picture: {ep.master}",
                         hint="export the edited master with its picture")
    return info


def approved_lines(cfg: Config, store: Store, ep: Episode, lang: str, draft: bool) -> tuple[Path, str]:
    """The subtitle file the narrator reads, and its review state; unapproved only as a draft."""
    path = subtitle_path(cfg, ep.id, lang)
    if not path.is_file():
        raise PipelineError(f"{ep.id}: no {lang} subtitles to read ({path})",
                            hint=f"make them first (translators: `webseries subtitles template {ep.id} --lang {lang}`)")
    track = review.current(store, ep.id, lang, path)
    status = track.status if track else "never reviewed"
    if status != "approved" and not draft:
        raise PipelineError(f"{ep.id}: the {lang} subtitles are not approved ({status}): "
                            "the narrator reads approved text",
                            hint=f"review them, then `webseries subtitles approve {ep.id} {lang}` "
                                 "(or --draft for a script marked as a draft)")
    return path, status


# ------------------------------------------------------------------ script

@dataclass(frozen=True)
class ScriptResult:
    script: Path
    guide: Path | None
    lines: int
    draft: bool


def make_script(cfg: Config, store: Store, ep: Episode, lang: str, draft: bool = False, guide: bool = True,
                show_progress: bool = True) -> ScriptResult:
    """The narrator's printable script, and the guide video to record with."""
    _check_lang(lang)
    info = master_info(ep)
    path, status = approved_lines(cfg, store, ep, lang, draft)
    lines = files.read_srt(path)
    other = "fr" if lang == "bm" else "bm"
    beside_path = subtitle_path(cfg, ep.id, other)
    beside = files.read_srt(beside_path) if beside_path.is_file() else []
    names = {"bm": "bambara", "fr": "français"}
    folder = work_dir(cfg, ep, lang)
    folder.mkdir(parents=True, exist_ok=True)
    guide_path = folder / f"{ep.id}-{lang}.guide.mp4"
    html = pages.render(
        "script.html", title_fr=ep.title.fr, title_bm=ep.title.bm, episode_id=ep.id, duration=info.duration,
        language=names[lang], beside_language=names[other], lang=lang, beside_lang=other, status=status,
        draft=status != "approved", rows=script_rows.rows(lines, beside, info.duration), guide_name=guide_path.name,
        made=pages.local_date(utcnow(), cfg.project.zone), series=cfg.project.series_title.fr, source=path.name)
    out = folder / f"{ep.id}-{lang}.script.html"
    write_text_atomic(out, html)
    log.info("%s: wrote the narrator's script %s (%d lines%s)", ep.id, out, len(lines),
             ", DRAFT: subtitles not approved" if status != "approved" else "")
    if guide:
        _guide_video(cfg, ep, info, [path, *([beside_path] if beside else [])], guide_path, show_progress)
    return ScriptResult(out, guide_path if guide else None, len(lines), status != "approved")


def _guide_video(cfg: Config, ep: Episode, info: MediaInfo, srts: list[Path], out: Path, show: bool) -> None:
    tmp = temp_path_for(out)
    with tempfile.TemporaryDirectory(prefix="voiceover-") as work:
        copies = []
        for i, srt in enumerate(srts):  # plain names: no escaping trouble in the filter graph
            copies.append(Path(work) / f"track{i}.srt")
            shutil.copyfile(srt, copies[-1])
        lead = Path(work) / "lead-in.wav"
        vo_media.write_wav(lead, sync.preroll(vo_media.MIX_RATE), vo_media.MIX_RATE)
        burn = ffmpeg.burn_filter(subtitles_burn.layers(cfg, copies, 640, 360))
        g = vo_media.GuideVideo(ep.master, lead, sync.PREROLL, info.duration, burn, FONT, Path(work), tmp)
        try:
            with progress_bar(f"[{STAGE}] {ep.id}: guide video", sync.PREROLL + info.duration, show) as bar:
                vo_media.run_guide(g, bar)
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
    log.info("%s: wrote the guide video %s (sync sound %g s before the episode starts)", ep.id, out,
             sync.PREROLL - sync.CHIRP_AT)


# ------------------------------------------------------------------ mix

@dataclass(frozen=True)
class MixResult:
    version: Episode
    record: versions.VersionRecord
    spans: tuple[tuple[float, float], ...]   # where the voice speaks, on the episode's clock
    renditions: tuple[Rendition, ...]
    stems: tuple[Path, Path] | None
    skipped: bool                            # same recording and settings: nothing mixed again


def _recording_info(path: Path) -> MediaInfo:
    if not path.is_file():
        raise PipelineError(f"voice-over recording not found: {path}", hint="check the file name and folder")
    try:
        info = ffmpeg.probe(path)
    except MediaError:
        raise PipelineError(f"{path.name} is not a readable sound file",
                            hint="send the recording as WAV (or M4A/MP3) straight from the recorder") from None
    if not info.has_audio:
        raise PipelineError(f"{path.name} has no sound", hint="send the recording's sound file (WAV, M4A, MP3)")
    return info


def _start(cfg: Config, ep: Episode, name: str, mono: np.ndarray, mode: str, work: Path) -> float:
    """Seconds into the recording where the episode starts."""
    if mode == "none":
        return 0.0
    if mode == "chirp":
        start, match = sync.start_from_chirp(mono)
        what = "the guide video's sync sound (bip)"
        hint = ("play the guide video aloud while recording (`webseries voiceover script`), or use --sync none "
                "if the recording starts with the episode, or --offset SECONDS")
    else:
        (programme,) = vo_media.decode(ep.master, [vo_media.Pcm(work / "programme.f32", sync.RATE, 1)])
        start, match = sync.start_from_episode(mono, np.asarray(programme))
        what = "the episode's own sound"
        hint = "use --sync chirp with the guide video, --sync none, or --offset SECONDS"
    if not match.found:
        raise PipelineError(f"{name}: {what} was not found in the recording (best match: {match.significance:.0f} "
                            f"sigma, correlation {match.score:.2f}; needs {match.needs[0]:g} and {match.needs[1]:g})",
                            hint=hint)
    log.info("%s: %s found at %s in %s (match %.0f): the episode starts %.3f s into the recording", ep.id, what,
             voice.timecode(match.time), name, match.significance, start)
    return start


def _loudness(source: Path, pre: tuple, channels: int) -> float:
    value = ffmpeg.measure_loudness(source, pre, [channels])[channels].integrated
    return value if math.isfinite(value) and value > -70 else -math.inf


def mix(cfg: Config, store: Store, ep: Episode, lang: str, recording: Path, sync_mode: str | None = None,
        offset: float | None = None, stems: bool = False, force: bool = False,
        show_progress: bool = True) -> MixResult:
    """Mix the narrator's recording over the episode; make and render the version `<episode>-<lang>`."""
    _check_lang(lang)
    vc = cfg.voiceover
    mode = "manual" if offset is not None else (sync_mode or vc.sync)
    info = master_info(ep)
    rec = _recording_info(recording)
    asset = versions.version_id(ep.id, lang)
    version = versions.as_episode(cfg, ep, lang)
    master_out = versions.master_path(cfg, asset)
    stem_paths = (versions.folder(cfg, asset) / "stems" / f"{asset}.original-ducked.wav",
                  versions.folder(cfg, asset) / "stems" / f"{asset}.voice.wav") if stems else None
    prints = fingerprint({"recording": store.file_digest(recording), "master": store.file_digest(ep.master),
                          "settings": asdict(vc), "mode": mode, "offset": offset, "recipe": RECIPE})
    old = versions.read_record(cfg, asset)
    if old and old.fingerprint == prints and not force and (stem_paths is None or all(p.is_file() for p in stem_paths)):
        log.info("%s: %s already mixed from %s; rendering what is missing", ep.id, asset, recording.name)
        _thumbnail(cfg, ep, version, info)
        _carry_subtitles(cfg, store, ep, asset)
        return MixResult(version, old, (), tuple(_render(cfg, store, version)), stem_paths, True)
    versions.folder(cfg, asset).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".voiceover-", dir=versions.folder(cfg, asset)) as tmp:
        work = Path(tmp)
        native, mono = vo_media.decode(recording, [vo_media.Pcm(work / "native.f32"),
                                                   vo_media.Pcm(work / "mono.f32", sync.RATE, 1)])
        spans = voice.speech_spans(np.asarray(mono), sync.RATE, vc.hold)
        voice.check_levels(recording.name, np.asarray(native), rec.audio_channels, rec.audio_rate, spans)
        start = offset if offset is not None else _start(cfg, ep, recording.name, np.asarray(mono), mode, work)
        on_episode = voice.on_episode(recording.name, spans, start, info.duration)
        gain = voice.gain_curve(on_episode, info.duration + 1.0, vc.depth_db, vc.attack, vc.release)
        gain.tofile(work / "gain.f32")
        trim = (F("atrim", start=f"{start:.6f}"), F("asetpts", "PTS-STARTPTS")) if start > 0 else ()
        voice_lufs = _loudness(recording, trim, 1)
        if not math.isfinite(voice_lufs):
            raise PipelineError(f"{recording.name}: the voice is too short or too quiet to measure its loudness",
                                hint="record the whole text, at a normal speaking level")
        programme = _loudness(ep.master, AUDIO_PRE, 2) if info.has_audio else -math.inf
        target = (programme if math.isfinite(programme) else FALLBACK_LOUDNESS) + vc.voice_db
        m = vo_media.Mix(ep.master, info.has_audio, recording, start, target - voice_lufs, work / "gain.f32",
                         voice.GAIN_RATE, info.duration, temp_path_for(master_out),
                         tuple(work / p.name for p in stem_paths) if stem_paths else None)  # type: ignore[arg-type]
        with progress_bar(f"[{STAGE}] {ep.id}: mixing {asset}", info.duration, show_progress) as bar:
            vo_media.run_mix(m, bar)
        try:
            os.replace(m.out, master_out)
        finally:
            m.out.unlink(missing_ok=True)
        if stem_paths and m.stems:
            stem_paths[0].parent.mkdir(exist_ok=True)
            for made, final in zip(m.stems, stem_paths, strict=True):
                os.replace(made, final)
    speech = sum(b - a for a, b in on_episode)
    log.info("%s: %s: voice over %.0f s of %.0f s in %d stretches, original %.0f dB lower under it, voice %+.1f dB "
             "(programme %.1f LUFS)", ep.id, asset, speech, info.duration, len(on_episode), vc.depth_db,
             target - voice_lufs, programme)
    _thumbnail(cfg, ep, version, info)
    _carry_subtitles(cfg, store, ep, asset)
    record = versions.VersionRecord(asset, ep.id, lang, str(recording.resolve()), store.file_digest(recording),
                                    round(start, 6), mode, prints, utcnow().isoformat())
    versions.write_record(cfg, record)  # last: the version exists once everything above is in place
    return MixResult(version, record, tuple(on_episode), tuple(_render(cfg, store, version)), stem_paths, False)


def _render(cfg: Config, store: Store, version: Episode) -> list[Rendition]:
    return transcode(cfg, store, version, list(cfg.voiceover.profiles) or None)


def _thumbnail(cfg: Config, ep: Episode, version: Episode, info: MediaInfo) -> None:
    """The episode's thumbnail serves the version too (same picture); a plain frame until there is one."""
    src, dst = thumbnail_path(cfg, ep.id), thumbnail_path(cfg, version.id)
    if dst.is_file() and (not src.is_file() or dst.read_bytes() == src.read_bytes()):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(dst)
    try:
        if src.is_file():
            shutil.copyfile(src, tmp)
        else:
            at = ep.thumbnail_time if ep.thumbnail_time is not None and ep.thumbnail_time < info.duration \
                else info.duration * 0.1
            assembly.thumbnail(version.master, at, tmp, 1280, 720, [])
            log.info("%s: no thumbnail yet (`webseries clips %s` makes one with the title): %s gets a plain frame "
                     "until the next `voiceover mix` copies it", ep.id, ep.id, version.id)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def _carry_subtitles(cfg: Config, store: Store, ep: Episode, asset: str) -> None:
    """Approved subtitles of the episode fit the version as they are (same picture, same timing)."""
    for lang in LANGUAGES:
        src = subtitle_path(cfg, ep.id, lang)
        track = review.current(store, ep.id, lang, src) if src.is_file() else None
        if track is None or track.status != "approved":
            continue
        dst = subtitle_path(cfg, asset, lang)
        mine = review.current(store, asset, lang, dst) if dst.is_file() else None
        if dst.is_file() and (mine is None or mine.status != "approved"):
            log.info("%s: %s: kept %s (changed by a person); the episode's approved %s is not copied over it",
                     asset, lang, dst, src.name)
            continue
        if not dst.is_file() or dst.read_bytes() != src.read_bytes():
            write_text_atomic(dst, src.read_text(encoding="utf-8"))
            files.write_vtt(dst.with_suffix(".vtt"), files.read_srt(dst))
        review.approve(store, asset, lang, dst)
        log.info("%s: %s subtitles: the approved %s of %s (same picture, same timing)", asset, lang, src.name, ep.id)
