"""Pure pieces of the translator workflow: slots, encodings, look-alike letters, re-flow."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.captions import sheets
from pipeline.captions.bambara import lookalikes, normalise, reflow
from pipeline.captions.rules import CueRules
from pipeline.errors import PipelineError
from pipeline.models import Cue
from pipeline.stages.subtitles_templates import make_slots

RULES = CueRules()


@given(st.lists(st.tuples(st.floats(0, 300), st.floats(0.3, 40)), min_size=1, max_size=8))
def test_slots_stay_on_speech_within_the_rules(raw: list[tuple[float, float]]) -> None:
    speech, t = [], 0.0
    for gap, length in raw:  # disjoint, ordered speech regions
        start = t + gap % 5 + 0.5
        speech.append((start, start + length))
        t = start + length
    slots, _ = make_slots(speech, [], [], RULES, fine=None)
    assert slots
    for a, b in zip(slots, slots[1:], strict=False):
        assert b.start - a.end >= RULES.min_gap - 1e-3
    for s in slots:
        assert s.end - s.start <= RULES.max_duration + 1e-3
        assert any(a - 1e-3 <= s.start and s.start < b for a, b in speech)


def test_french_cues_give_their_timing_and_uncovered_speech_gets_slots_at_pauses() -> None:
    french = [Cue(1.0, 3.0, ("Bonjour.",)), Cue(30.0, 31.0, ("Merci d'avoir regardé.",))]
    draft = [Cue(1.2, 2.8, ("I ni ce.",))]
    fine = [(1.0, 3.0), (4.0, 6.5), (6.8, 9.0), (9.5, 15.0)]
    slots, off_speech = make_slots([(1.0, 15.0)], french, draft, RULES, fine)
    assert off_speech == 1  # the cue over music
    assert (slots[0].start, slots[0].end, slots[0].french, slots[0].draft) == (1.0, 3.0, "Bonjour.", "I ni ce.")
    assert [(s.start, s.end) for s in slots[1:]] == [(4.0, 9.0), (9.5, 15.0)]  # ends at the pause at 9.0 s


@pytest.mark.parametrize(("data", "encoding"), [
    ("ɛ;ɔ".encode("utf-16"), "UTF-16"),
    ("ɛ;ɔ".encode("utf-16-be").join([b"\xfe\xff", b""]), "UTF-16"),
    (b"\xef\xbb\xbf" + "ɛ;ɔ".encode(), "UTF-8 (with BOM)"),
    ("ɛ;ɔ".encode(), "UTF-8"),
    ("kènè;ò".encode("cp1252"), "Windows-1252"),
])
def test_decode_says_which_encoding(data: bytes, encoding: str) -> None:
    assert sheets.decode(data, "f.csv").encoding == encoding


def test_undecodable_bytes_are_an_error_not_a_guess() -> None:
    with pytest.raises(PipelineError, match="unreadable text"):
        sheets.decode(b"abc\x81\x8d", "f.csv")


def test_times_as_spreadsheets_give_them() -> None:
    import datetime as dt

    assert sheets.parse_time("00:01:02,500") == 62.5
    assert sheets.parse_time("1:02.5") == 62.5
    assert sheets.parse_time(dt.time(0, 1, 2, 500000)) == 62.5
    assert sheets.parse_time(62.5 / 86400) == pytest.approx(62.5)
    assert sheets.parse_time("soon") is None


def test_bambara_letters_kept_lookalikes_flagged_not_changed() -> None:
    text = normalise("  Aw  bɛ ɲɔgɔn dɛmɛ ŋaniya la  \n\n")
    assert text == "Aw bɛ ɲɔgɔn dɛmɛ ŋaniya la" and lookalikes(text) == []
    assert normalise("e\u0301") == "é"  # NFC
    flagged = lookalikes("kènè bò ñi \u03b5")
    assert [f.split(" ")[0] for f in flagged] == ["'è'", "'ò'", "'ñ'", "'ε'"]


def test_reflow_keeps_fitting_lines_and_rebreaks_long_ones() -> None:
    assert reflow("I ni ce.\nAw bɛ di?", RULES) == ("I ni ce.", "Aw bɛ di?")
    long = "I ni ce, aw bɛɛ ka kɛnɛ wa? An bɛ ŋaniya komini ko la."
    lines = reflow(long, RULES)
    assert len(lines) == 2 and all(len(ln) <= 42 for ln in lines) and " ".join(lines) == long
