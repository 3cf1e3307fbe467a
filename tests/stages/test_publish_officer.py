"""The officer's week around the uploads: check (by date, accounts, settings), rehearse, keep the scheduler alive."""

from __future__ import annotations

import configparser
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import make_project
from publish_support import (FB_TOKEN, YT_TOKEN, PublishProject, emulator, future, pp,  # noqa: F401
                             publish_media, publish_project)

from pipeline import ledger
from pipeline.config import EMULATOR_ENV
from pipeline.platforms.emulator import Emulator
from pipeline.store import Store

ROOT = Path(__file__).resolve().parents[2]
BAMAKO = ZoneInfo("Africa/Bamako")
EP = "ep01-vote"


def _at(when: datetime) -> str:
    return f"{when.astimezone(BAMAKO):%Y-%m-%dT%H:%M:%S}"


def _one(when: datetime, asset: str = EP, extra: str = "") -> str:
    return f'[[release]]\nasset = "{asset}"\nat = {_at(when)}\n{extra}\n'


def test_check_refuses_an_empty_or_wrong_page_id_and_upload_sends_nothing(tmp_path: Path, publish_media,
                                                                          emulator: Emulator, capsys) -> None:
    for page_id, said in (("", "page_id is empty"), ("ajcad.mali", "page_id is 'ajcad.mali'")):
        pp = publish_project(tmp_path / (page_id or "empty"), publish_media, emulator.url, page_id=page_id)
        pp.add_ready_episode(EP, 1, publish_media)
        pp.write_calendar("s.toml", _one(future(5)))
        code, out, err = pp.run("publish", "check", capsys=capsys)
        assert code == 2 and said in err and "Page ID" in err and "ok:" not in out
        code, _, err = pp.run("publish", "upload", capsys=capsys)
        assert code == 2 and said in err and "nothing was uploaded" in err
    assert emulator.state.requests == []


def test_a_release_weeks_away_does_not_hold_back_todays(tmp_path: Path, publish_media, emulator: Emulator,
                                                        capsys) -> None:
    pp = publish_project(tmp_path, publish_media, emulator.url, lead_days=30)
    pp.add_ready_episode(EP, 1, publish_media)
    pp.write_calendar("season.toml", _one(future(5)) + _one(future(60), "ep02-pas-encore") +
                      _one(future(50), "trailer"))
    code, out, err = pp.run("publish", "check", capsys=capsys)
    assert code == 0, err
    assert "planned, not ready: ep02-pas-encore: unknown asset 'ep02-pas-encore'" in out
    assert "planned, not ready: trailer:" in out and "trailer.16x9.mp4 is missing" in out
    assert "ok: 1 releases ready, 2 uploads; 2 planned, not ready yet" in out
    code, out, err = pp.run("publish", "upload", "--json", capsys=capsys)
    assert code == 0, err
    rows = {(r["release"], r["platform"]): r for r in json.loads(out)}
    assert rows[(EP, "youtube")]["state"] == "scheduled" and len(emulator.state.yt_videos) == 1
    assert rows[("trailer", "youtube")]["state"] == "planned" and rows[("trailer", "youtube")]["not_ready"]
    # once a release is due (within upload_lead_days), what it lacks is a problem
    pp.write_calendar("season.toml", _one(future(5)) + _one(future(20), "trailer"))
    code, _, err = pp.run("publish", "check", capsys=capsys)
    assert code == 2 and "trailer.16x9.mp4 is missing" in err


def test_check_reads_accounts_offline_and_online_and_never_shows_a_token(pp: PublishProject, emulator: Emulator,
                                                                         publish_media, capsys) -> None:
    pp.add_ready_episode(EP, 1, publish_media)
    pp.write_calendar("s.toml", _one(future(5)))
    code, out, err = pp.run("publish", "check", "--online", capsys=capsys)
    assert code == 0, err
    assert "account: youtube: Chaîne (émulateur) (channel UCemulator)" in out
    assert "account: facebook: AJCAD Mali (émulateur) (Page 424242)" in out
    assert "youtube-client.json" in out  # the OAuth client is missing: a note, the token still works
    emulator.state.fb_pages["424242"] = {"name": "AJCAD Mali", "scopes": ["pages_manage_posts"]}
    code, out, err = pp.run("publish", "check", "--online", capsys=capsys)
    assert code == 2 and "facebook: the token lacks pages_read_engagement, read_insights" in err
    yt_token = pp.home / "youtube-token.json"
    yt_token.chmod(0o644)
    (pp.home / "facebook-page-token").unlink()
    code, out, err = pp.run("publish", "check", capsys=capsys)
    assert code == 2 and f"chmod 600 {yt_token}" in err
    assert "no Facebook Page token" in err and "webseries publish login facebook" in err
    for text in (out, err):
        assert YT_TOKEN not in text and FB_TOKEN not in text


