"""The voice-over's sound work on arrays: sync by cross-correlation, checks, the ducking gain, the script."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import PipelineError
from pipeline.media import voiceover as vo_media
from pipeline.media.synth import NARRATION, speak
from pipeline.models import Cue
from pipeline.voiceover import script, sync, tts, voice

R = sync.RATE


def _room(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A loudspeaker a metre away in a small room: the direct sound, then a 0.4 s reverberant tail
    carrying half its energy."""
    n = int(0.4 * R)
    tail = rng.normal(0, 1, n) * np.exp(-np.arange(n) / (0.08 * R))
    tail *= np.sqrt(0.5 / float(tail @ tail))
    tail[: int(0.003 * R)] = 0.0
    tail[0] = 1.0
    return np.convolve(x, tail)[: len(x)]


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """40 s of espeak-ng French, 16 kHz: real speech, with its pauses."""
    folder = tmp_path_factory.mktemp("speech")
    speak(" ".join(NARRATION), folder / "speech.wav")
    (x,) = vo_media.decode(folder / "speech.wav", [vo_media.Pcm(folder / "speech.f32", R, 1)])
    out = np.zeros(40 * R, np.float32)
    out[: min(len(x), len(out))] = 0.5 * np.asarray(x)[: len(out)]
    return out


@pytest.mark.parametrize(("level", "talking"), [(0.3, False), (0.03, False), (0.01, False), (0.3, True)])
def test_the_chirp_is_found_to_the_sample_through_a_room(speech: np.ndarray, level: float, talking: bool) -> None:
    """From -10 to -46 dBFS (the guide on a laptop across the room), and under speech if the narrator
    talks over the countdown."""
    rng = np.random.default_rng(7)
    at = 2.3456
    begins = 0 if talking else round((at + sync.PREROLL) * R)
    rec = rng.normal(0, 0.002, len(speech)).astype(np.float32)
    rec[begins:] += speech[: len(rec) - begins]
    lead = _room(sync.preroll(R) * level, rng)
    rec[round(at * R): round(at * R) + len(lead)] += lead.astype(np.float32)
    start, match = sync.start_from_chirp(rec)
    assert match.found and abs(start - (at + sync.PREROLL)) <= 1 / R, match


def test_speech_without_a_chirp_is_not_taken_for_one(speech: np.ndarray) -> None:
    _, match = sync.start_from_chirp(speech + np.random.default_rng(3).normal(0, 0.003, len(speech)).astype(np.float32))
    assert not match.found, match


def test_the_episodes_own_sound_heard_in_the_recording_lines_it_up(speech: np.ndarray) -> None:
    rng = np.random.default_rng(11)
    programme = np.zeros(40 * R, np.float32)
    programme[3 * R:] = speech[: 37 * R]
    narrator = np.roll(speech, 17 * R)[: 10 * R]
    rec = rng.normal(0, 0.003, 60 * R).astype(np.float32)
    at = round(5.25 * R)
    rec[at: at + len(programme)] += 0.1 * _room(programme, rng)  # the episode, quietly, from a speaker
    rec[at + 10 * R: at + 20 * R] += 2 * narrator                 # the narrator, much louder
    start, match = sync.start_from_episode(rec, programme)
    assert match.found and abs(start - 5.25) <= 1 / R, match
    _, nothing = sync.start_from_episode(rng.normal(0, 0.05, 60 * R).astype(np.float32), programme)
    assert not nothing.found


def test_the_gain_is_one_where_nobody_speaks_and_the_depth_under_the_voice() -> None:
    gain = voice.gain_curve([(2.0, 4.0), (4.3, 5.0), (9.0, 9.5)], 12.0, 12.0, attack=0.2, release=0.8, rate=1000)
    floor = np.float32(10 ** (-12 / 20))
    assert np.all(gain[:1800] == 1.0) and np.all(gain[5800:8800] == 1.0) and np.all(gain[10300:] == 1.0)
    assert np.all(gain[2000:4000] == floor) and np.all(gain[4300:5000] == floor) and np.all(gain[9000:9500] == floor)
    assert np.all(gain[4000:4300] < 0.5)  # between two close spans the release and the next attack overlap
    ramp_down, ramp_up = gain[1800:2000], gain[5000:5800]
    assert np.all(np.diff(ramp_down) <= 0) and np.all(np.diff(ramp_up) >= 0)


