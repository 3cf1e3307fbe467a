"""A translator's file that must not come in as it is, and what the import says instead.

Each case is what a tester found getting through (issue 11): letters turned into "?", a backup
overwritten, formulas in the team's own template, a full disk, a page pasted into one cue,
cues after the end, an unknown language, markup and control bytes; and approval, which now
shows the text's problems and records who approved.
"""

from __future__ import annotations

import csv
import io
import json
import resource
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import Project
from test_subtitles import _project
from test_subtitles import master as master  # noqa: PLC0414 - module fixture reused
from test_subtitles_bm_workflow import BM_ROWS, csv_bytes, srt_bytes

from pipeline.captions import files
from pipeline.errors import PipelineError
from pipeline.media.synth import make_test_video
from pipeline.stages import subtitles_templates
from pipeline.stages.subtitles_templates import import_file
from pipeline.store import Store


@pytest.fixture
def plain(tmp_path: Path, master: Path) -> Project:  # noqa: F811
    return _project(tmp_path / "project", master, "whisper-base")


def bm_srt(p: Project) -> Path:
    return p.root / "subtitles" / "ep01" / "bm.srt"


def imported(p: Project, capsys, source: Path, *extra: str) -> tuple[int, str, str]:  # noqa: ANN001
    return p.run("subtitles", "import", "ep01", "--lang", "bm", str(source), *extra, capsys=capsys)


# ------------------------------------------------------------------ item 1

def test_question_marks_for_bambara_letters_refuse_the_import_and_say_how_to_save(plain: Project, tmp_path: Path,
                                                                                  capsys) -> None:
    rows = [(BM_ROWS[0][0], BM_ROWS[0][1], "Bonjour.", "I ni ce aw b??."),          # "bɛɛ" as French Excel saves it
            (BM_ROWS[1][0], BM_ROWS[1][1], "La commune.", "An b? ?aniya komini ko la."),
            (BM_ROWS[2][0], BM_ROWS[2][1], "Votez.", "Aw bɛ di?")]                    # a real question
    f = tmp_path / "excel-point-virgule.csv"
    f.write_bytes(csv_bytes([(s, e, fr, bm.replace("ɛ", "e")) for s, e, fr, bm in rows], ";", "cp1252"))
    code, _, err = imported(plain, capsys, f)
    assert code == 2 and "nothing imported" in err and not bm_srt(plain).exists()
    assert "row 2" in err and "row 3" in err and "row 4" not in err
    hint = err.strip().splitlines()[-1]
    assert hint.startswith("hint: ") and "CSV UTF-8" in hint and ".xlsx" in hint and "ɛ ɔ ɲ ŋ" in hint
    utf8 = tmp_path / "utf8.csv"  # a "?" between letters is refused whatever the encoding
    utf8.write_bytes(csv_bytes([(BM_ROWS[0][0], BM_ROWS[0][1], "x", "An b?n ko la.")]))
    code, _, err = imported(plain, capsys, utf8)
    assert code == 2 and "row 2" in err and not bm_srt(plain).exists()


# ------------------------------------------------------------------ item 2

def test_imports_within_one_second_keep_every_earlier_file(plain: Project, tmp_path: Path, capsys,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subtitles_templates, "utcnow", lambda: datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC))
    versions = []
    for word in ("ce", "sɔgɔma", "wula"):
        f = tmp_path / f"{word}.srt"
        f.write_bytes(srt_bytes([(s, e, fr, bm.replace("ce", word)) for s, e, fr, bm in BM_ROWS]))
        code, out, err = imported(plain, capsys, f, "--json")
        assert code == 0, err
        versions.append(bm_srt(plain).read_bytes())
    kept = sorted(bm_srt(plain).parent.glob("bm.before-import-*.srt"))
    assert sorted(k.read_bytes() for k in kept) == sorted(versions[:2])  # the person's first two, both kept


# ------------------------------------------------------------------ item 3

def test_the_teams_own_template_round_trips_text_that_looks_like_a_formula(plain: Project, capsys) -> None:
    """French and a Bambara draft that a spreadsheet would run as formulas: the template holds them as
    text (XLSX string cells, CSV cells quoted the OWASP way) and reads back exactly what was written."""
    from openpyxl import load_workbook

    dangerous = ['=HYPERLINK("http://x.ml","clic")', "+cmd|' /C calc'!A0", "@SOMME(A1)"]
    times = ("00:00:00,500 --> 00:00:01,900", "00:00:02,100 --> 00:00:03,500", "00:00:03,700 --> 00:00:04,900")
    folder = plain.root / "subtitles" / "ep01"
    folder.mkdir(parents=True)
    for lang, texts in (("fr", dangerous), ("bm", ["- " + t for t in dangerous])):
        (folder / f"{lang}.srt").write_text("".join(f"{i}\n{t}\n{x}\n\n" for i, (t, x) in enumerate(
            zip(times, texts, strict=True), 1)), encoding="utf-8")
    code, out, err = plain.run("subtitles", "template", "ep01", "--format", "csv,xlsx", "--json", capsys=capsys)
    assert code == 0, err
    sheet = load_workbook(folder / "bm.template.xlsx").active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row[3:5]]
    assert {c.value for c in cells} == {*dangerous, *("- " + t for t in dangerous)}
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    rows = list(csv.reader(io.StringIO((folder / "bm.template.csv").read_text(encoding="utf-8-sig")), delimiter=";"))
    assert all(r[3].startswith("'") and r[4].startswith("'") for r in rows[1:])
    for name in ("bm.template.xlsx", "bm.template.csv"):  # sent back untouched: read back exactly
        code, out, err = imported(plain, capsys, folder / name, "--json")
        assert code == 0, err
        assert [c.text for c in files.read_srt(bm_srt(plain))] == ["- " + t for t in dangerous]


