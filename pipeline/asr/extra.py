"""Bambara recognisers that are not CTranslate2/openai-whisper files, each behind the Transcriber
protocol and each used only when its package is installed (none is a dependency of this project):

- transformers: a Whisper fine-tune saved by Hugging Face transformers (config.json + safetensors);
- mms: Meta MMS wav2vec2 CTC with the `bam` adapter (CC-BY-NC weights; transformers);
- nemo: an NVIDIA NeMo .nemo checkpoint (RobotsMali's Bambara models; nemo_toolkit).

All go through the same voice-activity gate, region decoder and hallucination guards as the
Whisper backends (pipeline.asr.vad.transcribe_speech): each decodes one stretch of speech.
Without the package, the error says what to install or how to convert the model instead.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.asr import vad
from pipeline.asr.base import SAMPLE_RATE, AsrSettings, Segment, Word
from pipeline.errors import PipelineError

if TYPE_CHECKING:
    import numpy as np

CONVERT = ("or convert a Whisper fine-tune to CTranslate2 (ct2-transformers-converter --model {path} "
           "--output_dir {path}-ct2 --copy_files tokenizer.json preprocessor_config.json) and set "
           "speech_backend = \"faster-whisper\"")


def _need(package: str, backend: str, path: str, extra: str = "") -> None:
    if importlib.util.find_spec(package) is None:
        raise PipelineError(f"speech_backend = \"{backend}\" needs the Python package {package!r}, which is not "
                            "installed", hint=f"pip install {extra or package}, " + CONVERT.format(path=path))


def _folder(model: str, backend: str, wanted: tuple[str, ...]) -> Path:
    path = Path(model).expanduser()
    if not path.exists():
        raise PipelineError(f"model not found: {path}", hint="fix [subtitles.bambara] speech_model in config.toml")
    if wanted and not (path.is_dir() and all((path / w).is_file() for w in wanted)):
        raise PipelineError(f"{path} is not a {backend} model folder (needs {', '.join(wanted)})",
                            hint="point speech_model at the folder the model was saved to")
    return path


class TransformersWhisper(vad.GatedTranscriber):
    """A Whisper fine-tune in transformers format, through its own pipeline, word timestamps on."""

    name = "transformers"

    def __init__(self, settings: AsrSettings) -> None:
        _need("transformers", "transformers", settings.model)
        path = _folder(settings.model, "transformers", ("config.json",))
        from transformers import pipeline

        from pipeline.asr import resolve

        self.settings = settings
        try:
            self.pipe = pipeline("automatic-speech-recognition", model=str(path),
                                 device=0 if resolve.device(settings.device) == "cuda" else -1)
        except (OSError, ValueError) as exc:
            raise PipelineError(f"transformers could not load {path}: {exc}",
                                hint=CONVERT.format(path=path)) from None

    def decode(self, piece: np.ndarray, token: str) -> list[Segment]:
        length = len(piece) / SAMPLE_RATE
        out = self.pipe({"raw": piece, "sampling_rate": SAMPLE_RATE}, return_timestamps="word",
                        generate_kwargs={"language": token, "task": "transcribe"})
        words = tuple(Word(c["text"].strip(), c["timestamp"][0], c["timestamp"][1] or length)
                      for c in out.get("chunks", ()) if c["text"].strip())
        return [Segment(0.0, length, out["text"].strip(), words)]


class MmsCtc(vad.GatedTranscriber):
    """wav2vec2 CTC (Meta MMS) with a language adapter: word times from the CTC frame offsets."""

    name = "mms"
    whisper_tokens = False  # language_token names the adapter ("bam")

    def __init__(self, settings: AsrSettings) -> None:
        _need("transformers", "mms", settings.model)
        path = _folder(settings.model, "mms", ("config.json",))
        from transformers import AutoProcessor, Wav2Vec2ForCTC

        self.settings = settings
        lang = settings.language_token or "bam"
        try:
            self.processor = AutoProcessor.from_pretrained(str(path), target_lang=lang)
            self.model = Wav2Vec2ForCTC.from_pretrained(str(path), target_lang=lang, ignore_mismatched_sizes=True)
        except (OSError, ValueError) as exc:
            raise PipelineError(f"could not load the MMS model {path} with adapter {lang!r}: {exc}",
                                hint="give the folder of an MMS model (e.g. mms-1b-all) with its adapters") from None

    def decode(self, piece: np.ndarray, _token: str) -> list[Segment]:
        import torch

        ratio = self.model.config.inputs_to_logits_ratio / SAMPLE_RATE  # seconds per CTC frame
        inputs = self.processor(piece, sampling_rate=SAMPLE_RATE, return_tensors="pt")
        with torch.no_grad():
            ids = self.model(**inputs).logits.argmax(dim=-1)[0]
        out = self.processor.decode(ids, output_word_offsets=True)
        words = tuple(Word(w["word"], w["start_offset"] * ratio, w["end_offset"] * ratio) for w in out.word_offsets)
        return [Segment(0.0, len(piece) / SAMPLE_RATE, out.text, words)]


class NemoAsr(vad.GatedTranscriber):
    """A NeMo checkpoint (.nemo), e.g. RobotsMali's Bambara models, with word timestamps."""

    name = "nemo"
    whisper_tokens = False

    def __init__(self, settings: AsrSettings) -> None:
        _need("nemo", "nemo", settings.model, "nemo_toolkit[asr]")
        path = _folder(settings.model, "nemo", ())
        if path.suffix != ".nemo":
            raise PipelineError(f"{path} is not a .nemo checkpoint", hint="point speech_model at the .nemo file")
        from nemo.collections.asr.models import ASRModel

        self.settings = settings
        self.model = ASRModel.restore_from(str(path), map_location="cpu")

    def decode(self, piece: np.ndarray, _token: str) -> list[Segment]:
        (hyp,) = self.model.transcribe([piece], timestamps=True)
        stamps = (getattr(hyp, "timestamp", None) or {}).get("word", [])
        words = tuple(Word(w["word"], w["start"], w["end"]) for w in stamps)
        return [Segment(0.0, len(piece) / SAMPLE_RATE, hyp.text, words)]
