"""transcode: one master -> every platform's rendition, in a single ffmpeg run.

One decode feeds all outputs through split/asplit; loudness is measured once (EBU R128
first pass) and applied per profile. Each output is written under a temporary name and
renamed when ffmpeg has finished, and a rerun with the same master and settings does nothing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import MediaError, PipelineError
from pipeline.fsutil import fingerprint, remove_stale_temps, temp_path_for, writable_folder
from pipeline.locks import locked
from pipeline.log import progress_bar, stage_logger
from pipeline.manifest import require_master
from pipeline.media import analysis, ffmpeg, plan
from pipeline.media.analysis import AUDIO_PRE
from pipeline.media.ffmpeg import F, BlurFill, Chain
from pipeline.models import Episode, Loudness, MediaInfo, Rendition
from pipeline.paths import analysis_path, rendition_path, renditions_dir
from pipeline.profiles import Profile
from pipeline.store import Store

STAGE = "transcode"
RECIPE = 2  # bump when the ffmpeg recipe changes, so existing renditions are redone
log = stage_logger(STAGE)


@dataclass(frozen=True)
class Job:
    profile: Profile
    final: Path
    output: ffmpeg.Output
    notes: tuple[str, ...]


def select_profiles(cfg: Config, names: list[str] | None) -> list[Profile]:
    chosen = names or list(cfg.transcode.default_profiles)
    unknown = [n for n in chosen if n not in cfg.transcode.profiles]
    if unknown:
        raise PipelineError(f"unknown profile {', '.join(map(repr, unknown))}",
                            hint=f"known profiles: {', '.join(cfg.transcode.profiles)} (or define it in config.toml)")
    return [cfg.transcode.profiles[n] for n in dict.fromkeys(chosen)]



@locked(STAGE)
def transcode(cfg: Config, store: Store, episode: Episode, profile_names: list[str] | None = None,
              force: bool = False, show_progress: bool = True) -> list[Rendition]:
    """Render the episode's master into each profile; skip those already up to date."""
    profiles = select_profiles(cfg, profile_names)
    ffmpeg.require_tools()
    require_master(episode)
    out_dir = renditions_dir(cfg, episode.id)
    writable_folder(out_dir)
    for stale in remove_stale_temps(out_dir):
        log.info("%s: removed %s left by an interrupted run", episode.id, stale.name)

    digest = store.file_digest(episode.master)
    prints = {p.name: fingerprint({"master": digest, "profile": p.settings(), "recipe": RECIPE,
                                   "ffmpeg": ffmpeg.version()}) for p in profiles}
    results: dict[str, Rendition] = {}
    todo = []
    for p in profiles:
        record = store.output(STAGE, episode.id, p.name)
        if not force and record and record.still_valid(prints[p.name]):
            results[p.name] = _rendition(episode.id, p.name, record.path, record.info)
        else:
            todo.append(p)
    if not todo:
        log.info("%s: all %d renditions up to date", episode.id, len(profiles))
        return [results[p.name] for p in profiles]

    info = ffmpeg.probe(episode.master)
    if not info.has_video:
        raise MediaError(f"{episode.id}: master has no video stream: {episode.master}",
                         hint="export the edited master with its picture")
    log.info("%s: %s, %dx%d, %s fps%s, %.1f s; rendering %s", episode.id, episode.master.name,
             info.width, info.height, plan.rate_text(info.fps), " interlaced" if info.interlaced else "", info.duration,
             ", ".join(p.name for p in todo))
    loudness = _measure(episode, info, todo, show_progress)
    jobs = ladder(cfg, episode, info, todo, loudness)
    with tempfile.TemporaryDirectory(prefix="transcode-") as work:
        tap = _analysis_tap(cfg, episode, info, digest, Path(work)) if any(j.output.video for j in jobs) else None
        tap_output = from_smallest_rung(tap.output(), jobs, info) if tap else None
        graph = ffmpeg.Graph(source=episode.master, video_pre=_video_pre(info), audio_pre=AUDIO_PRE,
                             outputs=(*(j.output for j in jobs), *([tap_output] if tap_output else [])),
                             silent_audio=None if info.has_audio else info.duration)
        try:
            with progress_bar(f"[{STAGE}] {episode.id}: encoding {len(jobs)}", info.duration, show_progress) as bar:
                stderr = ffmpeg.run(ffmpeg.graph_command(graph), bar)
            outputs = [_check_complete(episode, info, job) for job in jobs]
            for job in jobs:
                os.replace(job.output.path, job.final)
        finally:
            for job in jobs:
                job.output.path.unlink(missing_ok=True)
        if tap:
            raw = tap.results()
            analysis.write_cache(analysis_path(cfg, episode.id), analysis.cache_key(digest), raw)
            log.info("%s: analysed for clips in the same decode: %d scene changes, %d pauses", episode.id,
                     len(raw["scene_cuts"]), len(raw["silences"]))
    modes = ffmpeg.loudnorm_modes(stderr)
    dynamic = [job.profile.name for job in jobs if _mode_note(job, modes)]
    for job, out in zip(jobs, outputs, strict=True):
        notes = job.notes + _mode_note(job, modes)
        rinfo = {"width": out.width, "height": out.height, "duration": out.duration, "notes": list(notes)}
        store.record_output(STAGE, episode.id, job.profile.name, prints[job.profile.name], job.final, rinfo)
        results[job.profile.name] = _rendition(episode.id, job.profile.name, job.final, rinfo)
        for note in job.notes:
            log.info("%s: %s: %s", episode.id, job.profile.name, note)
    if dynamic:  # said once for the run, not once per rendition
        log.info("%s: %s", episode.id, plan.dynamic_advice(dynamic))
    return [results[p.name] for p in profiles]


