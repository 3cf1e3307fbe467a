"""Shared fixtures: generated media (cached per session) and throw-away projects.

Media comes from ffmpeg's lavfi sources and espeak-ng; nothing is downloaded and no media
file is committed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomlkit

from pipeline import cli
from pipeline.config import Config, load_config
from pipeline.manifest import load_episode
from pipeline.media.synth import make_sample_master
from pipeline.models import Episode

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "ep00-sample"


@dataclass(frozen=True)
class Project:
    """A temporary copy of the project: config.toml, the sample episode, its own database."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / "config.toml"

    @property
    def cfg(self) -> Config:
        return load_config(self.config_path)

    def episode(self, ep_id: str = SAMPLE) -> Episode:
        return load_episode(self.root / "episodes" / ep_id)

    def add_episode(self, ep_id: str, master: Path, number: int = 1, languages: str = '["fr"]',
                    extra: str = "") -> Episode:
        folder = self.root / "episodes" / ep_id
        folder.mkdir(parents=True)
        (folder / master.name).symlink_to(master)
        (folder / "episode.toml").write_text(
            f'id = "{ep_id}"\nnumber = {number}\nmaster = "{master.name}"\nlanguages = {languages}\n{extra}\n'
            f'[title]\nfr = "Titre {ep_id}"\n[description]\nfr = "Description {ep_id}"\n')
        return self.episode(ep_id)

    def run(self, *args: str, capsys: pytest.CaptureFixture | None = None) -> tuple[int, str, str]:
        """`webseries --config <this project> ARGS` in-process; returns (exit code, stdout, stderr)."""
        code = cli.main(["--config", str(self.config_path), *args])
        out, err = capsys.readouterr() if capsys else ("", "")
        return code, out, err

    def run_process(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """The same in a child process, for exit codes, signals and stdout exactly as a user sees them."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's code, whatever is installed
        return subprocess.run([sys.executable, "-m", "pipeline", "--config", str(self.config_path), *args],
                              capture_output=True, text=True, timeout=timeout, cwd=self.root, env=env)


@pytest.fixture(scope="session")
def sample_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample episode's master, generated once per test session (~15 s)."""
    return make_sample_master(tmp_path_factory.mktemp("sample") / "master.mp4")


def _merge(into: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def with_extra(config: Path, extra: str) -> None:
    """The project's config.toml with a test's settings merged in (tables the file already declares
    are completed or overridden key by key, its comments kept), as a person would edit it."""
    doc = tomlkit.parse(config.read_text(encoding="utf-8"))
    _merge(doc, tomlkit.parse(extra))
    config.write_text(tomlkit.dumps(doc), encoding="utf-8")


def make_project(root: Path, sample_master: Path, config_extra: str = "") -> Project:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "config.toml", root / "config.toml")
    if config_extra:
        with_extra(root / "config.toml", config_extra)
    ep = root / "episodes" / SAMPLE
    ep.mkdir(parents=True)
    shutil.copy(ROOT / "episodes" / SAMPLE / "episode.toml", ep / "episode.toml")
    (ep / "master.mp4").symlink_to(sample_master)
    for folder in ("subtitles", "schedules"):
        (root / folder).mkdir()
    return Project(root)


@pytest.fixture
def project(tmp_path: Path, sample_master: Path) -> Project:
    """A fresh project per test, sharing the session's sample master."""
    return make_project(tmp_path / "project", sample_master)


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201 - a playwright Browser
    """Debian's Chromium driven by Playwright, for the studio's page tests (helpers: tests/web/browser_support.py).
    Defined here, not in tests/web/conftest.py: two modules named `conftest` break `from conftest import`."""
    from tests.web.browser_support import CHROMIUM, FLAGS

    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is not installed: `make setup` installs it (APT_PACKAGES)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()
