"""Text that must never pass silently: letters lost to "?", spreadsheet formulas, markup and
control bytes, impossible timecodes, encodings guessed wrong, sentences cut where they fit."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pipeline.asr.base import Word
from pipeline.captions import markup, sheets
from pipeline.captions.bambara import lost_letters
from pipeline.captions.lint import lint
from pipeline.captions.rules import CueRules
from pipeline.captions.segment import WEAK_END, make_cues
from pipeline.captions.sentences import ends_sentence
from pipeline.clips import captions
from pipeline.clips.select import Utterance
from pipeline.manifest import parse_time
from pipeline.models import Cue

# ------------------------------------------------------------------ item 1: "?" where a Bambara letter was


@pytest.mark.parametrize(("text", "lossy", "lost"), [
    ("I ni ce aw b??.", True, True),        # "bɛɛ" saved by a French Excel as "CSV (séparateur : point-virgule)"
    ("An b? ?aniya komini ko la.", True, True),
    ("?ɔgɔn", False, True),                 # a "?" starting a word, before a letter
    ("b?n", False, True),                   # a "?" between letters, whatever the encoding
    ("Aw bɛ di?", False, False),            # a real question
    ("Aw be di ? Ayiwa.", True, False),     # a real question in a file that cannot hold ɛ: still fine
    ("Mun na?", True, False),
    ("« Pourquoi ? »", True, False),
])
def test_question_marks_standing_for_letters_are_found(text: str, lossy: bool, lost: bool) -> None:
    assert lost_letters(text, lossy) is lost


# ------------------------------------------------------------------ item 3: formulas in translators' files

DANGEROUS = ['=HYPERLINK("http://evil.example/","clic")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
             "\tTab", "- Ayiwa, i ni ce."]


def test_csv_cells_that_spreadsheets_run_as_formulas_are_neutralised_and_read_back_exactly(tmp_path: Path) -> None:
    rows = [(n, n * 2.0, n * 2.0 + 1.5, text, text) for n, text in enumerate(DANGEROUS, 1)]
    data = sheets.csv_text(rows)
    import csv
    cells = list(csv.reader(io.StringIO(data), delimiter=";"))[1:]
    for row in cells:  # OWASP: a leading = + - @ tab or CR is prefixed with a quote
        assert row[3].startswith("'") and row[4].startswith("'"), row
    path = tmp_path / "bm.template.csv"
    path.write_bytes(b"\xef\xbb\xbf" + data.encode())
    back, _, problems = sheets.read_rows(path)
    assert problems == [] and [r.text for r in back] == DANGEROUS and [r.french for r in back] == DANGEROUS
    plain = tmp_path / "plain.csv"  # a translator's own quote at the start of ordinary text stays
    plain.write_text("n;début;fin;français;bamanankan\n1;00:00:01,000;00:00:02,000;x;'Ayiwa'\n", encoding="utf-8")
    assert sheets.read_rows(plain)[0][0].text == "'Ayiwa'"


def test_xlsx_cells_are_text_never_formulas(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    rows = [(n, n * 2.0, n * 2.0 + 1.5, text, text) for n, text in enumerate(DANGEROUS, 1)]
    path = tmp_path / "bm.template.xlsx"
    path.write_bytes(sheets.xlsx_bytes(rows))
    sheet = load_workbook(path).active
    for row in sheet.iter_rows(min_row=2):
        assert row[3].data_type == "s" and row[4].data_type == "s"
    back, _, problems = sheets.read_rows(path)
    assert problems == [] and [r.text for r in back] == [t.strip() for t in DANGEROUS]


# ------------------------------------------------------------------ item 12: timecodes that cannot be

@pytest.mark.parametrize("bad", ["99:99", "00:60", "1:60:00", "01:02:99,000"])
def test_impossible_timecodes_are_refused(bad: str) -> None:
    assert parse_time(bad) is None
    assert sheets.parse_time(bad) is None


def test_real_timecodes_still_read() -> None:
    assert parse_time("99:59") == 99 * 60 + 59 and parse_time("01:02.5") == 62.5 and parse_time("1:00:00") == 3600
    assert sheets.parse_time("00:01:02,500") == 62.5 and sheets.parse_time("1:02.5") == 62.5


@pytest.mark.parametrize("value", [float("inf"), float("nan"), -1.0])
def test_manifest_times_are_finite(value: float) -> None:
    assert parse_time(value) is None


# ------------------------------------------------------------------ item 13: markup and control bytes

@pytest.mark.parametrize(("raw", "kept", "said"), [
    ("<script>alert(1)</script>I ni ce", "alert(1)I ni ce", "<script>"),
    ("<b onmouseover=alert(1)>I ni ce</b>", "I ni ce", "<b onmouseover=alert(1)>"),
    ("{\\an8}I ni ce", "I ni ce", "{\\an8}"),
    ("I ni\x00 ce\x07\x1b", "I ni ce", "U+0000"),
    ("<i>I ni ce</i> <b>aw</b> <u>bɛ</u>", "<i>I ni ce</i> <b>aw</b> <u>bɛ</u>", ""),
    ("<i>I ni ce", "I ni ce", "<i>"),         # never closed: not a tag a player can use
    ("a < b & c", "a < b & c", ""),          # plain text
])
def test_only_the_tags_srt_allows_are_kept_and_what_was_removed_is_said(raw: str, kept: str, said: str) -> None:
    text, removed = markup.clean(raw)
    assert text == kept
    assert (said in " ".join(removed)) if said else removed == ()


def test_vtt_escapes_what_is_not_a_tag() -> None:
    from pipeline.captions.files import vtt_text

    vtt = vtt_text([Cue(1.0, 2.0, ("a < b & c", "<i>oui</i>"))])
    assert "a &lt; b &amp; c\n<i>oui</i>" in vtt


def test_lint_flags_markup_and_control_bytes_a_person_left_in_a_file() -> None:
    cues = [Cue(1.0, 3.0, ("<script>x</script>",)), Cue(3.2, 5.0, ("{\\an8}Bonjour",)),
            Cue(5.2, 7.0, ("I ni\x07 ce",)), Cue(7.2, 9.0, ("<i>oui</i>",))]
    found = {(v.cue, v.rule) for v in lint(cues, CueRules(french_typography=False))}
    assert {(1, "markup"), (2, "markup"), (3, "markup")} <= found and not any(c == 4 for c, _ in found)


# ------------------------------------------------------------------ item 15: encodings and separators

def test_utf16_without_bom_is_read_as_utf16() -> None:
    text = "n\tdébut\tfin\tfrançais\tbamanankan\n1\t00:00:01,000\t00:00:02,000\tx\tbɛɛ\n"
    for codec in ("utf-16-le", "utf-16-be"):
        decoded = sheets.decode(text.encode(codec), "f.txt")
        assert decoded.text == text and decoded.encoding.startswith("UTF-16")


def test_comma_separated_file_with_unquoted_times_names_the_real_cause(tmp_path: Path) -> None:
    path = tmp_path / "virgules.csv"
    path.write_text("n,début,fin,français,bamanankan\n1,00:00:01,000,00:00:02,500,Bonjour,I ni ce\n",
                    encoding="utf-8")
    rows, read_as, problems = sheets.read_rows(path)
    assert len(problems) == 1 and "row 2: 7 cells where the header has 5" in problems[0]
    assert "','" in problems[0] and "ends at" not in problems[0]


# ------------------------------------------------------------------ item 16: what a reviewer sees

def _spoken(text: str, pauses: dict[str, float], rate: float, after_sentence: float) -> list[Word]:
    t, words = 0.5, []
    for w in text.split():
        d = rate * len(w) + 0.05
        words.append(Word(w, round(t, 3), round(t + d, 3)))
        t += d + 0.05 + pauses.get(w, after_sentence if ends_sentence(w) else 0.0)
    return words


@pytest.mark.parametrize(("text", "pause_after", "rate", "after_sentence"), [
    ("Allez voter. Nous organisons une réunion publique samedi. Le mois prochain, il y a une élection communale.",
     "prochain,", 0.06, 0.05),
    ("Nous organisons une réunion publique samedi. Posez vos questions à vos élus, et suivez les décisions du "
     "conseil. Oui.", "élus,", 0.06, 0.3),
])
def test_a_sentence_that_fits_one_cue_is_not_cut_in_two(text: str, pause_after: str, rate: float,
                                                        after_sentence: float) -> None:
    """A speaker's pause inside a sentence ("Le mois prochain, ... il y a") is no reason to cut it
    across two cues when it fits in one: the cue before ends with the sentence before."""
    cues = make_cues(_spoken(text, {pause_after: 0.6}, rate, after_sentence), CueRules())
    shown = [c.text.replace("\n", " ") for c in cues]
    assert all(ends_sentence(s) for s in shown), shown


@pytest.mark.parametrize("text", [
    "La citoyenneté. Les jeunes votent.",
    "Chaque citoyen peut participer à la vie de sa commune et de son pays.",
    "Dans cet épisode, nous parlons de la citoyenneté active.",
    "Une gouvernance inclusive, c'est l'affaire de tous et de toutes.",
])
def test_clip_captions_never_end_a_line_on_a_dangling_short_word(text: str) -> None:
    parts = captions.split_cue(Utterance(0.0, 6.0, text), captions.VERTICAL_CHARS)
    lines = [line for p in parts for line in p.text.split("\n")]
    assert " ".join(lines) == text and all(len(line) <= captions.VERTICAL_CHARS for line in lines)
    assert all(p.text.count("\n") < captions.MAX_LINES for p in parts)
    for line in lines[:-1]:
        assert line.split()[-1].casefold().strip(".,") not in WEAK_END, lines
