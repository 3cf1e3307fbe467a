"""A file a person edited is never overwritten: the new machine version goes beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.captions import review
from pipeline.errors import PipelineError
from pipeline.models import Cue
from pipeline.store import Store

A = [Cue(1.0, 3.0, ("Bonjour à tous.",))]
B = [Cue(1.0, 3.0, ("Bonjour à toutes et à tous.",))]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "db.sqlite3") as s:
        yield s


def test_generated_file_is_rewritten_and_unchanged_is_left(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ep01" / "fr.srt"
    assert review.write_track(store, "ep01", "fr", path, A, "generated", "whisper").action == "written"
    assert review.write_track(store, "ep01", "fr", path, A, "generated", "whisper").action == "unchanged"
    out = review.write_track(store, "ep01", "fr", path, B, "generated", "whisper")
    assert out.action == "written" and "toutes" in path.read_text()
    assert "toutes" in path.with_suffix(".vtt").read_text()
    assert review.get_track(store, "ep01", "fr").status == "generated"


def test_edited_file_is_kept_and_new_version_written_beside(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ep01" / "fr.srt"
    review.write_track(store, "ep01", "fr", path, A, "generated", "whisper")
    edited = path.read_text().replace("Bonjour", "Salut")
    path.write_text(edited, encoding="utf-8")
    assert review.refresh(store, review.get_track(store, "ep01", "fr")).status == "edited"
    out = review.write_track(store, "ep01", "fr", path, B, "generated", "whisper")
    assert out.action == "kept" and out.path.name == "fr.new.srt"
    assert path.read_text() == edited                       # the person's work is intact
    assert "toutes" in (path.parent / "fr.new.srt").read_text()
    assert "Salut" in path.with_suffix(".vtt").read_text()  # the sidecar VTT follows the person's SRT
    assert review.get_track(store, "ep01", "fr").status == "edited"


def test_approved_file_is_protected_and_later_edits_show(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ep01" / "bm.srt"
    review.write_track(store, "ep01", "bm", path, A, "draft", "translation")
    assert review.get_track(store, "ep01", "bm").status == "draft"
    track = review.approve(store, "ep01", "bm", path)
    assert track.status == "approved" and track.approved_sha256
    out = review.write_track(store, "ep01", "bm", path, B, "draft", "translation")
    assert out.action == "kept" and "Bonjour à tous." in path.read_text()
    path.write_text(path.read_text() + "\n", encoding="utf-8")
    assert review.refresh(store, review.get_track(store, "ep01", "bm")).status == "edited"


def test_file_the_pipeline_never_wrote_is_a_persons(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ep01" / "bm.srt"
    path.parent.mkdir()
    path.write_text("1\n00:00:01,000 --> 00:00:03,000\nI ni ce\n", encoding="utf-8")
    out = review.write_track(store, "ep01", "bm", path, A, "draft", "translation")
    assert out.action == "kept" and "I ni ce" in path.read_text()


def test_approve_missing_file_is_an_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="does not exist"):
        review.approve(store, "ep01", "fr", tmp_path / "nope.srt")


def test_an_edit_after_approval_is_not_approved_wherever_it_is_read(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ep01" / "fr.srt"
    review.write_track(store, "ep01", "fr", path, A, "generated", "whisper")
    review.approve(store, "ep01", "fr", path)
    assert review.current(store, "ep01", "fr").status == "approved"
    path.write_text(path.read_text().replace("Bonjour", "Salut"), encoding="utf-8")
    track = review.current(store, "ep01", "fr")
    assert track.status == "edited" and track.changed_since_approval
    assert review.get_track(store, "ep01", "fr").status == "edited"  # stored back, in its history too
    assert review.events(store, "ep01", "fr")[-1][0] == "edited"
    assert review.current(store, "ep02", "fr") is None


def test_tracks_copied_to_another_database_as_they_are_now(store: Store, tmp_path: Path) -> None:
    for lang, cues in (("fr", A), ("bm", B)):
        path = tmp_path / "ep01" / f"{lang}.srt"
        review.write_track(store, "ep01", lang, path, cues, review.machine_status(lang), "test")
        review.approve(store, "ep01", lang, path)
    (tmp_path / "ep01" / "bm.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nAwɔ\n", encoding="utf-8")
    with Store(tmp_path / "other.sqlite3") as other:
        copied = review.copy_tracks(store, other, "ep01")
        assert {t.lang: t.status for t in copied} == {"bm": "edited", "fr": "approved"}
        assert [(t.lang, t.status) for t in review.all_tracks(other)] == [("bm", "edited"), ("fr", "approved")]
