"""`webseries metrics demo`: the metrics flow on a simulated season, against the local emulator.

Real releases are only just scheduled when `publish demo` ends, so there is nothing to
measure yet. This demo writes a past season (trailer, episodes, one Reel clip each) into
a separate demo database and into the emulator, as publish would have left them, pulls
twice (time passing in between) through the real clients, and writes the report, so an
evaluator sees every chart without an account. The project's own database is not touched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline import ledger
from pipeline.config import Config
from pipeline.metrics import fieldwork, report, survey
from pipeline.metrics.titles import catalogue
from pipeline.platforms.accounts import write_token_file
from pipeline.platforms.emulator import Emulator
from pipeline.platforms.emulator import analytics as emulator_analytics
from pipeline.stages import metrics
from pipeline.stages import metrics_demo_data as demo_data
from pipeline.stages.publish_demo import demo_config as publish_demo_config
from pipeline.stages.publish_demo import demo_session
from pipeline.store import Store


def season_assets(episodes: int) -> list[str]:
    out = ["trailer"]
    for i in range(1, episodes + 1):
        out += [f"ep{i:02d}", f"ep{i:02d}-clip1"]
    return out


def seed_season(store: Store, emu: Emulator, assets: list[str], days_ago: int = 12,
                platforms: tuple[str, ...] = ("youtube", "facebook"), state: str = "published",
                page: str = "424242") -> list[tuple[str, str, str, str]]:
    """Ledger rows and the emulator's videos for releases out `days_ago` days (one a day after).
    Returns (release_id, platform, asset, remote_id) for each."""
    now = datetime.now(UTC)
    out = []
    for i, asset in enumerate(assets):
        when = now - timedelta(days=days_ago - i % max(1, days_ago), hours=3)
        for platform in platforms:
            rid = f"{asset}@{when:%Y%m%d}"
            ledger.plan(store, rid, platform, asset, "demo.toml", when, f"{asset}.mp4", "0" * 64)
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
                emu.state.fb_videos[vid] = {"id": vid, "page": page, "finished": True, "title": asset, "description": "",
                                            "published": False, "reel": reel,
                                            "scheduled_publish_time": int(when.timestamp())}
                url = f"https://www.facebook.com/reel/{vid}" if reel else f"https://www.facebook.com/{page}/videos/{vid}/"
            ledger.update(store, rid, platform, state, remote_id=vid, url=url)
            out.append((rid, platform, asset, vid))
    return out


def demo_config(cfg: Config, url: str, tokens: Path) -> Config:
    dcfg = publish_demo_config(cfg, url, tokens)
    demo_dir = cfg.project.build_dir / "metrics-demo"
    project = dataclasses.replace(dcfg.project, database=demo_dir / "demo.sqlite3")
    ev = demo_data.evaluation_config(cfg.metrics.evaluation, url, tokens)
    ev = dataclasses.replace(ev, comments=dataclasses.replace(ev.comments, salt_file=tokens / "comment-salt",
                                                              youtube_channel_id=""))
    metrics = dataclasses.replace(cfg.metrics, youtube_analytics_root=url + "/", evaluation=ev)
    project = dataclasses.replace(project, episodes_dir=demo_dir / "episodes")
    return dataclasses.replace(dcfg, project=project, metrics=metrics)


def simulate(cfg: Config, episodes: int = 4, say: Callable[[str], None] = print) -> Config:
    """The simulated season (pulled, imported) in the demo's own database; returns the demo's config."""
    with demo_session(cfg, demo_config) as (emu, dcfg):
        say(f"emulator (YouTube Analytics v2, Data API v3, Graph API, KoboToolbox API v2) on {emu.url}; simulated "
            f"season of {episodes} episodes in {dcfg.project.database}")
        demo_dir = dcfg.project.database.parent
        demo_data.write_episodes(dcfg.project.episodes_dir, episodes)
        write_token_file(dcfg.metrics.evaluation.survey.kobo_token_file, "demo-kobo-token\n")
        demo_data.survey_submissions(emu)
        with Store(dcfg.project.database) as store:
            seed_season(store, emu, season_assets(episodes), page=dcfg.publish.facebook.page_id)
            for _ in range(2):
                say(metrics.pull(dcfg, store).summary())
                emulator_analytics.state(emu).advance()   # time passes between pulls
            episodes_by_id = catalogue(dcfg)
            sheets = demo_data.field_sheets(demo_dir / "terrain", episodes, date.today())
            for kind, sheet in zip((fieldwork.SCREENING, fieldwork.BROADCAST), sheets, strict=True):
                got = fieldwork.import_file(store, kind, sheet, episodes_by_id)
                say(f"{kind.label}: {got.new} rows imported from {sheet}")
            got, calls = survey.pull_kobo(dcfg, store)
            say(f"survey: {got.new} responses ({got.pre} before, {got.post} after) from KoboToolbox in {calls} request(s)")
    return dcfg


def run_demo(cfg: Config, out: Path, episodes: int = 4, say: Callable[[str], None] = print) -> int:
    dcfg = simulate(cfg, episodes, say)
    with Store(dcfg.project.database) as store:
        files = report.build(dcfg, store, out)
    say(f"report: {files.html}\nWord: {files.docx}\nworkbook: {files.xlsx}\ndataset: {files.dataset_csv} "
        f"({files.rows} rows)\ntotals: {files.totals_csv}")
    return 0