# ------------------------------------------------------------------ item 9

def test_a_full_disk_is_a_clean_error_and_leaves_no_backup(plain: Project, tmp_path: Path, capsys) -> None:
    first = tmp_path / "first.srt"
    first.write_bytes(srt_bytes(BM_ROWS))
    assert imported(plain, capsys, first)[0] == 0  # a person's bm.srt to keep
    before = bm_srt(plain).read_bytes()
    many = [(f"00:00:0{n // 10},{n % 10}00", f"00:00:0{n // 10},{n % 10}90", "",
             f"Aw ka taa ɲɛnatɔmɔ kɛ komini la {n}, aw bɛɛ ka kɛnɛ wa?") for n in range(59)]  # 6 s, ~4 KB
    big = tmp_path / "big.srt"
    big.write_bytes(srt_bytes(many))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    with Store(plain.cfg.project.database) as store:
        for _ in range(2):  # two attempts: still no copy of the person's file left behind
            resource.setrlimit(resource.RLIMIT_FSIZE, (len(before) + 2000, hard))  # no room for the new file
            try:
                with pytest.raises(PipelineError) as err:
                    import_file(plain.cfg, store, "ep01", "bm", big)
            finally:
                resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            assert "nothing was imported" in err.value.message and err.value.hint
    assert bm_srt(plain).read_bytes() == before
    assert not list(bm_srt(plain).parent.glob("bm.before-import-*")) and not list(bm_srt(plain).parent.glob(".*"))


# ------------------------------------------------------------------ item 10

def test_a_page_pasted_into_one_cue_is_refused_at_once(plain: Project, tmp_path: Path) -> None:
    huge = tmp_path / "huge.srt"
    huge.write_text("1\n00:00:01,000 --> 00:00:05,000\n" + " ".join(["bɛɛ"] * 250_000) + "\n", encoding="utf-8")
    done = plain.run_process("subtitles", "import", "ep01", "--lang", "bm", str(huge), timeout=120)
    assert done.returncode == 2 and "characters in one subtitle" in done.stderr and "hint:" in done.stderr
    assert not bm_srt(plain).exists()
    enormous = tmp_path / "enormous.srt"
    enormous.write_bytes(b"1\n00:00:01,000 --> 00:00:05,000\n" + b"x" * 6_000_000 + b"\n")
    done = plain.run_process("subtitles", "import", "ep01", "--lang", "bm", str(enormous), timeout=120)
    assert done.returncode == 2 and "MB" in done.stderr and "hint:" in done.stderr


# ------------------------------------------------------------------ item 12

def test_cues_after_the_end_of_the_episode_are_refused(plain: Project, tmp_path: Path, capsys) -> None:
    f = tmp_path / "late.csv"
    f.write_bytes(csv_bytes([*BM_ROWS, ("00:00:07,000", "00:00:09,000", "", "Ayiwa.")]))  # the master lasts 6 s
    code, _, err = imported(plain, capsys, f)
    assert code == 2 and "row 5" in err and "after the end of the episode" in err and not bm_srt(plain).exists()


@pytest.mark.parametrize(("args", "said"), [
    (("subtitles", "import", "ep01", "--lang", "xx", "FILE"), "unknown language code 'xx'"),
    (("subtitles", "template", "ep01", "--lang", "xx"), "unknown language code 'xx'"),
    (("subtitles", "lint", "FILE", "--fps", "-5"), "--fps"),
    (("subtitles", "lint", "FILE", "--fps", "0"), "--fps"),
    (("subtitles", "lint", "FILE", "--fps", "nan"), "--fps"),
    (("clips", "ep01", "--count", "-1"), "--count"),
])
def test_values_that_mean_nothing_are_refused(plain: Project, tmp_path: Path, args: tuple[str, ...],
                                              said: str) -> None:
    f = tmp_path / "ok.srt"
    f.write_bytes(srt_bytes(BM_ROWS))
    done = plain.run_process(*[str(f) if a == "FILE" else a for a in args])
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (plain.root / "subtitles" / "ep01" / "xx.srt").exists()


