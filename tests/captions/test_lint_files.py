"""Lint reports every violation with cue number and time; SRT/VTT files round-trip in UTF-8."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.captions.files import read_srt, srt_text, vtt_text, write_srt
from pipeline.captions.lint import lint
from pipeline.captions.rules import CueRules
from pipeline.captions.text import NBSP, french
from pipeline.errors import PipelineError
from pipeline.models import Cue

HUMAN_SRT = """1
00:00:01,000 --> 00:00:01,300
Trop court

2
00:00:01,310 --> 00:00:09,500
Cette ligne est beaucoup trop longue pour un téléphone, vraiment
deux
trois

3
00:00:09,000 --> 00:00:10,000
Pourquoi voter? Ɲɛnajɛ
"""


def test_lint_reports_each_rule_with_cue_and_time(tmp_path: Path) -> None:
    path = tmp_path / "fr.srt"
    path.write_text(HUMAN_SRT, encoding="utf-8")
    found = {(v.cue, v.rule) for v in lint(read_srt(path), CueRules())}
    assert {(1, "too-short"), (1, "gap"), (2, "lines"), (2, "line-length"), (2, "too-long"), (2, "overlap"),
            (3, "typography"), (3, "cps")} <= found
    (v,) = [v for v in lint(read_srt(path), CueRules()) if v.rule == "typography"]
    assert v.timecode() == "00:00:09,000"


def test_clean_cues_have_no_violations() -> None:
    cues = [Cue(1.0, 3.9, ("Bonjour et bienvenue", "dans Construisons Ensemble.")),
            Cue(4.0, 6.0, (f"Pourquoi voter{NBSP}?",))]
    assert lint(cues, CueRules()) == []


def test_srt_and_vtt_round_trip_utf8(tmp_path: Path) -> None:
    cues = [Cue(0.5, 2.25, ("Ɲɛnajɛ ŋaa ɔ", f"citoyenneté{NBSP}!")), Cue(3723.004, 3725.0, ("deux",))]
    write_srt(tmp_path / "bm.srt", cues)
    assert read_srt(tmp_path / "bm.srt") == cues
    assert "01:02:03,004 --> 01:02:05,000" in srt_text(cues)
    vtt = vtt_text(cues)
    assert vtt.startswith("WEBVTT\n\n00:00:00.500 --> 00:00:02.250\nƝɛnajɛ ŋaa ɔ\n")
    assert (tmp_path / "bm.srt").read_bytes().decode("utf-8")


def test_broken_srt_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "fr.srt"
    bad.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nd\xe9j\xe0\n".encode("latin-1"))
    with pytest.raises(PipelineError, match="not UTF-8"):
        read_srt(bad)


@pytest.mark.parametrize(("raw", "want"), [
    ("Pourquoi?", f"Pourquoi{NBSP}?"), ("Voici :", f"Voici{NBSP}:"), ("oui ; non", f"oui{NBSP}; non"),
    ("Quoi ?!", f"Quoi{NBSP}?!"), ("«oui»", f"«{NBSP}oui{NBSP}»"), ("à 10:30", "à 10:30"),
    ("http://x.ml", "http://x.ml"), (f"déjà{NBSP}!", f"déjà{NBSP}!")])
def test_french_typography(raw: str, want: str) -> None:
    assert french(raw) == want
    assert french(french(raw)) == want
