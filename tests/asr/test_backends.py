"""Both Whisper backends load real (tiny, random) models through their real loading code."""

from __future__ import annotations

import subprocess
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import tiny_whisper

from pipeline.asr import ct2, guards, vad
from pipeline.asr.backends import BACKENDS, make_transcriber
from pipeline.asr.base import SAMPLE_RATE, AsrSettings, Segment, Word
from pipeline.asr.guards import DEFAULT_PHANTOMS_FR
from pipeline.errors import PipelineError
from pipeline.media.synth import speak

LOOSE = {"no_speech_threshold": 1.0, "log_prob_threshold": -100.0, "compression_ratio_threshold": 1000.0, "no_repeat_ngram": 0,
         "beam_size": 1, "compute_type": "float32"}  # int8 ties on tiny random weights


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    wav = tmp_path_factory.mktemp("asr") / "s.wav"
    speak("Bonjour et bienvenue. Nous parlons de la commune.", wav)
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-ac", "1", "-ar", "16000", "-f", "s16le", "-"],
                         capture_output=True, check=True).stdout
    return np.concatenate([np.frombuffer(pcm, np.int16).astype(np.float32) / 32768, np.zeros(16000 * 3, np.float32)])


@pytest.fixture(scope="module")
def tiny_ct2(tmp_path_factory: pytest.TempPathFactory, speech: np.ndarray) -> Path:
    return tiny_whisper.speaking_ct2(tmp_path_factory.mktemp("ct2") / "tiny", speech, **LOOSE)


def test_ct2_round_trip_is_exact(tmp_path: Path) -> None:
    dims, model = tiny_whisper.tiny_model()
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    ct2.write(tmp_path / "model.bin", ct2.from_openai_state(asdict(dims), state))
    read = ct2.read(tmp_path / "model.bin")
    back_dims, back = ct2.to_openai_state(read)
    assert back_dims == asdict(dims)
    assert set(back) == set(state)
    for k in state:
        assert np.array_equal(back[k], state[k]), k


def test_faster_whisper_tiny_model_gives_word_timestamps(tiny_ct2: Path, speech: np.ndarray) -> None:
    t = make_transcriber(AsrSettings(backend="faster-whisper", model=str(tiny_ct2), **LOOSE))
    result = t.transcribe(speech, "fr")
    assert result.words and all(w.text == "bon" for w in result.words)
    assert all(0 <= w.start <= w.end <= result.duration + 0.01 for w in result.words)
    assert result.duration == pytest.approx(len(speech) / 16000)


def test_openai_whisper_tiny_checkpoint_loads_and_runs(tmp_path: Path, speech: np.ndarray) -> None:
    pt = tiny_whisper.save_pt(tmp_path / "tiny.pt", favour=tiny_whisper.EOT)
    t = make_transcriber(AsrSettings(backend="openai-whisper", model=str(pt), **LOOSE))
    assert t.model.dims.n_text_state == 64
    result = t.transcribe(speech, "fr")
    assert result.words == ()  # a model that only says end-of-text: nothing to show, no crash


def test_openai_whisper_converts_a_ct2_folder(tiny_ct2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBSERIES_MODEL_CACHE", str(tmp_path))
    t = make_transcriber(AsrSettings(backend="openai-whisper", model=str(tiny_ct2), **LOOSE))
    assert t.model.alignment_heads.to_dense().sum() == 2  # taken from the folder's config.json


@pytest.mark.parametrize(("backend", "model", "message"), [
    ("faster-whisper", "/nonexistent/model", "model not found"),
    ("faster-whisper", "FILE", "is a file; faster-whisper needs a CTranslate2 model folder"),
    ("faster-whisper", "DIR", "has no model.bin"),
    ("openai-whisper", "DIR", "not an openai-whisper checkpoint"),
    ("faster-whisper", "gigantic", "unknown Whisper model"),
])
def test_wrong_models_are_clear_errors(backend: str, model: str, message: str, tmp_path: Path) -> None:
    if model == "FILE":
        model = str(tmp_path / "m.pt")
        Path(model).write_bytes(b"not a model")
    elif model == "DIR":
        model = str(tmp_path)
    with pytest.raises(PipelineError, match=message) as err:
        make_transcriber(AsrSettings(backend=backend, model=model))
    assert err.value.hint


def test_not_a_ct2_file_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"\x07\x00\x00\x00junk")
    with pytest.raises(PipelineError, match="not a CTranslate2 model file"):
        ct2.read(tmp_path / "model.bin")


def test_unknown_language_token(tiny_ct2: Path, speech: np.ndarray) -> None:
    t = make_transcriber(AsrSettings(backend="faster-whisper", model=str(tiny_ct2), **LOOSE))
    with pytest.raises(PipelineError, match="no language 'bm'") as err:
        t.transcribe(speech, "bm")
    assert "language_token" in err.value.hint


def _seg(text: str, **kw: float) -> Segment:
    return Segment(0.0, 2.0, text, (Word(text.split()[0], 0.0, 1.0),), **kw)


def test_guards_drop_phantoms_and_non_speech_but_keep_real_speech() -> None:
    s = AsrSettings(phantom_phrases=DEFAULT_PHANTOMS_FR)
    segs = [_seg("Sous-titres réalisés par la communauté d'Amara.org"), _seg("Merci d'avoir regardé !"),
            _seg("Merci et à bientôt."), _seg("Bonjour", no_speech_prob=0.9, avg_logprob=-1.5),
            _seg("la la la", compression_ratio=3.0), _seg("Chaque citoyen peut participer.")]
    kept, dropped = guards.filter_segments(segs, s)
    assert [k.text for k in kept] == ["Merci et à bientôt.", "Chaque citoyen peut participer."]
    assert len(dropped) == 4 and "phantom" in dropped[0] and "no speech" in dropped[2]


