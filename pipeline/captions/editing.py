"""A person's edit of a subtitle file, saved only over the version they started from.

The studio shows a file with its digest (`version`); a save carries that digest back and is
refused (`EditConflict`) when the file changed in between — another person's save, an import,
an editor in a text editor — so nobody's work is silently overwritten. The check and the write
happen under one lock per file, so two saves arriving together cannot both pass the check.
Files are written by captions.files (SRT then VTT, each atomically), as the CLI writes them,
and the review state follows through captions.review ('edited' until someone approves).

A machine refresh that found a person's file writes `<lang>.new.srt` beside it
(review.write_track); `take_new` and `keep_mine` settle it, and `diff` shows the two side by side.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.captions import files, review
from pipeline.errors import PipelineError
from pipeline.fsutil import sha256_file
from pipeline.models import Cue
from pipeline.store import Store

ABSENT = ""  # the version of a file that does not exist yet

_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class EditConflict(PipelineError):
    """The file is no longer the version the person started from: nothing was written."""


def version(path: Path) -> str:
    """The file's digest, or ABSENT: what a page sends back with a save."""
    return sha256_file(path) if path.is_file() else ABSENT


def _lock(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path.resolve(), threading.Lock())


def _check(path: Path, based_on: str) -> None:
    if version(path) != based_on:
        raise EditConflict(f"{path.name} changed since it was opened: nothing was saved",
                           hint="reload the file and make the changes again")


def _store_edit(store: Store, asset: str, lang: str, path: Path) -> review.Track:
    """The review state after a person wrote the file: 'edited' (a file never recorded becomes a person's)."""
    track = review.current(store, asset, lang, path)
    return track if track is not None else review.store_human(store, asset, lang, path, "human")


def save(store: Store, asset: str, lang: str, path: Path, cues: Sequence[Cue], based_on: str) -> review.Track:
    """Write `cues` as the SRT (and VTT) at `path` if the file is still the version `based_on`."""
    with _lock(path):
        _check(path, based_on)
        path.parent.mkdir(parents=True, exist_ok=True)
        files.write_srt(path, cues)
        files.write_vtt(path.with_suffix(".vtt"), cues)
        return _store_edit(store, asset, lang, path)


def approve(store: Store, asset: str, lang: str, path: Path, based_on: str, by: str) -> review.Track:
    """Approve the file if it is still the version the reviewer read (review.approve records `by`)."""
    with _lock(path):
        _check(path, based_on)
        return review.approve(store, asset, lang, path, by=by)


def take_new(store: Store, asset: str, lang: str, path: Path, based_on: str) -> review.Track:
    """The machine's `<lang>.new.srt` replaces the person's file (it must still be `based_on`)."""
    beside = review.new_path(path)
    with _lock(path):
        _check(path, based_on)
        if not beside.is_file():
            raise EditConflict(f"{beside.name} is gone: someone already settled it", hint="reload the page")
        cues = files.read_srt(beside)
        files.write_srt(path, cues)
        files.write_vtt(path.with_suffix(".vtt"), cues)
        _drop_new(beside)
        return _store_edit(store, asset, lang, path)


def keep_mine(path: Path, based_on: str) -> None:
    """The person keeps their file: the machine's `<lang>.new.srt` (and .vtt) is removed."""
    with _lock(path):
        _check(path, based_on)
        _drop_new(review.new_path(path))


def _drop_new(beside: Path) -> None:
    beside.unlink(missing_ok=True)
    beside.with_suffix(".vtt").unlink(missing_ok=True)


# ------------------------------------------------------------------ comparing

@dataclass(frozen=True)
class DiffRow:
    kind: str                 # "same" | "changed" | "mine" (only in the person's file) | "new" (only the machine's)
    mine: Cue | None
    new: Cue | None


def diff(mine: Sequence[Cue], new: Sequence[Cue]) -> list[DiffRow]:
    """The two versions aligned cue by cue (timing and text), for people to compare."""
    def key(c: Cue) -> tuple[int, int, str]:
        return round(c.start * 1000), round(c.end * 1000), c.text

    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=[key(c) for c in mine], b=[key(c) for c in new], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            rows += [DiffRow("same", mine[a0 + i], new[b0 + i]) for i in range(a1 - a0)]
            continue
        pairs = min(a1 - a0, b1 - b0) if op == "replace" else 0
        rows += [DiffRow("changed", mine[a0 + i], new[b0 + i]) for i in range(pairs)]
        rows += [DiffRow("mine", c, None) for c in mine[a0 + pairs:a1]]
        rows += [DiffRow("new", None, c) for c in new[b0 + pairs:b1]]
    return rows
