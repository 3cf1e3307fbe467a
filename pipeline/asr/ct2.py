"""CTranslate2 Whisper `model.bin`: read it, check it, write it, and convert it to openai-whisper.

Why our own reader: the bundled weights arrive in two halves that we join ourselves, so we
verify every tensor's shape before trusting them; and the same tensors, reshaped, make an
openai-whisper checkpoint (fp32 greedy gives the same words), so both backends run the same
model. The writer builds tiny faster-whisper models in tests, with no download.

Format (binary version 6): u32 version, str spec, u32 revision, u32 count, then per variable
str name, u8 rank, u32 dims[rank], u8 dtype, u32 nbytes, data; then u32 aliases, (str, str)...
Strings are u16 length + bytes ending in NUL.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from pipeline.errors import PipelineError

DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
DTYPE_IDS = {np.dtype(v): k for k, v in DTYPES.items()}


@dataclass(frozen=True)
class CT2Model:
    spec: str
    revision: int
    variables: dict[str, np.ndarray]
    aliases: dict[str, str]

    def get(self, name: str) -> np.ndarray:
        return self.variables[self.aliases.get(name, name)]

    def layers(self, side: str) -> int:
        return len({k.split("/")[1] for k in self.variables
                    if k.startswith(f"{side}/layer_") and k.split("/")[1][6:].isdigit()})


def _str(fh: BinaryIO) -> str:
    (n,) = struct.unpack("<H", fh.read(2))
    return fh.read(n).decode("utf-8").rstrip("\0")


def _wstr(fh: BinaryIO, text: str) -> None:
    raw = text.encode("utf-8") + b"\0"
    fh.write(struct.pack("<H", len(raw)) + raw)


def read(path: Path) -> CT2Model:
    """Every tensor of a CTranslate2 model file; raises if the file is not one."""
    try:
        with open(path, "rb") as fh:
            (version,) = struct.unpack("<I", fh.read(4))
            if version != 6:
                raise ValueError(f"binary version {version}, expected 6")
            spec, (revision,), (count,) = _str(fh), struct.unpack("<I", fh.read(4)), struct.unpack("<I", fh.read(4))
            variables = {}
            for _ in range(count):
                name = _str(fh)
                rank = fh.read(1)[0]
                dims = struct.unpack(f"<{rank}I", fh.read(4 * rank))
                dtype = DTYPES[fh.read(1)[0]]
                (nbytes,) = struct.unpack("<I", fh.read(4))
                variables[name] = np.frombuffer(fh.read(nbytes), dtype=dtype).reshape(dims)
            (n_alias,) = struct.unpack("<I", fh.read(4))
            aliases = {_str(fh): _str(fh) for _ in range(n_alias)}
    except (OSError, ValueError, KeyError, struct.error, IndexError) as exc:
        raise PipelineError(f"{path}: not a CTranslate2 model file ({exc})",
                            hint="point the model setting at a faster-whisper (CTranslate2) model folder") from None
    return CT2Model(spec, revision, variables, aliases)


def write(path: Path, model: CT2Model) -> None:
    with open(path, "wb") as fh:
        fh.write(struct.pack("<I", 6))
        _wstr(fh, model.spec)
        fh.write(struct.pack("<II", model.revision, len(model.variables)))
        for name, arr in model.variables.items():
            arr = np.require(arr, requirements="C")  # (ascontiguousarray turns scalars into 1-d)
            _wstr(fh, name)
            fh.write(struct.pack("<B", arr.ndim) + struct.pack(f"<{arr.ndim}I", *arr.shape))
            fh.write(struct.pack("<BI", DTYPE_IDS[arr.dtype], arr.nbytes))
            fh.write(arr.tobytes())
        fh.write(struct.pack("<I", len(model.aliases)))
        for a, b in model.aliases.items():
            _wstr(fh, a)
            _wstr(fh, b)


# ------------------------------------------------------------------ Whisper shapes

def whisper_dims(m: CT2Model) -> dict[str, int]:
    """openai-whisper's ModelDimensions, read off the tensors (and checked against each other)."""
    if m.spec != "WhisperSpec":
        raise PipelineError(f"model is a {m.spec}, not a Whisper model",
                            hint="use a Whisper model converted for faster-whisper")
    emb = m.get("decoder/embeddings/weight")
    conv1 = m.get("encoder/conv1/weight")
    return {"n_mels": conv1.shape[1], "n_audio_ctx": m.get("encoder/position_encodings/encodings").shape[0],
            "n_audio_state": conv1.shape[0], "n_audio_head": int(m.get("encoder/num_heads")),
            "n_audio_layer": m.layers("encoder"), "n_vocab": emb.shape[0],
            "n_text_ctx": m.get("decoder/position_encodings/encodings").shape[0], "n_text_state": emb.shape[1],
            "n_text_head": int(m.get("decoder/num_heads")), "n_text_layer": m.layers("decoder")}


