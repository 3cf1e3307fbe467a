"""The WhatsApp pack (every file under the limit, the message in French and Bambara) and the radio pack."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Project
from offline_support import EP, offline_project, short_master  # noqa: F401 - fixture

from pipeline import ledger, paths
from pipeline.media import ffmpeg
from pipeline.media.synth import make_test_video
from pipeline.store import Store

WHATSAPP_LIMIT = 16_000_000  # 16 MB as carriers count: stricter than 16 MiB (16,777,216)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, sample_master: Path, short_master: Path) -> Project:  # noqa: F811
    root = tmp_path_factory.mktemp("packs")
    project = offline_project(root / "project", sample_master, short_master)
    clip = paths.clip_path(project.cfg, f"{EP}-clip1")
    clip.parent.mkdir(parents=True, exist_ok=True)  # a vertical clip as the clips stage leaves it (3 s, ~1 MB)
    make_test_video(clip, size="540x960", duration=3.0,
                    codec=["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "2500k", "-pix_fmt", "yuv420p"])
    return project


def _pack(project: Project, capsys, *args: str) -> dict:  # noqa: ANN001
    code, out, err = project.run("package", *args, "--json", capsys=capsys)
    assert code == 0, err
    return json.loads(out)


def test_every_file_of_the_whatsapp_pack_is_under_16_mb_and_the_message_is_in_both_languages(project, capsys) -> None:  # noqa: ANN001
    pack = _pack(project, capsys, "whatsapp", EP)
    names = {Path(f["path"]).name: f for f in pack["files"]}
    assert {f"{EP}.sous-titres-fr.mp4", f"{EP}.sous-titres-bm-fr.mp4", f"{EP}.extrait-1.mp4", f"{EP}.audio.ogg",
            f"{EP}.miniature.jpg", f"{EP}.message.txt"} <= set(names)
    for f in pack["files"]:
        assert Path(f["path"]).stat().st_size == f["bytes"] < WHATSAPP_LIMIT
    assert ffmpeg.probe(Path(names[f"{EP}.audio.ogg"]["path"])).audio_codec == "opus"
    message = Path(names[f"{EP}.message.txt"]["path"]).read_text(encoding="utf-8")
    assert "Voter, c'est choisir" in message and "Ka kalata kɛ" in message and "Mun na an ka kan" in message
    assert "youtu" not in message and any("not yet published" in n for n in pack["notes"])


def test_the_message_carries_the_youtube_link_once_published(project, capsys) -> None:  # noqa: ANN001
    cfg = project.cfg
    url = "https://youtu.be/emuVOTE01"
    with Store(cfg.project.database) as store:
        ledger.plan(store, EP, "youtube", EP, "season1.toml", datetime.now(UTC) - timedelta(days=1), "f.mp4", "x")
        ledger.update(store, EP, "youtube", "published", remote_id="emuVOTE01", url=url)
    pack = _pack(project, capsys, "whatsapp", EP)
    message = next(Path(f["path"]) for f in pack["files"] if f["path"].endswith(".message.txt"))
    text = message.read_text(encoding="utf-8")
    assert text.count(url) == 2  # in the French and in the Bambara part


def test_a_file_over_the_limit_is_made_again_smaller(project, capsys) -> None:  # noqa: ANN001
    config = project.config_path
    text = config.read_text(encoding="utf-8")
    assert "max_mb = 16 " in text
    config.write_text(text.replace("max_mb = 16 ", "max_mb = 0.4 ", 1), encoding="utf-8")
    try:
        pack = _pack(project, capsys, "whatsapp", EP, "--out", str(project.root / "relais"))
    finally:
        config.write_text(text, encoding="utf-8")
    clip = next(f for f in pack["files"] if f["path"].endswith(".extrait-1.mp4"))
    assert paths.clip_path(project.cfg, f"{EP}-clip1").stat().st_size > 400_000 > clip["bytes"]
    assert all(f["bytes"] < 400_000 for f in pack["files"])
    assert any("re-encoded" in n and ".vertical.mp4" in n for n in pack["notes"])
    info = ffmpeg.probe(Path(clip["path"]))
    assert info.height > info.width and abs(info.duration - 3.0) < 0.1  # still upright, still whole


def test_the_whatsapp_table_shows_sizes_and_the_cost_in_mb(project, capsys) -> None:  # noqa: ANN001
    code, out, _ = project.run("package", "whatsapp", EP, capsys=capsys)
    assert code == 0
    assert "coût d'un envoi" in out and " Mo" in out and "total" in out
    code, _, err = project.run("package", "whatsapp", "all", capsys=capsys)
    assert code == 2 and "one episode" in err


def test_the_radio_pack_gives_the_duration_to_the_second_and_a_note_in_both_languages(project, capsys) -> None:  # noqa: ANN001
    pack = _pack(project, capsys, "radio", EP)
    files = {Path(f["path"]).name: Path(f["path"]) for f in pack["files"]}
    audio = files[f"{EP}.radio.m4a"]
    loudness, _ = ffmpeg.ebur128(audio)
    assert abs(loudness + 23.0) < 1.0
    note = files[f"{EP}.fiche-programme.txt"].read_text(encoding="utf-8")
    assert f"{EP}.radio.m4a : 6 s (6 s)" in note
    assert "Voter, c'est choisir" in note and "Ka kalata kɛ" in note and "— Bamanankan —" in note
    assert "Une production AJCAD Mali" in note