def test_rehearsal_runs_your_own_calendar_on_a_fresh_clone_without_any_token(tmp_path: Path, publish_media,
                                                                             monkeypatch, capsys) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))  # no ~/.config/webseries: no token at all
    monkeypatch.delenv(EMULATOR_ENV, raising=False)
    monkeypatch.delenv("WEBSERIES_FACEBOOK_TOKEN", raising=False)
    project = make_project(tmp_path / "clone", publish_media[0])  # the repository's config.toml: page_id empty
    shutil.copy(ROOT / "schedules" / "season1.toml", project.root / "schedules")
    pp = PublishProject(project, home)
    pp.add_ready_episode(EP, 1, publish_media)
    when = future(5).replace(minute=0, second=0, microsecond=0)
    plan = project.root / "plan.toml"
    plan.write_text("# my plan\n" + _one(when), encoding="utf-8")
    code, _, err = pp.run("publish", "upload", str(plan), capsys=capsys)
    assert code == 2 and "page_id is empty" in err  # the real thing refuses
    code, out, err = pp.run("publish", "upload", str(plan), "--emulator", capsys=capsys)
    assert code == 0, err
    assert "rehearsal on the local emulator" in out and "stand-in Page" in out
    assert f"emulator://youtube/" in out and "https://www.youtube.com" not in out
    assert f"publishAt {when.astimezone(BAMAKO):%Y-%m-%d %H:%M} GMT" in out and "quota used 2051 units" in out
    with Store(project.cfg.project.database) as store:
        assert ledger.all_entries(store) == []  # the real ledger never holds an emulated id
    folder = project.root / "build" / "publish-rehearsal"
    [video] = json.loads((folder / "emulator-state.json").read_text())["yt_videos"].values()
    # move it in your calendar: the next rehearsal moves the same emulated video
    later = when + timedelta(days=1)
    plan.write_text("# my plan\n" + _one(later), encoding="utf-8")
    code, out, err = pp.run("publish", "upload", str(plan), "--emulator", capsys=capsys)
    assert code == 0, err
    [moved] = json.loads((folder / "emulator-state.json").read_text())["yt_videos"].values()
    assert moved["id"] == video["id"] and moved["status"]["publishAt"] != video["status"]["publishAt"]
    code, out, err = pp.run("publish", "status", str(plan), "--refresh", "--json", "--emulator", capsys=capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert {r["platform_time"] for r in rows} == {f"{later.astimezone(BAMAKO):%Y-%m-%d %H:%M} GMT"}
    assert all(r["platform_read_at"] and r["url"].startswith("emulator://") for r in rows)
    # cancel in the rehearsal: private on the emulated platforms, your calendar untouched
    code, out, err = pp.run("publish", "cancel", EP, "--calendar", str(plan), "--emulator", capsys=capsys)
    assert code == 0, err
    assert "cancel" not in plan.read_text() and plan.read_text().startswith("# my plan")
    [cancelled] = json.loads((folder / "emulator-state.json").read_text())["yt_videos"].values()
    assert "publishAt" not in cancelled["status"]
    code, out, err = pp.run("publish", "status", str(plan), "--json", "--emulator", capsys=capsys)
    assert {r["state"] for r in json.loads(out)} == {"cancelled"}  # the rehearsal remembers its cancel
    assert not (home / ".config").exists()
    code, out, _ = pp.run("publish", "rehearsal", "--reset", capsys=capsys)
    assert code == 0 and not folder.exists()


def test_the_scheduler_takes_calendar_files_and_ships_as_a_service(pp: PublishProject, emulator: Emulator,
                                                                   publish_media, tmp_path: Path, capsys) -> None:
    pp.add_ready_episode(EP, 1, publish_media)
    elsewhere = tmp_path / "elsewhere.toml"  # not in schedules/
    elsewhere.write_text(_one(future(5)), encoding="utf-8")
    code, _, err = pp.run("publish", "run", str(elsewhere), "--until-idle", capsys=capsys)
    assert code == 0, err
    assert len(emulator.state.yt_videos) == 1
    later = future(6).replace(microsecond=0)
    elsewhere.write_text(_one(later), encoding="utf-8")  # moved: the scheduler brings the platforms to it
    code, _, err = pp.run("publish", "run", str(elsewhere), "--until-idle", capsys=capsys)
    assert code == 0, err
    [video] = emulator.state.yt_videos.values()
    assert video["status"]["publishAt"] == f"{later:%Y-%m-%dT%H:%M:%S}Z"
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read(ROOT / "deploy" / "webseries-publish.service")
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Service"]["ExecStart"].split()[-2:] == ["publish", "run"]
    assert "webseries-publish.service" in (ROOT / "README.md").read_text()
