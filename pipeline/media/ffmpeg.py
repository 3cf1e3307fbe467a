"""The only code that runs ffmpeg and ffprobe.

Command lines for filter graphs are built with ffmpeg-python (the client's choice; it is
unmaintained, so every use of it stays in this file and can be swapped here alone).
Commands run with `-progress` for progress bars; failures raise MediaError with the
tail of ffmpeg's own message.

Sibling modules build argument lists and hand them to `run_args`: assembly.py (clips and
the trailer: cut, join, fit, overlays, thumbnails), analysis.py (a master's scene cuts,
loudness, pauses and picture quality), plan.py (rendition arithmetic), synth.py (test media).
"""

from __future__ import annotations

import collections
import contextlib
import functools
import json
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg as ffpy  # ffmpeg-python

from pipeline.errors import MediaError, ToolMissingError
from pipeline.fsutil import require_file
from pipeline.models import Loudness, MediaInfo

Progress = Callable[[float], None]  # seconds of output written so far


@dataclass(frozen=True)
class Filter:
    """One ffmpeg filter: name (optionally name@instance), positional and keyword options."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    @property
    def text(self) -> str:
        """As written in a -filter_complex graph (plain values only: numbers and words)."""
        opts = [*map(str, self.args), *(f"{k}={v}" for k, v in self.kwargs)]
        return self.name + ("=" + ":".join(opts) if opts else "")


def F(name: str, *args: Any, **kwargs: Any) -> Filter:
    return Filter(name, args, tuple(kwargs.items()))


@dataclass(frozen=True)
class BlurFill:
    """Fit the picture inside a canvas over a blurred, zoomed copy of itself.

    The blur runs on a small copy (a quarter of the canvas) and is scaled up: same look,
    a fraction of the CPU of blurring at full size.
    """

    width: int
    height: int
    fg_width: int
    fg_height: int

    def background(self) -> tuple[Filter, ...]:
        """The blurred copy: zoomed to cover a quarter-size canvas, blurred there, scaled up."""
        small_w, small_h = self.width // 4 // 2 * 2, self.height // 4 // 2 * 2
        return (F("scale", small_w, small_h, force_original_aspect_ratio="increase"), F("crop", small_w, small_h),
                F("boxblur", luma_radius=10, luma_power=2), F("scale", self.width, self.height), F("setsar", 1))

    def foreground(self) -> tuple[Filter, ...]:
        return F("scale", self.fg_width, self.fg_height), F("setsar", 1)

    def graph(self, label: str, out: str) -> str:
        """The fill as -filter_complex text, from stream [label] to [out] (for hand-written graphs)."""
        text = ",".join
        return (f"[{label}]split=2[{out}f][{out}b];[{out}b]{text(f.text for f in self.background())}[{out}bb];"
                f"[{out}f]{text(f.text for f in self.foreground())}[{out}ff];"
                f"[{out}bb][{out}ff]overlay=x={CENTRE[0]}:y={CENTRE[1]}[{out}]")


CENTRE = ("(W-w)/2", "(H-h)/2")  # overlay position of the picture on its fill
Chain = tuple[Filter | BlurFill, ...]


@dataclass(frozen=True)
class Output:
    """One output file of a graph: chains applied to the shared streams, and encoder options."""

    path: Path
    video: Chain | None
    audio: Chain | None
    options: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Graph:
    """One decode of `source` feeding every output (split/asplit fan-out)."""

    source: Path
    video_pre: Chain
    audio_pre: Chain
    outputs: tuple[Output, ...]
    silent_audio: float | None = None  # no audio stream: generate this many seconds of silence


@functools.cache
def require_tools() -> tuple[str, str]:
    paths = shutil.which("ffmpeg"), shutil.which("ffprobe")
    if not all(paths):
        raise ToolMissingError("ffmpeg/ffprobe not found on PATH",
                               hint="run `make setup` (or: apt-get install ffmpeg)")
    return paths  # type: ignore[return-value]


@functools.cache
def version() -> str:
    out = subprocess.run([require_tools()[0], "-version"], capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else "unknown"


# ---------------------------------------------------------------- probing

def _ratio(text: str | None) -> float:
    try:
        value = Fraction((text or "0").replace(":", "/"))  # "16:15" (aspect) or "30000/1001" (rate)
    except (ValueError, ZeroDivisionError):
        return 0.0
    return float(value)


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list", []) or []:
        if "rotation" in side:
            return int(round(float(side["rotation"]))) % 360
    tag = (stream.get("tags") or {}).get("rotate")
    return int(tag) % 360 if tag and tag.lstrip("-").isdigit() else 0


def probe(path: Path) -> MediaInfo:
    """What ffprobe says about a media file; MediaError if it is missing or unreadable.
    Remembered per file version (inode, size, modification time): pages and status tables ask about
    the same masters again and again, and files are replaced whole, never edited in place."""
    require_tools()
    require_file(path, "media file", "check the path (for a master: `master` in episode.toml)", MediaError)
    st = path.stat()
    return _probe(path, st.st_ino, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=512)
def _probe(path: Path, inode: int, size: int, mtime_ns: int) -> MediaInfo:  # noqa: ARG001 - the cache key
    try:
        data = ffpy.probe(str(path))
    except ffpy.Error as exc:
        reason = _tail(exc.stderr.decode("utf-8", "replace"), 1) or "unreadable"
        raise MediaError(f"{path}: not a readable media file ({reason})",
                         hint="re-export it from the editing software, or check the copy is complete") from None
    fmt = data.get("format", {})
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not (s.get("disposition") or {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    duration = _ratio(fmt.get("duration")) or max(
        (_ratio(s.get("duration")) for s in streams), default=0.0)
    if duration <= 0:
        raise MediaError(f"{path}: cannot tell its duration (truncated or still being written?)",
                         hint="re-export it, or wait for the copy to finish")
    held = max((_ratio(s.get("duration")) for s in (video, audio) if s), default=0.0)
    if held and duration > 2 * held + 1:  # the container's header claims far more than the streams hold
        raise MediaError(f"{path}: its header says it lasts {duration / 60:.1f} min, but its picture and sound "
                         f"last {held:.1f} s", hint="a damaged or incomplete export: export or copy it again")
    info: dict[str, Any] = {"path": path, "duration": duration, "size_bytes": path.stat().st_size}
    if video:
        w, h = int(video.get("width") or 0), int(video.get("height") or 0)
        if not w or not h:
            raise MediaError(f"{path}: video stream has no picture size", hint="re-export the master")
        sar = _ratio(video.get("sample_aspect_ratio"))
        if sar > 0 and abs(sar - 1) > 1e-3:
            w = int(round(w * sar))
        rotation = _rotation(video)
        if rotation in (90, 270):
            w, h = h, w
        avg, real = _ratio(video.get("avg_frame_rate")), _ratio(video.get("r_frame_rate"))
        interlaced = video.get("field_order", "progressive") in ("tt", "bb", "tb", "bt")
        fps = avg or real
        info.update(
            has_video=True, width=w, height=h, rotation=rotation, fps=fps, interlaced=interlaced,
            variable_fps=bool(avg and real and abs(real - avg) / real > 0.01 and not
                              (interlaced and abs(real - 2 * avg) / real < 0.01)),
            video_codec=video.get("codec_name", ""), pix_fmt=video.get("pix_fmt", ""),
        )
    if audio:
        info.update(audio_channels=int(audio.get("channels") or 0),
                    audio_rate=int(audio.get("sample_rate") or 0), audio_codec=audio.get("codec_name", ""))
    return MediaInfo(**info)


# ---------------------------------------------------------------- loudness

_JSON_BLOCK = re.compile(r"\[(?P<name>[\w@.-]+) @ 0x[0-9a-f]+\]\s*\n(?P<json>\{.*?\})", re.S)


def _named_json_blocks(stderr: str) -> dict[str, dict[str, str]]:
    """loudnorm@NAME prints a JSON block after a `[loudnorm@NAME @ 0x..]` line."""
    return {m["name"].split("@", 1)[-1]: json.loads(m["json"]) for m in _JSON_BLOCK.finditer(stderr)}


def measure_loudness(source: Path, pre: Chain, layouts: Sequence[int],
                     progress: Progress | None = None) -> dict[int, Loudness]:
    """First loudnorm pass, on the audio alone, once per channel count asked for (one decode)."""
    stream = _chain(ffpy.input(str(source)).audio, pre)
    branches = stream.filter_multi_output("asplit", len(layouts)) if len(layouts) > 1 else None
    outs = []
    for i, channels in enumerate(layouts):
        s = branches[i] if branches is not None else stream
        if channels == 1:
            s = s.filter("aformat", channel_layouts="mono")
        s = s.filter(f"loudnorm@ch{channels}", print_format="json", dual_mono=channels == 1)
        outs.append(ffpy.output(s, "-", format="null"))
    stderr = run(ffpy.merge_outputs(*outs), progress)
    return {channels: measured_loudness(stderr, f"ch{channels}", str(source)) for channels in layouts}


def measured_loudness(stderr: str, name: str, what: str) -> Loudness:
    """What loudnorm@NAME's measuring pass printed in a finished run (`what` names the input for errors)."""
    b = _named_json_blocks(stderr).get(name)
    if b is None:
        raise MediaError(f"{what}: loudness measurement printed nothing", hint="this is a bug; please report it")
    return Loudness(float(b["input_i"]), float(b["input_tp"]), float(b["input_lra"]),
                    float(b["input_thresh"]), float(b["target_offset"]))


