"""SRT (pysrt) and WebVTT files: UTF-8, written whole or not at all."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.captions import markup
from pipeline.errors import PipelineError
from pipeline.fsutil import write_text_atomic
from pipeline.models import Cue


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def srt_text(cues: Sequence[Cue]) -> str:
    import pysrt

    subs = pysrt.SubRipFile(items=[
        pysrt.SubRipItem(index=i, start=pysrt.SubRipTime.from_ordinal(_ms(c.start)),
                         end=pysrt.SubRipTime.from_ordinal(_ms(c.end)), text=c.text)
        for i, c in enumerate(cues, 1)])
    lines = []
    for item in subs:
        lines.append(f"{item.index}\n{item.start} --> {item.end}\n{item.text}\n")
    return "\n".join(lines)


def _vtt_time(seconds: float) -> str:
    ms = _ms(seconds)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def vtt_text(cues: Sequence[Cue]) -> str:
    """WebVTT reads < and & as markup: they are escaped (the tags SRT and VTT share are kept)."""
    body = [f"{_vtt_time(c.start)} --> {_vtt_time(c.end)}\n{markup.vtt(c.text)}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(body)


def write_srt(path: Path, cues: Sequence[Cue]) -> None:
    write_text_atomic(path, srt_text(cues))


def write_vtt(path: Path, cues: Sequence[Cue]) -> None:
    write_text_atomic(path, vtt_text(cues))


def read_srt(path: Path) -> list[Cue]:
    """Cues of an SRT file (a person's too); unreadable files raise with the line to fix."""
    import pysrt

    try:
        subs = pysrt.open(str(path), encoding="utf-8", error_handling=pysrt.ERROR_RAISE)
    except FileNotFoundError:
        raise PipelineError(f"subtitle file not found: {path}",
                            hint="check the path, or make the file with `webseries subtitles EPISODE`") from None
    except IsADirectoryError:
        raise PipelineError(f"{path} is a folder, not a subtitle file", hint="give the path of an .srt file") from None
    except UnicodeDecodeError:
        raise PipelineError(f"{path} is not UTF-8 text", hint="save the file as UTF-8 (SRT, no BOM needed)") from None
    except pysrt.Error as exc:
        raise PipelineError(f"{path}: not a valid SRT file ({exc})",
                            hint="each cue is: a number, 'HH:MM:SS,mmm --> HH:MM:SS,mmm', text, a blank line") from None
    return [Cue(it.start.ordinal / 1000, it.end.ordinal / 1000, tuple(it.text.split("\n"))) for it in subs]
