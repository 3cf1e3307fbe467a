"""config.toml -> frozen dataclasses. Every problem is reported at once, with its key.

One module per section (project, transcode, subtitles, clips, publish, metrics, studio, package,
voiceover): a new section is a new module plus one line here. Secrets never live here: tokens
come from the environment or a 0600 file (see publish).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import clips, metrics, package, project, publish, studio, subtitles, transcode, voiceover
from pipeline.config.publish import EMULATOR_ENV
from pipeline.errors import ConfigError
from pipeline.tomlread import Reader, load_toml

__all__ = ["CONFIG_ENV", "EMULATOR_ENV", "Config", "find_config", "load_config"]

CONFIG_ENV = "WEBSERIES_CONFIG"


@dataclass(frozen=True)
class Config:
    file: Path
    project: project.ProjectConfig
    transcode: transcode.TranscodeConfig
    subtitles: subtitles.SubtitlesConfig
    publish: publish.PublishConfig
    clips: clips.ClipsConfig
    metrics: metrics.MetricsConfig
    studio: studio.StudioConfig
    package: package.PackageConfig
    voiceover: voiceover.VoiceoverConfig


def find_config(explicit: str | None = None) -> Path:
    """--config, then $WEBSERIES_CONFIG, then config.toml in this folder or a parent."""
    if explicit:
        return Path(explicit).resolve()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "config.toml").is_file():
            return folder / "config.toml"
    raise ConfigError(
        [f"no config.toml in {here} or any folder above it"],
        hint="run from the project folder, or pass --config PATH",
    )


def load_config(path: Path) -> Config:
    data = load_toml(path, "config file")
    root = Reader(data, path)
    project_cfg = project.parse(root.table("project"), path.parent)  # this order is the order problems are listed
    transcode_cfg = transcode.parse(root.table("transcode"))
    subtitles_cfg = subtitles.parse(root.table("subtitles"))
    publish_cfg = publish.parse(root.table("publish"))
    metrics_cfg = metrics.parse(root.table("metrics"))
    cfg = Config(file=path, project=project_cfg, transcode=transcode_cfg, subtitles=subtitles_cfg, publish=publish_cfg,
                 clips=clips.parse(root.table("clips"), transcode_cfg), metrics=metrics_cfg,
                 studio=studio.parse(root.table("studio"), project_cfg.build_dir),
                 package=package.parse(root.table("package"), transcode_cfg),
                 voiceover=voiceover.parse(root.table("voiceover"), transcode_cfg, path.parent))
    root.check_unknown()
    root.raise_if_problems(hint=f"fix {path.name} and run again")
    return cfg
