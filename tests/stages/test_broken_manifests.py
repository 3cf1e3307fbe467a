"""One broken episode.toml must not stop work on the others (issue 11 item 14).

A command about one episode never reads the others' manifests; a command about all of them
names every broken one and goes on with the rest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Project
from publish_support import PublishProject, emulator, future, pp, publish_media  # noqa: F401
from test_subtitles import _project
from test_subtitles import master as master  # noqa: PLC0414 - module fixture reused

from pipeline.platforms.emulator import Emulator

BROKEN = 'id = "ep02"\nnumber = "deux"\nmaster = "master.mp4"\n'  # no title, a number in words


def break_episode(root: Path, ep_id: str = "ep02") -> Path:
    folder = root / "episodes" / ep_id
    folder.mkdir(parents=True)
    (folder / "episode.toml").write_text(BROKEN.replace("ep02", ep_id), encoding="utf-8")
    return folder / "episode.toml"


@pytest.fixture
def two(tmp_path: Path, master: Path) -> Project:  # noqa: F811
    p = _project(tmp_path / "project", master, "whisper-base")
    with (p.root / "episodes" / "ep01" / "episode.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[highlights]]\nstart = "00:00.5"\nend = "00:05.5"\nlabel = "Bienvenue"\nuse = "trailer"\n')
    break_episode(p.root)
    return p


def test_status_of_one_episode_never_reads_the_others(two: Project, capsys) -> None:
    code, out, err = two.run("subtitles", "status", "ep01", "--json", capsys=capsys)
    assert code == 0, err
    assert {r["asset"] for r in json.loads(out)} == {"ep01"} and "ep02" not in err


def test_commands_about_all_name_the_broken_manifest_and_go_on(two: Project, capsys) -> None:
    code, out, err = two.run("subtitles", "status", "--json", capsys=capsys)
    assert code == 0, err
    assert {r["asset"] for r in json.loads(out)} == {"ep01"}
    assert "ep02" in err and "episode.toml" in err and "number" in err
    code, out, err = two.run("trailer", "--plan", "--json", capsys=capsys)
    assert code == 0, err
    assert {s["episode"] for s in json.loads(out)["shots"]} == {"ep01"}
    assert "ep02" in err and "left out" in err


def test_publish_upload_goes_on_with_the_releases_it_can_read(pp: PublishProject, emulator: Emulator,  # noqa: F811
                                                              publish_media, capsys) -> None:
    pp.add_ready_episode("ep01", 1, publish_media)
    break_episode(pp.project.root)
    one, two = (future(d).replace(hour=18, minute=0, second=0, microsecond=0, tzinfo=None) for d in (10, 17))
    pp.write_calendar("season.toml", "\n".join([
        "[defaults]", 'platforms = ["youtube"]', "",
        "[[release]]", 'asset = "ep01"', f"at = {one.isoformat()}", "",
        "[[release]]", 'asset = "ep02"', f"at = {two.isoformat()}", ""]))
    code, out, err = pp.run("publish", "check", capsys=capsys)
    assert code == 2 and "ep02" in err and "episode.toml" in err  # check lists it as a problem
    code, out, err = pp.run("publish", "upload", capsys=capsys)
    assert code == 0, err
    assert len(emulator.state.yt_videos) == 1  # ep01 went out
    assert "ep02" in err and "episode.toml" in err and "left out" in err
