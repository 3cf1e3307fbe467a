"""Publish-ready throw-away projects and the emulator, shared by tests/platforms and tests/stages.

Media is one short generated mp4 and one JPEG per session (ffmpeg lavfi), copied into place;
subtitle review state is written to the subtitle_tracks table as the subtitles stage would.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Project, make_project

from pipeline import paths
from pipeline.config import Config
from pipeline.media import ffmpeg
from pipeline.media.synth import make_test_video
from pipeline.platforms.accounts import write_token_file
from pipeline.platforms.emulator import Emulator, running
from pipeline.store import Store, utcnow

YT_TOKEN = "ya29.emu-SECRET-youtube-access-7f3a9c"
YT_REFRESH = "1//emu-SECRET-youtube-refresh-b81d"
FB_TOKEN = "EAAB-emu-SECRET-facebook-page-token-42c7"
PLAYLIST = "PLseason1emulator"
SRT = "1\n00:00:01,000 --> 00:00:03,000\nBonjour à toutes et à tous.\n"


def make_media(folder: Path) -> tuple[Path, Path]:
    """A ~250 KB mp4 (so uploads take several small chunks) and a 1280x720 JPEG."""
    video = make_test_video(folder / "video.mp4", size="640x360", duration=2.0,
                            codec=["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "900k", "-pix_fmt", "yuv420p"])
    thumb = folder / "thumb.jpg"
    ffmpeg.run_args(["-y", "-f", "lavfi", "-i", "testsrc2=s=1280x720", "-frames:v", "1", str(thumb)])
    return video, thumb


@dataclass(frozen=True)
class PublishProject:
    project: Project
    home: Path          # stands for ~/.config/webseries: outside the project

    @property
    def cfg(self) -> Config:
        return self.project.cfg

    def run(self, *args: str, capsys=None):  # noqa: ANN001, ANN201
        return self.project.run(*args, capsys=capsys)

    def add_ready_episode(self, ep_id: str, number: int, media: tuple[Path, Path], langs: tuple[str, ...] = ("fr",),
                          approve: bool = True) -> None:
        """An episode with both renditions, a thumbnail and (approved) subtitles on disk."""
        video, thumb = media
        if not (self.project.root / "episodes" / ep_id).exists():
            self.project.add_episode(ep_id, video, number=number)
        cfg = self.cfg
        for profile in ("youtube", "facebook"):
            dst = paths.rendition_path(cfg, ep_id, profile)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(video, dst)
        self.add_asset_files(ep_id, media, langs, approve, video_copy=False)

    def add_asset_files(self, asset: str, media: tuple[Path, Path], langs: tuple[str, ...] = ("fr",),
                        approve: bool = True, video_copy: bool = True) -> None:
        video, thumb = media
        cfg = self.cfg
        if video_copy:
            dst = paths.clip_path(cfg, asset, "16x9" if asset == paths.TRAILER else "vertical")
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(video, dst)
        t = paths.thumbnail_path(cfg, asset)
        t.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(thumb, t)
        with Store(cfg.project.database) as store:
            for lang in langs:
                srt = paths.subtitle_path(cfg, asset, lang)
                srt.parent.mkdir(parents=True, exist_ok=True)
                srt.write_text(SRT, encoding="utf-8")
                digest = store.file_digest(srt)
                with store.db:
                    store.db.execute("INSERT OR REPLACE INTO subtitle_tracks VALUES (?,?,?,?,?,?,?,?)",
                                     (asset, lang, str(srt), "approved" if approve else "edited", digest,
                                      digest if approve else None, "test", utcnow().isoformat()))

    def write_calendar(self, name: str, text: str) -> Path:
        path = self.project.root / "schedules" / name
        path.write_text(text, encoding="utf-8")
        return path


def publish_project(root: Path, media: tuple[Path, Path], emulator_url: str, extra: str = "",
                    lead_days: int = 400, page_id: str = "424242") -> PublishProject:
    """A project whose [publish] points at the emulator, with 0600 token files outside it."""
    home = root / "home"
    proj_root = root / "project"
    yt_token, fb_token = home / "youtube-token.json", home / "facebook-page-token"
    config = f"""
[publish]
retry_base_seconds = 0.01
upload_lead_days = {lead_days}
{extra}