def _check_complete(episode: Episode, master: MediaInfo, job: Job) -> MediaInfo:
    """A master that is an incomplete copy decodes "successfully" into short files: refuse them."""
    out = ffmpeg.probe(job.output.path)
    if out.duration < master.duration - max(0.5, 2 / max(master.fps, 1)):
        raise MediaError(
            f"{episode.id}: the master ends early: only {out.duration:.1f} s of {master.duration:.1f} s "
            f"could be decoded ({episode.master.name})",
            hint="it looks like an incomplete copy or a damaged export: copy or export it again")
    return out


def _rendition(episode: str, profile: str, path: Path, info: dict) -> Rendition:
    return Rendition(episode=episode, profile=profile, path=path.resolve(), width=info["width"],
                     height=info["height"], duration=info["duration"], size_bytes=path.stat().st_size,
                     notes=tuple(info.get("notes", ())))


def _analysis_tap(cfg: Config, episode: Episode, info: MediaInfo, digest: str, work: Path) -> analysis.Tap | None:
    """The clips stage's analysis rides on this decode when it is not cached yet (and the master has
    picture and sound, as clips need): one decode of the master for every output."""
    if not info.has_audio or analysis.read_cache(analysis_path(cfg, episode.id), analysis.cache_key(digest)):
        return None
    return analysis.Tap(work, info.duration)


# ------------------------------------------------------------------ audio


def _measure(episode: Episode, info: MediaInfo, profiles: list[Profile], show: bool) -> dict[int, Loudness]:
    if not info.has_audio:
        return {}
    layouts = sorted({p.audio_channels for p in profiles})
    with progress_bar(f"[{STAGE}] {episode.id}: measuring loudness", info.duration, show) as bar:
        return ffmpeg.measure_loudness(episode.master, AUDIO_PRE, layouts, bar)


