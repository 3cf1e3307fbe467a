"""Renditions with subtitles burned in (libass), for places that take no sidecar file:
WhatsApp, TikTok, community screenings. One language, or two stacked (the first above)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.captions import review
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.fsutil import temp_path_for
from pipeline.locks import locked
from pipeline.log import progress_bar, stage_logger
from pipeline.media import ffmpeg
from pipeline.paths import burned_path, rendition_path, subtitle_path
from pipeline.store import Store

log = stage_logger("subtitles")
PLAY_RES_Y = 288  # libass script height for SRT input: font sizes and margins are in these units


@dataclass(frozen=True)
class Burned:
    asset: str
    profile: str
    langs: tuple[str, ...]
    path: Path
    statuses: tuple[str, ...]


def layers(cfg: Config, srts: list[Path], width: int, height: int) -> list[ffmpeg.SubtitleLayer]:
    """Bottom-up: the last file sits on the safe margin, earlier ones stacked above two lines of it."""
    b = cfg.subtitles.burn
    portrait = min(1.0, (width / height) / (16 / 9)) if width and height else 1.0
    size = max(6.0, b.font_size * portrait ** 0.5)  # 42 characters must still fit across a 9:16 frame
    base = round(PLAY_RES_Y * b.margin)
    out = []
    for i, srt in enumerate(reversed(srts)):
        out.append(ffmpeg.SubtitleLayer(srt, b.font, round(size, 1), b.outline, base + round(i * 2.5 * size)))
    return list(reversed(out))


@locked("burn", "subtitles burn")
def burn(cfg: Config, store: Store, asset: str, profile: str, langs: tuple[str, ...],
         show_progress: bool = True) -> Burned:
    source = rendition_path(cfg, asset, profile)
    if not source.is_file():
        raise PipelineError(f"{asset}: no {profile} rendition to burn subtitles into ({source})",
                            hint=f"run `webseries transcode {asset} --profile {profile}` first")
    srts, statuses = [], []
    for lang in langs:
        path = subtitle_path(cfg, asset, lang)
        if not path.is_file():
            raise PipelineError(f"{asset}: no {lang} subtitles ({path})",
                                hint=f"run `webseries subtitles {asset} --lang {lang}` first")
        track = review.current(store, asset, lang, path)
        statuses.append(track.status if track else "edited")
        srts.append(path)
    info = ffmpeg.probe(source)
    out = burned_path(cfg, asset, profile, langs)
    tmp = temp_path_for(out)
    with tempfile.TemporaryDirectory() as work:  # plain names: no escaping trouble in the filter graph
        copies = []
        for i, srt in enumerate(srts):
            copies.append(Path(work) / f"track{i}.srt")
            shutil.copyfile(srt, copies[-1])
        kbps = round(info.size_bytes * 8 / 1000 / info.duration * 1.1) if info.duration else None
        try:
            with progress_bar(f"[subtitles] {asset}: burning {'+'.join(langs)} into {profile}", info.duration,
                              show_progress) as bar:
                ffmpeg.burn_subtitles(source, tmp, layers(cfg, copies, info.width, info.height), kbps, bar)
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
    unreviewed = [f"{lg} ({st})" for lg, st in zip(langs, statuses, strict=True) if st != "approved"]
    if unreviewed:
        log.warning("%s: %s burned with subtitles not yet approved: %s", asset, profile, ", ".join(unreviewed))
    log.info("%s: wrote %s", asset, out)
    return Burned(asset, profile, langs, out, tuple(statuses))