[publish.youtube]
api_root = "{emulator_url}/"
token_uri = "{emulator_url}/token"
token_file = "{yt_token}"
client_secrets_file = "{home / 'youtube-client.json'}"
chunk_kib = 32

[publish.facebook]
graph_root = "{emulator_url}"
reels_upload_root = "{emulator_url}"
page_id = "{page_id}"
token_env = "WEBSERIES_TEST_FB_TOKEN_UNSET"
token_file = "{fb_token}"
"""
    base = Path(__file__).resolve().parents[1] / "config.toml"
    text = base.read_text(encoding="utf-8")
    text = text[:text.index("[publish]")]  # the repository's [publish] replaced by the test's
    proj_root.mkdir(parents=True)
    project = make_project(proj_root, media[0])
    (proj_root / "config.toml").write_text(text + config, encoding="utf-8")
    write_token_file(yt_token, json.dumps({"token": YT_TOKEN, "refresh_token": YT_REFRESH, "client_id": "emu-client",
                                           "client_secret": "emu-client-secret-x", "token_uri": "unused"}))
    write_token_file(fb_token, FB_TOKEN + "\n")
    os.environ.pop("WEBSERIES_PUBLISH_EMULATOR", None)
    return PublishProject(project, home)


def trust_tokens(emu) -> None:  # noqa: ANN001
    """The test accounts: both tokens, and the Page the Facebook one speaks for."""
    emu.state.valid_tokens |= {YT_TOKEN, FB_TOKEN}
    emu.state.refresh_tokens[YT_REFRESH] = YT_TOKEN
    emu.state.fb_pages["424242"] = {"name": "AJCAD Mali (émulateur)"}


def season_calendar(start: datetime, episodes: list[str], zone: str = "Africa/Bamako") -> str:
    """Trailer a week before ep01, one episode a week at 18:00 local, a clip between."""
    lines = ["[defaults]", f'timezone = "{zone}"', 'platforms = ["youtube", "facebook"]', 'subtitles = ["fr"]',
             "[defaults.youtube]", f'playlist = "{PLAYLIST}"', 'tags = ["Construisons Ensemble", "AJCAD Mali"]', ""]
    day = start.replace(hour=18, minute=0, second=0, microsecond=0, tzinfo=None)
    lines += ["[[release]]", 'asset = "trailer"', f"at = {(day - timedelta(days=7)).isoformat()}",
              "[release.facebook]", 'title = "Bande-annonce"', ""]
    for i, ep in enumerate(episodes):
        lines += ["[[release]]", f'asset = "{ep}"', f"at = {(day + timedelta(days=7 * i)).isoformat()}", ""]
    lines += ["[[release]]", f'asset = "{episodes[0]}-clip1"', 'platforms = ["facebook"]', 'subtitles = []',
              f"at = {(day + timedelta(days=3)).isoformat()}", ""]
    return "\n".join(lines)


def future(days: float = 10) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


# ------------------------------------------------------------------ fixtures (imported by the test modules)

@pytest.fixture(scope="session")
def publish_media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_media(tmp_path_factory.mktemp("publish-media"))


@pytest.fixture(scope="session")
def other_thumbnail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second 1280x720 JPEG, unlike the first: a thumbnail replaced after upload."""
    out = tmp_path_factory.mktemp("thumb2") / "thumb2.jpg"
    ffmpeg.run_args(["-y", "-f", "lavfi", "-i", "color=c=red:s=1280x720", "-frames:v", "1", str(out)])
    return out


def approve_subtitles(project: PublishProject, asset: str, lang: str, text: str) -> Path:
    """A reviewer edits the subtitle file and approves it again (as `webseries subtitles approve` records it)."""
    cfg = project.cfg
    srt = paths.subtitle_path(cfg, asset, lang)
    srt.write_text(text, encoding="utf-8")
    with Store(cfg.project.database) as store, store.db:
        digest = store.file_digest(srt)
        store.db.execute("UPDATE subtitle_tracks SET status='approved', approved_sha256=? WHERE asset=? AND lang=?",
                         (digest, asset, lang))
    return srt


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """The emulator: a real HTTP server on 127.0.0.1, port 0, trusting the test tokens."""
    with running() as emu:
        trust_tokens(emu)
        yield emu


@pytest.fixture
def pp(tmp_path: Path, publish_media: tuple[Path, Path], emulator: Emulator) -> PublishProject:
    return publish_project(tmp_path, publish_media, emulator.url)