def ebur128(path: Path, dual_mono: bool = False) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a finished file, for checks."""
    args = [require_tools()[0], "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
            "-af", f"ebur128=peak=true:dualmono={'true' if dual_mono else 'false'}", "-f", "null", "-"]
    err = subprocess.run(args, capture_output=True, text=True).stderr
    summary = err[err.rfind("Summary:"):]
    i = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    tp = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not i or not tp:
        raise MediaError(f"{path}: could not measure loudness", hint=_tail(err, 1))
    return float(i.group(1)), float(tp.group(1))


# ---------------------------------------------------------------- graphs

def _chain(stream: Any, chain: Chain) -> Any:
    for f in chain:
        if isinstance(f, BlurFill):
            pair = stream.filter_multi_output("split", 2)
            stream = ffpy.overlay(_chain(pair[1], f.background()), _chain(pair[0], f.foreground()),
                                  x=CENTRE[0], y=CENTRE[1])
        else:
            stream = stream.filter(f.name, *f.args, **dict(f.kwargs))
    return stream


def _fan_out(stream: Any, chains: list[Chain | None], split: str) -> list[Any]:
    """Apply each output's chain to a copy of `stream`. Chains that begin alike share their common
    part, filtered once and split where they differ: a rung made from a larger rung's picture
    costs one small scale, and outputs with the same chain share all of it."""
    ends: dict[Chain, list[Any]] = {}

    def grow(s: Any, depth: int, group: list[Chain]) -> None:
        done = [c for c in chains if c in group and len(c) == depth]  # one copy per output
        nexts = list(dict.fromkeys(c[depth] for c in group if len(c) > depth))
        branches = len(done) + len(nexts)
        heads = s.filter_multi_output(split, branches) if branches > 1 else None
        copies = iter([heads[k] for k in range(branches)] if heads is not None else [s])
        if done:
            ends[done[0]] = [next(copies) for _ in done]
        for step in nexts:
            grow(_chain(next(copies), (step,)), depth + 1, [c for c in group if len(c) > depth and c[depth] == step])

    distinct = list(dict.fromkeys(c for c in chains if c is not None))
    if distinct:
        grow(stream, 0, distinct)
    return [ends[c].pop(0) if c is not None else None for c in chains]


def graph_command(g: Graph) -> list[str]:
    """The full ffmpeg argument list for a Graph (for running, logging or benchmarks)."""
    src = ffpy.input(str(g.source))
    outputs = list(g.outputs)
    video = _fan_out(_chain(src.video, g.video_pre), [o.video for o in outputs], "split") \
        if any(o.video is not None for o in outputs) else [None] * len(outputs)
    audio_in = (ffpy.input(f"anullsrc=r=48000:cl=stereo:d={g.silent_audio:.6f}", format="lavfi").audio
                if g.silent_audio is not None else _chain(src.audio, g.audio_pre))
    audio = _fan_out(audio_in, [o.audio for o in outputs], "asplit")
    outs = []
    for o, v, a in zip(outputs, video, audio, strict=True):
        streams = [s for s in (v, a) if s is not None]
        outs.append(ffpy.output(*streams, str(o.path), **dict(o.options)))
    return ffpy.merge_outputs(*outs).compile(cmd=require_tools()[0])


# ---------------------------------------------------------------- running

def _tail(stderr: str, lines: int = 3) -> str:
    useful = [ln.strip() for ln in stderr.splitlines()
              if ln.strip() and not ln.startswith(("  ", "Input #", "Output #", "Stream mapping", "Press [q]"))]
    return " | ".join(useful[-lines:])


@contextlib.contextmanager
def _interrupts_held() -> Iterator[Callable[[], None]]:
    """Ctrl-C held back (on the main thread) until the caller calls the release it is given, from
    inside its own handler: an interrupt cannot fall between ffmpeg starting and that handler."""
    main = threading.current_thread() is threading.main_thread()
    if main:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    released = False

    def release() -> None:
        nonlocal released
        if main and not released:
            released = True
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        yield release
    finally:
        release()


def run(cmd: Any, progress: Progress | None = None) -> str:
    """Run ffmpeg (an argument list starting with the binary, or an ffmpeg-python node).

    Returns ffmpeg's stderr; existing outputs are overwritten (callers write temp names).

    Progress is read from `-progress pipe:1`. On failure: MediaError with ffmpeg's last words.
    On Ctrl-C: ffmpeg is stopped before the interrupt propagates, so callers can clean up.
    """
    if not isinstance(cmd, list):
        cmd = cmd.compile(cmd=require_tools()[0])
    args = [cmd[0], "-hide_banner", "-nostdin", "-y", "-progress", "pipe:1", "-nostats", *cmd[1:]]
    err_lines: collections.deque[str] = collections.deque(maxlen=400)
    with _interrupts_held() as release:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
        try:  # an interrupt from here on stops ffmpeg first (never an orphan writing on)
            release()
            reader = threading.Thread(target=lambda: err_lines.extend(proc.stderr),  # type: ignore[arg-type]
                                      daemon=True)
            reader.start()
            for line in proc.stdout:  # type: ignore[union-attr]
                if progress and line.startswith("out_time_us="):
                    value = line.split("=", 1)[1].strip()
                    if value.lstrip("-").isdigit():
                        progress(max(0.0, int(value) / 1e6))
            proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
    reader.join()
    stderr = "".join(err_lines)
    if proc.returncode != 0:
        raise MediaError(f"ffmpeg failed: {_tail(stderr) or f'exit code {proc.returncode}'}",
                         hint="check the input file and free disk space; rerun with WEBSERIES_DEBUG=1 for details")
    return stderr


def run_args(args: Sequence[str], progress: Progress | None = None) -> str:
    """Run ffmpeg with plain arguments (no leading 'ffmpeg')."""
    return run([require_tools()[0], *args], progress)


def ffprobe_json(path: Path, *args: str) -> dict:
    """Raw ffprobe JSON (streams, frames, packets) for checks and analysis."""
    out = subprocess.run([require_tools()[1], "-v", "error", "-of", "json", *args, str(path)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise MediaError(f"{path}: ffprobe failed: {_tail(out.stderr, 1)}",
                         hint="check the file is a complete media file (re-export or copy it again)")
    return json.loads(out.stdout)


def loudnorm_modes(stderr: str) -> dict[str, str]:
    """normalization_type ("linear"/"dynamic") of each named loudnorm instance in a finished run."""
    return {name: block.get("normalization_type", "") for name, block in _named_json_blocks(stderr).items()}


# ---- filters and small commands

def quote(value: str) -> str:
    """A filter option value, quoted for the graph parser and escaped for the option parser."""
    if "'" in value:
        raise MediaError(f"cannot pass {value!r} to an ffmpeg filter (it contains a quote)",
                         hint="rename the file or folder without quotes")
    return "'" + value.replace("\\", "\\\\").replace(":", "\\:") + "'"


def subtitles_filter(srt: Path, style: str) -> str:
    """libass burn-in of an SRT file, with pixel-sized style overrides."""
    return f"subtitles=filename={quote(str(srt))}:charenc=UTF-8:force_style={quote(style)}"


def stream_durations(path: Path) -> dict[str, tuple[float, float]]:
    """(start, duration) of the first video and audio stream, for the A/V sync check."""
    data = ffprobe_json(path, "-show_entries", "stream=codec_type,start_time,duration")
    out: dict[str, tuple[float, float]] = {}
    for s in data.get("streams", []):
        kind = s.get("codec_type")
        if kind in ("video", "audio") and kind not in out:
            out[kind] = (float(s.get("start_time") or 0), float(s.get("duration") or 0))
    return out


# ---- subtitles

def extract_speech_audio(source: Path, out_wav: Path, progress: Progress | None = None) -> Path:
    """The first audio stream as 16 kHz mono 16-bit WAV: what every Whisper model takes."""
    run_args(["-i", str(source), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le",
              "-f", "wav", str(out_wav)], progress)
    return out_wav


@dataclass(frozen=True)
class SubtitleLayer:
    """One subtitle file drawn by libass, `margin_v` libass units above the bottom edge."""

    srt: Path
    font: str
    font_size: float
    outline: float
    margin_v: int


def burn_filter(layers: Sequence[SubtitleLayer]) -> str:
    """libass `subtitles` filters, one per layer: white text, black outline, bottom centre."""
    return ",".join(
        subtitles_filter(layer.srt, f"FontName={layer.font},FontSize={layer.font_size:g},PrimaryColour=&H00FFFFFF,"
                                    f"OutlineColour=&H00000000,BorderStyle=1,Outline={layer.outline:g},Shadow=0,"
                                    f"Alignment=2,MarginV={layer.margin_v},MarginL=16,MarginR=16,WrapStyle=2")
        for layer in layers)


def burn_subtitles(source: Path, out: Path, layers: Sequence[SubtitleLayer], max_kbps: int | None,
                   progress: Progress | None = None) -> None:
    """Re-encode `source` with subtitles drawn in; audio copied; bitrate capped near the source's."""
    rate = ["-maxrate", f"{max_kbps}k", "-bufsize", f"{2 * max_kbps}k"] if max_kbps else []
    run_args(["-i", str(source), "-vf", burn_filter(layers), "-map", "0:v:0", "-map", "0:a?",
              "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", *rate, "-pix_fmt", "yuv420p",
              "-c:a", "copy", "-movflags", "+faststart", str(out)], progress)
