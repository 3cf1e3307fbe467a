"""Bambara subtitles: two routes to a draft a person corrects and approves.

- speech: a Whisper fine-tuned on Bambara (local CTranslate2 folder or .pt), decoding with the
  language token it was trained with (fine-tunes reuse another language's token);
- translation: the French cues translated sentence by sentence (NLLB-200 fra_Latn -> bam_Latn),
  each sentence keeping the French timing, then re-flowed to the cue rules.
With no model configured, the stage says which route needs what and goes on with the French.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.asr.base import Word
from pipeline.asr.translate import NllbTranslator, Translator
from pipeline.captions import review
from pipeline.captions.segment import SENTENCE_END, make_cues
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.models import Cue, Episode
from pipeline.paths import subtitle_path
from pipeline.store import Store

NOT_CONFIGURED = ("no Bambara model configured: set [subtitles.bambara] route = \"speech\" with speech_model "
                  "(a Bambara fine-tuned Whisper: CTranslate2 folder, or .pt with speech_backend = "
                  "\"openai-whisper\") and language_token, or route = \"translation\" with translation_model "
                  "(NLLB-200 as CTranslate2); or write bm.srt by hand and approve it")


NLLB_LICENCE = ("NLLB-200 weights are licensed CC-BY-NC 4.0 (non-commercial use only): check this series' "
                "use is allowed, and have a person correct every draft")


def sentences(cues: Sequence[Cue]) -> list[tuple[float, float, str]]:
    """French cues joined into sentences: (start, end, text). Translation works on whole sentences."""
    out: list[tuple[float, float, str]] = []
    start, parts = None, []
    for cue in cues:
        start = cue.start if start is None else start
        parts.append(" ".join(cue.lines))
        if parts[-1].rstrip().endswith(SENTENCE_END) or cue is cues[-1]:
            out.append((start, cue.end, " ".join(parts).replace("\u00a0", " ")))
            start, parts = None, []
    return out


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


def translate_cues(french: Sequence[Cue], translator: Translator, cfg: Config, fps: float) -> list[Cue]:
    from pipeline.stages.subtitles import rules_for

    spans = sentences(french)
    texts = translator.translate([s[2] for s in spans])
    if len(texts) != len(spans):
        raise PipelineError(f"translator {translator.name} returned {len(texts)} sentences for {len(spans)}")
    words = [w for (start, end, _), text in zip(spans, texts, strict=True) for w in spread(start, end, text)]
    return make_cues(words, rules_for(cfg, "bm", fps))


def bambara(cfg: Config, store: Store, episode: Episode, audio, french: list[Cue] | None, fps: float,  # noqa: ANN001
            force: bool, show_progress: bool, translator: Translator | None = None):  # noqa: ANN201
    """The Bambara track by the configured route, or a clear 'not configured' result."""
    from pipeline.stages.subtitles import TrackResult, _write, asr_settings, log, recognise, rules_for

    bm = cfg.subtitles.bambara
    route = bm.route_for(episode.id) if translator is None else "translation"
    if route in ("", "none"):
        path = subtitle_path(cfg, episode.id, "bm")
        track = review.get_track(store, episode.id, "bm")
        status = review.refresh(store, track).status if track else "not-configured"
        log.warning("%s: bm: %s", episode.id, NOT_CONFIGURED)
        return TrackResult(episode.id, "bm", path if path.is_file() else None, "skipped", status, "none", 0,
                           (NOT_CONFIGURED,))
    if route == "speech":
        if not bm.speech_model:
            raise PipelineError("Bambara speech route chosen but [subtitles.bambara] speech_model is not set",
                                hint="set speech_model to a Bambara fine-tuned Whisper (folder or .pt)")
        if not bm.language_token and bm.speech_backend in ("faster-whisper", "openai-whisper", "transformers"):
            raise PipelineError("Bambara speech route needs the language token the model was fine-tuned with",
                                hint="set [subtitles.bambara] language_token (e.g. \"fr\"; see the model's card)")
        from dataclasses import replace

        settings = replace(asr_settings(cfg, "bm"), backend=bm.speech_backend, model=bm.speech_model,
                           language_token=bm.language_token)
        words, dropped, _ = recognise(cfg, store, episode, audio, "bm", settings, force, show_progress)
        if not words:
            raise PipelineError(f"{episode.id}: the Bambara model recognised no speech",
                                hint="check the model and its language_token")
        cues = make_cues(words, rules_for(cfg, "bm", fps))
        return _write(cfg, store, episode.id, "bm", cues, "speech", ("draft: a person must review and approve it",))
    if french is None:
        raise PipelineError("the Bambara translation route needs the French subtitles",
                            hint=f"run `webseries subtitles {episode.id} --lang fr,bm`")
    if translator is None:
        log.warning("%s: bm: %s", episode.id, NLLB_LICENCE)
        translator = NllbTranslator(bm.translation_model, bm.source_code, bm.target_code)
    log.info("%s: bm: translating %d French cues with %s", episode.id, len(french), translator.name)
    cues = translate_cues(french, translator, cfg, fps)
    return _write(cfg, store, episode.id, "bm", cues, "translation",
                  ("draft: machine translation from French; a person must review and approve it",))
