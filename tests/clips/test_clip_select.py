"""Highlight selection and phone captions: pure rules, no media."""

from pathlib import Path

import pysrt
import pytest

from pipeline.clips import captions, select, speech
from pipeline.clips.select import Analysis, Utterance, EpisodePool
from pipeline.errors import PipelineError
from pipeline.models import Episode, Highlight, LangText
from tests.clips.fixtures import SAMPLE_CUES

CUES = [Utterance(a, b, t) for a, b, t in SAMPLE_CUES]
KEYWORDS = ("citoyen", "vote", "mairie", "femmes", "jeunes", "élus")


def analysis(duration: float = 72.0, cuts=(10.0, 20.0, 36.0, 46.0, 56.0, 66.0)) -> Analysis:
    loud = tuple((round(i * 0.1, 1), -25.0 if any(a <= i * 0.1 <= b for a, b, _ in SAMPLE_CUES)
                  or 20 <= i * 0.1 < 36 else -120.0) for i in range(int(duration * 10)))
    return Analysis(duration, cuts, loud, (), ())


def episode(*highlights: Highlight) -> Episode:
    return Episode("ep01-test", 1, LangText("Titre"), LangText(""), ("fr",), Path("/nowhere/master.mp4"),
                   Path("/nowhere"), tuple(highlights))


def inside_a_cue(t: float, cues=CUES) -> bool:
    return any(c.start < t < c.end for c in cues)


def test_candidates_are_whole_sentences_within_bounds_and_start_in_pauses():
    found = select.candidates("ep", CUES, analysis(), KEYWORDS, 5.0, 12.0)
    assert found
    for seg in found:
        assert 5.0 <= seg.duration <= 12.0
        assert not inside_a_cue(seg.start) and not inside_a_cue(seg.end)
        assert seg.cues[0].text[0].isupper() and seg.cues[-1].text.endswith(".")


def test_a_sentence_split_over_two_cues_is_never_cut_between_them():
    cues = [Utterance(1.0, 3.0, "Chaque citoyen peut"), Utterance(3.1, 6.0, "participer à la vie de sa commune."),
            Utterance(6.5, 9.0, "Les jeunes ont leur place.")]
    found = select.candidates("ep", cues, analysis(), KEYWORDS, 1.0, 20.0)
    starts = {round(s.cues[0].start, 2) for s in found}
    ends = {round(s.cues[-1].end, 2) for s in found}
    assert 3.1 not in starts and 3.0 not in ends


def test_keywords_match_word_starts_without_accents():
    assert select.keyword_hits("La Citoyenneté et les ELUS", ["citoyen", "élus", "vote"]) == ["citoyen", "élus"]
    assert select.keyword_hits("un dévot", ["vote"]) == []


def test_scores_explain_themselves_and_keywords_win():
    segs = select.candidates("ep", CUES, analysis(), KEYWORDS, 2.0, 4.0)
    best = max(segs, key=lambda s: s.score)
    assert any(r.startswith("keywords:") for r in best.reasons)
    assert any("scene change" in r for r in best.reasons) and any("LUFS" in r for r in best.reasons)


def test_clips_never_overlap_and_respect_the_count():
    chosen = select.choose_clips(episode(), CUES, analysis(), KEYWORDS, 3, 5.0, 9.0)
    assert len(chosen) == 3
    for i, a in enumerate(chosen):
        assert all(not a.overlaps(b) for b in chosen[i + 1:])


def test_editor_markers_override_automatic_choices():
    marker = Highlight(20.0, 30.0, "Musique", "clip")  # no speech there: never chosen automatically
    chosen = select.choose_clips(episode(marker), CUES, analysis(), KEYWORDS, 2, 5.0, 9.0)
    assert (chosen[0].start, chosen[0].end, chosen[0].source, chosen[0].label) == (20.0, 30.0, "marker", "Musique")
    assert len(chosen) == 2 and chosen[1].source == "auto" and not chosen[1].overlaps(chosen[0])


def test_a_marker_after_the_end_is_refused_with_its_place():
    with pytest.raises(PipelineError) as exc:
        select.choose_clips(episode(Highlight(60.0, 80.0, "Fin")), CUES, analysis(), KEYWORDS, 1, 5.0, 60.0)
    assert "after the end of the episode" in exc.value.message and "'Fin'" in exc.value.message
    assert "episode.toml" in exc.value.hint


