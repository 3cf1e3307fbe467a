"""The publish stage end to end: calendars checked, uploaded and scheduled on the emulator."""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from publish_support import (FB_TOKEN, PLAYLIST, YT_REFRESH, YT_TOKEN, PublishProject, emulator, future,  # noqa: F401
                             pp, publish_media, season_calendar)

from pipeline import ledger
from pipeline.platforms.emulator import Emulator
from pipeline.store import Store

EPISODES = ["ep01-citoyennete", "ep02-vote", "ep03-budget"]
ROOT = Path(__file__).resolve().parents[2]


def _season(pp: PublishProject, media, start: datetime | None = None) -> Path:
    for n, ep in enumerate(EPISODES, start=1):
        pp.add_ready_episode(ep, n, media)
    pp.add_asset_files("trailer", media)
    pp.add_asset_files(f"{EPISODES[0]}-clip1", media, langs=())
    return pp.write_calendar("season.toml", season_calendar(start or future(10), EPISODES))


def _finished_fb(emu: Emulator) -> list[dict]:
    return [v for v in emu.state.fb_videos.values() if v["finished"]]


def test_full_season_checked_uploaded_scheduled_once(pp: PublishProject, emulator: Emulator, publish_media,
                                                     capsys) -> None:
    start = future(10)
    cal = _season(pp, publish_media, start)
    code, out, err = pp.run("publish", "check", str(cal), capsys=capsys)
    assert code == 0, err
    assert "5 releases ready, 9 uploads" in out
    code, out, err = pp.run("publish", "upload", capsys=capsys)
    assert code == 0, err
    yt, fb = emulator.state.yt_videos, _finished_fb(emulator)
    assert len(yt) == 4 and len(fb) == 5  # trailer + 3 episodes on both; the clip on Facebook only
    assert [v["id"] for v in fb if v.get("reel")] != []  # the vertical clip went out as a Reel
    bamako = ZoneInfo("Africa/Bamako")
    ep1 = start.astimezone(bamako).replace(hour=18, minute=0, second=0, microsecond=0)
    publish_ats = sorted(v["status"]["publishAt"] for v in yt.values())
    assert publish_ats[1] == ep1.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # 18:00 Bamako = 18:00 UTC
    assert publish_ats[0] == (ep1 - timedelta(days=7)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert all(v["status"]["privacyStatus"] == "private" for v in yt.values())
    assert all(v["published"] is False and v["scheduled_publish_time"] for v in fb)
    assert {v["snippet"]["title"] for v in yt.values()} >= {"Titre ep01-citoyennete"}
    assert len(emulator.state.yt_captions) == 4 and sum(len(c) for c in emulator.state.fb_captions.values()) == 4
    assert len(emulator.state.yt_thumbnails) == 4
    assert [i["snippet"]["playlistId"] for i in emulator.state.yt_playlist_items.values()] == [PLAYLIST] * 4
    # status: every row scheduled, with links, in Bamako time
    code, out, _ = pp.run("publish", "status", "--json", capsys=capsys)
    rows = json.loads(out)
    assert len(rows) == 9 and {r["state"] for r in rows} == {"scheduled"}
    ep_row = next(r for r in rows if r["release"] == EPISODES[0] and r["platform"] == "youtube")
    assert ep_row["local_time"] == ep1.strftime("%Y-%m-%d 18:00 GMT") and ep_row["url"].startswith("https://www.youtube")
    assert [(s["name"], s["done"]) for s in ep_row["steps"]] == [
        ("upload", True), ("thumbnail", True), ("caption:fr", True), (f"playlist:{PLAYLIST}", True)]
    assert ep_row["platform_time"] == ep_row["local_time"] and ep_row["drift"] == []
    # a rerun sends nothing new
    before = len(emulator.state.requests)
    code, out, _ = pp.run("publish", "upload", capsys=capsys)
    assert code == 0 and len(emulator.state.requests) == before
    code, out, _ = pp.run("publish", "status", capsys=capsys)
    assert "scheduled" in out and "https://www.facebook.com/424242/videos/" in out


def test_bad_calendar_reports_every_problem_and_sends_nothing(pp: PublishProject, emulator: Emulator,
                                                              publish_media, capsys) -> None:
    pp.add_ready_episode("ep01-vote", 1, publish_media)
    pp.add_ready_episode("ep02-budget", 2, publish_media, langs=("fr", "bm"), approve=False)
    soon = (datetime.now(ZoneInfo("Africa/Bamako")) + timedelta(minutes=5)).replace(tzinfo=None, microsecond=0)
    due = (soon + timedelta(days=60)).isoformat()  # within upload_lead_days: missing media is a problem now
    cal = pp.write_calendar("bad.toml", f"""
[[release]]
asset = "ep09-nowhere"
at = {due}

[[release]]
asset = "ep01-vote"
at = 2020-01-01T18:00:00

[[release]]
id = "ep02"
asset = "ep02-budget"
at = {soon.isoformat()}
subtitles = ["fr", "bm"]
[release.youtube]
title = "{'x' * 101}"
description = "{'é' * 2600}"
tags = [{', '.join(['"' + 'mot clé' * 3 + '"'] * 30)}]

[[release]]
id = "ep01-again"
asset = "ep01-vote"
at = 2030-02-01T18:00:00
colour = "red"

[[release]]
asset = "trailer"
at = {due}
""")
    code, out, err = pp.run("publish", "check", str(cal), capsys=capsys)
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    expected = ["unknown asset 'ep09-nowhere'", "2020-01-01 18:00 GMT is in the past",
                "is too close for facebook (at least 15 minutes ahead)", "title has 101 characters",
                "description is 5200 bytes", "tags take", "bm subtitles are not approved",
                "ep01-vote is already released on youtube by 'ep01-vote'", "colour: unknown key",
                "trailer.16x9.mp4 is missing", "thumbnail", "trailer.jpg is missing"]
    for text in expected:
        assert any(text in e for e in errors), f"{text!r} not reported in:\n{err}"
    assert "hint:" in err and "Traceback" not in err
    code, out, err = pp.run("publish", "upload", str(cal), capsys=capsys)
    assert code == 2 and "nothing was uploaded" in err
    assert emulator.state.requests == []
    with Store(pp.cfg.project.database) as store:
        assert ledger.all_entries(store) == []


def test_subtitles_changed_after_approval_are_refused(pp: PublishProject, publish_media, capsys) -> None:
    pp.add_ready_episode("ep01-vote", 1, publish_media)
    (pp.project.root / "subtitles" / "ep01-vote" / "fr.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nAutre\n")
    cal = pp.write_calendar("s.toml", f'[[release]]\nasset = "ep01-vote"\nat = {future().replace(tzinfo=None):%Y-%m-%dT%H:%M:%S}\n')
    code, _, err = pp.run("publish", "check", str(cal), capsys=capsys)
    assert code == 2 and "changed since they were approved" in err


def test_quota_exceeded_defers_to_after_the_reset(pp: PublishProject, emulator: Emulator, publish_media,
                                                  capsys) -> None:
    _season(pp, publish_media)
    emulator.faults.quota_left = 1600 + 50 + 400 + 50 + 2  # the trailer fits, then the quota runs out
    code, out, err = pp.run("publish", "upload", "--json", capsys=capsys)
    assert code == 0, err
    rows = {(r["release"], r["platform"]): r for r in json.loads(out)}
    assert rows[("trailer", "youtube")]["state"] == "scheduled"
    deferred = [r for r in rows.values() if r["state"] == "deferred"]
    assert {r["platform"] for r in deferred} == {"youtube"} and len(deferred) == 3
    assert all("PST" in r["retry_at"] or "GMT" in r["retry_at"] for r in deferred)
    assert all(r["state"] == "scheduled" for r in rows.values() if r["platform"] == "facebook")
    with Store(pp.cfg.project.database) as store:
        e = ledger.get(store, EPISODES[0], "youtube")
        assert e.retry_at.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%H:%M") == "00:05"
    before = len(emulator.state.requests)
    pp.run("publish", "upload", capsys=capsys)  # before the reset: deferred jobs wait, nothing is sent
    assert len(emulator.state.requests) == before


def test_crash_after_caption_before_ledger_attaches_it_once(pp: PublishProject, emulator: Emulator,
                                                            publish_media, capsys) -> None:
    pp.add_ready_episode("ep01-vote", 1, publish_media)
    pp.write_calendar("s.toml", f'[[release]]\nasset = "ep01-vote"\nat = {future().replace(tzinfo=None):%Y-%m-%dT%H:%M:%S}\n')
    assert pp.run("publish", "upload", capsys=capsys)[0] == 0
    with Store(pp.cfg.project.database) as store, store.db:  # as if killed between the call and the write
        store.db.execute("DELETE FROM release_steps WHERE step LIKE 'caption:%'")
        store.db.execute("UPDATE releases SET state='uploaded'")
    assert pp.run("publish", "upload", capsys=capsys)[0] == 0
    assert len(emulator.state.yt_captions) == 1
    assert [len(c) for c in emulator.state.fb_captions.values()] == [1]


def test_no_token_in_any_log_or_output(pp: PublishProject, emulator: Emulator, publish_media, capsys,
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every library's debug log too (googleapiclient, urllib3, google.auth)
    _season(pp, publish_media)
    emulator.faults.fail_next, emulator.faults.throttle_next = 2, 2
    outputs = [pp.run("-v", "publish", "upload", capsys=capsys), pp.run("publish", "status", "--json", capsys=capsys)]
    emulator.state.valid_tokens.clear()
    emulator.state.refresh_tokens.clear()
    with Store(pp.cfg.project.database) as store, store.db:
        store.db.execute("UPDATE releases SET state='uploaded'")
        store.db.execute("DELETE FROM release_steps")
    outputs.append(pp.run("-v", "publish", "upload", capsys=capsys))  # refused tokens: the error path
    code, _, err = outputs[-1]
    assert code == 2 and "run `webseries publish login" in err
    child = pp.project.run_process("-v", "publish", "upload", timeout=120)
    text = "\n".join([caplog.text, *(o[1] + o[2] for o in outputs), child.stdout, child.stderr])
    text += "\n".join(str(r.__dict__) for r in caplog.records)
    assert "login" in child.stderr
    for secret in (YT_TOKEN, YT_REFRESH, FB_TOKEN, "emu-client-secret-x"):
        assert secret not in text


def test_token_file_readable_by_others_is_refused(pp: PublishProject, publish_media, capsys) -> None:
    pp.add_ready_episode("ep01-vote", 1, publish_media)
    pp.write_calendar("s.toml", f'[[release]]\nasset = "ep01-vote"\nat = {future().replace(tzinfo=None):%Y-%m-%dT%H:%M:%S}\n')
    token = pp.home / "youtube-token.json"
    token.chmod(0o644)
    code, _, err = pp.run("publish", "upload", capsys=capsys)
    assert code == 2 and "can be read by other users (mode 0644)" in err and f"chmod 600 {token}" in err
    assert token.read_text().startswith("{")  # not touched


def _ledger_states(db: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(db, timeout=30) as con:
        return con.execute("SELECT state, platform, upload_offset FROM releases").fetchall()


def test_scheduler_killed_and_restarted_runs_each_job_once(pp: PublishProject, emulator: Emulator,
                                                           publish_media) -> None:
    _season(pp, publish_media)
    emulator.faults.delay = 0.03  # slow enough to be killed in the middle of an upload
    cmd = [sys.executable, "-m", "pipeline", "--config", str(pp.project.config_path), "publish", "run", "--until-idle"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, cwd=pp.project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    db = pp.cfg.project.database
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill once one release is done and another is halfway up
        states = _ledger_states(db) if db.exists() else []
        if any(s == "scheduled" for s, _, _ in states) and any(s == "uploading" and o > 0 for s, _, o in states):
            break
        time.sleep(0.02)
    else:
        proc.kill()
        pytest.fail(f"never saw a job halfway: {proc.communicate()}")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM releases WHERE state='scheduled'").fetchone()[0] < 9
    emulator.faults.delay = 0
    done = subprocess.run(cmd, env=env, cwd=pp.project.root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "resuming" in done.stderr
    assert [s for s, _, _ in _ledger_states(db)] == ["scheduled"] * 9
    assert len(emulator.state.yt_videos) == 4 and len(_finished_fb(emulator)) == 5
    assert len(emulator.state.yt_captions) == 4 and len(emulator.state.yt_playlist_items) == 4
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM scheduler_jobs WHERE id LIKE 'upload:%'").fetchone()[0] == 0


def test_the_repository_season_calendar_is_valid_once_its_episodes_exist(pp: PublishProject, publish_media) -> None:
    import re
    import shutil

    from pipeline.releases import check

    cal = ROOT / "schedules" / "season1.toml"
    assets = re.findall(r'^asset = "([^"]+)"', cal.read_text(encoding="utf-8"), re.M)
    for n, ep in enumerate(a for a in assets if a != "trailer" and "-clip" not in a):
        pp.add_ready_episode(ep, n + 1, publish_media, langs=("fr", "bm"))
    pp.add_asset_files("trailer", publish_media)
    for clip in (a for a in assets if "-clip" in a):
        pp.add_asset_files(clip, publish_media, langs=())
    shutil.copy(cal, pp.project.root / "schedules" / "season1.toml")
    with Store(pp.cfg.project.database) as store:
        result = check(pp.cfg, store, [pp.project.root / "schedules" / "season1.toml"],
                       now=datetime(2026, 12, 1, tzinfo=UTC))
    assert result.problems == []
    trailer, ep01 = result.releases[0], result.releases[1]
    assert ep01.publish_at - trailer.publish_at == timedelta(days=7)
    weekly = [r.publish_at for r in result.releases if r.kind == "episode"]
    assert all(b - a == timedelta(days=7) for a, b in zip(weekly, weekly[1:]))
    assert {r.publish_at.astimezone(ZoneInfo("Africa/Bamako")).hour for r in result.releases if r.kind == "episode"} == {18}


def test_demo_publishes_to_a_fresh_emulator_each_time(pp: PublishProject, publish_media, capsys) -> None:
    pp.add_ready_episode("ep01-vote", 1, publish_media)
    for _ in range(2):
        code, out, err = pp.run("publish", "demo", "ep01-vote", capsys=capsys)
        assert code == 0, err
        assert out.count(" scheduled ") == 2 and "1 YouTube video(s) (privacy private" in out
        assert "subtitles attached: fr" in out and "2 caption track(s)" in out
    with Store(pp.cfg.project.database) as store:
        assert ledger.all_entries(store) == []  # the real ledger never holds emulator ids


def test_upload_window_and_lead_days_hold_uploads_for_the_scheduler(tmp_path, publish_media, emulator: Emulator,
                                                                   capsys) -> None:
    from publish_support import publish_project

    from pipeline.stages.publish import upload_time

    pp = publish_project(tmp_path, publish_media, emulator.url, extra='upload_hours = "01:00-05:00"')
    pp.add_ready_episode("ep01-vote", 1, publish_media)
    pp.write_calendar("s.toml", f'[[release]]\nasset = "ep01-vote"\nat = {future().replace(tzinfo=None):%Y-%m-%dT%H:%M:%S}\n')
    cfg = pp.cfg
    with Store(cfg.project.database) as store:
        from pipeline.releases import calendars, check
        from pipeline.stages.publish import plan
        plan(cfg, store, check(cfg, store, calendars(cfg, None)).releases)
        entry = ledger.get(store, "ep01-vote", "youtube")
    noon = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)  # Bamako is UTC+0
    assert upload_time(cfg, entry, noon) == datetime(2030, 1, 2, 1, 0, tzinfo=UTC)
    assert upload_time(cfg, entry, noon.replace(hour=3)) == noon.replace(hour=3)
    if not 1 <= datetime.now(UTC).hour < 5:
        code, out, _ = pp.run("publish", "upload", capsys=capsys)
        assert code == 0 and "planned" in out and "uploads from" in out and emulator.state.requests == []


def test_a_second_scheduler_process_is_refused(pp: PublishProject, capsys) -> None:
    from pipeline.stages.publish import publish_lock

    with publish_lock(pp.cfg, "run", wait=False):
        code, _, err = pp.run("publish", "run", "--until-idle", capsys=capsys)
    assert code == 2 and f"another `webseries publish run` is running (pid {os.getpid()})" in err


def test_a_refused_step_fails_clearly_and_a_rerun_finishes_without_repeating(pp: PublishProject, emulator: Emulator,
                                                                             publish_media, capsys) -> None:
    pp.add_ready_episode("ep01-vote", 1, publish_media)
    pp.write_calendar("s.toml", f'[[release]]\nasset = "ep01-vote"\nat = {future().replace(tzinfo=None):%Y-%m-%dT%H:%M:%S}\n')
    emulator.faults.refuse_caption_langs = {"fr", "und"}
    code, out, err = pp.run("publish", "upload", capsys=capsys)
    assert code == 2 and "error: 1 upload(s) failed: ep01-vote on youtube" in err and "hint:" in err
    assert "failed" in out and "captions.insert" in out
    emulator.faults.refuse_caption_langs = set()
    code, out, err = pp.run("publish", "upload", capsys=capsys)
    assert code == 0, err
    assert len(emulator.state.yt_videos) == 1 and len(emulator.state.yt_thumbnails) == 1
    assert len(emulator.state.yt_captions) == 1
    with Store(pp.cfg.project.database) as store:
        states = [s for _, s, _ in ledger.events(store, "ep01-vote", "youtube") if s]
    assert states == ["uploading", "uploaded", "failed", "scheduled"]


def test_status_refresh_marks_releases_published_once_the_platforms_say_so(pp: PublishProject, emulator: Emulator,
                                                                           publish_media, capsys) -> None:
    from pipeline.stages import publish, publish_status

    pp.add_ready_episode("ep01-vote", 1, publish_media)
    pp.write_calendar("s.toml", f'[[release]]\nasset = "ep01-vote"\nat = {future(2).replace(tzinfo=None):%Y-%m-%dT%H:%M:%S}\n')
    assert pp.run("publish", "upload", capsys=capsys)[0] == 0
    cfg = pp.cfg
    with Store(cfg.project.database) as store:
        pubs = publish.default_publishers(cfg)
        assert publish_status.refresh(cfg, store, pubs, now=future(3), due_only=True) == 0  # not out yet
        emulator.state.clock_offset = 3 * 86400  # the platforms' clock passes the release time
        assert publish_status.refresh(cfg, store, pubs, now=future(3), due_only=True) == 2
        assert {e.state for e in ledger.all_entries(store)} == {"published"}
    vid = next(iter(emulator.state.yt_videos.values()))
    assert vid["status"]["privacyStatus"] == "public" and "publishAt" not in vid["status"]


def test_scheduler_keeps_a_quota_deferred_upload_as_a_job_at_the_reset(pp: PublishProject, emulator: Emulator,
                                                                       publish_media, capsys) -> None:
    pp.add_ready_episode("ep01-vote", 1, publish_media)
    pp.write_calendar("s.toml", f'[[release]]\nasset = "ep01-vote"\nat = {future().replace(tzinfo=None):%Y-%m-%dT%H:%M:%S}\n')
    emulator.faults.quota_left = 10
    code, _, err = pp.run("publish", "run", "--until-idle", capsys=capsys)
    assert code == 0, err
    db = pp.cfg.project.database
    with Store(db) as store:
        yt, fb = ledger.get(store, "ep01-vote", "youtube"), ledger.get(store, "ep01-vote", "facebook")
        assert (yt.state, fb.state) == ("deferred", "scheduled")
        jobs = store.db.execute("SELECT id, next_run_time FROM scheduler_jobs").fetchall()
    due = dict(jobs)["upload:ep01-vote:youtube"]
    assert abs(due - yt.retry_at.timestamp()) < 1  # runs right after midnight Pacific, by the scheduler
    assert "upload:ep01-vote:facebook" not in dict(jobs)
