"""Stages: each one a module, a CLI subcommand, a config.toml section and a log prefix."""
