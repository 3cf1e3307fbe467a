"""Clips and the trailer: assemblies (stretches of masters and still cards cut and joined in
ONE filter graph per run: each input seeked with -ss/-t, concat filter, one encode per output
file), their text overlays, and thumbnails.

Builds argument lists only; media/ffmpeg.py runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pipeline.media import ffmpeg
from pipeline.media.ffmpeg import Progress
from pipeline.models import Loudness

CLIP_AUDIO_RATE = 48000


@dataclass(frozen=True)
class Shot:
    """A stretch of a media file, or (source None) a still card shown for `duration` seconds."""

    source: Path | None
    start: float
    duration: float
    cards: tuple[Path, ...] = ()  # a card: one image per variant, in Assembly.variants order


@dataclass(frozen=True)
class Variant:
    """One output file: canvas size, picture size inside it (blurred fill around), overlays."""

    path: Path
    width: int
    height: int
    fg_width: int
    fg_height: int
    overlay: tuple[str, ...] = ()  # raw filters applied at output size (captions, title bar)


@dataclass(frozen=True)
class Assembly:
    shots: tuple[Shot, ...]
    variants: tuple[Variant, ...]
    fps: Fraction
    fade: float
    audio_tail: tuple[str, ...]  # raw filters on the joined audio (loudnorm...)
    encoder: tuple[str, ...]

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.shots)


def frame_round(seconds: float, fps: Fraction) -> float:
    """Shot lengths are whole frames, so video and audio of every shot end together."""
    return float(max(1, round(Fraction(seconds) * fps)) / fps)


def _fit(label: str, v: Variant, out: str) -> str:
    if (v.fg_width, v.fg_height) == (v.width, v.height):
        return f"[{label}]scale={v.width}:{v.height},setsar=1[{out}]"
    return ffmpeg.BlurFill(v.width, v.height, v.fg_width, v.fg_height).graph(label, out)


def assembly_command(a: Assembly, measure: bool = False) -> list[str]:
    """ffmpeg arguments (without the binary) for the whole assembly: every cut, fade, join,
    fit, overlay and loudness filter in one graph, every variant encoded in the same run.

    measure=True: the joined audio only, through loudnorm's measuring pass.
    """
    rate = f"{a.fps.numerator}/{a.fps.denominator}"
    args: list[str] = []
    graph: list[str] = []
    media: list[tuple[int, Shot]] = []
    n_in = 0
    for shot in a.shots:
        if shot.source is None:
            continue
        args += ["-ss", f"{shot.start:.6f}", "-t", f"{shot.duration + 0.5:.6f}", "-i", str(shot.source)]
        media.append((n_in, shot))
        n_in += 1
    # the media shots, each trimmed to whole frames with its own fades, joined once
    for k, (i, shot) in enumerate(media):
        d, f = shot.duration, min(a.fade, shot.duration / 4)
        fades_v = f",fade=t=in:st=0:d={f:.3f},fade=t=out:st={d - f:.6f}:d={f:.3f}" if f > 0 else ""
        fades_a = f",afade=t=in:st=0:d={f:.3f},afade=t=out:st={d - f:.6f}:d={f:.3f}" if f > 0 else ""
        if not measure:
            graph.append(f"[{i}:v]fps={rate},tpad=stop_mode=clone:stop_duration=1,trim=duration={d:.6f},"
                         f"setpts=PTS-STARTPTS,format=yuv420p{fades_v}[mv{k}]")
        graph.append(f"[{i}:a]aformat=channel_layouts=stereo,aresample={CLIP_AUDIO_RATE},apad,"
                     f"atrim=duration={d:.6f},asetpts=PTS-STARTPTS{fades_a}[ma{k}]")
    n = len(media)
    graph.append("".join(f"[ma{k}]" for k in range(n)) + f"concat=n={n}:v=0:a=1[media_a]")
    # cards: silent, in the order of the shots
    parts_a, card_inputs = [], {}
    for s_idx, shot in enumerate(a.shots):
        if shot.source is None:
            card_inputs[s_idx] = n_in
            if not measure:
                for img in shot.cards:
                    args += ["-loop", "1", "-framerate", rate, "-t", f"{shot.duration:.6f}", "-i", str(img)]
                    n_in += 1
            graph.append(f"anullsrc=r={CLIP_AUDIO_RATE}:cl=stereo,atrim=duration={shot.duration:.6f}[ca{s_idx}]")
            parts_a.append(f"[ca{s_idx}]")
        elif "[media_a]" not in parts_a:
            parts_a.append("[media_a]")
    if measure:
        graph.append("".join(parts_a) + f"concat=n={len(parts_a)}:v=0:a=1,loudnorm@m=print_format=json[aout]")
        return [*args, "-filter_complex", ";".join(graph), "-map", "[aout]", "-f", "null", "-"]
    # concat hands on its own time base, and loudnorm's linear mode (ffmpeg 5.1) stamps its frames in
    # the input's: without a 1/rate base the sound came out a twentieth of its length
    tail = f"asettb=1/{CLIP_AUDIO_RATE}," + ",".join(a.audio_tail) + "," if a.audio_tail else ""
    nv = len(a.variants)
    graph.append("".join(parts_a) + f"concat=n={len(parts_a)}:v=0:a=1,{tail}aresample={CLIP_AUDIO_RATE},"
                 f"aformat=sample_rates={CLIP_AUDIO_RATE}:channel_layouts=stereo"
                 + (f",asplit={nv}" if nv > 1 else "") + "".join(f"[aout{j}]" for j in range(nv)))
    graph.append("".join(f"[mv{k}]" for k in range(n)) + f"concat=n={n}:v=1:a=0"
                 + (f",split={nv}" if nv > 1 else "") + "".join(f"[mvj{j}]" for j in range(nv)))
    for j, v in enumerate(a.variants):
        graph.append(_fit(f"mvj{j}", v, f"fit{j}"))
        overlay = ",".join(v.overlay)
        graph.append(f"[fit{j}]{overlay + ',' if overlay else ''}format=yuv420p[body{j}]")
        parts_v = []
        for s_idx, shot in enumerate(a.shots):
            if shot.source is None:
                idx = card_inputs[s_idx] + j
                f = min(a.fade, shot.duration / 4)
                graph.append(f"[{idx}:v]fps={rate},scale={v.width}:{v.height},setsar=1,format=yuv420p,"
                             f"fade=t=in:st=0:d={f:.3f},fade=t=out:st={shot.duration - f:.6f}:d={f:.3f}[cv{s_idx}_{j}]")
                parts_v.append(f"[cv{s_idx}_{j}]")
            elif f"[body{j}]" not in parts_v:
                parts_v.append(f"[body{j}]")
        if len(parts_v) > 1:
            graph.append("".join(parts_v) + f"concat=n={len(parts_v)}:v=1:a=0[vout{j}]")
        else:
            graph.append(f"[body{j}]null[vout{j}]")
    args += ["-filter_complex", ";".join(graph)]
    for j, v in enumerate(a.variants):
        args += ["-map", f"[vout{j}]", "-map", f"[aout{j}]", *a.encoder, str(v.path)]
    return args


def run_assembly(a: Assembly, progress: Progress | None = None) -> str:
    return ffmpeg.run_args(assembly_command(a), progress)


def measure_assembly_loudness(a: Assembly, progress: Progress | None = None) -> Loudness:
    """loudnorm's first pass over the joined audio of an assembly (audio decode only)."""
    stderr = ffmpeg.run_args(assembly_command(a, measure=True), progress)
    return ffmpeg.measured_loudness(stderr, "m", "the assembly")


