"""What every subcommand needs: the project's config and its database."""

from __future__ import annotations

import argparse

from pipeline.config import Config, find_config, load_config

EXIT_ERROR, EXIT_BUG, EXIT_INTERRUPTED = 2, 3, 130


def context(args: argparse.Namespace) -> Config:
    return load_config(find_config(args.config))


def open_store(cfg: Config):  # noqa: ANN201 - imported lazily: keeps sqlite out of `webseries --help`
    from pipeline.store import Store

    return Store(cfg.project.database)
