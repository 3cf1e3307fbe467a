"""Imported (or machine-drafted) Bambara is not released until a person approves it."""

from __future__ import annotations

from pathlib import Path

from publish_support import PublishProject, emulator, future, pp, publish_media  # noqa: F401

SRT = ("1\n00:00:00,200 --> 00:00:01,800\nI ni ce, aw bɛɛ ka kɛnɛ wa?\n")


def test_publish_check_refuses_unapproved_bambara_until_approved(pp: PublishProject, publish_media,  # noqa: F811
                                                                 tmp_path: Path, capsys) -> None:
    pp.add_ready_episode("ep01-vote", 1, publish_media)  # French approved
    done = tmp_path / "ep01-vote-bm.srt"
    done.write_text(SRT, encoding="utf-8")
    code, _, err = pp.run("subtitles", "import", "ep01-vote", "--lang", "bm", str(done), capsys=capsys)
    assert code == 0, err
    at = future(10).replace(hour=18, minute=0, second=0, microsecond=0, tzinfo=None).isoformat()
    cal = pp.write_calendar("one.toml", f'[[release]]\nasset = "ep01-vote"\nat = {at}\n'
                                        f'platforms = ["youtube"]\nsubtitles = ["fr", "bm"]\n')
    code, _, err = pp.run("publish", "check", str(cal), capsys=capsys)
    assert code == 2 and "bm subtitles are not approved (edited)" in err and "Traceback" not in err
    assert pp.run("subtitles", "approve", "ep01-vote", "bm", capsys=capsys)[0] == 0
    code, _, err = pp.run("publish", "check", str(cal), capsys=capsys)
    assert code == 0, err
