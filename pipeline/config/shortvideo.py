"""[publish.tiktok] and [publish.instagram]: the short-video platforms' endpoints, token places and limits.

Secrets never live here: the TikTok app's client secret comes from $WEBSERIES_TIKTOK_CLIENT_SECRET or
its 0600 file; Instagram speaks with the Facebook Page's token ([publish.facebook]).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.tomlread import Reader

TIKTOK_PRIVACY = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY")


@dataclass(frozen=True)
class TikTokConfig:
    api_root: str                 # https://open.tiktokapis.com (or the emulator)
    auth_url: str                 # the authorization page the browser opens (login)
    client_key: str               # the app's public key (TikTok for Developers > the app)
    client_secret_env: str        # environment variable holding the app's client secret
    token_file: Path              # access + refresh tokens, 0600, written by `publish login tiktok`
    audited: bool                 # the app passed TikTok's audit: public posts allowed (else SELF_ONLY)
    chunk_bytes: int              # 5-64 MB (TikTok's rule); smaller is refused except by the emulator
    caption_max: int              # TikTok's title (the caption) limit, in characters
    max_bytes: int
    vertical_only: bool           # refuse a landscape asset (a 16:9 episode) unless set false


@dataclass(frozen=True)
class InstagramConfig:
    ig_user_id: str               # "" = found from the Page's instagram_business_account
    upload_root: str              # https://rupload.facebook.com (or the emulator)
    caption_max: int
    hashtags_max: int
    max_seconds: float
    max_bytes: int
    vertical_only: bool


def parse_tiktok(t: Reader, emulated: Callable[..., str]) -> TikTokConfig:
    """`emulated` swaps a root for the emulator's when $WEBSERIES_PUBLISH_EMULATOR is set (publish.py)."""
    cfg = TikTokConfig(
        api_root=emulated(t.str("api_root", "https://open.tiktokapis.com")).rstrip("/"),
        auth_url=emulated(t.str("auth_url", "https://www.tiktok.com/v2/auth/authorize/"), "/v2/auth/authorize/"),
        client_key=t.str("client_key", ""),
        client_secret_env=t.str("client_secret_env", "WEBSERIES_TIKTOK_CLIENT_SECRET"),
        token_file=Path(t.str("token_file", "~/.config/webseries/tiktok-token.json")).expanduser(),
        audited=t.bool("audited", False),
        chunk_bytes=t.int("chunk_kib", 10 * 1024, lo=1, hi=64 * 1024) * 1024,
        caption_max=t.int("caption_max", 2200, lo=1),
        max_bytes=t.int("max_mb", 4096, lo=1) * 1024 * 1024,
        vertical_only=t.bool("vertical_only", True))
    t.check_unknown()
    return cfg


def parse_instagram(t: Reader, emulated: Callable[..., str]) -> InstagramConfig:
    cfg = InstagramConfig(
        ig_user_id=str(t.str("ig_user_id", "")),
        upload_root=emulated(t.str("upload_root", "https://rupload.facebook.com")).rstrip("/"),
        caption_max=t.int("caption_max", 2200, lo=1),
        hashtags_max=t.int("hashtags_max", 30, lo=0),
        max_seconds=t.float("max_seconds", 900.0, lo=3.0),
        max_bytes=t.int("max_mb", 1024, lo=1) * 1024 * 1024,
        vertical_only=t.bool("vertical_only", True))
    t.check_unknown()
    return cfg
