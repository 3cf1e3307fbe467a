"""The speech recognition backends, by the name config.toml gives them: one explicit registry.

Each is a small class (pipeline.asr.vad.GatedTranscriber) that loads its model when built;
its heavy library is imported then, so importing this registry stays cheap.
"""

from __future__ import annotations

from pipeline.asr.base import AsrSettings, Transcriber
from pipeline.asr.extra import MmsCtc, NemoAsr, TransformersWhisper
from pipeline.asr.faster import FasterWhisper
from pipeline.asr.openai_whisper import OpenAIWhisper
from pipeline.asr.vad import GatedTranscriber
from pipeline.errors import PipelineError

BACKENDS: dict[str, type[GatedTranscriber]] = {
    "faster-whisper": FasterWhisper,    # CTranslate2: the default, and the bundled weights
    "openai-whisper": OpenAIWhisper,    # .pt checkpoints (many fine-tunes)
    "transformers": TransformersWhisper,  # the extras: Bambara models, when their packages are installed
    "mms": MmsCtc,
    "nemo": NemoAsr,
}
WHISPER = ("faster-whisper", "openai-whisper")  # the backends that read Whisper model names and files


def make_transcriber(settings: AsrSettings) -> Transcriber:
    """The backend named in settings, with its model loaded (raises PipelineError on bad models)."""
    backend = BACKENDS.get(settings.backend)
    if backend is None:
        raise PipelineError(f"unknown speech recognition backend {settings.backend!r}",
                            hint=f"use one of: {', '.join(BACKENDS)}")
    return backend(settings)


def needs_language_token(backend: str) -> bool:
    """Whether the backend decodes with Whisper's language tokens (a Bambara fine-tune must say which)."""
    return BACKENDS[backend].whisper_tokens