def check_whisper_shapes(m: CT2Model) -> dict[str, int]:
    """Every tensor a Whisper model needs, with the shape its dimensions imply."""
    d = whisper_dims(m)
    a, t, mels = d["n_audio_state"], d["n_text_state"], d["n_mels"]
    want = {"encoder/conv1/weight": (a, mels, 3), "encoder/conv2/weight": (a, a, 3),
            "encoder/layer_norm/gamma": (a,), "decoder/layer_norm/gamma": (t,),
            "decoder/embeddings/weight": (d["n_vocab"], t)}
    for side, s, n in (("encoder", a, d["n_audio_layer"]), ("decoder", t, d["n_text_layer"])):
        for i in range(n):
            p = f"{side}/layer_{i}"
            want[f"{p}/self_attention/linear_0/weight"] = (3 * s, s)
            want[f"{p}/ffn/linear_0/weight"] = (4 * s, s)
            want[f"{p}/ffn/linear_1/weight"] = (s, 4 * s)
            if side == "decoder":
                want[f"{p}/attention/linear_1/weight"] = (2 * t, a)
    for name, shape in want.items():
        got = tuple(m.get(name).shape) if (name in m.variables or name in m.aliases) else None
        if got != shape:
            raise PipelineError(f"Whisper model tensor {name} has shape {got}, expected {shape}",
                                hint="the model file is damaged or not a Whisper model; delete it and rebuild it")
    return d


def _lin(sd: dict, m: CT2Model, src: str, dst: str, bias: bool = True) -> None:
    sd[f"{dst}.weight"] = m.get(f"{src}/weight")
    if bias:
        sd[f"{dst}.bias"] = m.get(f"{src}/bias")


def _ln(sd: dict, m: CT2Model, src: str, dst: str) -> None:
    sd[f"{dst}.weight"], sd[f"{dst}.bias"] = m.get(f"{src}/gamma"), m.get(f"{src}/beta")


def _qkv(sd: dict, m: CT2Model, src: str, dst: str, names: tuple[str, ...]) -> None:
    """CT2 fuses q,k,v (or k,v) into one matrix; whisper's key projection has no bias."""
    ws = np.split(m.get(f"{src}/weight"), len(names))
    bs = np.split(m.get(f"{src}/bias"), len(names))
    for name, w, b in zip(names, ws, bs, strict=True):
        sd[f"{dst}.{name}.weight"] = w
        if name != "key":
            sd[f"{dst}.{name}.bias"] = b


