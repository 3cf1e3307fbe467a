"""Files that are either complete or absent, and copies that never overwrite anything.

Every output is written under a temporary name in its final folder, then renamed:
an interrupted run never leaves a file that looks finished. A temporary name carries the
writer's process id, so a run only clears temporaries whose writer is gone, never the live
ones of a run going on beside it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline.errors import PipelineError

TEMP_MARK = ".partial-"
_OWNER = re.compile(re.escape(TEMP_MARK) + r"(\d+)")
NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def temp_path_for(final: Path) -> Path:
    """A hidden sibling of `final` with the same suffix (ffmpeg picks muxers by suffix)."""
    return final.with_name(f".{final.stem}{TEMP_MARK}{os.getpid()}{final.suffix}")


def is_temp(path: Path) -> bool:
    return path.name.startswith(".") and TEMP_MARK in path.name


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def is_stale(path: Path) -> bool:
    """A temporary whose writer is gone (no process id in its name: an older run's, gone too)."""
    m = _OWNER.search(path.name)
    return is_temp(path) and (m is None or (int(m.group(1)) != os.getpid() and not alive(int(m.group(1)))))


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temporaries left by a run that was killed (never a live run's); returns what was removed."""
    removed = []
    if folder.is_dir():
        for p in folder.iterdir():
            if p.is_file() and is_stale(p):
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
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}{TEMP_MARK}{os.getpid()}-")
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


def replace_together(texts: Sequence[tuple[Path, str]], before_rename: contextlib.AbstractContextManager | None = None
                     ) -> None:
    """Write every file under a temporary name first, then rename them all: a full disk (or any
    failure) while writing changes none of them. `before_rename` runs once all are written (a
    backup of what they replace), so it is not made for an attempt that could not finish."""
    temps: list[tuple[str, Path]] = []
    try:
        for final, text in texts:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}{TEMP_MARK}{os.getpid()}-")
            temps.append((tmp, final))
            with open(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        with before_rename or contextlib.nullcontext():
            for tmp, final in temps:
                os.replace(tmp, final)
    finally:
        for tmp, _ in temps:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def keep_copy(source: Path, name: str) -> Path:
    """Copy `source` beside itself as `name` (or name-2, name-3... when taken): never over a file,
    even one made the same second by another run (the copy is linked in only where nothing is)."""
    data = source.read_bytes()
    stem, suffix = Path(name).stem, Path(name).suffix
    fd, tmp = tempfile.mkstemp(dir=source.parent, prefix=f".{name}{TEMP_MARK}{os.getpid()}-")
    try:
        with open(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        for n in range(1, 10_000):
            candidate = source.with_name(name if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(tmp, candidate)
                return candidate
            except FileExistsError:
                continue
        raise PipelineError(f"cannot find a free name for a copy of {source.name} in {source.parent}",
                            hint="move the old before-import copies elsewhere")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def not_a_file(path: Path) -> str | None:
    """Why `path` is not a regular file to read, in words ("a folder", "a link that loops"), or None."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"a link to {os.readlink(path)}, which does not exist" if path.is_symlink() else "not found"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that loops (it leads back to itself)"
        return exc.strerror or str(exc)
    for test, what in ((stat.S_ISDIR, "a folder, not a file"), (stat.S_ISFIFO, "a named pipe (FIFO), not a file"),
                       (stat.S_ISSOCK, "a socket, not a file"), (stat.S_ISCHR, "a device, not a file"),
                       (stat.S_ISBLK, "a device, not a file")):
        if test(mode):
            return what
    return None


def require_file(path: Path, what: str, hint: str, error: type[PipelineError] = PipelineError) -> Path:
    """`path` if it is a regular file; else one error saying what it is instead."""
    problem = not_a_file(path)
    if problem:
        raise error(f"{what} {path} is {problem}" if problem != "not found" else f"{what} not found: {path}",
                    hint=hint)
    return path


def write_error(exc: OSError, path: Path, what: str) -> PipelineError:
    """An OSError while writing, as what a person can act on (a full disk above all)."""
    where = exc.filename or path
    if exc.errno in NO_SPACE:
        return PipelineError(f"cannot write {where}: no space left for it ({exc.strerror}); {what}",
                             hint="free some space on that disk, then run the same command again")
    return PipelineError(f"cannot write {where}: {exc.strerror}; {what}",
                         hint="check the folder exists and is writable, then run the same command again")


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def fingerprint(parts: dict) -> str:
    """SHA-256 of the inputs and settings that make an output (reruns skip work whose print is unchanged)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
