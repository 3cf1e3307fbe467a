"""clips: short vertical clips with burned-in captions, and thumbnails, cut from each episode.

Highlights come from the editor's markers in episode.toml, then from whole spoken sentences
(subtitle cues, or pauses in the sound when there are no subtitles) scored by keywords, scene
changes and speech energy. Each clip is cut, fitted, captioned, loudness-normalised and
encoded by ONE ffmpeg run (every variant from the same graph); reruns skip what is up to date.
The trailer is built from the same material in pipeline/stages/trailer.py.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from pathlib import Path

from pipeline.captions import review
from pipeline.clips import captions, select, speech
from pipeline.clips.cards import FONT_BOLD
from pipeline.clips.select import Analysis, Utterance, Excerpt
from pipeline.config import Config
from pipeline.errors import MediaError, PipelineError
from pipeline.fsutil import fingerprint, remove_stale_temps, temp_path_for
from pipeline.locks import locked
from pipeline.log import progress_bar, stage_logger
from pipeline.manifest import require_master
from pipeline.media import analysis, assembly, ffmpeg, plan
from pipeline.models import Episode, MediaInfo
from pipeline.paths import analysis_path, clip_path, clips_dir, subtitle_path, thumbnail_path
from pipeline.store import Store

STAGE = "clips"
RECIPE = 1  # bump when the ffmpeg recipe changes, so existing clips are redone
VERTICAL = (1080, 1920)
THUMB = (1280, 720)
THUMB_MAX_BYTES = 2_000_000
log = stage_logger(STAGE)


@dataclass(frozen=True)
class Material:
    """An episode, read and analysed: what selection and rendering need."""

    episode: Episode
    info: MediaInfo
    digest: str
    analysis: Analysis
    cues: tuple[Utterance, ...]
    captions_from: str  # "fr.srt (approved)", or why there are no captions


@dataclass(frozen=True)
class ClipResult:
    clip_id: str
    segment: Excerpt
    outputs: dict[str, Path]
    thumbnail: Path
    skipped: bool  # already up to date
    notes: tuple[str, ...] = ()  # what the editor should know (loudness reached in dynamic mode)


# ------------------------------------------------------------------ material

def load_material(cfg: Config, store: Store, ep: Episode, show_progress: bool = True) -> Material:
    require_master(ep)
    info = ffmpeg.probe(ep.master)
    if not info.has_video or not info.has_audio:
        raise MediaError(f"{ep.id}: the master needs both picture and sound to make clips",
                         hint="export the edited master with its picture and mix")
    select.check_markers(ep, info.duration, cfg.clips.min_seconds)  # before the long work
    digest = store.file_digest(ep.master)
    analysis = _analysis(cfg, ep, info, digest, show_progress)
    cues, source = _cues(cfg, store, ep, analysis)
    return Material(ep, info, digest, analysis, tuple(cues), source)


def _analysis(cfg: Config, ep: Episode, info: MediaInfo, digest: str, show: bool) -> Analysis:
    """Scene cuts, loudness, pauses and frame quality, cached beside the clips per master (the
    transcode stage fills the cache from its own decode; otherwise the master is decoded here)."""
    cache, key = analysis_path(cfg, ep.id), analysis.cache_key(digest)
    raw = analysis.read_cache(cache, key)
    if raw is None:
        with tempfile.TemporaryDirectory(prefix="clips-") as tmp, \
                progress_bar(f"[{STAGE}] {ep.id}: analysing", info.duration, show) as bar:
            raw = analysis.analyze_master(ep.master, Path(tmp), info.duration, progress=bar)
        analysis.write_cache(cache, key, raw)
        log.info("%s: %d scene changes, %d pauses", ep.id, len(raw["scene_cuts"]), len(raw["silences"]))
    return Analysis(duration=info.duration, scene_cuts=tuple(raw["scene_cuts"]),
                    loudness=tuple(map(tuple, raw["loudness"])), silences=tuple(map(tuple, raw["silences"])),
                    frames=tuple(map(tuple, raw["frames"])))


def _cues(cfg: Config, store: Store, ep: Episode, analysis: Analysis) -> tuple[list[Utterance], str]:
    langs = [cfg.clips.caption_lang, *(x for x in ep.languages if x != cfg.clips.caption_lang)]
    for lang in langs:
        srt = subtitle_path(cfg, ep.id, lang)
        if srt.is_file():
            cues = speech.read_srt(srt)
            if cues:
                track = review.current(store, ep.id, lang, srt)
                status = track.status if track else "not reviewed"
                if status != "approved":
                    log.info("%s: captions from %s subtitles that are %s", ep.id, lang, status)
                return cues, f"{lang}.srt ({status})"
    cues = speech.cues_from_pauses(analysis)
    srt = subtitle_path(cfg, ep.id, cfg.clips.caption_lang)
    if not cues and not any(h.use == "clip" for h in ep.highlights):
        raise speech.no_speech_error(ep.id, srt)
    log.info("%s: no subtitles (%s): speech found from pauses in the sound; clips get no captions",
             ep.id, srt)
    return cues, "none: no subtitles, speech found from pauses"


# ------------------------------------------------------------------ selection

def clip_id(ep: Episode, n: int) -> str:
    return f"{ep.id}-clip{n}"


def choose(cfg: Config, m: Material, count: int | None = None) -> list[Excerpt]:
    c = cfg.clips
    chosen = select.choose_clips(m.episode, m.cues, m.analysis, c.keywords,
                                 c.count if count is None else count, c.min_seconds, c.max_seconds)
    if not chosen:
        raise PipelineError(
            f"{m.episode.id}: no stretch of whole sentences lasts {c.min_seconds:g}-{c.max_seconds:g} s",
            hint="mark clips by hand with [[highlights]] in episode.toml, or change [clips] min_seconds")
    wanted = c.count if count is None else count
    markers = sum(1 for s in chosen if s.source == "marker")
    if len(chosen) - markers < wanted - markers:
        log.info("%s: only %d clip(s) of %d asked: not enough separate speech of %g-%g s", m.episode.id,
                 len(chosen), wanted, c.min_seconds, c.max_seconds)
    return chosen


# ------------------------------------------------------------------ rendering

def output_rate(info: MediaInfo) -> Fraction:
    return plan.capped_rate(plan.output_rate(info.fps), 30)


def encoder(cfg: Config, rate: Fraction) -> tuple[str, ...]:
    return ("-c:v", "libx264", "-preset", cfg.clips.preset, "-crf", str(cfg.clips.crf), "-profile:v", "high",
            "-pix_fmt", "yuv420p", "-g", str(plan.gop_frames(rate, 2.0)), "-c:a", "aac", "-b:a", "160k",
            "-ar", str(assembly.CLIP_AUDIO_RATE), "-ac", "2", "-movflags", "+faststart")


def loudnorm_tail(cfg: Config, a: assembly.Assembly, show: bool, label: str) -> tuple[str, ...]:
    """Second-pass loudnorm with the rendition profile's target, as transcode applies it."""
    profile = cfg.transcode.profiles[cfg.clips.loudness_profile]
    with progress_bar(f"[{STAGE}] {label}: measuring loudness", a.duration, show) as bar:
        measured = assembly.measure_assembly_loudness(a, bar)
    if plan.is_silent(measured):
        return ()
    opts = plan.loudnorm_options(profile, measured, cfg.transcode.keep_lra)
    return ("loudnorm@clip=" + ":".join(f"{k}={v}" for k, v in opts.items()) + ":print_format=json",)


