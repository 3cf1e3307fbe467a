"""The import's preview: a translator's file read and checked exactly as the import reads it, nothing written."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config
from pipeline.stages.subtitles_templates import prepare_import

ROOT = Path(__file__).resolve().parents[2]
HEADER = "n;début;fin;français;bamanankan\r\n"


def test_a_preview_reports_every_row_and_writes_nothing(tmp_path: Path) -> None:
    cfg = load_config(ROOT / "config.toml")
    sent = tmp_path / "traduction.csv"
    sent.write_bytes(("\ufeff" + HEADER + "1;00:00:01,000;00:00:02,500;Bonjour.;I ni ce  è\r\n"
                      "2;00:00:03,000;00:00:04,000;Merci.;\r\n"
                      "3;00:00:05,000;00:00:04,000;Au revoir.;K'an bɛn\r\n").encode())
    before = sorted(p.name for p in tmp_path.iterdir())
    ready = prepare_import(cfg, "ep01", "bm", sent, 25.0)
    assert ready.read_as == "UTF-8 (with BOM)" and len(ready.rows) == 3
    assert [p.split(":")[0] for p in ready.problems] == ["row 3", "row 4"]  # the header is row 1
    assert "the translation is empty" in ready.problems[0] and "not after its start" in ready.problems[1]
    assert ready.cues[0].text == "I ni ce è"           # as the import would write it: spaces tidied, letters kept
    assert ready.flagged and "may stand for 'ɛ'" in ready.flagged[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_clean_file_is_previewed_with_its_reading_remarks(tmp_path: Path) -> None:
    cfg = load_config(ROOT / "config.toml")
    sent = tmp_path / "traduction.csv"
    row = "1;00:00:01,000;00:00:01,400;Bonjour.;I ni ce, aw bɛɛ ka kɛnɛ wa\r\n"
    sent.write_text(HEADER + row, encoding="utf-8")
    ready = prepare_import(cfg, "ep01", "bm", sent)
    assert not ready.problems and len(ready.cues) == 1
    assert {v.rule for v in ready.violations} >= {"too-short", "cps"}
