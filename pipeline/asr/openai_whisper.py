"""openai-whisper: the client's named package, and the format of many fine-tuned checkpoints.

Greedy fp32 decoding (beam 5 is ~30x slower here), word timestamps from the alignment heads,
behind the shared voice-activity gate (pipeline.asr.vad: each speech stretch decoded alone, so
music and silence never reach the model), and the temperature fallback ending as in faster-whisper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pipeline.asr import vad
from pipeline.asr.base import AsrSettings, Segment, Word
from pipeline.errors import PipelineError

if TYPE_CHECKING:
    import numpy as np


TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


class BestOfFallback:
    """Wraps `model.decode` for one transcribe call so the temperature fallback ends like
    faster-whisper's. openai-whisper keeps the LAST try when every temperature fails its checks:
    the sample at 1.0, which is noise (on the sample episode all 10 segments came out as
    garbage at log-prob -3.6/-4.6 and the guards rightly dropped them). faster-whisper keeps the
    try with the best average log-probability among those that do not repeat themselves."""

    def __init__(self, decode: Callable, settings: AsrSettings, temperatures: tuple[float, ...] = TEMPERATURES) -> None:
        self.decode, self.s, self.temperatures = decode, settings, temperatures
        self.tries: list = []

    def fails(self, r: object) -> bool:
        """openai-whisper's own test for moving on to the next temperature."""
        s = self.s
        silence = r.no_speech_prob > s.no_speech_threshold and r.avg_logprob < s.log_prob_threshold  # type: ignore[attr-defined]
        unsure = r.compression_ratio > s.compression_ratio_threshold or r.avg_logprob < s.log_prob_threshold  # type: ignore[attr-defined]
        return unsure and not silence

    def __call__(self, segment: object, options: object) -> object:
        t = options.temperature  # type: ignore[attr-defined]
        if t == self.temperatures[0]:
            self.tries = []
        result = self.decode(segment, options)
        self.tries.append(result)
        if t != self.temperatures[-1] or len(self.tries) < 2 or not self.fails(result):
            return result
        fluent = [r for r in self.tries if r.compression_ratio <= self.s.compression_ratio_threshold] or self.tries
        return max(fluent, key=lambda r: r.avg_logprob)


class OpenAIWhisper(vad.GatedTranscriber):
    name = "openai-whisper"

    def __init__(self, settings: AsrSettings) -> None:
        import torch
        import whisper

        from pipeline.asr import resolve

        self.settings = settings
        self.device = resolve.device(settings.device)
        source, heads = resolve.for_openai_whisper(settings.model)
        try:
            self.model = whisper.load_model(source, device=self.device)
        except (RuntimeError, KeyError, OSError, EOFError, ValueError) as exc:
            raise PipelineError(f"openai-whisper could not load {source}: {exc}",
                                hint="give a checkpoint saved by openai-whisper (with 'dims' and "
                                     "'model_state_dict')") from None
        if heads:
            d = self.model.dims
            mask = torch.zeros(d.n_text_layer, d.n_text_head, dtype=torch.bool)
            for layer, head in heads:
                mask[layer, head] = True
            self.model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)

    def decode(self, audio: np.ndarray, token: str) -> list[Segment]:
        s = self.settings
        self.model.decode = BestOfFallback(type(self.model).decode.__get__(self.model), s)
        try:
            result = self.model.transcribe(
                audio, language=token, task="transcribe", word_timestamps=True, fp16=self.device == "cuda",
                temperature=TEMPERATURES, no_speech_threshold=s.no_speech_threshold,
                logprob_threshold=s.log_prob_threshold, compression_ratio_threshold=s.compression_ratio_threshold,
                condition_on_previous_text=False, verbose=None)
        finally:
            del self.model.decode
        return [Segment(float(seg["start"]), float(seg["end"]), seg["text"].strip(),
                        tuple(Word(w["word"].strip(), float(w["start"]), float(w["end"]),
                                   float(w.get("probability", 1.0)))
                              for w in seg.get("words", ()) if w["word"].strip()),
                        seg["avg_logprob"], seg["no_speech_prob"], seg["compression_ratio"])
                for seg in result["segments"]]
