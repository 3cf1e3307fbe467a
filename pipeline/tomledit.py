"""Change a TOML file a person also edits by hand, keeping their comments and layout (tomlkit).

Only keys whose value really changes are rewritten; the result is parsed again and handed to
the same validator the CLI uses before it replaces the file (temp file, then rename), so an
edit that the CLI would refuse never reaches the disk. `digest` lets a form detect that
someone else saved the file since it was opened.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table

from pipeline.fsutil import sha256_file, write_text_atomic

Validator = Callable[[dict[str, Any], Path], object]


def load(path: Path) -> tomlkit.TOMLDocument:
    return tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else tomlkit.document()


def digest(path: Path) -> str:
    return sha256_file(path) if path.is_file() else ""


def put(table: tomlkit.TOMLDocument | Table, key: str, value: Any) -> bool:
    """Set (or with None remove) a key only if its value changes; True if it did."""
    if value is None:
        if key in table:
            del table[key]
            return True
        return False
    current = table.get(key)
    if current is not None and _plain(current) == value and type(_plain(current)) is type(value):
        return False
    table[key] = value
    return True


def subtable(doc: tomlkit.TOMLDocument, key: str) -> Table:
    if key not in doc:
        doc[key] = tomlkit.table()
    return doc[key]  # type: ignore[return-value]


def _plain(item: Any) -> Any:
    return item.unwrap() if hasattr(item, "unwrap") else item


def save(path: Path, doc: tomlkit.TOMLDocument, validate: Validator) -> str:
    """Validate the new text as the CLI would read it, then write it atomically; returns the text."""
    text = tomlkit.dumps(doc)
    validate(tomllib.loads(text), path)
    write_text_atomic(path, text)
    return text
