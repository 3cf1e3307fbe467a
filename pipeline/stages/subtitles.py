"""subtitles: speech -> word timestamps -> readable cues -> subtitles/<asset>/<lang>.srt + .vtt.

French comes from Whisper (faster-whisper by default) with voice-activity detection and
hallucination guards. Bambara has no Whisper token: it comes from a fine-tuned model (speech
route) or from translating the French cues (translation route), and is a draft until a person
approves it. The recognised words are cached per audio fingerprint, model and settings, so a
rerun only re-flows cues; a file a person edited is never overwritten (see captions.review).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.asr.audio import Audio, load_audio
from pipeline.asr.backends import make_transcriber, needs_language_token
from pipeline.asr.base import AsrSettings, Transcript, Word
from pipeline.asr.translate import NllbTranslator, Translator
from pipeline.captions import review
from pipeline.captions.segment import make_cues
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.fsutil import fingerprint, write_text_atomic
from pipeline.locks import locked
from pipeline.log import progress_bar, stage_logger
from pipeline.models import LANGUAGES, Cue, Episode
from pipeline.paths import subtitle_path
from pipeline.stages.subtitles_bm import NLLB_LICENCE, NOT_CONFIGURED, translate_cues
from pipeline.store import Store

STAGE = "subtitles"
RECIPE = 2  # bump when recognition or segmentation changes meaning, so cached words are redone
log = stage_logger(STAGE)


@dataclass(frozen=True)
class TrackResult:
    asset: str
    lang: str
    path: Path | None   # the file written (or <lang>.new.srt beside a person's file); None if skipped
    action: str         # written | unchanged | kept | skipped
    status: str         # generated | draft | edited | approved | not-configured
    route: str          # whisper | speech | translation | none
    cues: int = 0
    notes: tuple[str, ...] = ()


def known_language(code: str) -> bool:
    if code in LANGUAGES:  # the series' own: no need to load Whisper's table (it imports torch)
        return True
    from whisper.tokenizer import LANGUAGES as WHISPER_LANGUAGES

    return code in WHISPER_LANGUAGES


def _model_identity(model: str) -> str:
    """A model path changes meaning when its files change: fingerprint by size and mtime."""
    path = Path(model).expanduser()
    if path.exists():
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        return json.dumps([(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.is_file()])
    return model


def work_dir(cfg: Config, episode: str) -> Path:
    return cfg.project.build_dir / episode / "subtitles"


# ------------------------------------------------------------------ recognition (cached)

def _words_path(cfg: Config, episode: str, lang: str) -> Path:
    return work_dir(cfg, episode) / f"{lang}.words.json"


def _save_words(path: Path, transcript: Transcript, info: dict) -> None:
    data = {"language": transcript.language, "duration": transcript.duration, "dropped": list(transcript.dropped),
            "words": [[w.text, round(w.start, 3), round(w.end, 3), round(w.probability, 3)]
                      for w in transcript.words], **info}
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))


def _load_words(path: Path) -> tuple[list[Word], dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Word(t, s, e, p) for t, s, e, p in data["words"]], data


def recognise(cfg: Config, store: Store, episode: Episode, audio: Audio, lang: str, settings: AsrSettings,
              force: bool, show_progress: bool) -> tuple[list[Word], tuple[str, ...], bool]:
    """(words, notes, reused): from the cache when audio, model and settings are unchanged."""
    item = f"{lang}.words"
    fp = fingerprint({"audio": audio.sha256, "asr": asdict(settings), "model": _model_identity(settings.model),
                      "lang": lang, "recipe": RECIPE})
    path = _words_path(cfg, episode.id, lang)
    record = store.output(STAGE, episode.id, item)
    if not force and record and record.still_valid(fp):
        words, data = _load_words(path)
        return words, tuple(data.get("dropped", ())), True
    transcriber = make_transcriber(settings)
    log.info("%s: %s: recognising %.0f s of audio with %s (%s)", episode.id, lang, audio.duration,
             transcriber.name, settings.model)
    with progress_bar(f"[{STAGE}] {episode.id}: {lang} speech", audio.duration, show_progress) as bar:
        transcript = transcriber.transcribe(audio.samples, lang, progress=bar)
    _save_words(path, transcript, {"backend": transcriber.name, "model": settings.model})
    store.record_output(STAGE, episode.id, item, fp, path, {"words": len(transcript.words)})
    return list(transcript.words), transcript.dropped, False


# ------------------------------------------------------------------ the stage

@locked(STAGE)
def subtitles(cfg: Config, store: Store, episode: Episode, langs: list[str] | None = None, force: bool = False,
              show_progress: bool = True, translator: Translator | None = None) -> list[TrackResult]:
    """Make or refresh each language's subtitles for one episode (`translator`: a Translator
    for the Bambara translation route, instead of the configured NLLB model)."""
    from pipeline.media import ffmpeg

    chosen = langs or [lg for lg in cfg.subtitles.languages if lg in episode.languages] or ["fr"]
    for lang in chosen:
        if not known_language(lang):
            raise PipelineError(f"unknown language code {lang!r}",
                                hint="use ISO 639-1 codes: fr (French), bm (Bambara), en, ...")
    ffmpeg.require_tools()
    audio = load_audio(episode)
    fps = ffmpeg.probe(episode.master).fps or 25.0
    work_dir(cfg, episode.id).mkdir(parents=True, exist_ok=True)
    results: list[TrackResult] = []
    french: list[Cue] | None = None
    translating = "bm" in chosen and (translator is not None
                                      or cfg.subtitles.bambara.route_for(episode.id) == "translation")
    todo = sorted(set(chosen) | ({"fr"} if translating else set()), key=lambda lg: lg == "bm")
    for lang in todo:  # French first: the translation route needs it
        if lang == "bm":
            results.append(bambara(cfg, store, episode, audio, french, fps, force, show_progress, translator))
            continue
        settings = cfg.subtitles.asr_settings(lang)
        words, dropped, reused = recognise(cfg, store, episode, audio, lang, settings, force, show_progress)
        for reason in dropped:
            log.debug("%s: %s: dropped %s", episode.id, lang, reason)
        if not words:
            raise PipelineError(f"{episode.id}: no {lang} speech recognised in {episode.master.name} "
                                f"({len(dropped)} segments dropped as non-speech)",
                                hint="check the master's sound track has the voice; music-only assets need no subtitles")
        cues = make_cues(words, cfg.subtitles.rules_for(lang, fps))
        french = cues if lang == "fr" else french
        if lang not in chosen:
            continue
        results.append(_write(cfg, store, episode.id, lang, cues, "whisper",
                              (f"{len(dropped)} non-speech segments dropped",) if dropped and not reused else ()))
    return results


def bambara(cfg: Config, store: Store, episode: Episode, audio: Audio, french: list[Cue] | None, fps: float,
            force: bool, show_progress: bool, translator: Translator | None = None) -> TrackResult:
    """The Bambara track by the configured route (see subtitles_bm), or a clear 'not configured' result."""
    bm = cfg.subtitles.bambara
    route = bm.route_for(episode.id) if translator is None else "translation"
    if route in ("", "none"):
        path = subtitle_path(cfg, episode.id, "bm")
        track = review.current(store, episode.id, "bm")
        log.warning("%s: bm: %s", episode.id, NOT_CONFIGURED)
        return TrackResult(episode.id, "bm", path if path.is_file() else None, "skipped",
                           track.status if track else "not-configured", "none", 0, (NOT_CONFIGURED,))
    if route == "speech":
        if not bm.speech_model:
            raise PipelineError("Bambara speech route chosen but [subtitles.bambara] speech_model is not set",
                                hint="set speech_model to a Bambara fine-tuned Whisper (folder or .pt)")
        if not bm.language_token and needs_language_token(bm.speech_backend):
            raise PipelineError("Bambara speech route needs the language token the model was fine-tuned with",
                                hint="set [subtitles.bambara] language_token (e.g. \"fr\"; see the model's card)")
        settings = cfg.subtitles.asr_settings("bm")
        words, _dropped, _ = recognise(cfg, store, episode, audio, "bm", settings, force, show_progress)
        if not words:
            raise PipelineError(f"{episode.id}: the Bambara model recognised no speech",
                                hint="check the model and its language_token")
        cues = make_cues(words, cfg.subtitles.rules_for("bm", fps))
        return _write(cfg, store, episode.id, "bm", cues, "speech", ("draft: a person must review and approve it",))
    if french is None:
        raise PipelineError("the Bambara translation route needs the French subtitles",
                            hint=f"run `webseries subtitles {episode.id} --lang fr,bm`")
    if translator is None:
        log.warning("%s: bm: %s", episode.id, NLLB_LICENCE)
        translator = NllbTranslator(bm.translation_model, bm.source_code, bm.target_code)
    log.info("%s: bm: translating %d French cues with %s", episode.id, len(french), translator.name)
    cues = translate_cues(french, translator, cfg.subtitles.rules_for("bm", fps))
    return _write(cfg, store, episode.id, "bm", cues, "translation",
                  ("draft: machine translation from French; a person must review and approve it",))


def _write(cfg: Config, store: Store, asset: str, lang: str, cues: list[Cue], route: str,
           notes: tuple[str, ...] = ()) -> TrackResult:
    path = subtitle_path(cfg, asset, lang)
    out = review.write_track(store, asset, lang, path, cues, review.machine_status(lang), route)
    if out.action == "kept":
        notes += (f"{path.name} was changed by a person: kept it, wrote {out.path.name} beside it",)
        log.warning("%s: %s: %s was edited since it was generated; not overwritten, new version in %s",
                    asset, lang, path, out.path.name)
    else:
        log.info("%s: %s: %d cues, %s (%s)", asset, lang, len(cues), out.action, path)
    return TrackResult(asset, lang, out.path, out.action, out.status, route, len(cues), notes)


def result_json(r: TrackResult) -> dict:
    d = asdict(r)
    d["path"] = str(r.path) if r.path else None
    d["notes"] = list(r.notes)
    return d