def render(cfg: Config, a: assembly.Assembly, label: str, show: bool) -> tuple[str, ...]:
    """Render an assembly whose variants name the final files (clips and the trailer alike).

    Measures the joined sound, encodes every variant in ONE ffmpeg run under temporary names,
    checks picture and sound end together, then puts the files in place. Returns notes for
    the log: loudnorm falling back to dynamic mode (as transcode reports it).
    """
    finals = [v.path for v in a.variants]
    for folder in {p.parent for p in finals}:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(folder)
    temps = [temp_path_for(p) for p in finals]
    a = replace(a, variants=tuple(replace(v, path=t) for v, t in zip(a.variants, temps, strict=True)))
    a = replace(a, audio_tail=loudnorm_tail(cfg, a, show, label))
    try:
        with progress_bar(f"[{STAGE}] {label}: encoding {len(temps)}", a.duration, show) as bar:
            stderr = assembly.run_assembly(a, bar)
        for t in temps:
            check_sync(t, a.fps)
        for t, final in zip(temps, finals, strict=True):
            os.replace(t, final)
    finally:
        for t in temps:
            t.unlink(missing_ok=True)
    if ffmpeg.loudnorm_modes(stderr).get("clip") == "dynamic":
        return (plan.DYNAMIC_NOTE,)
    return ()


