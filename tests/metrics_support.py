"""A metrics-ready project: releases written straight into the ledger (as publish leaves them)
and the same videos held by the emulator, published some days ago, so analytics exist."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from publish_support import PublishProject, publish_project, trust_tokens

from pipeline import ledger
from pipeline.platforms.emulator import Emulator, running
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
        fh.write(f'\n[metrics]\nyoutube_analytics_root = "{emulator_url}/"\npull_every_hours = 6\n{extra}\n')
    return pp


def assets(n_episodes: int) -> list[str]:
    """The season's assets: the trailer, episodes, and one clip per episode."""
    out = ["trailer"]
    for i in range(1, n_episodes + 1):
        out += [f"ep{i:02d}", f"ep{i:02d}-clip1"]
    return out


def seed(pp: PublishProject, emu: Emulator, names: list[str], days_ago: int = 12,
         platforms: tuple[str, ...] = ("youtube", "facebook"), state: str = "published") -> list[Seeded]:
    """Ledger rows (state published, remote ids) and the matching videos on the emulator."""
    now = datetime.now(UTC)
    out = []
    with Store(pp.cfg.project.database) as store:
        for i, asset in enumerate(names):
            when = now - timedelta(days=days_ago - i % max(1, days_ago), hours=3)
            for platform in platforms:
                rid = f"{asset}@{when:%Y%m%d}"
                ledger.plan(store, rid, platform, asset, "seed.toml", when, f"{asset}.mp4", "0" * 64)
                if platform == "youtube":
                    vid = emu.state.new_id("yt")
                    emu.state.yt_videos[vid] = {
                        "kind": "youtube#video", "id": vid,
                        "snippet": {"title": asset, "publishedAt": (when - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")},
                        "status": {"privacyStatus": "private", "publishAt": when.strftime("%Y-%m-%dT%H:%M:%SZ")}}
                    url = f"https://www.youtube.com/watch?v={vid}"
                else:
                    vid = emu.state.new_id("1000")
                    reel = "-clip" in asset   # vertical clips go to Facebook as Reels
                    emu.state.fb_videos[vid] = {"id": vid, "page": "424242", "finished": True, "title": asset,
                                                "description": "", "published": False, "reel": reel,
                                                "scheduled_publish_time": int(when.timestamp())}
                    url = (f"https://www.facebook.com/reel/{vid}" if reel
                           else f"https://www.facebook.com/424242/videos/{vid}/")
                ledger.update(store, rid, platform, state, remote_id=vid, url=url)
                out.append(Seeded(rid, platform, asset, vid))
    return out


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with running() as emu:
        trust_tokens(emu)
        yield emu


@pytest.fixture
def mp(tmp_path: Path, emulator: Emulator) -> PublishProject:
    return metrics_project(tmp_path, emulator.url)
