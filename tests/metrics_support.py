"""A metrics-ready project: releases written straight into the ledger (as publish leaves them)
and the same videos held by the emulator, published some days ago, so analytics exist."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from publish_support import PublishProject, emulator, publish_project  # noqa: F401 - emulator: the same fixture

from pipeline.stages.metrics_demo import season_assets, seed_season
from pipeline.platforms.emulator import Emulator
from pipeline.store import Store


@dataclass(frozen=True)
class Seeded:
    release_id: str
    platform: str
    asset: str
    remote_id: str


def metrics_project(root: Path, emulator_url: str, extra: str = "") -> PublishProject:
    """publish's test project (tokens 0600 outside it) plus a [metrics] section aimed at the emulator."""
    dummy = root / "media" / "master.mp4"   # never decoded: metrics needs no media
    dummy.parent.mkdir(parents=True)
    dummy.write_bytes(b"\0" * 16)
    pp = publish_project(root, (dummy, dummy), emulator_url)
    with open(pp.project.config_path, "a", encoding="utf-8") as fh:
        fh.write(f'\n[metrics]\nyoutube_analytics_root = "{emulator_url}/"\npull_every_hours = 6\n{extra}\n'
                 f'\n[metrics.comments]\nsalt_file = "{pp.home / "comment-salt"}"\n')
    return pp


def assets(n_episodes: int) -> list[str]:
    """The season's assets: the trailer, episodes, and one clip per episode."""
    return season_assets(n_episodes)


def seed(pp: PublishProject, emu: Emulator, names: list[str], days_ago: int = 12,
         platforms: tuple[str, ...] = ("youtube", "facebook"), state: str = "published") -> list[Seeded]:
    """Ledger rows (state published, remote ids) and the matching videos on the emulator."""
    with Store(pp.cfg.project.database) as store:
        return [Seeded(*row) for row in seed_season(store, emu, names, days_ago, platforms, state)]


@pytest.fixture
def mp(tmp_path: Path, emulator: Emulator) -> PublishProject:
    return metrics_project(tmp_path, emulator.url)
