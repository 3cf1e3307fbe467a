"""Tiny randomly-initialised Whisper models, built in tests so the real loading code runs offline.

Same vocabulary, mel bins and context sizes as the real models; widths and layers shrunk
(a ~7 MB checkpoint). `favour` biases the output layer so greedy decoding says one chosen
word over and over: a deterministic transcript (with real word timestamps from the model's
own cross-attention), enough to drive the stage end to end.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np

from pipeline.asr import ct2, weights


EOT = "<|endoftext|>"


def tiny_model(favour: str | None = " bonjour", seed: int = 0):  # noqa: ANN201
    import torch
    import whisper
    from whisper.model import ModelDimensions, Whisper

    torch.manual_seed(seed)
    dims = ModelDimensions(n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
                           n_vocab=51865, n_text_ctx=448, n_text_state=64, n_text_head=2, n_text_layer=1)
    model = Whisper(dims)
    with torch.no_grad():  # openai-whisper leaves this as torch.empty: whatever was in memory, which
        # made the tiny model (and its word timings) differ from one process to the next
        model.decoder.positional_embedding.normal_(0.0, 0.02)
    if favour:
        tok = whisper.tokenizer.get_tokenizer(True, language="fr")
        ids = [tok.eot] if favour == EOT else tok.encode(favour)
        with torch.no_grad():
            emb = model.decoder.token_embedding.weight
            emb.mul_(0.02)
            target = emb[ids[0]] / emb[ids[0]].norm()
            model.decoder.ln.weight.zero_()
            model.decoder.ln.bias.copy_(target * 400.0)
            if favour != EOT:  # among timestamps (the forced first token) <|0.00|> wins: speech starts at once
                emb[tok.timestamp_begin].copy_(target * emb[ids[0]].norm() * 0.5)
    return dims, model


def save_pt(path: Path, favour: str | None = " bonjour") -> Path:
    import torch

    dims, model = tiny_model(favour)
    state = {k: v.half() for k, v in model.state_dict().items()}
    torch.save({"dims": asdict(dims), "model_state_dict": state}, path)
    return path


def save_ct2(folder: Path, favour: str | None = " bonjour", seed: int = 0) -> Path:
    """The same tiny model as a CTranslate2 folder faster-whisper can load."""
    dims, model = tiny_model(favour, seed)
    state = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    bundled = weights._package_data(weights.PARTS[0])  # tokenizer files only: no big weights
    folder.mkdir(parents=True, exist_ok=True)
    ct2.write(folder / "model.bin", ct2.from_openai_state(asdict(dims), state))
    config = json.loads((bundled / "config.json").read_text())
    config["alignment_heads"] = [[0, 0], [0, 1]]
    (folder / "config.json").write_text(json.dumps(config))
    for name in ("tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(bundled / name, folder / name)
    return folder


def speaking_ct2(folder: Path, audio: np.ndarray, seed: int = 0, **settings: object) -> Path:
    """A tiny CT2 model that yields words spread in time on this audio. Every weight is seeded,
    so this is the same model, with the same output, in every process: a seed that stops
    aligning words is a real change (in faster-whisper or in our converter) and fails here."""
    from pipeline.asr.base import AsrSettings
    from pipeline.asr.faster import FasterWhisper

    save_ct2(folder, seed=seed)
    words = FasterWhisper(AsrSettings(model=str(folder), **settings)).transcribe(audio, "fr").words
    assert words and words[-1].end > words[0].start, f"tiny model (seed {seed}) gave no spread words: {words}"
    return folder
