"""Which client class speaks for each platform, and what it can do, without reading any token."""

from __future__ import annotations

from pipeline.platforms.base import Capabilities


def publisher_class(platform: str) -> type:
    """The client class of a platform (imported on first use: each brings its HTTP library)."""
    if platform == "youtube":
        from pipeline.platforms.youtube import YouTube
        return YouTube
    if platform == "tiktok":
        from pipeline.platforms.tiktok import TikTok
        return TikTok
    if platform == "instagram":
        from pipeline.platforms.instagram import Instagram
        return Instagram
    from pipeline.platforms.facebook import Facebook
    return Facebook


def capabilities(platform: str) -> Capabilities:
    """What a platform can do, asked of its class: no token is read."""
    return publisher_class(platform).capabilities