# ------------------------------------------------------------------ text overlays, thumbnails

def text_lines_filters(lines: Sequence[str], workdir: Path, font: Path, size: int, top: int,
                       box_color: str = "black@0.6") -> list[str]:
    """drawtext, one centred line each (texts go through files: no escaping of user text)."""
    out = []
    for i, line in enumerate(lines):
        f = workdir / f"text{abs(hash((line, i, top)))}.txt"
        f.write_text(line, encoding="utf-8")
        out.append(f"drawtext=fontfile={ffmpeg.quote(str(font))}:textfile={ffmpeg.quote(str(f))}:expansion=none:"
                   f"fontsize={size}:fontcolor=white:box=1:boxcolor={box_color}:boxborderw={size // 3}:"
                   f"x=(w-text_w)/2:y={top + i * int(size * 1.6)}")
    return out


def thumbnail(source: Path, at: float, out: Path, width: int, height: int, overlay: Sequence[str],
              quality: int = 3) -> None:
    """One frame at `at`, covering width x height, with overlays, as a JPEG (-q:v 2..31)."""
    vf = (f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},setsar=1"
          + "".join("," + o for o in overlay))
    ffmpeg.run_args(["-ss", f"{at:.3f}", "-i", str(source), "-frames:v", "1", "-vf", vf, "-q:v", str(quality),
                     "-f", "image2", "-update", "1", str(out)])