def _audio_chain(cfg: Config, p: Profile, info: MediaInfo, loudness: dict[int, Loudness]) -> tuple[Chain, str]:
    layout = "mono" if p.audio_channels == 1 else "stereo"
    tail = (F("aresample", p.sample_rate), F("aformat", sample_rates=p.sample_rate, channel_layouts=layout))
    if not info.has_audio:
        return tail, "master has no audio stream: silence added"
    measured = loudness[p.audio_channels]
    if plan.is_silent(measured):
        return tail, "master audio is silent: loudness left as is"
    opts = plan.loudnorm_options(p, measured, cfg.transcode.keep_lra)
    name = f"loudnorm@{_instance(p)}"
    head = (F("aformat", channel_layouts="mono"),) if p.audio_channels == 1 else ()
    dual = {"dual_mono": "true"} if p.audio_channels == 1 else {}
    return (*head, F(name, print_format="json", **dual, **opts), *tail), ""


def _instance(p: Profile) -> str:
    """loudnorm instances named by their settings: profiles that agree share one branch."""
    raw = f"I{p.loudness}_TP{p.true_peak}_L{p.lra}_c{p.audio_channels}_r{p.sample_rate}"
    return raw.replace("-", "m").replace(".", "p")


def _mode_note(job: Job, modes: dict[str, str]) -> tuple[str, ...]:
    mode = modes.get(_instance(job.profile))
    if mode == "dynamic":
        return (f"{job.profile.loudness:g} LUFS: {plan.DYNAMIC_NOTE}",)
    return ()


# ------------------------------------------------------------------ video

# Every picture ends so. A plain rung's picture is fps/scale steps then this: only such rungs are
# scaled from one another (_cascade).
_TAIL = (F("setsar", 1), F("format", "yuv420p"))


def _video_pre(info: MediaInfo) -> Chain:
    chain: list = []
    if info.interlaced:
        chain.append(F("bwdif", mode="send_frame", parity="auto", deint="all"))
    rate = plan.output_rate(info.fps)
    chain.append(F("fps", _rate(rate)))
    # Phones' variable-rate video often stops a frame or two before the sound: hold the last
    # picture so every output runs the master's full length (`-t` then cuts it exactly).
    chain.append(F("tpad", stop_mode="clone", stop_duration=1))
    return tuple(chain)


def _rate(rate: Fraction) -> str:
    return f"{rate.numerator}/{rate.denominator}"


def _video_chain(p: Profile, info: MediaInfo, short_side: int) -> tuple[Chain, int, int, Fraction]:
    src_rate = plan.output_rate(info.fps)
    rate = plan.capped_rate(src_rate, p.max_fps)
    chain: list = [F("fps", _rate(rate))] if rate != src_rate else []
    if p.canvas is None:
        w, h = plan.fit_short_side(info.width, info.height, short_side)
        chain.append(F("scale", w, h))
    elif p.fit == "crop":
        w, h = p.canvas
        cw, ch = plan.cover(info.width, info.height, w, h)
        chain += [F("scale", cw, ch), F("crop", w, h)]
    else:
        w, h = p.canvas
        fw, fh = plan.fit_inside(info.width, info.height, w, h)
        chain.append(BlurFill(w, h, fw, fh) if (fw, fh) != (w, h) else F("scale", w, h))
    chain += _TAIL
    return tuple(chain), w, h, rate