def variant_sizes(info: MediaInfo, name: str) -> tuple[int, int, int, int]:
    """Canvas and picture size: vertical 1080x1920, or 16:9 at the master's short side (<= 1080)."""
    if name == "vertical":
        w, h = VERTICAL
    else:
        h = plan.even(min(1080, info.width, info.height))
        w = plan.even(h * 16 / 9)
    fw, fh = plan.fit_inside(info.width, info.height, w, h)
    return w, h, fw, fh


def check_sync(path: Path, rate: Fraction) -> None:
    """Picture and sound start and end together (within one frame), or the output is not kept."""
    d = ffmpeg.stream_durations(path)
    frame = float(1 / rate)
    if "video" not in d or "audio" not in d or any(
            abs(d["video"][i] - d["audio"][i]) > frame + 1e-3 for i in (0, 1)):
        raise MediaError(f"{path.name}: picture and sound are out of step ({d}); the file was not kept",
                         hint="this is a bug; rerun with WEBSERIES_DEBUG=1 and report it")


def up_to_date(store: Store, episode: str, items: list[str], fp: str) -> bool:
    for item in items:
        rec = store.output(STAGE, episode, item)
        if not rec or not rec.still_valid(fp):
            return False
    return True


def render_clip(cfg: Config, store: Store, m: Material, n: int, seg: Excerpt, force: bool,
                show: bool) -> ClipResult:
    ep, cid = m.episode, clip_id(m.episode, n)
    names = ["vertical", *(["16x9"] if cfg.clips.landscape else [])]
    finals = {v: clip_path(cfg, cid, v) for v in names}
    rate = output_rate(m.info)
    start = seg.start
    duration = assembly.frame_round(seg.duration, rate)
    cues = captions.clip_cues(m.cues, start, start + duration, captions.VERTICAL_CHARS)
    title = seg.label or ep.title.fr
    fp = fingerprint({"master": m.digest, "start": start, "duration": duration, "cues": [asdict(c) for c in cues],
                      "landscape_cues": [asdict(c) for c in m.cues if c.end > start and c.start < seg.end],
                      "title": title, "settings": asdict(cfg.clips), "recipe": RECIPE, "ffmpeg": ffmpeg.version(),
                      "loudness": cfg.transcode.profiles[cfg.clips.loudness_profile].settings()})
    if not force and up_to_date(store, ep.id, [f"{cid}.{v}" for v in names], fp):
        thumb = make_thumbnail(cfg, store, m, cid, title, seg.start, seg.end, None, force)
        return ClipResult(cid, seg, finals, thumb, skipped=True)
    with tempfile.TemporaryDirectory(prefix="clips-") as tmp:
        work = Path(tmp)
        variants = []
        for v in names:
            w, h, fw, fh = variant_sizes(m.info, v)
            overlay: list[str] = []
            chars = captions.VERTICAL_CHARS if v == "vertical" else captions.LANDSCAPE_CHARS
            vcues = captions.clip_cues(m.cues, start, start + duration, chars)
            if vcues:
                srt = work / f"{v}.srt"
                srt.write_text(captions.to_srt(vcues), encoding="utf-8")
                overlay.append(ffmpeg.subtitles_filter(srt, captions.ass_style(w, h)))
            if v == "vertical" and cfg.clips.title_bar:
                size = round(h * 0.026)
                lines = captions.title_lines(title, 30)
                overlay += assembly.text_lines_filters(lines, work, FONT_BOLD, size, round(h * 0.07))
            variants.append(assembly.Variant(finals[v], w, h, fw, fh, tuple(overlay)))
        a = assembly.Assembly((assembly.Shot(ep.master, start, duration),), tuple(variants), rate,
                              cfg.clips.fade_seconds, (), encoder(cfg, rate))
        notes = render(cfg, a, cid, show)
    thumb = make_thumbnail(cfg, store, m, cid, title, seg.start, seg.end, None, force)  # only for a clip made
    for v in names:
        store.record_output(STAGE, ep.id, f"{cid}.{v}", fp, finals[v],
                            {"start": start, "duration": duration, "score": seg.score, "reasons": list(seg.reasons)})
    log.info("%s: %s %s-%s (%.1f s): %s", ep.id, cid, select.timecode(start), select.timecode(start + duration),
             duration, "; ".join(seg.reasons))
    for note in notes:
        log.info("%s: %s: %s", ep.id, cid, note)
    return ClipResult(cid, seg, finals, thumb, skipped=False, notes=notes)


