"""[publish]: upload windows, retries, and each platform's endpoints and token places.

Secrets never live here: tokens come from the environment or a 0600 file (see platforms/accounts.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.tomlread import Reader

EMULATOR_ENV = "WEBSERIES_PUBLISH_EMULATOR"  # http://127.0.0.1:PORT: every platform API goes to the local emulator


@dataclass(frozen=True)
class YouTubeConfig:
    api_root: str                 # https://www.googleapis.com/ (or the emulator)
    token_uri: str                # OAuth token endpoint used to refresh the access token
    token_file: Path              # authorized-user JSON written by `webseries publish login youtube`
    client_secrets_file: Path     # the OAuth client (installed app) downloaded from the Cloud console
    category_id: str
    caption_fallback: str         # caption language used when the platform refuses one (e.g. bm)
    quota_per_day: int
    quota_costs: dict[str, int]
    chunk_bytes: int


@dataclass(frozen=True)
class FacebookConfig:
    graph_root: str
    graph_version: str            # pinned: Graph versions change behaviour and expire
    reels_upload_root: str        # the host Reels bytes go to (rupload)
    page_id: str
    token_env: str                # environment variable holding the Page token
    token_file: Path
    caption_locales: dict[str, str]
    caption_fallback: str


@dataclass(frozen=True)
class PublishConfig:
    upload_hours: tuple[int, int] | None   # local hours [start, end) when uploads may run; None = any time
    upload_lead_days: int                  # upload no earlier than this many days before the release
    min_lead_minutes: int                  # refuse releases closer than this (Facebook needs 10)
    misfire_grace_seconds: int
    retry_attempts: int
    retry_base_seconds: float
    youtube: YouTubeConfig
    facebook: FacebookConfig
    rehearsal: bool = False                # set for `--emulator` runs (never read from config.toml): links are marked


def parse(r: Reader) -> PublishConfig:
    hours = r.str("upload_hours", "")
    window = None
    if hours:
        try:
            a, b = (int(h.split(":")[0]) for h in hours.split("-"))
            assert 0 <= a < 24 and 0 < b <= 24 and a != b
            window = (a, b)
        except (ValueError, AssertionError):
            r.problem("upload_hours", f'expected "HH:00-HH:00" local hours (e.g. "00:00-06:00"), got {hours!r}')
    y, f = r.table("youtube"), r.table("facebook")
    costs = {"upload": 1600, "captions": 400, "thumbnails": 50, "playlist": 50, "list": 1,
             "update": 50, "caption_update": 450, "delete": 50}  # videos.update; captions.update; *.delete
    cost_table = y.table("quota_costs")
    for key in costs:
        costs[key] = cost_table.int(key, costs[key], lo=0)
    cost_table.check_unknown()
    youtube = YouTubeConfig(
        api_root=emulated(y.str("api_root", "https://www.googleapis.com/"), "/"),
        token_uri=emulated(y.str("token_uri", "https://oauth2.googleapis.com/token"), "/token"),
        token_file=Path(y.str("token_file", "~/.config/webseries/youtube-token.json")).expanduser(),
        client_secrets_file=Path(y.str("client_secrets_file", "~/.config/webseries/youtube-client.json")).expanduser(),
        category_id=y.str("category_id", "27"),
        caption_fallback=y.str("caption_fallback", "und"),
        quota_per_day=y.int("quota_per_day", 10000, lo=0),
        quota_costs=costs,
        chunk_bytes=y.int("chunk_kib", 8192, lo=1) * 1024,
    )
    locales = f.table("caption_locales")
    loc = {"fr": "fr_FR", "bm": "bm_ML"}
    for lang in locales.data:
        loc[lang] = locales.str(lang)
    facebook = FacebookConfig(
        graph_root=emulated(f.str("graph_root", "https://graph.facebook.com")),
        graph_version=f.str("graph_version", "v21.0"),
        reels_upload_root=emulated(f.str("reels_upload_root", "https://rupload.facebook.com")),
        page_id=str(f.str("page_id", "")),
        token_env=f.str("token_env", "WEBSERIES_FACEBOOK_TOKEN"),
        token_file=Path(f.str("token_file", "~/.config/webseries/facebook-page-token")).expanduser(),
        caption_locales=loc,
        caption_fallback=f.str("caption_fallback", ""),
    )
    if not re.fullmatch(r"v\d+\.\d+", facebook.graph_version or ""):
        f.problem("graph_version", f"expected a version like v21.0, got {facebook.graph_version!r}")
    for t in (y, f, locales):
        t.check_unknown()
    cfg = PublishConfig(
        upload_hours=window, upload_lead_days=r.int("upload_lead_days", 30, lo=0),
        min_lead_minutes=r.int("min_lead_minutes", 15, lo=10),
        misfire_grace_seconds=r.int("misfire_grace_seconds", 7 * 24 * 3600, lo=60),
        retry_attempts=r.int("retry_attempts", 6, lo=1, hi=20),
        retry_base_seconds=r.float("retry_base_seconds", 1.0, lo=0.0),
        youtube=youtube, facebook=facebook)
    r.check_unknown()
    return cfg


def emulated(configured: str, path: str = "") -> str:
    """The emulator's address (+ path) when $WEBSERIES_PUBLISH_EMULATOR is set (demo, tests), else the
    configured one."""
    emulator = os.environ.get(EMULATOR_ENV, "").rstrip("/")
    return emulator + path if emulator else configured
