"""Files that are either complete or absent.

Every output is written under a temporary name in its final folder, then renamed:
an interrupted run never leaves a file that looks finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMP_MARK = ".partial-"


def temp_path_for(final: Path) -> Path:
    """A hidden sibling of `final` with the same suffix (ffmpeg picks muxers by suffix)."""
    return final.with_name(f".{final.stem}{TEMP_MARK}{os.getpid()}{final.suffix}")


def is_temp(path: Path) -> bool:
    return path.name.startswith(".") and TEMP_MARK in path.name


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temporaries left by a run that was killed; returns what was removed."""
    removed = []
    if folder.is_dir():
        for p in folder.iterdir():
            if p.is_file() and is_temp(p):
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed


@contextlib.contextmanager
def atomic_write(final: Path, mode: str = "w", encoding: str | None = "utf-8",
                 permissions: int | None = None) -> Iterator:
    """Open a temp file beside `final`; rename over it only if the block succeeds.

    The temp file is private (0600); `permissions` (e.g. 0o644 for a report meant to be shared) is set
    before the rename."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}{TEMP_MARK}")
    try:
        with open(fd, mode, encoding=None if "b" in mode else encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if permissions is not None:
            os.chmod(tmp, permissions)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(final: Path, text: str, permissions: int | None = None) -> None:
    with atomic_write(final, permissions=permissions) as fh:
        fh.write(text)


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def fingerprint(parts: dict) -> str:
    """SHA-256 of the inputs and settings that make an output (reruns skip work whose print is unchanged)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