def test_tiny_model_is_the_same_in_every_process(tmp_path: Path) -> None:
    """The stage tests rely on the tiny model's output: it must not depend on the process (it
    did, through openai-whisper's uninitialised decoder positional embedding)."""
    import hashlib
    import os
    import sys

    digests = set()
    for seed in ("1", "2"):
        code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parents[1])!r}); import tiny_whisper; "
                f"from pathlib import Path; tiny_whisper.save_ct2(Path({str(tmp_path / seed)!r}))")
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        digests.add(hashlib.sha256((tmp_path / seed / "model.bin").read_bytes()).hexdigest())
    assert len(digests) == 1


def test_words_are_on_the_tracks_clock_after_the_voice_gate(tiny_ct2: Path, speech: np.ndarray) -> None:
    """Each speech stretch is decoded alone (pipeline.asr.vad): its words must be shifted back to
    where the stretch is in the track, not start at 0."""
    lead = 4.0
    audio = np.concatenate([np.zeros(int(16000 * lead), np.float32), speech])
    t = make_transcriber(AsrSettings(backend="faster-whisper", model=str(tiny_ct2), **{**LOOSE}))
    result = t.transcribe(audio, "fr")
    assert result.words and result.words[0].start >= lead - 0.5
    assert result.words[-1].end <= result.duration + 0.01


def test_no_speech_at_all_is_said_not_decoded(tiny_ct2: Path) -> None:
    t = make_transcriber(AsrSettings(backend="faster-whisper", model=str(tiny_ct2), **LOOSE))
    result = t.transcribe(np.zeros(16000 * 3, np.float32), "fr")
    assert result.words == () and "voice-activity" in result.dropped[0]


def _try(t: float, logprob: float, ratio: float = 1.2, no_speech: float = 0.1) -> SimpleNamespace:
    return SimpleNamespace(temperature=t, avg_logprob=logprob, compression_ratio=ratio, no_speech_prob=no_speech)


def test_fallback_keeps_the_best_try_not_the_last() -> None:
    """openai-whisper would keep the try at temperature 1.0; we keep the most likely one that
    does not repeat itself, as faster-whisper does."""
    from pipeline.asr.openai_whisper import TEMPERATURES, BestOfFallback

    tries = {0.0: _try(0.0, -0.3, ratio=3.1), 0.2: _try(0.2, -1.2), 0.4: _try(0.4, -1.6), 0.6: _try(0.6, -2.0),
             0.8: _try(0.8, -2.9), 1.0: _try(1.0, -4.5)}
    wrapped = BestOfFallback(lambda _seg, opt: tries[opt.temperature], AsrSettings())
    got = [wrapped(None, SimpleNamespace(temperature=t)) for t in TEMPERATURES]
    assert got[-1] is tries[0.2] and got[:-1] == [tries[t] for t in TEMPERATURES[:-1]]
    # the next window starts afresh, and a last try that passes is kept as it is
    tries[1.0] = _try(1.0, -0.8)
    got = [wrapped(None, SimpleNamespace(temperature=t)) for t in TEMPERATURES]
    assert got[-1] is tries[1.0]
    # every try repeats itself: the most likely one all the same
    tries.update({t: _try(t, -1.5 - t, ratio=3.0) for t in TEMPERATURES})
    assert [wrapped(None, SimpleNamespace(temperature=t)) for t in TEMPERATURES][-1] is tries[0.0]


def test_unknown_backend_names_every_backend() -> None:
    with pytest.raises(PipelineError, match="unknown speech recognition backend 'whisperx'") as err:
        make_transcriber(AsrSettings(backend="whisperx"))
    for name in ("faster-whisper", "openai-whisper", "transformers", "mms", "nemo"):
        assert name in err.value.hint
    assert set(BACKENDS) == {"faster-whisper", "openai-whisper", "transformers", "mms", "nemo"}


class HearsCredits(vad.GatedTranscriber):
    """A backend as the Bambara extras are (MMS: no Whisper language tokens) whose model 'hears'
    the credits of its training data after each real sentence: the shared guards must drop them."""

    name = "test-ctc"
    whisper_tokens = False

    def __init__(self, settings: AsrSettings) -> None:
        self.settings = settings
        self.tokens: list[str] = []

    def decode(self, piece: np.ndarray, token: str) -> list[Segment]:
        self.tokens.append(token)
        end = len(piece) / SAMPLE_RATE
        return [Segment(0.0, 1.0, "I ni ce", (Word("I", 0.1, 0.3), Word("ni", 0.35, 0.5), Word("ce", 0.55, 0.9))),
                Segment(end - 1.0, end, "Sous-titres réalisés par la communauté d'Amara.org",
                        (Word("Sous-titres", end - 0.9, end - 0.5),))]


def test_every_backend_gets_the_shared_guards_and_only_whisper_ones_the_token_check(speech: np.ndarray) -> None:
    settings = AsrSettings(vad=False, phantom_phrases=DEFAULT_PHANTOMS_FR, language_token="bam")
    backend = HearsCredits(settings)
    result = backend.transcribe(speech, "bm")
    assert [w.text for w in result.words] == ["I", "ni", "ce"] and backend.tokens == ["bam"]
    assert len(result.dropped) == 1 and "phantom phrase" in result.dropped[0]
    backend.whisper_tokens = True  # a Whisper fine-tune decoding with a token Whisper lacks: said before decoding
    with pytest.raises(PipelineError, match="no language 'bam'"):
        backend.transcribe(speech, "bm")
    assert backend.tokens == ["bam"]
