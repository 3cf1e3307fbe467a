"""faster-whisper (CTranslate2): the default backend on CPU, int8, Silero VAD, word timestamps."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pipeline.asr import SAMPLE_RATE, AsrSettings, Segment, Transcript, Word, guards, resolve
from pipeline.errors import PipelineError

if TYPE_CHECKING:
    import numpy as np


class FasterWhisper:
    name = "faster-whisper"

    def __init__(self, settings: AsrSettings) -> None:
        from faster_whisper import WhisperModel

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

    def transcribe(self, audio: np.ndarray, language: str,
                   progress: Callable[[float], None] | None = None) -> Transcript:
        s = self.settings
        token = s.language_token or language
        resolve.check_language(token)
        segments, _info = self.model.transcribe(
            audio, language=token, task="transcribe", beam_size=s.beam_size, word_timestamps=True,
            vad_filter=s.vad, vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 200},
            no_speech_threshold=s.no_speech_threshold, log_prob_threshold=s.log_prob_threshold,
            compression_ratio_threshold=s.compression_ratio_threshold,
            condition_on_previous_text=False)  # stops one hallucination from seeding the next
        raw = []
        for seg in segments:  # a generator: decoding happens as we iterate
            raw.append(Segment(float(seg.start), float(seg.end), seg.text.strip(),
                               tuple(Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                                     for w in seg.words or () if w.word.strip()),
                               seg.avg_logprob, seg.no_speech_prob, seg.compression_ratio))
            if progress:
                progress(float(seg.end))
        kept, dropped = guards.filter_segments(raw, s)
        return Transcript(language, tuple(kept), len(audio) / SAMPLE_RATE, tuple(dropped))
