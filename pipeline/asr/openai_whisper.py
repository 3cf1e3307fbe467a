"""openai-whisper: the client's named package, and the format of many fine-tuned checkpoints.

Greedy fp32 decoding (beam 5 is ~30x slower here), word timestamps from the alignment heads,
and the same Silero voice-activity gate as faster-whisper: only speech regions are decoded
(`clip_timestamps`), so music and silence never reach the model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pipeline.asr import SAMPLE_RATE, AsrSettings, Segment, Transcript, Word, guards, resolve
from pipeline.errors import PipelineError

if TYPE_CHECKING:
    import numpy as np



def speech_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """Seconds of speech found by Silero VAD (the model faster-whisper ships, run on onnxruntime)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=500, speech_pad_ms=200))
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in spans]


class OpenAIWhisper:
    name = "openai-whisper"

    def __init__(self, settings: AsrSettings) -> None:
        import torch
        import whisper

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

    def transcribe(self, audio: np.ndarray, language: str,
                   progress: Callable[[float], None] | None = None) -> Transcript:
        s = self.settings
        token = s.language_token or language
        resolve.check_language(token)
        duration = len(audio) / SAMPLE_RATE
        clips = speech_regions(audio) if s.vad else [(0.0, duration)]
        if not clips:
            return Transcript(language, (), duration, ("no speech found by voice-activity detection",))
        result = self.model.transcribe(
            audio, language=token, task="transcribe", word_timestamps=True, fp16=self.device == "cuda",
            temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), no_speech_threshold=s.no_speech_threshold,
            logprob_threshold=s.log_prob_threshold, compression_ratio_threshold=s.compression_ratio_threshold,
            condition_on_previous_text=False, clip_timestamps=[t for c in clips for t in c], verbose=None)
        raw = [Segment(float(seg["start"]), float(seg["end"]), seg["text"].strip(),
                       tuple(Word(w["word"].strip(), float(w["start"]), float(w["end"]), float(w.get("probability", 1.0)))
                             for w in seg.get("words", ()) if w["word"].strip()),
                       seg["avg_logprob"], seg["no_speech_prob"], seg["compression_ratio"])
               for seg in result["segments"]]
        if progress:
            progress(duration)
        kept, dropped = guards.filter_segments(raw, s)
        return Transcript(language, tuple(kept), duration, tuple(dropped))
