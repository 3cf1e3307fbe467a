"""Helpers for the studio's tests: a small project with one account per role, a studio served
over real HTTP (in this process, or `webseries serve` as a child), and logging in as a person."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from pipeline.media import ffmpeg
from pipeline.store import Store
from pipeline.users import ROLES, add

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "motdepasse-{role}"
EPISODE_TOML = """\
# Episode written by hand: its comments must survive the studio's edits.
id = "{id}"
number = {number}  # the episode's number in the season
master = "master.mp4"
languages = ["fr"]

[title]
fr = "{title}"
bm = ""  # to be written by the Bambara translator

[description]
fr = "Description de {id}"
"""


def make_master(path: Path, seconds: float = 3.0, size: str = "320x240") -> Path:
    """A small master from ffmpeg's test sources (picture + tone)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg.run_args(["-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d={seconds}", "-f", "lavfi", "-i",
                     f"sine=frequency=440:sample_rate=48000:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                     "-c:a", "aac", "-shortest", str(path)])
    return path


@dataclass(frozen=True)
class StudioProject:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    @property
    def database(self) -> Path:
        return self.root / "build" / "pipeline.sqlite3"

    def episode_file(self, ep_id: str) -> Path:
        return self.root / "episodes" / ep_id / "episode.toml"

    def add_episode(self, ep_id: str, master: Path, number: int = 1, title: str = "") -> Path:
        folder = self.root / "episodes" / ep_id
        folder.mkdir(parents=True)
        shutil.copy(master, folder / "master.mp4")
        path = folder / "episode.toml"
        path.write_text(EPISODE_TOML.format(id=ep_id, number=number, title=title or f"Titre {ep_id}"), encoding="utf-8")
        return path


def make_studio_project(root: Path, master: Path, studio: str = "", profiles: str = '["mobile"]',
                        episodes: int = 1) -> StudioProject:
    """A project with `episodes` episodes (copies of `master`) and one account per role."""
    root.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^default_profiles = .*$", f"default_profiles = {profiles}", text)
    if studio:
        text = text.replace("[studio]\n", f"[studio]\n{studio}\n", 1)
    (root / "config.toml").write_text(text, encoding="utf-8")
    for folder in ("subtitles", "schedules", "episodes"):
        (root / folder).mkdir(exist_ok=True)
    project = StudioProject(root)
    for n in range(1, episodes + 1):
        project.add_episode(f"ep0{n}-test", master, n)
    with Store(project.database) as store:
        for role in ROLES:
            add(store, role, role, PASSWORD.format(role=role))
    return project


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def studio_in_thread(config: Path) -> Iterator[str]:
    """The studio app under uvicorn in a thread (no worker): its base URL."""
    import uvicorn

    from pipeline.web.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def webseries(config: Path, *args: str, **popen: object) -> subprocess.Popen:
    """`webseries --config CONFIG ARGS` as a child process running this checkout's code."""
    return subprocess.Popen([sys.executable, "-m", "pipeline", "--config", str(config), *args], env=child_env(),
                            cwd=config.parent, **popen)  # type: ignore[call-overload]


@contextlib.contextmanager
def served(config: Path, *extra: str) -> Iterator[str]:
    """`webseries serve` (pages + worker) as a person starts it; its base URL."""
    port = free_port()
    proc = webseries(config, "serve", "--port", str(port), *extra)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(base + "/login", timeout=1)
                break
            except requests.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("webseries serve did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        stop(proc)


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    if proc.poll() is None:
        proc.send_signal(2)  # SIGINT, as Ctrl-C
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def login(base: str, role: str, password: str | None = None) -> tuple[requests.Session, str]:
    """A requests session signed in as the account named after `role`, and its CSRF token."""
    s = requests.Session()
    page = s.get(base + "/login")
    r = s.post(base + "/login", data={"csrf": CSRF.search(page.text)[1], "name": role,
                                      "password": password or PASSWORD.format(role=role), "next": "/episodes"})
    assert r.status_code == 200 and r.url.endswith("/episodes"), (r.status_code, r.text[:300])
    return s, CSRF.search(r.text)[1]


def wait_for(predicate, timeout: float = 60, every: float = 0.2):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s")
        time.sleep(every)


@pytest.fixture(scope="session")
def tiny_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 s of 320x240 picture and tone, made once per test session (well under a second)."""
    return make_master(tmp_path_factory.mktemp("studio-media") / "master.mp4")
