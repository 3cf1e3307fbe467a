"""[subtitles]: recognition settings, cue rules per language, the Bambara route, burned-in variants.

The per-language settings are methods of SubtitlesConfig, so every module asks the config.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.asr.backends import BACKENDS, WHISPER
from pipeline.asr.base import AsrSettings
from pipeline.asr.guards import DEFAULT_PHANTOMS_FR
from pipeline.captions.rules import AUDIENCES, CueRules, for_audience
from pipeline.tomlread import Reader


@dataclass(frozen=True)
class BambaraConfig:
    """Whisper has no Bambara token: a draft comes from a fine-tuned model or from translation."""

    route: str                      # "" (none configured) | "speech" | "translation"
    episodes: dict[str, str]        # per-episode route, overriding `route`
    speech_model: str               # CTranslate2 folder or openai-whisper .pt of a Bambara fine-tune
    speech_backend: str
    language_token: str             # the token the fine-tune was trained with (often "fr" or "sw")
    translation_model: str          # NLLB-200 converted to CTranslate2 (folder with the sentencepiece model)
    source_code: str                # NLLB language codes
    target_code: str

    def route_for(self, episode: str) -> str:
        return self.episodes.get(episode, self.route)


@dataclass(frozen=True)
class BurnConfig:
    profiles: tuple[str, ...]       # renditions that get a burned-in variant
    languages: tuple[str, ...]      # one, or two stacked (first above second)
    font: str
    font_size: float                # libass units (the script is 288 high); scaled down for portrait
    outline: float
    margin: float                   # bottom safe margin, fraction of the picture height


@dataclass(frozen=True)
class SubtitlesConfig:
    languages: tuple[str, ...]
    backend: str
    device: str
    compute_type: str
    beam_size: int
    vad: bool
    models: dict[str, str]          # language -> model name or local path
    audience: str                   # "default" | "low-literacy"
    rules: dict[str, dict]          # per-language overrides of CueRules fields
    no_speech_threshold: float
    log_prob_threshold: float
    compression_ratio_threshold: float
    no_repeat_ngram: int
    phantom_phrases: tuple[str, ...]
    bambara: BambaraConfig
    burn: BurnConfig

    def rules_for(self, lang: str, fps: float) -> CueRules:
        """The audience's cue rules with this language's overrides (French typography for French)."""
        overrides = dict(self.rules.get(lang, {}))
        overrides.setdefault("french_typography", lang == "fr")
        return for_audience(self.audience, fps=fps or 25.0, **overrides)

    def asr_settings(self, lang: str) -> AsrSettings:
        """What the recogniser of this language runs with; Bambara's is the fine-tune of its speech route."""
        bm = self.bambara
        return AsrSettings(backend=bm.speech_backend if lang == "bm" else self.backend,
                           model=bm.speech_model if lang == "bm" else self.models.get(lang, "whisper-base"),
                           device=self.device, compute_type=self.compute_type, beam_size=self.beam_size,
                           language_token=bm.language_token if lang == "bm" else "", vad=self.vad,
                           no_speech_threshold=self.no_speech_threshold, log_prob_threshold=self.log_prob_threshold,
                           compression_ratio_threshold=self.compression_ratio_threshold,
                           no_repeat_ngram=self.no_repeat_ngram,
                           phantom_phrases=self.phantom_phrases if lang == "fr" else ())


RULE_KEYS = {"max_line": int, "max_lines": int, "max_cps": float, "min_duration": float, "max_duration": float,
             "min_gap_frames": int, "max_pause": float, "french_typography": bool}


def parse(r: Reader) -> SubtitlesConfig:
    models = r.table("models")
    model_map = {lang: models.str(lang) for lang in models.data}
    rules_t = r.table("rules")
    rules: dict[str, dict] = {}
    for lang in rules_t.data:
        t = rules_t.table(lang)
        got = {}
        for key, kind in RULE_KEYS.items():
            if t.has(key):
                if kind is int:
                    got[key] = t.int(key, lo=1)
                elif kind is float:
                    got[key] = t.float(key, lo=0.01)
                else:
                    got[key] = t.bool(key)
        if got.get("max_lines", 2) > 2:
            t.problem("max_lines", "at most 2 lines a cue are supported")
        t.check_unknown()
        rules[lang] = got
    bm = r.table("bambara")
    routes = ("", "none", "speech", "translation")
    eps = bm.table("episodes")
    bambara = BambaraConfig(
        route=bm.str("route", "", choices=routes), episodes={k: eps.str(k, choices=routes) for k in eps.data},
        speech_model=bm.str("speech_model", ""), speech_backend=bm.str("speech_backend", "faster-whisper",
                                                                     choices=tuple(BACKENDS)),
        language_token=bm.str("language_token", ""), translation_model=bm.str("translation_model", ""),
        source_code=bm.str("source_code", "fra_Latn"), target_code=bm.str("target_code", "bam_Latn"))
    bm.check_unknown()
    b = r.table("burn")
    burn = BurnConfig(profiles=tuple(b.str_list("profiles", ["whatsapp"]) or ()),
                      languages=tuple(b.str_list("languages", ["fr"]) or ()), font=b.str("font", "DejaVu Sans"),
                      font_size=b.float("font_size", 18.0, lo=6, hi=60), outline=b.float("outline", 2.0, lo=0, hi=8),
                      margin=b.float("margin", 0.08, lo=0, hi=0.4))
    if not 1 <= len(burn.languages) <= 2:
        b.problem("languages", "one language, or two to stack")
    b.check_unknown()
    cfg = SubtitlesConfig(
        languages=tuple(r.str_list("languages", ["fr", "bm"]) or ()),
        backend=r.str("backend", "faster-whisper", choices=WHISPER),
        device=r.str("device", "auto", choices=("auto", "cpu", "cuda")),
        compute_type=r.str("compute_type", "auto"), beam_size=r.int("beam_size", 5, lo=1, hi=10),
        vad=r.bool("vad", True), models=model_map,
        audience=r.str("audience", "default", choices=tuple(AUDIENCES)), rules=rules,
        no_speech_threshold=r.float("no_speech_threshold", 0.6, lo=0, hi=1),
        log_prob_threshold=r.float("log_prob_threshold", -1.0, hi=0),
        compression_ratio_threshold=r.float("compression_ratio_threshold", 2.4, lo=1),
        no_repeat_ngram=r.int("no_repeat_ngram", 6, lo=0),
        phantom_phrases=tuple(r.str_list("phantom_phrases", list(DEFAULT_PHANTOMS_FR)) or ()),
        bambara=bambara, burn=burn)
    r.check_unknown()
    return cfg