# ------------------------------------------------------------------ thumbnails

def make_thumbnail(cfg: Config, store: Store, m: Material, asset: str, title: str, start: float, end: float,
               at: float | None, force: bool) -> Path:
    final = thumbnail_path(cfg, asset)
    when = at if at is not None else select.best_frame(m.analysis, start, end)
    fp = fingerprint({"master": m.digest, "at": when, "title": title, "recipe": RECIPE})
    if not force and up_to_date(store, m.episode.id, [f"thumb:{asset}"], fp):
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(final)
    try:
        with tempfile.TemporaryDirectory(prefix="clips-") as work:
            lines = captions.title_lines(title, 34)
            size = 52
            top = THUMB[1] - 48 - len(lines) * int(size * 1.6)
            overlay = [f"drawbox=x=0:y={top - 30}:w=iw:h=ih-{top - 30}:color=black@0.55:t=fill",
                       *assembly.text_lines_filters(lines, Path(work), FONT_BOLD, size, top, "black@0.0")]
            for quality in (3, 6, 12):
                assembly.thumbnail(m.episode.master, when, tmp, *THUMB, overlay, quality)
                if tmp.stat().st_size < THUMB_MAX_BYTES:
                    break
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    store.record_output(STAGE, m.episode.id, f"thumb:{asset}", fp, final, {"time": when})
    return final


def episode_thumbnail(cfg: Config, store: Store, m: Material, force: bool) -> Path:
    at = m.episode.thumbnail_time
    if at is not None and at >= m.info.duration:
        raise PipelineError(f"{m.episode.id}: thumbnail_time {at:g} s is after the end of the episode "
                            f"({m.info.duration:.1f} s)", hint=f"fix it in {m.episode.folder / 'episode.toml'}")
    return make_thumbnail(cfg, store, m, m.episode.id, m.episode.title.fr, 0.0, m.info.duration, at, force)


# ------------------------------------------------------------------ the stage

def _remove_stale(cfg: Config, ep: Episode, kept: int) -> None:
    """Clips numbered past this run's last (fewer chosen than before) would be posted by mistake."""
    folder = clips_dir(cfg, ep.id)
    for path in sorted(folder.glob(f"{ep.id}-clip*.mp4")):
        number = path.name[len(ep.id) + 5:].split(".", 1)[0]
        if number.isdigit() and int(number) > kept:
            path.unlink()
            thumbnail_path(cfg, path.name.split(".", 1)[0]).unlink(missing_ok=True)
            log.info("%s: removed %s (no longer chosen)", ep.id, path.name)


@locked(STAGE)
def clips(cfg: Config, store: Store, ep: Episode, count: int | None = None, force: bool = False,
          render: bool = True, show_progress: bool = True) -> tuple[Material, list[ClipResult]]:
    """Choose the episode's clips and render those not up to date (render=False: choose only)."""
    m = load_material(cfg, store, ep, show_progress)
    chosen = choose(cfg, m, count)
    if not render:
        return m, [ClipResult(clip_id(ep, i), s, {}, thumbnail_path(cfg, clip_id(ep, i)), True)
                   for i, s in enumerate(chosen, 1)]
    episode_thumbnail(cfg, store, m, force)
    results = [render_clip(cfg, store, m, i, s, force, show_progress) for i, s in enumerate(chosen, 1)]
    _remove_stale(cfg, ep, len(results))
    if all(r.skipped for r in results):
        log.info("%s: all %d clips up to date", ep.id, len(results))
    return m, results
