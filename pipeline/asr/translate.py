"""Machine translation of subtitle text, behind one small protocol (NLLB-200 via CTranslate2).

Used by the Bambara translation route: French sentences in, Bambara drafts out, for a person
to correct. NLLB-200 is CC-BY-NC: the weights are the user's to provide, as a local folder
converted with `ct2-transformers-converter` plus the model's `sentencepiece.bpe.model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pipeline.errors import PipelineError


class Translator(Protocol):
    name: str

    def translate(self, sentences: Sequence[str]) -> list[str]:
        ...


class NllbTranslator:
    name = "nllb-200"

    def __init__(self, model: str, source: str = "fra_Latn", target: str = "bam_Latn", device: str = "cpu") -> None:
        path = Path(model).expanduser()
        hint = ("convert NLLB-200 with: ct2-transformers-converter --model facebook/nllb-200-distilled-600M "
                "--output_dir DIR --copy_files sentencepiece.bpe.model, then set "
                "[subtitles.bambara] translation_model = \"DIR\"")
        if not model:
            raise PipelineError("no translation model configured for the Bambara translation route", hint=hint)
        if not path.is_dir():
            raise PipelineError(f"translation model not found: {path}", hint=hint)
        if not (path / "model.bin").is_file():
            raise PipelineError(f"{path} has no model.bin: not a CTranslate2 model folder", hint=hint)
        spm = path / "sentencepiece.bpe.model"
        if not spm.is_file():
            raise PipelineError(f"{path} has no sentencepiece.bpe.model (NLLB's tokenizer)", hint=hint)
        try:
            import ctranslate2
            import sentencepiece
        except ImportError as exc:
            raise PipelineError(f"the translation route needs {exc.name}", hint=f"pip install {exc.name}") from None
        self.source, self.target = source, target
        self.sp = sentencepiece.SentencePieceProcessor(model_file=str(spm))
        try:
            self.model = ctranslate2.Translator(str(path), device=device, compute_type="int8")
        except (RuntimeError, ValueError) as exc:
            raise PipelineError(f"CTranslate2 could not load {path}: {exc}", hint=hint) from None

    def translate(self, sentences: Sequence[str]) -> list[str]:
        batch = [[self.source, *self.sp.encode(s, out_type=str), "</s>"] for s in sentences]
        results = self.model.translate_batch(batch, target_prefix=[[self.target]] * len(batch), beam_size=4)
        return [self.sp.decode([t for t in r.hypotheses[0] if t != self.target]) for r in results]
