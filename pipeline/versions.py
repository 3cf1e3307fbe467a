"""Language versions of an episode: the same picture with a narrator's voice-over (`ep01-vote-bm`).

A version is an asset of its own: its master (the episode's picture, copied, and the mixed sound)
and its record live in build/<version>/, the transcode stage renders it like any master, and a
calendar releases it like an episode. It exists once `webseries voiceover mix` wrote its record,
the last file of a mix: a mix that stopped half-way leaves no version.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pipeline import manifest
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.fsutil import write_text_atomic
from pipeline.models import LANGUAGES, Episode, LangText

RECORD = "version.json"
LANGUAGE_NAMES = {"bm": LangText("bambara", "bamanankan"), "fr": LangText("français", "tubabukan")}


@dataclass(frozen=True)
class VersionRecord:
    """How a version was made: which recording, lined up where, with which settings."""

    asset: str
    episode: str
    lang: str
    voice_file: str
    voice_sha256: str
    start: float          # seconds into the recording where the episode starts
    sync: str             # how `start` was found: chirp, episode, none, manual
    fingerprint: str      # inputs and settings of the mix (a rerun with the same ones does nothing)
    made_at: str          # UTC, ISO 8601


def version_id(episode_id: str, lang: str) -> str:
    return f"{episode_id}-{lang}"


def folder(cfg: Config, asset: str) -> Path:
    return cfg.project.build_dir / asset


def master_path(cfg: Config, asset: str) -> Path:
    """Matroska holds any picture codec copied from the master, and float PCM sound (no clipping)."""
    return folder(cfg, asset) / f"{asset}.master.mkv"


def record_path(cfg: Config, asset: str) -> Path:
    return folder(cfg, asset) / RECORD


def read_record(cfg: Config, asset: str) -> VersionRecord | None:
    path = record_path(cfg, asset)
    if not path.is_file() or not master_path(cfg, asset).is_file():
        return None
    try:
        return VersionRecord(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None  # a record from another version of the pipeline: mix again


def write_record(cfg: Config, record: VersionRecord) -> None:
    write_text_atomic(record_path(cfg, record.asset), json.dumps(asdict(record), indent=2, ensure_ascii=False))


def as_episode(cfg: Config, ep: Episode, lang: str) -> Episode:
    """The version seen as an episode: titled as such, spoken in `lang`, with its own master."""
    asset = version_id(ep.id, lang)
    name = LANGUAGE_NAMES[lang]
    title = LangText(f"{ep.title.fr} (en {name.fr})", f"{ep.title.bm or ep.title.fr} ({name.bm})")
    return replace(ep, id=asset, title=title, languages=(lang,), master=master_path(cfg, asset), highlights=())


def existing(cfg: Config, episodes: dict[str, Episode]) -> dict[str, Episode]:
    """Every version made so far of these episodes, by asset id."""
    out = {}
    for ep in episodes.values():
        for lang in LANGUAGES:
            if read_record(cfg, version_id(ep.id, lang)) is not None:
                out[version_id(ep.id, lang)] = as_episode(cfg, ep, lang)
    return out


def find(cfg: Config, asset: str) -> Episode | None:
    """The version named `asset` (e.g. "ep01-vote-bm"), if it was made."""
    for lang in LANGUAGES:
        if asset.endswith(f"-{lang}"):
            folder_ = cfg.project.episodes_dir / asset[: -len(lang) - 1]
            if (folder_ / manifest.MANIFEST).is_file() and read_record(cfg, asset) is not None:
                return as_episode(cfg, manifest.load_episode(folder_), lang)
    return None


def resolve(cfg: Config, names: list[str]) -> list[Episode]:
    """Episodes named on the command line (see manifest.resolve), then versions named by their id."""
    versions = {name: v for name in names if name != "all" and (v := find(cfg, name)) is not None}
    rest = [name for name in names if name not in versions]
    return (manifest.resolve(cfg.project.episodes_dir, rest) if rest else []) + list(versions.values())


def require(cfg: Config, asset: str) -> Episode:
    version = find(cfg, asset)
    if version is None:
        raise PipelineError(f"no voice-over version {asset!r} yet",
                            hint="make it with `webseries voiceover mix EPISODE --lang bm RECORDING.wav`")
    return version
