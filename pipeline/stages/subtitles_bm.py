"""Bambara subtitles by machine: what each route needs, and the translation route's work.

- speech: a Whisper fine-tuned on Bambara (local CTranslate2 folder or .pt), decoding with the
  language token it was trained with (fine-tunes reuse another language's token);
- translation: the French cues translated sentence by sentence (NLLB-200 fra_Latn -> bam_Latn),
  each sentence keeping the French timing, then re-flowed to the cue rules.
The subtitles stage (subtitles.bambara) picks the route; with no model configured it says which
route needs what and goes on with the French.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.asr.base import Word
from pipeline.asr.translate import Translator
from pipeline.captions.rules import CueRules
from pipeline.captions.segment import make_cues
from pipeline.captions.sentences import sentence_groups
from pipeline.errors import PipelineError
from pipeline.models import Cue

NOT_CONFIGURED = ("no Bambara model configured: set [subtitles.bambara] route = \"speech\" with speech_model "
                  "(a Bambara fine-tuned Whisper: CTranslate2 folder, or .pt with speech_backend = "
                  "\"openai-whisper\") and language_token, or route = \"translation\" with translation_model "
                  "(NLLB-200 as CTranslate2); or write bm.srt by hand and approve it")


NLLB_LICENCE = ("NLLB-200 weights are licensed CC-BY-NC 4.0 (non-commercial use only): check this series' "
                "use is allowed, and have a person correct every draft")


def sentence_spans(cues: Sequence[Cue]) -> list[tuple[float, float, str]]:
    """French cues joined into sentences: (start, end, text). Translation works on whole sentences."""
    return [(group[0].start, group[-1].end, " ".join(" ".join(c.lines) for c in group).replace("\u00a0", " "))
            for group in sentence_groups(cues)]


def spread(start: float, end: float, text: str) -> list[Word]:
    """Pseudo-word timings across a sentence's time, in proportion to each word's length."""
    words = text.split()
    if not words:
        return []
    weights = [len(w) + 1 for w in words]
    total, t, out = sum(weights), start, []
    for w, k in zip(words, weights, strict=True):
        d = (end - start) * k / total
        out.append(Word(w, t, t + d * 0.95))
        t += d
    return out


def translate_cues(french: Sequence[Cue], translator: Translator, rules: CueRules) -> list[Cue]:
    spans = sentence_spans(french)
    texts = translator.translate([s[2] for s in spans])
    if len(texts) != len(spans):
        raise PipelineError(f"translator {translator.name} returned {len(texts)} sentences for {len(spans)}",
                            hint="check the translation model ([subtitles.bambara] translation_model)")
    words = [w for (start, end, _), text in zip(spans, texts, strict=True) for w in spread(start, end, text)]
    return make_cues(words, rules)
