"""Model settings -> something a backend can load, with a clear error for each wrong format.

A model is named three ways in config.toml: "whisper-base" (the bundled weights, offline),
a Whisper model name ("small", "large-v3": downloaded by the backend, needs internet), or a
local path (a CTranslate2 folder, an openai-whisper .pt file, e.g. a Bambara fine-tune).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.asr import weights
from pipeline.errors import PipelineError

WHISPER_NAMES = ("tiny", "base", "small", "medium", "large-v1", "large-v2", "large-v3", "turbo", "large-v3-turbo")


def _is_path(model: str) -> bool:
    return "/" in model or model.startswith(".") or model.endswith(".pt") or Path(model).exists()


def _missing(path: Path) -> PipelineError:
    return PipelineError(f"model not found: {path}",
                         hint="fix the model path under [subtitles] in config.toml, or use \"whisper-base\"")


def _is_transformers(path: Path) -> bool:
    weights_there = any(path.glob("*.safetensors")) or (path / "pytorch_model.bin").is_file()
    return path.is_dir() and (path / "config.json").is_file() and weights_there


def for_faster_whisper(model: str) -> str:
    """A CTranslate2 folder or a model name for faster_whisper.WhisperModel."""
    if model == weights.BUNDLED:
        return str(weights.bundled_ct2())
    if not _is_path(model):
        _check_name(model)
        return model
    path = Path(model).expanduser()
    if not path.exists():
        raise _missing(path)
    if path.is_file():
        raise PipelineError(f"{path} is a file; faster-whisper needs a CTranslate2 model folder",
                            hint="for a .pt checkpoint set backend = \"openai-whisper\", or convert it "
                                 "with ct2-transformers-converter")
    if (path / "model.bin").is_file():
        return str(path)
    if _is_transformers(path):
        raise PipelineError(f"{path} is a Hugging Face transformers model, not a CTranslate2 one",
                            hint=f"convert it: ct2-transformers-converter --model {path} --output_dir "
                                 f"{path}-ct2 --copy_files tokenizer.json, then point the setting there")
    raise PipelineError(f"{path} has no model.bin: not a faster-whisper (CTranslate2) model folder",
                        hint="a faster-whisper model folder holds model.bin, config.json and tokenizer.json")


def for_openai_whisper(model: str) -> tuple[str, list[list[int]]]:
    """(a .pt path or a model name, alignment heads to set) for whisper.load_model."""
    if model == weights.BUNDLED:
        folder = weights.bundled_ct2()
        return str(weights.openai_checkpoint(folder)), weights.alignment_heads(folder)
    if not _is_path(model):
        _check_name(model)
        return model, []
    path = Path(model).expanduser()
    if not path.exists():
        raise _missing(path)
    if path.is_dir() and (path / "model.bin").is_file():  # same tensors: convert once, cached
        return str(weights.openai_checkpoint(path)), weights.alignment_heads(path)
    if path.is_file() and path.suffix == ".pt":
        return str(path), []
    raise PipelineError(f"{path} is not an openai-whisper checkpoint (.pt) or a CTranslate2 folder",
                        hint="give a .pt file saved by openai-whisper, or set backend = \"faster-whisper\"")


def _check_name(model: str) -> None:
    if model not in WHISPER_NAMES:
        raise PipelineError(f"unknown Whisper model {model!r}",
                            hint=f"use \"whisper-base\" (bundled), a local path, or one of {', '.join(WHISPER_NAMES)}")


def device(requested: str) -> str:
    """auto -> cuda when torch sees a GPU, else cpu."""
    if requested != "auto":
        return requested
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def check_language(code: str) -> None:
    from whisper.tokenizer import LANGUAGES

    if code not in LANGUAGES:
        raise PipelineError(f"Whisper has no language {code!r}",
                            hint="Bambara (bm) needs a fine-tuned model with a language_token it was trained "
                                 "with (e.g. \"fr\"), or the translation route")
