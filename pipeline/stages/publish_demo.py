"""`webseries publish demo EPISODE`: the whole publish flow against the local emulator, no account needed.

Starts the emulator (a real HTTP server on 127.0.0.1) in the background, writes throw-away
tokens (0600, in a temporary folder outside the project) and a one-release calendar
(tomorrow 18:00 local), then checks, uploads, schedules and shows the status — in a separate
demo database, so the real release ledger never holds emulator ids — and stops the emulator.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.captions import review
from pipeline.config import EMULATOR_ENV, Config
from pipeline.platforms.accounts import write_token_file
from pipeline.platforms.emulator import Emulator, running
from pipeline.stages import publish, publish_status
from pipeline.store import Store

DEMO_TOKENS = {"youtube": "demo-youtube-access-token", "facebook": "demo-facebook-page-token"}


def demo_config(cfg: Config, url: str, tokens: Path) -> Config:
    """The project's config with both APIs at the emulator, demo tokens and a demo database."""
    pub = cfg.publish
    yt = dataclasses.replace(pub.youtube, api_root=url + "/", token_uri=url + "/token",
                             token_file=tokens / "youtube-token.json", chunk_bytes=256 * 1024)
    fb = dataclasses.replace(pub.facebook, graph_root=url, reels_upload_root=url, page_id=pub.facebook.page_id or "100000000000001",
                             token_env="WEBSERIES_DEMO_UNUSED", token_file=tokens / "facebook-page-token")
    demo_dir = cfg.project.build_dir / "publish-demo"
    project = dataclasses.replace(cfg.project, database=demo_dir / "demo.sqlite3", schedules_dir=demo_dir)
    return dataclasses.replace(cfg, project=project, publish=dataclasses.replace(pub, youtube=yt, facebook=fb,
                                                                                 rehearsal=True))


def demo_calendar(cfg: Config, episode: str, approved: list[str]) -> Path:
    tomorrow = (datetime.now(cfg.project.zone) + timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    path = cfg.project.schedules_dir / "demo.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# written by `webseries publish demo`: one release, tomorrow 18:00 {cfg.project.timezone}\n"
                    f'[[release]]\nasset = "{episode}"\nat = {tomorrow.replace(tzinfo=None).isoformat()}\n'
                    f"subtitles = {json.dumps(approved)}\n", encoding="utf-8")
    return path


def _copy_reviews(src: Path, dst: Store, asset: str) -> list[str]:
    """Subtitle approvals live in the project database; the demo database gets a copy of the asset's."""
    if not src.exists():
        return []
    with Store(src) as project:
        return [t.lang for t in review.copy_tracks(project, dst, asset) if t.status == "approved"]


@contextmanager
def demo_session(cfg: Config, make_config: Callable[[Config, str, Path], Config],
                 fresh: bool = True) -> Iterator[tuple[Emulator, Config]]:
    """A running emulator, throw-away tokens (0600, outside the project) and the demo's own database.

    Each demo starts from an empty database (`fresh`): the last emulator's ids mean nothing now.
    A rehearsal keeps its database, and reloads the emulator's state beside it.
    """
    with running() as emu, tempfile.TemporaryDirectory(prefix="webseries-demo-tokens-") as tmp:
        emu.state.valid_tokens |= set(DEMO_TOKENS.values())
        tokens = Path(tmp)
        write_token_file(tokens / "youtube-token.json", json.dumps({"token": DEMO_TOKENS["youtube"]}))
        write_token_file(tokens / "facebook-page-token", DEMO_TOKENS["facebook"])
        os.environ.pop(EMULATOR_ENV, None)
        dcfg = make_config(cfg, emu.url, tokens)
        emu.state.fb_pages.setdefault(dcfg.publish.facebook.page_id, {"name": "Page (émulateur)"})
        for stale in dcfg.project.database.parent.glob(dcfg.project.database.name + "*") if fresh else ():
            stale.unlink()
        yield emu, dcfg


def run_demo(cfg: Config, episode: str, say=print) -> int:  # noqa: ANN001
    with demo_session(cfg, demo_config) as (emu, dcfg):
        say(f"emulator of YouTube Data API v3 + Graph API listening on {emu.url}")
        with Store(dcfg.project.database) as store:
            approved = _copy_reviews(cfg.project.database, store, episode)
            cal = demo_calendar(dcfg, episode, approved)
            say(f"calendar: {cal} (subtitles attached: {', '.join(approved) or 'none approved yet'})")
            releases = publish.load_checked(dcfg, store, [str(cal)])
            outcomes = publish.publish_all(dcfg, store, releases, publish.default_publishers(dcfg))
            say(publish_status.status_table(publish_status.status(dcfg, store, releases)))
        say(emulator_summary(dcfg, emu))
    say("emulator stopped")
    return 2 if any(o.failed for o in outcomes) else 0


def emulator_summary(cfg: Config, emu: Emulator, quota_before: int = 0) -> str:
    """What the emulated platforms hold, times in the project's zone (never an epoch), links marked as emulated."""
    zone = cfg.project.zone
    st = emu.state
    yt = list(st.yt_videos.values())
    fb = [v for v in st.fb_videos.values() if v["finished"]]

    def yt_when(v: dict) -> str:
        at = v["status"].get("publishAt")
        return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") \
            if at else "no time"

    def fb_when(v: dict) -> str:
        at = v.get("scheduled_publish_time")
        return datetime.fromtimestamp(at, UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if at else "no time"

    lines = [f"emulator (not on line; links emulator://): {len(yt)} YouTube video(s) "
             f"(privacy {yt[0]['status']['privacyStatus'] if yt else '-'}), {len(fb)} Facebook video(s), "
             f"{len(st.yt_captions) + sum(map(len, st.fb_captions.values()))} caption track(s), "
             f"{len(st.yt_thumbnails)} YouTube thumbnail(s); YouTube quota used {st.yt_quota_used - quota_before} "
             "units"]
    lines += [f"  youtube {v['id']}: {v['status']['privacyStatus']}, publishAt {yt_when(v)}, «{v['snippet']['title']}»"
              for v in yt]
    lines += [f"  facebook {v['id']}: {'published' if v['published'] else 'unpublished'}, "
              f"scheduled_publish_time {fb_when(v)}" for v in fb]
    return "\n".join(lines)
