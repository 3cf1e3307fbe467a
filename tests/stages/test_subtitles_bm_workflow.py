"""Bambara subtitles as translators make them: template out, their file back in, status, backends.

The "by hand" files below are what a translator sends back: a CSV from a spreadsheet (UTF-8
with BOM, semicolons), an SRT from Subtitle Edit (CRLF), a "Unicode text" export (UTF-16,
tabs), and an old Windows export (cp1252, where ɛ/ɔ became è/ò).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import SAMPLE, Project
from test_subtitles import SPEECH, _project  # noqa: F401 - shared fixtures and project builder
from test_subtitles import master as master  # noqa: PLC0414 - module fixture reused
from test_subtitles import tiny_ct2 as tiny_ct2  # noqa: PLC0414

from pipeline.captions import files
from pipeline.media.synth import SAMPLE_STRETCHES

BM_ROWS = [  # start, end, French, Bambara: every Bambara letter, lines and reading speed within the rules
    ("00:00:00,500", "00:00:02,400", "Bonjour et bienvenue.", "I ni ce, aw bɛɛ ka kɛnɛ wa?"),
    ("00:00:02,500", "00:00:04,300", "Nous parlons de la commune.", "An bɛ ŋaniya komini ko la."),
    ("00:00:04,400", "00:00:05,900", "Allez voter à la mairie.", "Aw ka taa ɲɛnatɔmɔ kɛ."),
]
HEADER = ["n", "début", "fin", "français", "bamanankan"]


def csv_bytes(rows: list[tuple[str, ...]], delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(HEADER)
    for n, row in enumerate(rows, 1):
        w.writerow([n, *row])
    return out.getvalue().encode(encoding)


def srt_bytes(rows: list[tuple[str, ...]]) -> bytes:
    blocks = [f"{n}\r\n{s} --> {e}\r\n{bm}\r\n" for n, (s, e, _, bm) in enumerate(rows, 1)]
    return "\r\n".join(blocks).encode("utf-8")


@pytest.fixture
def plain(tmp_path: Path, master: Path) -> Project:  # noqa: F811
    """The short episode ep01 and no Bambara model: what translators' files need (no tiny model, never skipped)."""
    return _project(tmp_path / "project", master, "whisper-base")


@pytest.fixture
def proj(tmp_path: Path, master: Path, tiny_ct2: Path) -> Project:  # noqa: F811
    """The short episode ep01, with a Bambara speech route on the tiny model (a 'fine-tune' reusing fr)."""
    p = _project(tmp_path / "project", master, str(tiny_ct2))
    text = p.config_path.read_text(encoding="utf-8").replace(
        'route = ""', f'route = "speech"\nspeech_model = "{tiny_ct2}"\nlanguage_token = "fr"')
    p.config_path.write_text(text, encoding="utf-8")
    return p


def status_of(p: Project, capsys: pytest.CaptureFixture, asset: str = "ep01", lang: str = "bm") -> dict:
    code, out, err = p.run("subtitles", "status", "--json", capsys=capsys)
    assert code == 0, err
    return next(r for r in json.loads(out) if r["asset"] == asset and r["lang"] == lang)