def _job(cfg: Config, episode: Episode, info: MediaInfo, p: Profile, loudness: dict[int, Loudness]) -> Job:
    final = rendition_path(cfg, episode.id, p.name, p.extension)
    notes = []
    audio, note = _audio_chain(cfg, p, info, loudness)
    if note:
        notes.append(note)
    opts: dict = {"t": f"{info.duration:.6f}", "c:a": p.audio_codec, "b:a": f"{p.audio_kbps}k",
                  "ar": p.sample_rate, "ac": p.audio_channels}
    if p.kind == "audio":
        video = None
        opts["vn"] = None
        if p.extension == "m4a":
            opts["movflags"] = "+faststart"
    else:
        maxrate, bufsize, short = p.maxrate_kbps, p.bufsize_kbps, p.short_side
        if p.max_size_mb is not None:
            maxrate, audio_kbps = plan.size_capped_bitrates(p, info.duration)
            bufsize, short, opts["b:a"] = maxrate, plan.size_capped_short_side(p, maxrate), f"{audio_kbps}k"
            notes.append(f"{maxrate} kb/s video, {audio_kbps} kb/s audio to stay under {p.max_size_mb:g} MB")
        video, w, h, rate = _video_chain(p, info, short)
        opts.update({"c:v": "libx264", "preset": p.preset, "profile:v": p.h264_profile, "crf": p.crf,
                     "pix_fmt": "yuv420p", "g": plan.gop_frames(rate, p.gop_seconds), "flags": "+cgop",
                     "movflags": "+faststart"})
        if maxrate:
            opts.update({"maxrate": f"{maxrate}k", "bufsize": f"{bufsize or 2 * maxrate}k"})
        if p.x264:
            opts["x264-params"] = p.x264
    if info.interlaced:
        notes.append("deinterlaced")
    if info.variable_fps and p.kind == "video":
        notes.append(f"variable frame rate made constant ({plan.rate_text(float(plan.output_rate(info.fps)))} fps)")
    tmp = temp_path_for(final)
    return Job(p, final, ffmpeg.Output(tmp, video, audio, tuple(opts.items())), tuple(notes))


def _rung(chain: Chain | None, info: MediaInfo) -> tuple[Fraction, int, int] | None:
    """(rate, width, height) of a plain rung's chain (fps and scale steps, then the tail); None for others."""
    if chain is None or chain[-2:] != _TAIL or not chain[:-2]:
        return None
    if any(not isinstance(f, ffmpeg.Filter) or f.name not in ("fps", "scale") for f in chain[:-2]) \
            or chain[-3].name != "scale":
        return None
    rates = [Fraction(f.args[0]) for f in chain[:-2] if f.name == "fps"]
    return (rates[-1] if rates else plan.output_rate(info.fps)), chain[-3].args[0], chain[-3].args[1]


def ladder(cfg: Config, episode: Episode, info: MediaInfo, profiles: list[Profile],
           loudness: dict[int, Loudness]) -> list[Job]:
    """Every profile's job, smaller rungs scaled from larger ones."""
    return _cascade([_job(cfg, episode, info, p, loudness) for p in profiles], info)


def _cascade(jobs: list[Job], info: MediaInfo) -> list[Job]:
    """Each smaller rung is scaled from the next larger one (480p from 1080p, 360p from 480p...), not every
    one from the full picture: scaling a 1080p frame costs ten times a 480p one, and the pictures agree
    (bench/episode.py measures each rung's SSIM against the master). The fan-out shares the steps."""
    rungs = sorted(((r, j) for j in jobs if (r := _rung(j.output.video, info))), key=lambda x: -x[0][1])
    bodies: dict[tuple[Fraction, int, int], Chain] = {}
    out = {}
    for (rate, w, h), job in rungs:
        own = job.output.video[:-2]  # type: ignore[index]
        parent = min((k for k in bodies if k[1] > w and k[2] > h and k[0] >= rate), key=lambda k: k[1], default=None)
        if parent is not None:
            step = (F("fps", _rate(rate)),) if rate != parent[0] else ()
            own = (*bodies[parent], *step, F("scale", w, h))
        bodies.setdefault((rate, w, h), own)
        out[job.profile.name] = replace(job, output=replace(job.output, video=(*own, *_TAIL)))
    return [out.get(j.profile.name, j) for j in jobs]


def from_smallest_rung(tap: ffmpeg.Output, jobs: list[Job], info: MediaInfo) -> ffmpeg.Output:
    """The analysis watches every frame at 320 px: from the smallest full-rate rung at least that wide."""
    full = plan.output_rate(info.fps)
    fits = [(r[1], j) for j in jobs if (r := _rung(j.output.video, info)) and r[0] == full
            and r[1] >= analysis.ANALYSIS_WIDTH]
    if not fits or tap.video is None:
        return tap
    smallest = min(fits, key=lambda x: x[0])[1]
    return replace(tap, video=(*smallest.output.video[:-2], *tap.video))  # type: ignore[index]
