"""A synthetic DRAFT voice from approved subtitles, only where a Bambara speech model is configured.

Bambara text-to-speech needs weights the user downloads (e.g. Meta's MMS-TTS `bam`, a VITS model,
CC-BY-NC 4.0: non-commercial use only); the pipeline never fetches one and never uses one by
default. A draft helps a team hear the timing before a narrator records; it is never the version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import PipelineError
from pipeline.models import Cue

LICENCE = "MMS-TTS weights are CC-BY-NC 4.0: non-commercial use only"
GAP = 0.15  # seconds kept between two synthetic lines that would otherwise run into each other


@dataclass(frozen=True)
class Synthesiser:
    """Text in, float samples out at `rate`."""

    rate: int
    speak: Callable[[str], np.ndarray]
    name: str


def load(model: Path | None) -> Synthesiser:
    """A VITS text-to-speech model folder as saved by Hugging Face transformers (config.json, weights,
    tokenizer files), loaded offline; clear errors when none is configured, found or loadable."""
    if model is None:
        raise PipelineError("no Bambara speech model configured: a synthetic draft voice needs one",
                            hint="download a VITS model for Bambara (e.g. MMS-TTS 'bam', CC-BY-NC) and set "
                                 "[voiceover] tts_model = \"/path/to/folder\" in config.toml; "
                                 "otherwise record a narrator")
    if not (model / "config.json").is_file():
        raise PipelineError(f"speech model not found: {model} (no config.json there)",
                            hint="set [voiceover] tts_model to the folder holding the model's config.json and weights")
    try:
        import torch
        from transformers import AutoTokenizer, VitsModel
    except ImportError:
        raise PipelineError("the synthetic draft voice needs the transformers package",
                            hint="install it in the project's environment: "
                                 ".venv/bin/pip install transformers") from None
    try:
        vits = VitsModel.from_pretrained(str(model), local_files_only=True).eval()
        tokenizer = AutoTokenizer.from_pretrained(str(model), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise PipelineError(f"cannot load the speech model in {model}: {exc}",
                            hint="it must be a VITS text-to-speech model saved by transformers "
                                 "(config.json, model weights, tokenizer files)") from None

    def speak(text: str) -> np.ndarray:
        inputs = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            wave = vits(**inputs).waveform[0]
        return wave.float().numpy()

    return Synthesiser(int(vits.config.sampling_rate), speak, model.name)


def place(cues: Sequence[Cue], synth: Synthesiser, duration: float) -> tuple[np.ndarray, list[str]]:
    """Each line spoken from its cue's start (later if the previous one still speaks), on the
    episode's clock; notes say where a line overruns its cue or the episode."""
    rate = synth.rate
    out = np.zeros(round(duration * rate), dtype=np.float32)
    notes: list[str] = []
    free_at = 0.0
    for i, cue in enumerate(cues, 1):
        wave = np.asarray(synth.speak(cue.text.replace("\n", " ")), dtype=np.float32)
        start = max(cue.start, free_at)
        end = start + len(wave) / rate
        if end > cue.end + 0.5:
            notes.append(f"line {i} takes {len(wave) / rate:.1f} s for a {cue.duration:.1f} s cue")
        a = round(start * rate)
        if a >= len(out):
            notes.append(f"line {i} and after do not fit before the end of the episode")
            break
        piece = wave[: len(out) - a]
        if len(piece) < len(wave):
            notes.append(f"line {i} runs past the end of the episode: cut")
        out[a: a + len(piece)] += piece
        free_at = end + GAP
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    if peak > 0.89:
        out *= 0.89 / peak  # about -1 dBFS: a draft must not be refused as clipped
    return out, notes
