"""What every subcommand needs: the project's config and its database."""

from __future__ import annotations

import argparse
import math

from pipeline.config import Config, find_config, load_config

EXIT_ERROR, EXIT_BUG, EXIT_INTERRUPTED = 2, 3, 130


def context(args: argparse.Namespace) -> Config:
    return load_config(find_config(args.config))


def open_store(cfg: Config):  # noqa: ANN201 - imported lazily: keeps sqlite out of `webseries --help`
    from pipeline.store import Store

    return Store(cfg.project.database)


def positive_number(text: str) -> float:
    """argparse type: a finite number above zero (a frame rate, a duration)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text!r}")
    return value


def count(text: str) -> int:
    """argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value