def test_template_for_the_sample_episode_has_slots_only_over_speech(project: Project, capsys) -> None:
    fr = project.root / "subtitles" / SAMPLE / "fr.srt"
    fr.parent.mkdir(parents=True)
    fr.write_text("1\n00:00:01,200 --> 00:00:05,000\nBonjour et bienvenue.\n\n"
                  "2\n00:00:25,000 --> 00:00:27,000\nMerci d'avoir regardé.\n\n"  # a phantom over music
                  "3\n00:00:48,000 --> 00:00:52,000\nAllez voter.\n", encoding="utf-8")
    code, out, err = project.run("subtitles", "template", SAMPLE, "--lang", "bm", "--format", "srt,csv,xlsx",
                                 "--json", capsys=capsys)
    assert code == 0, err
    (result,) = json.loads(out)
    assert any("1 French cue(s) over no detected speech" in n for n in result["notes"])
    folder = project.root / "subtitles" / SAMPLE
    names = {Path(f).name for f in result["files"]}
    assert names == {"bm.template.srt", "bm.reference-fr.srt", "bm.template.csv", "bm.template.xlsx"}
    rows = list(csv.reader(io.StringIO((folder / "bm.template.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADER and len(rows) - 1 == result["slots"] > 4
    speech = [s for s in SAMPLE_STRETCHES if s.kind == "speech"]
    slots = files.read_srt(folder / "bm.template.srt")
    assert len(slots) == result["slots"]
    for cue in slots:  # inside a speech stretch (VAD pads by 0.2 s), never longer than a cue may be
        assert any(s.start - 0.5 <= cue.start and cue.end <= s.end + 0.5 for s in speech), cue
        assert cue.end - cue.start <= 7.0 + 1e-3 and cue.text == "[à traduire]"
    for s in speech:  # every speech stretch gets slots over most of it
        covered = sum(min(c.end, s.end) - max(c.start, s.start) for c in slots if c.end > s.start and c.start < s.end)
        assert covered > 0.7 * (s.end - s.start)
    ref = files.read_srt(folder / "bm.reference-fr.srt")
    assert [(c.start, c.end) for c in ref] == [(c.start, c.end) for c in slots]
    by_time = {(r[1], r[2]): r[3] for r in rows[1:]}
    assert by_time[("00:00:01,200", "00:00:05,000")] == "Bonjour et bienvenue."  # French cue keeps its timing
    assert "Merci d'avoir regardé." not in by_time.values()
    from openpyxl import load_workbook

    sheet = load_workbook(folder / "bm.template.xlsx").active
    assert [c.value for c in sheet[1]] == HEADER and sheet.max_row == len(rows)
    assert status_of(project, capsys, SAMPLE)["state"] == "in translation"
    # a translator who filled the CSV in place keeps their file: a new template goes beside it
    (folder / "bm.template.csv").write_bytes(csv_bytes([BM_ROWS[0]]))
    code, out, err = project.run("subtitles", "template", SAMPLE, "--format", "csv", "--json", capsys=capsys)
    assert code == 0 and "I ni ce" in (folder / "bm.template.csv").read_text(encoding="utf-8-sig")
    assert (folder / "bm.template.new.csv").is_file() and "was changed by someone" in out


def test_translators_files_import_lint_clean_and_survive_regeneration(proj: Project, tmp_path: Path,
                                                                      capsys) -> None:
    srt = proj.root / "subtitles" / "ep01" / "bm.srt"
    code, out, err = proj.run("subtitles", "template", "ep01", "--lang", "bm", "--json", capsys=capsys)
    assert code == 0, err
    assert any("made a machine draft first (speech route" in n for n in json.loads(out)[0]["notes"])
    template = (proj.root / "subtitles" / "ep01" / "bm.template.csv").read_text(encoding="utf-8-sig")
    assert "bon" in template  # the machine draft beside each slot, to correct
    st = status_of(proj, capsys)
    assert st["state"] == "in translation" and {"draft", "template"} <= st["changed"].keys()

    filled = tmp_path / "ep01-bm.csv"
    filled.write_bytes(csv_bytes(BM_ROWS))
    code, out, err = proj.run("subtitles", "import", "ep01", "--lang", "bm", str(filled), "--json", capsys=capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["read_as"] == "UTF-8 (with BOM)" and result["cues"] == 3 and result["violations"] == []
    assert result["flagged"] == [] and result["backup"] is None  # the draft was the machine's: nothing to keep
    text = srt.read_text(encoding="utf-8")
    assert all(ch in text for ch in "ɛɔɲŋ") and "00:00:04,400 --> 00:00:05,900" in text
    assert srt.with_suffix(".vtt").read_text(encoding="utf-8").count("-->") == 3
    st = status_of(proj, capsys)
    assert st["state"] == "imported" and st["violations"] == 0 and "imported" in st["changed"]
    assert st["changed"]["imported"].endswith("+00:00")  # Bamako is UTC+0, shown with its offset

    before = srt.read_bytes()
    code, out, err = proj.run("subtitles", "ep01", "--lang", "bm", "--force", "--json", capsys=capsys)
    assert code == 0, err
    assert json.loads(out)[0]["action"] == "kept"
    assert srt.read_bytes() == before and (srt.parent / "bm.new.srt").is_file()
    assert status_of(proj, capsys)["state"] == "imported"

    # the same work as an SRT from Subtitle Edit, one line too long for the rules: re-flowed
    long_rows = [(BM_ROWS[0][0], "00:00:04,300", "", "I ni ce, aw bɛɛ ka kɛnɛ wa? An bɛ ŋaniya komini ko la."),
                 BM_ROWS[2]]
    (tmp_path / "ep01-bm.srt").write_bytes(srt_bytes(long_rows))
    code, out, err = proj.run("subtitles", "import", "ep01", "--lang", "bm", str(tmp_path / "ep01-bm.srt"),
                              "--json", capsys=capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["violations"] == [] and Path(result["backup"]).read_bytes() == before  # the CSV import kept
    first = files.read_srt(srt)[0]
    assert first.lines == ("I ni ce, aw bɛɛ ka kɛnɛ wa?", "An bɛ ŋaniya komini ko la.")

    code, _, err = proj.run("subtitles", "approve", "ep01", "bm", capsys=capsys)
    assert code == 0, err
    st = status_of(proj, capsys)
    assert st["state"] == "approved" and {"draft", "template", "imported", "approved"} <= st["changed"].keys()
    code, out, _ = proj.run("subtitles", "status", capsys=capsys)
    assert "approved" in out and "Africa/Bamako" in out


@pytest.mark.parametrize(("encoding", "delimiter", "read_as"), [
    ("utf-16", "\t", "UTF-16"),          # spreadsheet "Unicode text" export: BOM + tabs
    ("utf-8", ",", "UTF-8"),
])
def test_spreadsheet_exports_read_correctly(plain: Project, tmp_path: Path, capsys, encoding: str, delimiter: str,
                                            read_as: str) -> None:
    f = tmp_path / "export.txt"
    f.write_bytes(csv_bytes(BM_ROWS, delimiter, encoding))
    code, out, err = plain.run("subtitles", "import", "ep01", "--lang", "bm", str(f), "--json", capsys=capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["read_as"] == read_as and result["violations"] == [] and result["flagged"] == []
    cues = files.read_srt(plain.root / "subtitles" / "ep01" / "bm.srt")
    assert [c.text for c in cues] == [r[3] for r in BM_ROWS]


def test_windows_1252_export_reads_and_lookalikes_are_flagged_not_changed(plain: Project, tmp_path: Path,
                                                                         capsys) -> None:
    rows = [(s, e, fr, bm.replace("ɛ", "è").replace("ɔ", "ò").replace("ɲ", "ñ").replace("ŋ", "n"))
            for s, e, fr, bm in BM_ROWS]
    f = tmp_path / "old-excel.csv"
    f.write_bytes(csv_bytes(rows, ";", "cp1252"))
    code, out, err = plain.run("subtitles", "import", "ep01", "--lang", "bm", str(f), capsys=capsys)
    assert code == 0, err
    assert "read as Windows-1252" in out
    assert "check: cue 1 (row 2): 'è' (U+00E8 latin small letter e with grave) may stand for 'ɛ'" in out
    assert "may stand for 'ɔ'" in out and "may stand for 'ɲ'" in out
    assert "kènè" in (plain.root / "subtitles" / "ep01" / "bm.srt").read_text(encoding="utf-8")  # not rewritten


def test_xlsx_round_trip(plain: Project, tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    code, out, err = plain.run("subtitles", "template", "ep01", "--format", "xlsx", capsys=capsys)
    assert code == 0, err
    book = load_workbook(plain.root / "subtitles" / "ep01" / "bm.template.xlsx")
    sheet = book.active
    assert sheet.max_row >= 2
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, 5).value = "Ɲɛ ka ɲi."
    book.save(tmp_path / "done.xlsx")
    code, out, err = plain.run("subtitles", "import", "ep01", str(tmp_path / "done.xlsx"), "--json", capsys=capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["read_as"] == "XLSX" and result["cues"] == sheet.max_row - 1
    assert result["violations"] == []  # the template's timing itself obeys the rules


def test_a_malformed_file_gets_errors_naming_rows_and_nothing_is_written(plain: Project, tmp_path: Path,
                                                                         capsys) -> None:
    srt = plain.root / "subtitles" / "ep01" / "bm.srt"
    bad = [BM_ROWS[0], ("00:00:02,500", "00:00:04,300", "Nous parlons.", ""),
           ("00:00:04,000", "00:00:05,000", "x", "Aw ka taa."), ("00:00:05,9x", "00:00:06,500", "y", "Ayiwa.")]
    f = tmp_path / "bad.csv"
    f.write_bytes(csv_bytes(bad))
    code, out, err = plain.run("subtitles", "import", "ep01", "--lang", "bm", str(f), capsys=capsys)
    lines = err.strip().splitlines()
    assert code == 2 and lines[0].startswith("error: bad.csv (UTF-8 (with BOM)): 3 problem(s), nothing imported")
    assert "row 3: the translation is empty" in lines[0]
    assert "row 4: starts at 00:00:04,000, before row 3 ends (00:00:04,300)" in lines[0]
    assert "row 5: unreadable time '00:00:05,9x'" in lines[0]
    assert lines[1].startswith("hint: ") and len(lines) == 2 and not srt.exists()
    f.write_bytes(b"n;d\xe9but\n1;\x81\x8d\x8f\n")  # bytes no encoding reads
    code, _, err = plain.run("subtitles", "import", "ep01", "--lang", "bm", str(f), capsys=capsys)
    assert code == 2 and "unreadable text (neither UTF-8, UTF-16 nor Windows-1252" in err
    (tmp_path / "bad.srt").write_text("1\n00:00:01,000 -> 00:00:02,000\nAyiwa\n\n2\n00:00:03,000 --> 00:00:04,000\n"
                                      "[à traduire]\n", encoding="utf-8")
    code, _, err = plain.run("subtitles", "import", "ep01", str(tmp_path / "bad.srt"), capsys=capsys)
    assert code == 2 and "cue 1 (line 1): no 'HH:MM:SS,mmm --> HH:MM:SS,mmm' time line" in err
    assert "cue 2 (line 5): the translation is empty" in err
    code, _, err = plain.run("subtitles", "import", "ep01", str(tmp_path / "missing.csv"), capsys=capsys)
    assert code == 2 and "file not found" in err and not srt.exists()


def test_speech_route_through_openai_whisper_checkpoint(proj: Project, tiny_ct2: Path, tmp_path: Path,  # noqa: F811
                                                        capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Bambara route with a .pt fine-tune: the tiny model's checkpoint, loaded by openai-whisper."""
    import torch

    from pipeline.asr import weights

    monkeypatch.setenv("WEBSERIES_MODEL_CACHE", str(tmp_path / "cache"))
    pt = weights.openai_checkpoint(tiny_ct2)  # the same tensors as the faster-whisper model, as a .pt
    assert torch.load(pt, weights_only=False)["dims"]["n_text_state"] == 64
    text = proj.config_path.read_text(encoding="utf-8").replace(
        f'speech_model = "{tiny_ct2}"', f'speech_model = "{pt}"\nspeech_backend = "openai-whisper"')
    proj.config_path.write_text(text, encoding="utf-8")
    code, out, err = proj.run("subtitles", "ep01", "--lang", "bm", "--json", capsys=capsys)
    if code != 0:  # greedy decoding of random weights may say nothing: the error must then be clear
        assert "the Bambara model recognised no speech" in err
        pytest.skip("the tiny checkpoint said nothing on this audio under greedy decoding")
    (bm,) = json.loads(out)
    assert bm["route"] == "speech" and bm["status"] == "draft" and bm["cues"] > 0


@pytest.mark.parametrize(("backend", "model", "message"), [
    ("transformers", "DIR", "needs the Python package 'transformers'"),
    ("mms", "DIR", "needs the Python package 'transformers'"),
    ("nemo", "FILE", "needs the Python package 'nemo'"),
])
def test_backends_without_their_package_say_what_to_do(plain: Project, tmp_path: Path, capsys, backend: str,
                                                       model: str, message: str) -> None:
    import importlib.util

    package = "nemo" if backend == "nemo" else "transformers"
    if importlib.util.find_spec(package):
        pytest.skip(f"{package} is installed here")
    path = tmp_path / "model.nemo" if model == "FILE" else tmp_path / "hf"
    path.write_bytes(b"x") if model == "FILE" else path.mkdir()
    text = plain.config_path.read_text(encoding="utf-8")
    text = text[:text.index("[subtitles.bambara]")] + (
        f'[subtitles.bambara]\nroute = "speech"\nspeech_backend = "{backend}"\nspeech_model = "{path}"\n'
        f'language_token = "fr"\n') + text[text.index("[subtitles.burn]"):]
    plain.config_path.write_text(text, encoding="utf-8")
    code, _, err = plain.run("subtitles", "ep01", "--lang", "bm", capsys=capsys)
    assert code == 2 and message in err and "hint: pip install" in err and "ct2-transformers-converter" in err


def test_nllb_route_states_its_licence(plain: Project, tmp_path: Path, capsys) -> None:
    text = plain.config_path.read_text(encoding="utf-8").replace(
        'route = ""', f'route = "translation"\ntranslation_model = "{tmp_path / "nllb"}"')
    plain.config_path.write_text(text, encoding="utf-8")
    code, _, err = plain.run("subtitles", "ep01", "--lang", "bm", capsys=capsys)
    assert code == 2 and "CC-BY-NC" in err and "translation model not found" in err
    assert "CC-BY-NC" in (plain.root / "config.toml").read_text(encoding="utf-8")


def test_tiny_model_through_the_faster_whisper_path_is_a_draft(proj: Project, capsys) -> None:
    code, out, err = proj.run("subtitles", "ep01", "--lang", "bm", "--json", capsys=capsys)
    assert code == 0, err
    (bm,) = json.loads(out)
    assert bm["status"] == "draft" and bm["route"] == "speech" and bm["cues"] > 0 and "approve" in bm["notes"][0]


def test_status_follows_each_step_without_any_model(plain: Project, tmp_path: Path, capsys) -> None:
    assert status_of(plain, capsys)["state"] == "missing" and status_of(plain, capsys, lang="fr")["state"] == "missing"
    assert plain.run("subtitles", "template", "ep01", capsys=capsys)[0] == 0
    st = status_of(plain, capsys)
    assert st["state"] == "in translation" and st["violations"] is None and list(st["changed"]) == ["template"]
    fast = [(BM_ROWS[0][0], "00:00:01,000", "", "I ni ce, aw bɛɛ ka kɛnɛ wa? Aw ka taa ɲɛnatɔmɔ kɛ.")]
    (tmp_path / "fast.csv").write_bytes(csv_bytes(fast))  # 47 characters in half a second: lint says so
    code, out, err = plain.run("subtitles", "import", "ep01", str(tmp_path / "fast.csv"), capsys=capsys)
    assert code == 0, err
    assert "lint: cue 1 at 00:00:00,500: cps" in out
    st = status_of(plain, capsys)
    assert st["state"] == "imported" and st["status"] == "edited" and st["violations"] >= 1
    srt = plain.root / "subtitles" / "ep01" / "bm.srt"
    srt.write_text(srt.read_text(encoding="utf-8").replace("I ni ce", "I ni sɔgɔma"), encoding="utf-8")
    assert status_of(plain, capsys)["state"] == "edited"  # changed by hand after the import
    assert plain.run("subtitles", "approve", "ep01", "bm", capsys=capsys)[0] == 2  # lint: cps
    assert plain.run("subtitles", "approve", "ep01", "bm", "--force", capsys=capsys)[0] == 0
    st = status_of(plain, capsys)
    assert st["state"] == "approved" and {"template", "imported", "edited", "approved"} <= st["changed"].keys()
