"""Reviewing a subtitle track: checked at the asset's own frame rate, approved by a named person.

Lint's two-frame gap depends on the picture's frame rate: an episode's comes from its master (a
clip's or the trailer's from its rendered file), never a guess of 25 fps. `approve` shows what
lint finds and refuses to approve it unless the reviewer insists (`force`); who approved is
written to the audit trail (the studio shows it the same way: "approuvé par Awa").
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline import audit
from pipeline.captions import files, review
from pipeline.captions.lint import Violation, lint
from pipeline.config import Config
from pipeline.errors import ConfigError, MediaError, PipelineError
from pipeline.models import MediaInfo
from pipeline.paths import TRAILER, clip_path, subtitle_path
from pipeline.store import Store

DEFAULT_FPS = 25.0


@dataclass(frozen=True)
class Timing:
    """What the asset's picture says: frame rate and length (None when there is no picture to ask)."""

    fps: float
    duration: float | None
    source: str          # "the master", "the rendered clip", or why 25 fps is assumed


def reviewer() -> str:
    """The person at the keyboard: the OS user (a `--by NAME` overrides it)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return os.environ.get("USER", "") or "unknown"


def _picture(cfg: Config, asset: str) -> tuple[Path | None, str]:
    from pipeline.manifest import MANIFEST, load_episode

    if asset == TRAILER or "-clip" in asset:
        path = clip_path(cfg, asset, "16x9" if asset == TRAILER else "vertical")
        return (path, "the rendered clip") if path.is_file() else (None, f"{path.name} not rendered yet")
    folder = cfg.project.episodes_dir / asset
    if not (folder / MANIFEST).is_file():
        return None, f"no episode {asset!r}"
    try:
        master = load_episode(folder).master
    except ConfigError:
        return None, f"{folder / MANIFEST} has problems"
    return (master, "the master") if master.is_file() else (None, f"master {master.name} not found")


def timing(cfg: Config, asset: str) -> Timing:
    """The asset's frame rate and length from its picture; 25 fps (and no length) when there is none."""
    from pipeline.media import ffmpeg

    path, source = _picture(cfg, asset)
    if path is None:
        return Timing(DEFAULT_FPS, None, f"{source}: {DEFAULT_FPS:g} fps assumed")
    try:
        info: MediaInfo = ffmpeg.probe(path)
    except MediaError as exc:
        return Timing(DEFAULT_FPS, None, f"{exc.message}: {DEFAULT_FPS:g} fps assumed")
    return Timing(info.fps or DEFAULT_FPS, info.duration, source)


def check(cfg: Config, asset: str, lang: str, path: Path | None = None) -> list[Violation]:
    """Lint a track at its asset's frame rate."""
    path = path or subtitle_path(cfg, asset, lang)
    return lint(files.read_srt(path), cfg.subtitles.rules_for(lang, timing(cfg, asset).fps))


def approve(cfg: Config, store: Store, asset: str, lang: str, by: str = "", force: bool = False
            ) -> tuple[review.Track, list[Violation]]:
    """Approve the file as it is now, after lint: refused while lint finds problems, unless `force`.
    Who approved goes to the audit trail. Returns the track and the problems approved with it."""
    path = subtitle_path(cfg, asset, lang)
    problems = check(cfg, asset, lang, path) if path.is_file() else []
    if problems and not force:
        raise LintRefusal(asset, lang, problems)
    by = by or reviewer()
    track = review.approve(store, asset, lang, path, by=by)
    audit.record(store, by, "approve", audit.target("subtitles", asset, lang),
                 f"sha256 {track.approved_sha256}" + (f"; {len(problems)} lint problem(s)" if problems else ""))
    return track, problems


class LintRefusal(PipelineError):
    """Approval refused: the problems are in `violations` for the caller to show."""

    def __init__(self, asset: str, lang: str, violations: list[Violation]) -> None:
        super().__init__(f"{asset} {lang}: lint finds {len(violations)} problem(s) (listed above); nothing approved",
                         hint=f"fix them in the file, or approve it as it is with "
                              f"`webseries subtitles approve {asset} {lang} --force`")
        self.violations = violations

