"""A season of N episodes already on the emulated platforms, for the metrics and report benches."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline.config import Config
from pipeline.platforms.accounts import write_token_file
from pipeline.platforms.emulator import Emulator
from pipeline.stages.metrics_demo import demo_config


def season_config(cfg: Config, emu: Emulator, episodes: int, tmp: Path) -> Config:
    """`cfg` pointed at the running emulator, with throw-away tokens, database and build folder."""
    emu.state.accept_any_token = True
    tokens = tmp / f"tokens-{episodes}"
    write_token_file(tokens / "youtube-token.json", '{"token": "bench-token"}')
    write_token_file(tokens / "facebook-page-token", "bench-page-token")
    dcfg = demo_config(cfg, emu.url, tokens)
    return dataclasses.replace(dcfg, project=dataclasses.replace(
        dcfg.project, database=tmp / f"bench-{episodes}.sqlite3", build_dir=tmp / f"build-{episodes}"))
