"""Bambara recognisers that are not CTranslate2/openai-whisper files, each behind the Transcriber
protocol and each used only when its package is installed (none is a dependency of this project):

- transformers: a Whisper fine-tune saved by Hugging Face transformers (config.json + safetensors);
- mms: Meta MMS wav2vec2 CTC with the `bam` adapter (CC-BY-NC weights; transformers);
- nemo: an NVIDIA NeMo .nemo checkpoint (RobotsMali's Bambara models; nemo_toolkit).

All decode only the stretches the Silero VAD marks as speech, like the Whisper backends.
Without the package, the error says what to install or how to convert the model instead.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.asr import SAMPLE_RATE, AsrSettings, Segment, Transcript, Word
from pipeline.errors import PipelineError

if TYPE_CHECKING:
    import numpy as np

EXTRA_BACKENDS = ("transformers", "mms", "nemo")
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


def _regions(audio: np.ndarray, vad: bool) -> list[tuple[float, float]]:
    from pipeline.asr.openai_whisper import speech_regions

    return speech_regions(audio) if vad else [(0.0, len(audio) / SAMPLE_RATE)]


def _transcript(language: str, audio: np.ndarray, segments: list[Segment]) -> Transcript:
    return Transcript(language, tuple(s for s in segments if s.words), len(audio) / SAMPLE_RATE)


class TransformersWhisper:
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

    def transcribe(self, audio: np.ndarray, language: str,
                   progress: Callable[[float], None] | None = None) -> Transcript:
        token = self.settings.language_token or language
        segments = []
        for a, b in _regions(audio, self.settings.vad):
            clip = audio[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)]
            out = self.pipe({"raw": clip, "sampling_rate": SAMPLE_RATE}, return_timestamps="word",
                            generate_kwargs={"language": token, "task": "transcribe"})
            words = tuple(Word(c["text"].strip(), a + c["timestamp"][0], a + (c["timestamp"][1] or b - a))
                          for c in out.get("chunks", ()) if c["text"].strip())
            segments.append(Segment(a, b, out["text"].strip(), words))
            if progress:
                progress(b)
        return _transcript(language, audio, segments)


class MmsCtc:
    """wav2vec2 CTC (Meta MMS) with a language adapter: word times from the CTC frame offsets."""

    name = "mms"

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

    def transcribe(self, audio: np.ndarray, language: str,
                   progress: Callable[[float], None] | None = None) -> Transcript:
        import torch

        segments = []
        ratio = self.model.config.inputs_to_logits_ratio / SAMPLE_RATE  # seconds per CTC frame
        for a, b in _regions(audio, self.settings.vad):
            clip = audio[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)]
            inputs = self.processor(clip, sampling_rate=SAMPLE_RATE, return_tensors="pt")
            with torch.no_grad():
                ids = self.model(**inputs).logits.argmax(dim=-1)[0]
            out = self.processor.decode(ids, output_word_offsets=True)
            words = tuple(Word(w["word"], a + w["start_offset"] * ratio, a + w["end_offset"] * ratio)
                          for w in out.word_offsets)
            segments.append(Segment(a, b, out.text, words))
            if progress:
                progress(b)
        return _transcript(language, audio, segments)


class NemoAsr:
    """A NeMo checkpoint (.nemo), e.g. RobotsMali's Bambara models, with word timestamps."""

    name = "nemo"

    def __init__(self, settings: AsrSettings) -> None:
        _need("nemo", "nemo", settings.model, "nemo_toolkit[asr]")
        path = _folder(settings.model, "nemo", ())
        if path.suffix != ".nemo":
            raise PipelineError(f"{path} is not a .nemo checkpoint", hint="point speech_model at the .nemo file")
        from nemo.collections.asr.models import ASRModel

        self.settings = settings
        self.model = ASRModel.restore_from(str(path), map_location="cpu")

    def transcribe(self, audio: np.ndarray, language: str,
                   progress: Callable[[float], None] | None = None) -> Transcript:
        segments = []
        for a, b in _regions(audio, self.settings.vad):
            clip = audio[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)]
            (hyp,) = self.model.transcribe([clip], timestamps=True)
            stamps = (getattr(hyp, "timestamp", None) or {}).get("word", [])
            words = tuple(Word(w["word"], a + w["start"], a + w["end"]) for w in stamps)
            segments.append(Segment(a, b, hyp.text, words))
            if progress:
                progress(b)
        return _transcript(language, audio, segments)


def make(settings: AsrSettings):  # noqa: ANN201 - one of the classes above
    return {"transformers": TransformersWhisper, "mms": MmsCtc, "nemo": NemoAsr}[settings.backend](settings)
