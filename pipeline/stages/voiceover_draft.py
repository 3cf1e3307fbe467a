"""voiceover draft: a synthetic Bambara voice from the approved subtitles, to hear the timing
before a narrator records. Only with a configured model (never by default), always named and
labelled BROUILLON (draft), and never the releasable version: that is `voiceover mix` of a narrator.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.captions import files
from pipeline.clips.cards import FONT
from pipeline.config import Config
from pipeline.fsutil import temp_path_for
from pipeline.log import progress_bar
from pipeline.media import voiceover as vo_media
from pipeline.models import Episode
from pipeline.stages.voiceover import STAGE, approved_lines, log, master_info, work_dir
from pipeline.store import Store
from pipeline.voiceover import tts, voice

LABEL = "BROUILLON — voix de synthèse, pas pour diffusion"


@dataclass(frozen=True)
class DraftResult:
    voice: Path
    preview: Path
    notes: tuple[str, ...]


def draft(cfg: Config, store: Store, ep: Episode, lang: str, show_progress: bool = True) -> DraftResult:
    synth = tts.load(cfg.voiceover.tts_model)  # first: no model, nothing else is done
    log.warning("%s: %s", ep.id, tts.LICENCE)
    info = master_info(ep)
    path, _status = approved_lines(cfg, store, ep, lang, draft=False)
    samples, notes = tts.place(files.read_srt(path), synth, info.duration)
    folder = work_dir(cfg, ep, lang)
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"{ep.id}-{lang}.BROUILLON-voix-de-synthese.wav"
    preview = folder / f"{ep.id}-{lang}.BROUILLON.mp4"
    with tempfile.TemporaryDirectory(prefix=".voiceover-", dir=folder) as tmp:
        work = Path(tmp)
        vo_media.write_wav(work / wav.name, samples, synth.rate)
        spans = voice.speech_spans(samples, synth.rate, cfg.voiceover.hold)
        gain = voice.gain_curve(spans, info.duration + 1.0, cfg.voiceover.depth_db, cfg.voiceover.attack,
                                cfg.voiceover.release)
        gain.tofile(work / "gain.f32")
        mixed = work / "mix.mkv"
        vo_media.run_mix(vo_media.Mix(ep.master, info.has_audio, work / wav.name, 0.0, 0.0, work / "gain.f32",
                                      voice.GAIN_RATE, info.duration, mixed))
        (work / "label.txt").write_text(LABEL, encoding="utf-8")
        tmp_preview = temp_path_for(preview)
        try:
            with progress_bar(f"[{STAGE}] {ep.id}: draft preview", info.duration, show_progress) as bar:
                vo_media.run_preview(mixed, work / "label.txt", FONT, tmp_preview, bar)
            os.replace(work / wav.name, wav)
            os.replace(tmp_preview, preview)
        finally:
            tmp_preview.unlink(missing_ok=True)
    for note in notes:
        log.info("%s: draft: %s", ep.id, note)
    log.info("%s: DRAFT synthetic voice (%s) in %s and %s: not a version, never released", ep.id, synth.name, wav,
             preview)
    return DraftResult(wav, preview, tuple(notes))