# ------------------------------------------------------------------ item 13

def test_markup_and_control_bytes_are_removed_and_said(plain: Project, tmp_path: Path, capsys) -> None:
    rows = [(BM_ROWS[0][0], BM_ROWS[0][1], "", "<script>x</script>I ni ce\x07"),
            (BM_ROWS[1][0], BM_ROWS[1][1], "", "{\\an8}<b onmouseover=alert(1)>An bɛ</b> & <i>aw</i>"),
            BM_ROWS[2]]
    f = tmp_path / "html.csv"
    f.write_bytes(csv_bytes(rows))
    code, out, err = imported(plain, capsys, f, "--json")
    assert code == 0, err
    result = json.loads(out)
    said = " ".join(result["flagged"])
    assert "<script>" in said and "U+0007" in said and "{\\an8}" in said and "onmouseover" in said
    cues = files.read_srt(bm_srt(plain))
    assert [c.text for c in cues[:2]] == ["xI ni ce", "An bɛ & <i>aw</i>"]
    assert "An bɛ &amp; <i>aw</i>" in bm_srt(plain).with_suffix(".vtt").read_text(encoding="utf-8")


# ------------------------------------------------------------------ item 11

@pytest.fixture(scope="module")
def ntsc_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_test_video(tmp_path_factory.mktemp("ntsc") / "ep01.mp4", size="320x240", fps="30000/1001",
                           duration=6.0, speech="Bonjour et bienvenue. Allez voter.")


def test_lint_uses_the_episodes_frame_rate(tmp_path: Path, ntsc_master: Path, capsys) -> None:
    p = _project(tmp_path / "project", ntsc_master, "whisper-base")
    rows = [("00:00:00,500", "00:00:02,433", "", "I ni ce, aw bɛɛ ka kɛnɛ wa?"),   # 67 ms = two frames at 29.97
            ("00:00:02,500", "00:00:04,300", "", "An bɛ ŋaniya komini ko la.")]
    f = tmp_path / "ntsc.csv"
    f.write_bytes(csv_bytes(rows))
    code, out, err = imported(p, capsys, f, "--json")
    assert code == 0 and json.loads(out)["violations"] == [], out
    code, out, _ = p.run("subtitles", "lint", "ep01", "--json", capsys=capsys)
    assert code == 0 and json.loads(out)[0]["violations"] == []
    code, _, err = p.run("subtitles", "approve", "ep01", "bm", capsys=capsys)
    assert code == 0, err
    bare = tmp_path / "bm.srt"  # a bare file has no master: --fps says its rate
    bare.write_bytes(bm_srt(p).read_bytes())
    assert p.run("subtitles", "lint", str(bare), capsys=capsys)[0] == 1
    assert p.run("subtitles", "lint", str(bare), "--fps", "29.97", capsys=capsys)[0] == 0


# ------------------------------------------------------------------ item 16: approval

def test_approve_shows_the_problems_refuses_them_unless_forced_and_records_who(plain: Project, tmp_path: Path,
                                                                               capsys) -> None:
    fast = tmp_path / "fast.csv"
    fast.write_bytes(csv_bytes([(BM_ROWS[0][0], "00:00:01,000", "", "I ni ce, aw bɛɛ ka kɛnɛ wa? Aw ka taa.")]))
    assert imported(plain, capsys, fast)[0] == 0
    code, out, err = plain.run("subtitles", "approve", "ep01", "bm", capsys=capsys)
    assert code == 2 and "cue 1 at 00:00:00,500: cps" in out + err and "--force" in err
    st = next(r for r in json.loads(plain.run("subtitles", "status", "--json", capsys=capsys)[1])
              if r["lang"] == "bm")
    assert st["state"] == "imported"
    code, out, err = plain.run("subtitles", "approve", "ep01", "bm", "--force", "--by", "Awa", capsys=capsys)
    assert code == 0, err
    assert "cps" in out + err  # still shown
    code, out, _ = plain.run("subtitles", "status", "--json", capsys=capsys)
    st = next(r for r in json.loads(out) if r["lang"] == "bm")
    assert st["state"] == "approved" and st["approved_by"] == "Awa"
    code, out, _ = plain.run("subtitles", "status", capsys=capsys)
    assert "Awa" in out
    clean = tmp_path / "clean.csv"
    clean.write_bytes(csv_bytes(BM_ROWS))
    assert imported(plain, capsys, clean)[0] == 0
    code, out, err = plain.run("subtitles", "approve", "ep01", "bm", capsys=capsys)  # no problems: no --force
    assert code == 0, err
    st = next(r for r in json.loads(plain.run("subtitles", "status", "--json", capsys=capsys)[1])
              if r["lang"] == "bm")
    assert st["approved_by"]  # the person at the keyboard (the OS user) by default