def to_openai_state(m: CT2Model) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """(dims, state dict) for openai-whisper: the same tensors under whisper's names."""
    d = check_whisper_shapes(m)
    sd: dict[str, Any] = {}
    _lin(sd, m, "encoder/conv1", "encoder.conv1")
    _lin(sd, m, "encoder/conv2", "encoder.conv2")
    sd["encoder.positional_embedding"] = m.get("encoder/position_encodings/encodings")
    _ln(sd, m, "encoder/layer_norm", "encoder.ln_post")
    sd["decoder.token_embedding.weight"] = m.get("decoder/embeddings/weight")
    sd["decoder.positional_embedding"] = m.get("decoder/position_encodings/encodings")
    _ln(sd, m, "decoder/layer_norm", "decoder.ln")
    for side, n in (("encoder", d["n_audio_layer"]), ("decoder", d["n_text_layer"])):
        for i in range(n):
            src, dst = f"{side}/layer_{i}", f"{side}.blocks.{i}"
            _qkv(sd, m, f"{src}/self_attention/linear_0", f"{dst}.attn", ("query", "key", "value"))
            _lin(sd, m, f"{src}/self_attention/linear_1", f"{dst}.attn.out")
            _ln(sd, m, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
            if side == "decoder":
                _lin(sd, m, f"{src}/attention/linear_0", f"{dst}.cross_attn.query")
                _qkv(sd, m, f"{src}/attention/linear_1", f"{dst}.cross_attn", ("key", "value"))
                _lin(sd, m, f"{src}/attention/linear_2", f"{dst}.cross_attn.out")
                _ln(sd, m, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln")
            _lin(sd, m, f"{src}/ffn/linear_0", f"{dst}.mlp.0")
            _lin(sd, m, f"{src}/ffn/linear_1", f"{dst}.mlp.2")
            _ln(sd, m, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")
    return d, sd


# The scalar settings of every converted Whisper model (as in Systran's faster-whisper-base).
WHISPER_SCALARS = {"decoder/activation": np.int8(3), "decoder/alibi": np.int8(0),
                   "decoder/alignment_heads": np.int16(1), "decoder/alignment_layer": np.int16(-1),
                   "decoder/pre_norm": np.int8(1), "decoder/scale_embeddings": np.int8(0),
                   "decoder/start_from_zero_embedding": np.int8(0)}


def from_openai_state(dims: dict[str, int], sd: dict[str, np.ndarray]) -> CT2Model:
    """The inverse: an openai-whisper state dict as a CT2 model (builds tiny test models offline)."""
    v: dict[str, np.ndarray] = {k: np.array(x) for k, x in WHISPER_SCALARS.items()}
    v["encoder/num_heads"] = np.array(dims["n_audio_head"], dtype=np.int16)
    v["decoder/num_heads"] = np.array(dims["n_text_head"], dtype=np.int16)
    # CT2 name -> whisper name for the plain (unfused) tensors.
    names = {}
    for side, n in (("encoder", dims["n_audio_layer"]), ("decoder", dims["n_text_layer"])):
        for i in range(n):
            src, dst = f"{side}/layer_{i}", f"{side}.blocks.{i}"
            for part, sub in (("self_attention", "attn"),):
                q, k, val = (sd[f"{dst}.{sub}.{x}.weight"] for x in ("query", "key", "value"))
                v[f"{src}/{part}/linear_0/weight"] = np.concatenate([q, k, val])
                v[f"{src}/{part}/linear_0/bias"] = np.concatenate(
                    [sd[f"{dst}.{sub}.query.bias"], np.zeros_like(sd[f"{dst}.{sub}.query.bias"]),
                     sd[f"{dst}.{sub}.value.bias"]])
                names[f"{src}/{part}/linear_1"] = f"{dst}.{sub}.out"
                names[f"{src}/{part}/layer_norm"] = f"{dst}.{sub}_ln"
            if side == "decoder":
                names[f"{src}/attention/linear_0"] = f"{dst}.cross_attn.query"
                k, val = sd[f"{dst}.cross_attn.key.weight"], sd[f"{dst}.cross_attn.value.weight"]
                v[f"{src}/attention/linear_1/weight"] = np.concatenate([k, val])
                v[f"{src}/attention/linear_1/bias"] = np.concatenate(
                    [np.zeros_like(sd[f"{dst}.cross_attn.value.bias"]), sd[f"{dst}.cross_attn.value.bias"]])
                names[f"{src}/attention/linear_2"] = f"{dst}.cross_attn.out"
                names[f"{src}/attention/layer_norm"] = f"{dst}.cross_attn_ln"
            names[f"{src}/ffn/linear_0"] = f"{dst}.mlp.0"
            names[f"{src}/ffn/linear_1"] = f"{dst}.mlp.2"
            names[f"{src}/ffn/layer_norm"] = f"{dst}.mlp_ln"
    names.update({"encoder/conv1": "encoder.conv1", "encoder/conv2": "encoder.conv2",
                  "encoder/layer_norm": "encoder.ln_post", "decoder/layer_norm": "decoder.ln"})
    for src, dst in names.items():
        if src.endswith("layer_norm"):
            v[f"{src}/gamma"], v[f"{src}/beta"] = sd[f"{dst}.weight"], sd[f"{dst}.bias"]
        else:
            v[f"{src}/weight"], v[f"{src}/bias"] = sd[f"{dst}.weight"], sd[f"{dst}.bias"]
    v["encoder/position_encodings/encodings"] = sd["encoder.positional_embedding"]
    v["decoder/position_encodings/encodings"] = sd["decoder.positional_embedding"]
    v["decoder/embeddings/weight"] = sd["decoder.token_embedding.weight"]
    return CT2Model("WhisperSpec", 3, v, {"decoder/projection/weight": "decoder/embeddings/weight"})