def test_pauses_shorter_than_hold_are_bridged_and_clicks_ignored() -> None:
    x = np.zeros(10 * R, np.float32)
    t = np.arange(R) / R
    for a in (1.0, 2.3, 6.0):  # one-second tones; 0.3 s apart, then 2.7 s apart
        x[round(a * R): round(a * R) + R] = 0.3 * np.sin(2 * np.pi * 440 * t)
    x[round(8.5 * R): round(8.5 * R) + 160] = 0.5  # a 10 ms click
    spans = voice.speech_spans(x, R, hold=0.6)
    assert [(round(a, 2), round(b, 2)) for a, b in spans] == [(1.0, 3.3), (6.0, 7.0)]


def test_clipping_counts_cut_off_peaks_not_a_peak_that_touches_full_scale() -> None:
    x = 0.5 * np.sin(2 * np.pi * 100 * np.arange(R) / R).astype(np.float32)
    x[1000] = 1.0
    assert voice.clipping(x, 1, R).peaks == 0
    loud = np.clip(3 * x, -1.0, 1.0)
    c = voice.clipping(np.repeat(loud, 2), 2, R)  # stereo, both channels
    assert c.peaks > voice.MAX_CLIPPED_PEAKS and c.first < 0.01
    with pytest.raises(PipelineError, match="clipped"):
        voice.check_levels("v.wav", np.repeat(loud, 2), 2, R, [(0.0, 1.0)])
    with pytest.raises(PipelineError, match=r"silent \(loudest sample -54 dBFS\)"):
        voice.check_levels("v.wav", x * 0.002, 1, R, [])


def test_a_voice_past_the_end_or_only_before_the_start_is_refused() -> None:
    assert voice.on_episode("v.wav", [(5.0, 7.0), (9.0, 12.2)], 4.0, 8.0) == [(1.0, 3.0), (5.0, 8.0)]
    past = r"runs 2\.0 s past the end of the episode \(voice until 00:10\.0, episode 00:08\.0\)"
    with pytest.raises(PipelineError, match=past):
        voice.on_episode("v.wav", [(5.0, 14.0)], 4.0, 8.0)
    with pytest.raises(PipelineError, match="nobody speaks after the episode's start"):
        voice.on_episode("v.wav", [(1.0, 2.0)], 4.0, 8.0)


def test_script_rows_put_the_french_beside_each_line_and_show_the_pauses() -> None:
    bm = [Cue(1.0, 3.0, ("Aw ni ce.",)), Cue(6.0, 8.0, ("Kalata ye", "an bɛɛ ta ye."))]
    fr = [Cue(0.9, 2.0, ("Bonjour",)), Cue(2.0, 3.1, ("à tous.",)), Cue(6.2, 8.0, ("Voter, c'est", "choisir."))]
    rows = script.rows(bm, fr, 12.0)
    assert [(r.number, r.start, r.end) for r in rows] == [(0, 0.0, 1.0), (1, 1.0, 3.0), (0, 3.0, 6.0),
                                                          (2, 6.0, 8.0), (0, 8.0, 12.0)]
    assert rows[1].beside == "Bonjour à tous." and rows[3].beside == "Voter, c'est choisir."
    assert rows[3].text == "Kalata ye\nan bɛɛ ta ye."


def test_the_draft_voice_needs_a_configured_model_and_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="no Bambara speech model configured") as e:
        tts.load(None)
    assert "tts_model" in (e.value.hint or "")
    with pytest.raises(PipelineError, match="speech model not found"):
        tts.load(tmp_path / "mms-tts-bam")
    if importlib.util.find_spec("transformers") is None:
        (tmp_path / "mms-tts-bam").mkdir()
        (tmp_path / "mms-tts-bam" / "config.json").write_text("{}")
        with pytest.raises(PipelineError, match="needs the transformers package"):
            tts.load(tmp_path / "mms-tts-bam")


def test_draft_lines_start_at_their_cues_and_never_run_into_each_other() -> None:
    rate = 1000
    synth = tts.Synthesiser(rate, lambda text: np.full(len(text) * 100, 0.5, np.float32), "tones")
    cues = [Cue(1.0, 2.0, ("abcde",)), Cue(1.2, 3.0, ("ab",)), Cue(9.0, 9.5, ("abcdefghijkl",))]
    out, notes = tts.place(cues, synth, 10.0)
    active = np.flatnonzero(out)
    assert active[0] == 1000 and np.all(out[1000:1500] > 0) and np.all(out[1500:1650] == 0)  # 0.15 s gap kept
    assert np.all(out[1650:1850] > 0) and len(out) == 10_000
    assert any("line 3 takes 1.2 s for a 0.5 s cue" in n for n in notes)
    assert any("line 3 runs past the end of the episode" in n for n in notes)
