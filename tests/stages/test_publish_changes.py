"""The calendar is the plan: releases already on the platforms are moved, edited, cancelled — never uploaded twice."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from publish_support import (PLAYLIST, PublishProject, approve_subtitles, emulator, future,  # noqa: F401
                             other_thumbnail, pp, publish_media)

from pipeline import ledger
from pipeline.platforms.emulator import Emulator
from pipeline.store import Store

BAMAKO = ZoneInfo("Africa/Bamako")
EP = "ep01-vote"


def _calendar(when: datetime, extra: str = "", youtube: str = "") -> str:
    return (f'# the season\'s plan (this comment must survive every edit)\n[defaults.youtube]\nplaylist = "{PLAYLIST}"\n\n'
            f'[[release]]\nasset = "{EP}"   # first episode\nat = {when.astimezone(BAMAKO):%Y-%m-%dT%H:%M:%S}\n'
            f'{extra}\n[release.youtube]\ntitle = "Voter, c\'est choisir"\n{youtube}')


def _uploaded(pp: PublishProject, media, capsys, when: datetime | None = None) -> datetime:
    when = (when or future(10)).replace(minute=0, second=0, microsecond=0)
    pp.add_ready_episode(EP, 1, media)
    pp.write_calendar("s.toml", _calendar(when))
    code, _, err = pp.run("publish", "upload", capsys=capsys)
    assert code == 0, err
    return when


def _yt(emu: Emulator) -> dict:
    [video] = emu.state.yt_videos.values()
    return video


def _fb(emu: Emulator) -> dict:
    [video] = [v for v in emu.state.fb_videos.values() if v["finished"]]
    return video


def _rfc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_release_moved_by_a_day_is_rescheduled_on_both_platforms(pp: PublishProject, emulator: Emulator,
                                                                   publish_media, capsys) -> None:
    when = _uploaded(pp, publish_media, capsys)
    assert _yt(emulator)["status"]["publishAt"] == _rfc(when)
    later = when + timedelta(days=1)
    pp.write_calendar("s.toml", _calendar(later))
    # before the upload: status shows the platform's time (never the calendar's as if it were there) and the drift
    rows = json.loads(pp.run("publish", "status", "--json", capsys=capsys)[1])
    yt_row = next(r for r in rows if r["platform"] == "youtube")
    assert yt_row["platform_time"] == when.astimezone(BAMAKO).strftime("%Y-%m-%d %H:%M GMT")
    assert yt_row["local_time"] == later.astimezone(BAMAKO).strftime("%Y-%m-%d %H:%M GMT")
    assert any("webseries publish upload" in d for d in yt_row["drift"])
    code, _, err = pp.run("publish", "check", capsys=capsys)
    assert code == 0, err
    code, out, err = pp.run("publish", "upload", capsys=capsys)
    assert code == 0, err
    assert _yt(emulator)["status"] == {**_yt(emulator)["status"], "privacyStatus": "private", "publishAt": _rfc(later)}
    assert _fb(emulator)["scheduled_publish_time"] == int(later.timestamp()) and _fb(emulator)["published"] is False
    assert len(emulator.state.yt_videos) == 1 and len(emulator.state.yt_sessions) == 1  # no second upload
    assert len(emulator.state.fb_sessions) == 1
    # the platform's own time, read back
    rows = json.loads(pp.run("publish", "status", "--refresh", "--json", capsys=capsys)[1])
    for r in rows:
        assert r["platform_time"] == later.astimezone(BAMAKO).strftime("%Y-%m-%d %H:%M GMT"), r
        assert r["platform_read_at"] and r["drift"] == [] and r["state"] == "scheduled"
        assert [s["name"] for s in r["steps"]][-1] == "moved"
    # `move` changes the calendar (its comments kept) and the platforms in one go
    again = later + timedelta(hours=2)
    code, out, err = pp.run("publish", "move", EP, f"{again.astimezone(BAMAKO):%Y-%m-%d %H:%M}", capsys=capsys)
    assert code == 0, err
    text = (pp.project.root / "schedules" / "s.toml").read_text()
    assert f"at = {again.astimezone(BAMAKO):%Y-%m-%dT%H:%M:%S}" in text
    assert "this comment must survive" in text and "# first episode" in text
    assert _yt(emulator)["status"]["publishAt"] == _rfc(again)
    assert _fb(emulator)["scheduled_publish_time"] == int(again.timestamp())
    with Store(pp.cfg.project.database) as store:
        moves = [d for _, _, d in ledger.events(store, EP, "facebook") if d.startswith("rescheduled")]
    assert len(moves) == 2 and "GMT to" in moves[0]
    before = len(emulator.state.requests)
    assert pp.run("publish", "upload", capsys=capsys)[0] == 0
    assert len(emulator.state.requests) == before  # nothing differs: nothing sent


def test_title_thumbnail_caption_and_playlist_changed_after_upload_are_updated_in_place(
        pp: PublishProject, emulator: Emulator, publish_media, other_thumbnail: Path, capsys) -> None:
    when = _uploaded(pp, publish_media, capsys)
    yt_caps = dict(emulator.state.yt_captions)
    pp.write_calendar("s.toml", _calendar(when, youtube='description = "Nouvelle description"\n').replace(
        "Voter, c'est choisir", "Voter : c'est choisir").replace(PLAYLIST, "PLseason1other"))
    shutil.copy(other_thumbnail, pp.project.root / "build" / EP / "thumbnails" / f"{EP}.jpg")
    approve_subtitles(pp, EP, "fr", "1\n00:00:01,000 --> 00:00:03,000\nBonjour à toutes et à tous, corrigé.\n")
    code, _, err = pp.run("publish", "upload", capsys=capsys)
    assert code == 0, err
    yt = _yt(emulator)
    assert yt["snippet"]["title"] == "Voter : c'est choisir" and yt["snippet"]["description"] == "Nouvelle description"
    assert yt["snippet"]["categoryId"] == "27" and yt["status"]["publishAt"] == _rfc(when)  # the rest kept
    assert emulator.state.yt_thumbnails[yt["id"]] == other_thumbnail.read_bytes()
    assert _fb(emulator)["thumbnail"] == other_thumbnail.stat().st_size
    [cap] = emulator.state.yt_captions.values()  # replaced, not a second track
    assert cap["id"] == next(iter(yt_caps)) and cap["_version"] == 2
    [fb_caps] = emulator.state.fb_captions.values()
    assert [c["locale"] for c in fb_caps] == ["fr_FR"]
    assert [i["snippet"]["playlistId"] for i in emulator.state.yt_playlist_items.values()] == ["PLseason1other"]
    assert len(emulator.state.yt_videos) == 1 and len(emulator.state.fb_sessions) == 1


def test_a_cancelled_release_is_private_on_both_then_restored_or_deleted(pp: PublishProject, emulator: Emulator,
                                                                        publish_media, capsys) -> None:
    when = _uploaded(pp, publish_media, capsys)
    pp.write_calendar("s.toml", _calendar(when, extra="cancel = true"))
    code, out, err = pp.run("publish", "upload", capsys=capsys)
    assert code == 0, err
    assert _yt(emulator)["status"]["privacyStatus"] == "private" and "publishAt" not in _yt(emulator)["status"]
    assert _fb(emulator)["published"] is False and _fb(emulator)["scheduled_publish_time"] is None
    with Store(pp.cfg.project.database) as store:
        assert {e.state for e in ledger.all_entries(store)} == {"cancelled"}
    assert "cancelled" in out
    code, _, err = pp.run("publish", "restore", EP, capsys=capsys)
    assert code == 0, err
    assert "cancel" not in (pp.project.root / "schedules" / "s.toml").read_text()
    assert _yt(emulator)["status"]["publishAt"] == _rfc(when)
    assert _fb(emulator)["scheduled_publish_time"] == int(when.timestamp())
    code, _, err = pp.run("publish", "cancel", EP, "--delete", capsys=capsys)  # not a terminal: asks for --yes
    assert code == 2 and "--delete --yes" in err and len(emulator.state.yt_videos) == 1
    code, _, err = pp.run("publish", "cancel", EP, "--delete", "--yes", capsys=capsys)
    assert code == 0, err
    assert emulator.state.yt_videos == {} and not [v for v in emulator.state.fb_videos.values() if v["finished"]]
    assert "cancel = true" in (pp.project.root / "schedules" / "s.toml").read_text()
    with Store(pp.cfg.project.database) as store:
        assert {(e.state, e.remote_id) for e in ledger.all_entries(store)} == {("cancelled", None)}


def test_a_published_release_cannot_be_moved(pp: PublishProject, emulator: Emulator, publish_media, capsys) -> None:
    when = _uploaded(pp, publish_media, capsys, when=future(1))
    emulator.state.clock_offset = 2 * 86400  # the platforms publish it
    code, _, err = pp.run("publish", "status", "--refresh", capsys=capsys)
    assert code == 0, err
    calendar = pp.project.root / "schedules" / "s.toml"
    before = calendar.read_text()
    code, _, err = pp.run("publish", "move", EP, f"{when + timedelta(days=3):%Y-%m-%d %H:%M}", capsys=capsys)
    assert code == 2 and "already public on youtube since" in err and "put `at` back" in err
    assert "title, description, tags, thumbnail" in err.lower() and "Traceback" not in err
    assert calendar.read_text() == before  # nothing changed
    calendar.write_text(_calendar(when + timedelta(days=3)))
    code, _, err = pp.run("publish", "check", capsys=capsys)
    assert code == 2 and f"put `at` back to {when.astimezone(BAMAKO):%Y-%m-%dT%H:%M:%S}" in err
    assert len(emulator.state.yt_videos) == 1 and _yt(emulator)["status"]["privacyStatus"] == "public"


def _snapshot(db: Path, to: Path) -> None:
    with sqlite3.connect(db) as src, sqlite3.connect(to) as dst:
        src.backup(dst)


def _restore(saved: Path, db: Path) -> None:
    with sqlite3.connect(saved) as src, sqlite3.connect(db) as dst:
        src.backup(dst)


CHANGES = ["move", "texts", "thumbnail", "caption", "playlist", "cancel", "delete"]


@pytest.mark.parametrize("change", CHANGES)
def test_a_crash_after_each_change_reaches_the_platform_is_done_exactly_once(
        pp: PublishProject, emulator: Emulator, publish_media, other_thumbnail: Path, tmp_path: Path, capsys,
        change: str) -> None:
    """The platform got the call, the ledger never heard of it (the process died): the rerun ends in one
    video, one track, one item, the change made once — the ledger rolled back to just before the call."""
    when = _uploaded(pp, publish_media, capsys)
    cal, args = _calendar(when), ["publish", "upload"]
    if change == "move":
        cal = _calendar(when + timedelta(days=1))
    elif change == "texts":
        cal = cal.replace("Voter, c'est choisir", "Voter, c'est agir")
    elif change == "thumbnail":
        shutil.copy(other_thumbnail, pp.project.root / "build" / EP / "thumbnails" / f"{EP}.jpg")
    elif change == "caption":
        approve_subtitles(pp, EP, "fr", "1\n00:00:01,000 --> 00:00:03,000\nBonsoir.\n")
    elif change == "playlist":
        cal = cal.replace(PLAYLIST, "PLseason1other")
    elif change == "cancel":
        cal = _calendar(when, extra="cancel = true")
    else:
        args = ["publish", "cancel", EP, "--delete", "--yes"]
    pp.write_calendar("s.toml", cal)
    db, saved = pp.cfg.project.database, tmp_path / "before.sqlite3"
    _snapshot(db, saved)
    assert pp.run(*args, capsys=capsys)[0] == 0
    _restore(saved, db)  # crash: every ledger write of that run lost
    if change == "delete":
        pp.write_calendar("s.toml", _calendar(when))  # the calendar edit was lost too
    code, _, err = pp.run(*args, capsys=capsys)
    assert code == 0, err
    st = emulator.state
    if change == "delete":
        assert st.yt_videos == {} and not [v for v in st.fb_videos.values() if v["finished"]]
        return
    assert len(st.yt_videos) == 1 and len(st.yt_sessions) == 1 and len(st.fb_sessions) == 1
    assert len(st.yt_captions) == 1 and [len(c) for c in st.fb_captions.values()] == [1]
    assert len(st.yt_playlist_items) == 1
    expected = {"move": lambda: _yt(emulator)["status"]["publishAt"] == _rfc(when + timedelta(days=1))
                and _fb(emulator)["scheduled_publish_time"] == int((when + timedelta(days=1)).timestamp()),
                "texts": lambda: _yt(emulator)["snippet"]["title"] == "Voter, c'est agir",
                "thumbnail": lambda: st.yt_thumbnails[_yt(emulator)["id"]] == other_thumbnail.read_bytes(),
                "caption": lambda: next(iter(st.yt_captions.values()))["_version"] >= 2,
                "playlist": lambda: next(iter(st.yt_playlist_items.values()))["snippet"]["playlistId"] == "PLseason1other",
                "cancel": lambda: "publishAt" not in _yt(emulator)["status"] and not _fb(emulator)["scheduled_publish_time"]}
    assert expected[change]()
    before = len(st.requests)
    assert pp.run(*args, capsys=capsys)[0] == 0
    assert len(st.requests) == before  # and then nothing more to do