def test_a_clip_marker_shorter_than_the_minimum_is_refused():
    with pytest.raises(PipelineError) as exc:
        select.choose_clips(episode(Highlight(1.0, 4.0)), CUES, analysis(), KEYWORDS, 1, 15.0, 60.0)
    assert "shorter than the 15 s minimum" in exc.value.message and "min_seconds" in exc.value.hint


def test_trailer_takes_markers_then_sentences_then_b_roll_within_bounds():
    ep = episode()
    a = analysis()
    marker = select.marker_segment(ep, Highlight(1.0, 10.9, "Début", "trailer"), CUES, a, KEYWORDS)
    pool = EpisodePool(ep, (marker,), tuple(select.candidates(ep.id, CUES, a, KEYWORDS, 2.5, 12.0)),
                       tuple(select.broll(ep.id, CUES, a)))
    shots = select.choose_trailer([pool], 38.0, 53.0)
    total = sum(s.duration for s in shots)
    assert 38.0 <= total <= 53.0
    assert shots[0].source == "marker"
    assert any(s.source == "b-roll" for s in shots)  # the sample has too little speech alone
    assert all(not a.overlaps(b) for i, a in enumerate(shots) for b in shots[i + 1:])


def test_trailer_markers_longer_than_the_trailer_are_refused():
    ep = episode()
    marker = select.marker_segment(ep, Highlight(0.0, 70.0, "", "trailer"), CUES, analysis(), KEYWORDS)
    with pytest.raises(PipelineError, match="more than"):
        select.choose_trailer([EpisodePool(ep, (marker,), (), ())], 38.0, 53.0)


def test_speech_from_pauses_leaves_out_unbroken_music():
    silences = ((0.0, 1.0), (3.4, 3.9), (5.0, 5.2), (7.3, 7.7), (17.4, 20.0), (36.0, 47.0))
    a = Analysis(50.0, (), (), silences, ())
    cues = speech.cues_from_pauses(a)
    # 7.7-17.4: 9.7 s with no pause at all; 20-36: 16 s: music, not speech
    assert [(c.start, c.end) for c in cues] == [(1.0, 3.4), (3.9, 7.3), (47.0, 50.0)]


def test_phone_captions_have_at_most_two_short_lines(tmp_path):
    long = Utterance(10.0, 16.0, "Posez vos questions à vos élus, et suivez les décisions du conseil communal "
                           "chaque mois.")
    parts = captions.clip_cues([long], 9.0, 30.0, captions.VERTICAL_CHARS)
    assert len(parts) >= 2
    assert parts[0].start == pytest.approx(1.0) and parts[-1].end == pytest.approx(7.0)
    for p in parts:
        lines = p.text.split("\n")
        assert len(lines) <= 2 and all(len(x) <= captions.VERTICAL_CHARS for x in lines)
    srt = tmp_path / "c.srt"
    srt.write_text(captions.to_srt(parts), encoding="utf-8")
    assert len(pysrt.open(str(srt))) == len(parts)


def test_captions_are_clipped_to_the_clip():
    cues = captions.clip_cues(CUES, 3.0, 8.0, 40)
    assert cues[0].start == 0.0 and cues[-1].end == pytest.approx(5.0)
    assert all(0 <= c.start < c.end <= 5.0 for c in cues)


def test_thumbnail_frame_is_sharp_bright_enough_and_away_from_cuts():
    frames = ((1.0, 10.0, 2.0),    # black
              (2.0, 120.0, 1.0),   # sharp, but 0.2 s after a cut: mid-transition
              (3.0, 130.0, 9.0),   # blurred
              (4.0, 110.0, 3.0),   # the one
              (5.0, 250.0, 1.0))   # washed out
    a = Analysis(6.0, (1.8,), (), (), frames)
    assert select.best_frame(a, 0.0, 6.0) == 4.0


def test_titles_fit_two_lines():
    lines = captions.title_lines("Épisode 12 : la participation des jeunes et des femmes à la vie de la commune", 30)
    assert len(lines) == 2 and all(len(x) <= 30 for x in lines) and lines[1].endswith("…")
