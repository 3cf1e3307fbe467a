"""Where each stage's files live: the contract between stages, in one place.

Assets are named by id: an episode id ("ep01-vote"), "trailer", or a clip id
("ep01-vote-clip1"). Generated media goes under build/; human-reviewed text under subtitles/.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Config

TRAILER = "trailer"


def asset_dir(cfg: Config, asset: str) -> Path:
    """build/<episode>/ for an episode or its clips, build/trailer/ for the trailer."""
    episode = asset.split("-clip", 1)[0]
    return cfg.project.build_dir / episode


def renditions_dir(cfg: Config, episode: str) -> Path:
    return cfg.project.build_dir / episode / "renditions"


def rendition_path(cfg: Config, episode: str, profile: str, extension: str = "mp4") -> Path:
    return renditions_dir(cfg, episode) / f"{episode}.{profile}.{extension}"


def clips_dir(cfg: Config, episode: str) -> Path:
    return cfg.project.build_dir / episode / "clips"


def analysis_path(cfg: Config, episode: str) -> Path:
    """The master's analysis for clips (scene cuts, loudness, pauses), made by transcode or clips."""
    return clips_dir(cfg, episode) / "analysis.json"


def clip_path(cfg: Config, clip_id: str, variant: str = "vertical") -> Path:
    """A clip's file; variant "vertical" (1080x1920) or "16x9". The trailer lives in build/trailer/."""
    folder = cfg.project.build_dir / TRAILER if clip_id == TRAILER else clips_dir(cfg, clip_id.split("-clip", 1)[0])
    return folder / f"{clip_id}.{variant}.mp4"


def thumbnail_path(cfg: Config, asset: str) -> Path:
    """1280x720 JPEG for an episode, clip or the trailer."""
    return asset_dir(cfg, asset) / "thumbnails" / f"{asset}.jpg"


def subtitle_path(cfg: Config, asset: str, lang: str, extension: str = "srt") -> Path:
    return cfg.project.subtitles_dir / asset / f"{lang}.{extension}"


def burned_path(cfg: Config, asset: str, profile: str, langs: tuple[str, ...]) -> Path:
    """A rendition with subtitles burned in, e.g. build/ep01/renditions/ep01.whatsapp.sub-bm-fr.mp4."""
    return renditions_dir(cfg, asset) / f"{asset}.{profile}.sub-{'-'.join(langs)}.mp4"
