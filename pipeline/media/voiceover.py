"""ffmpeg commands of the voice-over: decoding sound for analysis, the mix (ducked original + the
narrator's voice, picture copied) and the narrator's guide video.

Builds argument lists only; media/ffmpeg.py runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.media import ffmpeg
from pipeline.media.ffmpeg import Progress, quote

MIX_RATE = 48000


@dataclass(frozen=True)
class Pcm:
    """One decoded copy of a file's first audio stream: raw float32, interleaved."""

    path: Path
    rate: int | None = None       # None: the file's own rate
    channels: int | None = None   # None: the file's own channels


def decode(source: Path, copies: Sequence[Pcm], progress: Progress | None = None) -> list[np.ndarray]:
    """Decode once into every copy asked for; returns them as arrays (memory-mapped, read-only)."""
    args = ["-i", str(source)]
    for c in copies:
        args += ["-map", "0:a:0", "-vn", *(["-ac", str(c.channels)] if c.channels else []),
                 *(["-ar", str(c.rate)] if c.rate else []), "-c:a", "pcm_f32le", "-f", "f32le", str(c.path)]
    ffmpeg.run_args(args, progress)
    return [np.memmap(c.path, dtype="<f4", mode="r") if c.path.stat().st_size else np.zeros(0, np.float32)
            for c in copies]


@dataclass(frozen=True)
class Mix:
    """The episode's picture with its sound lowered under the voice, and the voice, lined up."""

    master: Path
    master_has_audio: bool
    voice: Path
    start: float            # seconds into the recording where the episode starts (< 0: it starts later)
    voice_gain_db: float
    gain: Path              # raw float32 mono gain curve for the original sound, at gain_rate
    gain_rate: int
    duration: float         # the episode's
    out: Path               # .mkv: picture copied, sound as float PCM (nothing clips before transcode)
    stems: tuple[Path, Path] | None = None   # (original as ducked, voice as mixed), float WAV


def mix_command(m: Mix) -> list[str]:
    d = f"{m.duration:.6f}"
    stereo = "pan=stereo|c0=c0|c1=c0"
    original = (f"[0:a]aresample={MIX_RATE},aformat=sample_fmts=flt:channel_layouts=stereo,apad,atrim=duration={d}"
                if m.master_has_audio else f"anullsrc=r={MIX_RATE}:cl=stereo,atrim=duration={d}")
    align = (f"atrim=start={m.start:.6f},asetpts=PTS-STARTPTS" if m.start >= 0
             else f"adelay=delays={-m.start * 1000:.3f}:all=1")
    graph = [
        f"{original}[orig]",
        f"[2:a]aresample={MIX_RATE},aformat=sample_fmts=flt,{stereo},atrim=duration={d}[gain]",
        "[orig][gain]amultiply[bed]",
        f"[1:a]aresample={MIX_RATE},aformat=sample_fmts=flt:channel_layouts=mono,{stereo},{align},"
        f"volume={m.voice_gain_db:.3f}dB,apad,atrim=duration={d}[voice]",
    ]
    maps = []
    if m.stems:
        graph += ["[bed]asplit=2[bed_mix][bed_stem]", "[voice]asplit=2[voice_mix][voice_stem]"]
        bed, voice = "[bed_mix]", "[voice_mix]"
        for label, path in zip(("[bed_stem]", "[voice_stem]"), m.stems, strict=True):
            maps += ["-map", label, "-c:a", "pcm_f32le", str(path)]
    else:
        bed, voice = "[bed]", "[voice]"
    graph.append(f"{bed}{voice}amix=inputs=2:normalize=0:duration=first[mix]")
    return ["-i", str(m.master), "-i", str(m.voice), "-f", "f32le", "-ar", str(m.gain_rate), "-ac", "1",
            "-i", str(m.gain), "-filter_complex", ";".join(graph),
            "-map", "0:v:0", "-map", "[mix]", "-c:v", "copy", "-c:a", "pcm_f32le", "-t", d, str(m.out), *maps]


def run_mix(m: Mix, progress: Progress | None = None) -> None:
    ffmpeg.run_args(mix_command(m), progress)


@dataclass(frozen=True)
class GuideVideo:
    """What the narrator watches while recording: a lead-in with the sync sound and a countdown,
    then the episode small, with a running timecode and the subtitles to read burned in."""

    master: Path
    lead_in: Path           # WAV: the lead-in's sound (silence and the sync chirp)
    lead_seconds: float
    duration: float
    burn: str               # libass filters (ffmpeg.burn_filter), or "" for none
    font: Path
    workdir: Path           # text files for drawtext (no escaping of text)
    out: Path
    size: tuple[int, int] = (640, 360)


def guide_command(g: GuideVideo) -> list[str]:
    w, h = g.size
    countdown, clock = g.workdir / "countdown.txt", g.workdir / "clock.txt"
    countdown.write_text(f"%{{eif:ceil({g.lead_seconds:g}-t):d}}", encoding="utf-8")
    clock.write_text("%{pts:hms}", encoding="utf-8")
    font = quote(str(g.font))
    text = f"drawtext=fontfile={font}:expansion=normal:fontcolor=white"
    burn = f"{g.burn}," if g.burn else ""
    graph = [
        f"[0:v]{text}:textfile={quote(str(countdown))}:fontsize={h // 3}:x=(w-text_w)/2:y=(h-text_h)/2[lead]",
        f"[1:v]scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,setsar=1,"
        f"fps=25,format=yuv420p,{burn}{text}:textfile={quote(str(clock))}:fontsize={h // 16}:x=8:y=8:"
        f"box=1:boxcolor=black@0.6:boxborderw=4[episode]",
        "[lead][episode]concat=n=2:v=1:a=0[v]",
        f"[2:a]aresample={MIX_RATE},apad=whole_dur={g.lead_seconds + g.duration:.6f}[a]",
    ]
    return ["-f", "lavfi", "-i", f"color=c=0x101820:s={w}x{h}:r=25:d={g.lead_seconds:g}", "-i", str(g.master),
            "-i", str(g.lead_in), "-filter_complex", ";".join(graph), "-map", "[v]", "-map", "[a]",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-b:a", "64k", "-t", f"{g.lead_seconds + g.duration:.6f}", "-movflags", "+faststart", str(g.out)]


def run_guide(g: GuideVideo, progress: Progress | None = None) -> None:
    ffmpeg.run_args(guide_command(g), progress)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """16-bit mono WAV (the lead-in's sound, a draft voice) through ffmpeg, from float samples."""
    raw = path.with_suffix(".f32")
    np.asarray(samples, dtype="<f4").tofile(raw)
    try:
        ffmpeg.run_args(["-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", str(raw), "-c:a", "pcm_s16le", str(path)])
    finally:
        raw.unlink(missing_ok=True)


def preview_command(source: Path, label: Path, font: Path, out: Path, short_side: int = 480) -> list[str]:
    """A small watchable copy with a label drawn across the top (a draft must say so on screen)."""
    text = (f"drawtext=fontfile={quote(str(font))}:textfile={quote(str(label))}:expansion=none:fontcolor=white:"
            f"fontsize=h/16:box=1:boxcolor=0xb00020@0.85:boxborderw=8:x=(w-text_w)/2:y=h/20")
    return ["-i", str(source), "-vf", f"scale=-2:{short_side},setsar=1,format=yuv420p,{text}", "-c:v", "libx264",
            "-preset", "veryfast", "-crf", "26", "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(out)]


def run_preview(source: Path, label: Path, font: Path, out: Path, progress: Progress | None = None) -> None:
    ffmpeg.run_args(preview_command(source, label, font, out), progress)
