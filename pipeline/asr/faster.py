"""faster-whisper (CTranslate2): the default backend on CPU, int8, word timestamps, behind the
shared voice-activity gate (pipeline.asr.vad)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.asr import vad
from pipeline.asr.base import AsrSettings, Segment, Word
from pipeline.errors import PipelineError

if TYPE_CHECKING:
    import numpy as np


# Measured on the sample episode (int8, beam 5): on the first speech stretch beam search at
# temperature 0 repeats its first sentence 16 times (compression ratio 11.8); the fallback then
# SAMPLES at 0.2, 0.4, ... with an unseeded generator, so the words changed from run to run
# (WER 73.6 %, then 86.2 % on the same audio in one process) and cost twice the CPU. Forbidding a
# repeated 6-token sequence inside one 30 s window breaks the loop at temperature 0: same words
# every run, WER 72.4 %, CPU-RTF 0.11. 4 scored better on this one sample (65.5 %) but would also
# forbid a speaker's genuine short repetitions ("il faut être ... il faut être"); 8 still looped.
# Setting: AsrSettings.no_repeat_ngram (config `no_repeat_ngram`, default 6).
class FasterWhisper(vad.GatedTranscriber):
    name = "faster-whisper"

    def __init__(self, settings: AsrSettings) -> None:
        from faster_whisper import WhisperModel

        from pipeline.asr import resolve  # model files: numpy, only once a model is wanted

        self.settings = settings
        self.device = resolve.device(settings.device)
        compute = settings.compute_type
        if compute == "auto":
            compute = "float16" if self.device == "cuda" else "int8"
        self.compute_type = compute
        source = resolve.for_faster_whisper(settings.model)
        try:
            self.model = WhisperModel(source, device=self.device, compute_type=compute)
        except (RuntimeError, ValueError, OSError) as exc:
            raise PipelineError(f"faster-whisper could not load {source}: {exc}",
                                hint="check the model folder is a complete CTranslate2 Whisper model") from None

    def decode(self, audio: np.ndarray, token: str) -> list[Segment]:
        s = self.settings
        segments, _info = self.model.transcribe(
            audio, language=token, task="transcribe", beam_size=s.beam_size, word_timestamps=True,
            vad_filter=False,  # the shared gate has already cut this stretch out
            no_speech_threshold=s.no_speech_threshold, log_prob_threshold=s.log_prob_threshold,
            compression_ratio_threshold=s.compression_ratio_threshold,
            condition_on_previous_text=False,  # stops one hallucination from seeding the next
            no_repeat_ngram_size=s.no_repeat_ngram)
        return [Segment(float(seg.start), float(seg.end), seg.text.strip(),
                        tuple(Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                              for w in seg.words or () if w.word.strip()),
                        seg.avg_logprob, seg.no_speech_prob, seg.compression_ratio)
                for seg in segments]  # a generator: decoding happens as we iterate
