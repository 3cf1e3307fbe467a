"""A person's save goes over the version they opened, or not at all; a machine refresh is settled by choice."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pipeline.captions import editing, files, review
from pipeline.models import Cue
from pipeline.store import Store

A = [Cue(1.0, 3.0, ("Bonjour à tous.",)), Cue(3.1, 5.0, ("Allez voter.",))]
B = [Cue(1.0, 3.0, ("Bonjour à toutes.",)), Cue(3.1, 5.0, ("Allez voter.",))]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "db.sqlite3") as s:
        yield s


@pytest.fixture
def track(store: Store, tmp_path: Path) -> Path:
    path = tmp_path / "subtitles" / "ep01" / "fr.srt"
    review.write_track(store, "ep01", "fr", path, A, "generated", "whisper")
    return path


def test_a_save_writes_srt_and_vtt_and_the_track_becomes_a_persons(store: Store, track: Path) -> None:
    opened = editing.version(track)
    saved = editing.save(store, "ep01", "fr", track, B, opened)
    assert saved.status == "edited" and files.read_srt(track) == B
    assert "Bonjour à toutes." in track.with_suffix(".vtt").read_text(encoding="utf-8")
    again = review.write_track(store, "ep01", "fr", track, A, "generated", "whisper")
    assert again.action == "kept"  # a person's file is never overwritten by the machine


def test_a_save_over_a_changed_file_is_refused_and_writes_nothing(store: Store, track: Path) -> None:
    opened = editing.version(track)
    track.write_text(track.read_text(encoding="utf-8").replace("tous", "vous"), encoding="utf-8")  # someone else
    theirs = track.read_bytes()
    with pytest.raises(editing.EditConflict, match="changed since it was opened: nothing was saved"):
        editing.save(store, "ep01", "fr", track, B, opened)
    with pytest.raises(editing.EditConflict):
        editing.approve(store, "ep01", "fr", track, opened, by="awa")
    assert track.read_bytes() == theirs and review.current(store, "ep01", "fr").status == "edited"


def test_a_file_that_did_not_exist_is_created_only_if_still_absent(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "subtitles" / "ep02" / "bm.srt"
    assert editing.version(path) == editing.ABSENT
    editing.save(store, "ep02", "bm", path, A, editing.ABSENT)
    assert review.current(store, "ep02", "bm").status == "edited"
    with pytest.raises(editing.EditConflict):
        editing.save(store, "ep02", "bm", path, B, editing.ABSENT)  # a second 'new file' comes too late


def test_saves_racing_from_two_threads_one_wins(store: Store, track: Path, tmp_path: Path) -> None:
    opened = editing.version(track)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def attempt(i: int) -> None:
        with Store(tmp_path / "db.sqlite3") as own:
            start.wait()
            try:
                editing.save(own, "ep01", "fr", track, [Cue(1.0, 3.0, (f"Version {i}",))], opened)
                outcomes.append("saved")
            except editing.EditConflict:
                outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["saved"]


def test_approve_names_the_reviewer(store: Store, track: Path) -> None:
    approved = editing.approve(store, "ep01", "fr", track, editing.version(track), by="awa")
    assert approved.status == "approved" and review.approved_by(store, "ep01", "fr") == "awa"
    review.approve(store, "ep01", "fr", track)  # the CLI's call, unchanged: no name, same file (no new step)
    assert review.approved_by(store, "ep01", "fr") == "awa"


def test_a_machine_refresh_is_compared_then_taken_or_kept(store: Store, track: Path) -> None:
    mine = [Cue(1.0, 3.0, ("Bonjour à vous.",)), *A[1:]]
    editing.save(store, "ep01", "fr", track, mine, editing.version(track))
    new = [*B, Cue(5.1, 6.0, ("Merci.",))]
    assert review.write_track(store, "ep01", "fr", track, new, "generated", "whisper").path == review.new_path(track)
    rows = editing.diff(files.read_srt(track), files.read_srt(review.new_path(track)))
    assert [r.kind for r in rows] == ["changed", "same", "new"]
    assert rows[0].mine.text == "Bonjour à vous." and rows[0].new.text == "Bonjour à toutes."

    editing.keep_mine(track, editing.version(track))
    assert not review.new_path(track).exists() and not review.new_path(track).with_suffix(".vtt").exists()
    assert files.read_srt(track) == mine

    review.write_track(store, "ep01", "fr", track, new, "generated", "whisper")
    with pytest.raises(editing.EditConflict):
        editing.take_new(store, "ep01", "fr", track, "0" * 64)  # opened before another save: refused
    editing.take_new(store, "ep01", "fr", track, editing.version(track))
    assert files.read_srt(track) == new and not review.new_path(track).exists()
    assert review.current(store, "ep01", "fr").status == "edited"  # a person's choice, to approve


def test_diff_of_a_person_who_removed_a_cue() -> None:
    rows = editing.diff(A[:1], A)
    assert [(r.kind, r.mine is None, r.new is None) for r in rows] == [("same", False, False), ("new", True, False)]
    rows = editing.diff(A, A[1:])
    assert [r.kind for r in rows] == ["mine", "same"]
