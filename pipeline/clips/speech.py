"""Where people speak: from the subtitle cues, or, without subtitles, from the pauses.

Subtitles (pipeline/paths.py::subtitle_path, written by the subtitles stage) are the best
source: whole sentences with their text. Without them, sound between pauses stands in for
sentences, so clips still begin and end in a pause; it cannot tell speech from a music bed,
so long unbroken sound (music) is left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pipeline.clips.select import Analysis, Utterance
from pipeline.errors import PipelineError

SENTENCE_PAUSE = 0.35  # a pause at least this long separates two sentences
LONGEST_UNBROKEN = 5.0  # sound longer than this without any pause is not speech (music)
LONGEST_SENTENCE = 12.0
_TAG = re.compile(r"<[^>]+>|\{[^}]*\}")


def read_srt(path: Path) -> list[Utterance]:
    """Cues of an SRT file, in time order, text on one line, without markup."""
    import pysrt

    try:
        subs = pysrt.open(str(path), encoding="utf-8")
    except (UnicodeDecodeError, OSError) as exc:
        raise PipelineError(f"{path}: cannot read subtitles ({exc})", hint="save it as UTF-8 SRT") from None
    cues = []
    for s in subs:
        text = " ".join(_TAG.sub("", s.text).split())
        start, end = s.start.ordinal / 1000, s.end.ordinal / 1000
        if end > start:
            cues.append(Utterance(start, end, text))
    return sorted(cues, key=lambda c: c.start)


def cues_from_pauses(analysis: Analysis) -> list[Utterance]:
    """Sound between sentence-length pauses, keeping only what is broken up like speech."""
    silences = sorted(analysis.silences)
    cues: list[Utterance] = []
    edges = [*silences, (analysis.duration, analysis.duration)]
    run_start, inner = 0.0, 0
    for a, b in edges:
        if b - a >= SENTENCE_PAUSE or a >= analysis.duration:
            if a - run_start > 0.3:
                length = a - run_start
                if length <= LONGEST_SENTENCE and (inner > 0 or length <= LONGEST_UNBROKEN):
                    cues.append(Utterance(round(run_start, 3), round(a, 3), ""))
            run_start, inner = b, 0
        else:
            inner += 1
    return cues


def no_speech_error(episode: str, srt: Path) -> PipelineError:
    return PipelineError(f"{episode}: no speech found (no subtitles at {srt}, and no sound broken by pauses "
                         "like speech in the master)",
                         hint="run `webseries subtitles` first, or mark the clips by hand with [[highlights]] "
                              "in episode.toml")


def speech_seconds(cues: Sequence[Utterance]) -> float:
    return sum(c.end - c.start for c in cues)
