"""Read TOML tables into typed values, collecting every problem instead of stopping at the first.

config.toml and every episode manifest go through this, so an editor who mistyped three
keys is told about all three at once, each with its file and key.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.fsutil import not_a_file

_MISSING: Any = object()


def load_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file, turning I/O and syntax errors into one clear ConfigError.
    A UTF-8 BOM (Windows Notepad saves one) is not part of the text."""
    problem = not_a_file(path)
    if problem == "not found":
        raise ConfigError([f"{path}: {what} not found"], hint="check the path and the file's name") from None
    if problem:
        raise ConfigError([f"{path}: the {what} path is {problem}"], hint=f"give the path of the {what} itself")
    try:
        data = path.read_bytes()
        return tomllib.loads(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
    except PermissionError:
        raise ConfigError([f"{path}: cannot read {what} (permission denied)"],
                          hint=f"check the file's permissions (ls -l {path})") from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: {what} is not UTF-8 text"], hint="save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            [f"{path}: {what} is not valid TOML: {exc}"],
            hint="fix the syntax at the line and column shown",
        ) from None


class Reader:
    """A view on one TOML table that type-checks keys and records problems by path."""

    def __init__(self, data: dict[str, Any], file: Path, prefix: str = "", problems: list[str] | None = None):
        self.data = data
        self.file = file
        self.prefix = prefix
        self.problems: list[str] = [] if problems is None else problems
        self._seen: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.file}: {self.prefix}{key}"

    def problem(self, key: str, text: str) -> None:
        self.problems.append(f"{self.where(key)}: {text}")

    def has(self, key: str) -> bool:
        return key in self.data

    def mark_read(self, key: str) -> None:
        """This key is handled by the caller: check_unknown must not call it a typo."""
        self._seen.add(key)

    def raw(self, key: str, default: Any = None) -> Any:
        """The value as written (marked read), for tables and values the caller checks itself."""
        self.mark_read(key)
        return self.data.get(key, default)

    def _get(self, key: str, default: Any, types: tuple[type, ...], type_name: str) -> Any:
        self.mark_read(key)
        if key not in self.data:
            if default is _MISSING:
                self.problem(key, "is required")
                return None
            return default
        value = self.data[key]
        # bool is an int in Python; never accept true/false where a number is meant
        if isinstance(value, bool) and bool not in types:
            self.problem(key, f"expected {type_name}, got {value!r}")
            return default if default is not _MISSING else None
        if not isinstance(value, types):
            self.problem(key, f"expected {type_name}, got {value!r}")
            return default if default is not _MISSING else None
        return value

    def str(self, key: str, default: Any = _MISSING, choices: Iterable[str] | None = None) -> Any:
        value = self._get(key, default, (str,), "a string")
        if choices is not None and isinstance(value, str) and value not in choices:
            self.problem(key, f"must be one of {', '.join(sorted(choices))}, got {value!r}")
        return value

    def int(self, key: str, default: Any = _MISSING, lo: int | None = None, hi: int | None = None) -> Any:
        return self._range(key, self._get(key, default, (int,), "an integer"), lo, hi)

    def float(self, key: str, default: Any = _MISSING, lo: float | None = None, hi: float | None = None) -> Any:
        value = self._get(key, default, (int, float), "a number")
        if value is not None and not math.isfinite(value):  # TOML has inf and nan; no setting means them
            self.problem(key, f"must be a finite number, got {value}")
            return default if default is not _MISSING and default is not None else None
        return self._range(key, None if value is None else float(value), lo, hi)

    def bool(self, key: str, default: Any = _MISSING) -> Any:
        return self._get(key, default, (bool,), "true or false")

    def list(self, key: str, default: Any = _MISSING, type_name: str = "a list") -> Any:
        """A list whose items the caller checks (a size, a pair of bounds)."""
        return self._get(key, default, (list,), type_name)

    def str_list(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default, (list,), "a list of strings")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            self.problem(key, "expected a list of strings")
            return [v for v in value if isinstance(v, str)]
        return value

    def tables(self, key: str, what: str) -> list[Reader]:
        """An array of tables ([[key]]), one Reader each (prefix key[1]., key[2]., ...)."""
        raw = self.raw(key, [])
        if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
            self.problem(key, f"expected {what}")
            return []
        return [Reader(t, self.file, f"{self.prefix}{key}[{i}].", self.problems) for i, t in enumerate(raw, start=1)]

    def table(self, key: str, required: bool = False) -> Reader:
        value = self._get(key, _MISSING if required else {}, (dict,), "a table")
        return Reader(value if isinstance(value, dict) else {}, self.file, f"{self.prefix}{key}.", self.problems)

    def _range(self, key: str, value: Any, lo: Any, hi: Any) -> Any:
        if value is None:
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            bounds = f"between {lo} and {hi}" if lo is not None and hi is not None else (
                f"at least {lo}" if lo is not None else f"at most {hi}")
            self.problem(key, f"must be {bounds}, got {value}")
        return value

    def check_unknown(self) -> None:
        """Report keys nobody read: almost always a typo an editor would want to know about."""
        for key in self.data:
            if key not in self._seen:
                self.problem(key, "unknown key (misspelt?)")

    def raise_if_problems(self, hint: str | None = None) -> None:
        if self.problems:
            raise ConfigError(list(self.problems), hint=hint)
