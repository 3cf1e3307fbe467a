"""What TikTok and Instagram Reels share: one caption text, one set of capabilities, and their limits.

Neither platform schedules through its API: `publish run` posts at the release time, so this
computer must be on then. Once posted, neither lets the API move, retitle, hide or delete the video.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pathlib import Path

from pipeline.log import stage_logger
from pipeline.platforms.base import Capabilities, PlatformError, VideoUpload

log = stage_logger("publish")

POSTED_AT_TIME = Capabilities(native_scheduling=False, reschedule=False, update_texts=False,
                              replace_thumbnail=False, replace_captions=False, playlists=False,
                              unpublish=False, delete=False)
SHORT_PLATFORMS = ("tiktok", "instagram")


def hashtags(tags: tuple[str, ...]) -> list[str]:
    """"AJCAD Mali" -> "#AJCADMali": a hashtag holds no space or punctuation."""
    out = []
    for t in tags:
        word = re.sub(r"[^\w]", "", t.lstrip("#"))
        if word and f"#{word}" not in out:
            out.append(f"#{word}")
    return out


def caption(video: VideoUpload) -> str:
    """Title, description and hashtags in one text: the only text a TikTok post or a Reel carries."""
    parts = [video.title.strip(), video.description.strip(), " ".join(hashtags(video.tags))]
    return "\n\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Limits:
    caption_max: int
    hashtags_max: int
    max_seconds: float
    max_bytes: int
    vertical_only: bool


def limit_problems(platform: str, text: str, tags: int, limits: Limits, duration: float | None,
                   size: int | None, width: int | None, height: int | None) -> list[str]:
    """Each limit the post breaks, said so an officer can fix it (the media values may be unknown: None)."""
    out = []
    if len(text) > limits.caption_max:
        out.append(f"{platform} caption (title + description + hashtags) has {len(text)} characters "
                   f"(at most {limits.caption_max}): shorten [release.{platform}] description")
    if tags > limits.hashtags_max:
        out.append(f"{platform} allows at most {limits.hashtags_max} hashtags, the release has {tags}")
    if duration is not None and duration > limits.max_seconds:
        out.append(f"{platform} takes videos up to {limits.max_seconds:.0f} s; this one lasts {duration:.0f} s")
    if size is not None and size > limits.max_bytes:
        out.append(f"{platform} takes files up to {limits.max_bytes // 2**20} MB; this one is {size // 2**20} MB")
    if limits.vertical_only and width and height and width >= height:
        out.append(f"{platform} gets vertical videos only, and this one is {width}x{height} (landscape): "
                   f"post its vertical clips there, or set vertical_only = false in [publish.{platform}]")
    return out


class PostedAtTime:
    """What TikTok and Instagram allow once a video is posted through their APIs: nothing. The cover is
    chosen when the post starts; subtitles reach them burned into the clip (no caption track API)."""

    name = ""
    capabilities = POSTED_AT_TIME

    def find_caption(self, remote_id: str, lang: str) -> str | None:
        return None

    def add_caption(self, remote_id: str, lang: str, path: Path) -> str:
        log.info("%s: no caption track API: %s subtitles reach it burned into the clip", self.name, lang)
        return f"burned:{lang}"

    def replace_caption(self, remote_id: str, lang: str, path: Path, track: str) -> str:
        return track

    def remove_caption(self, remote_id: str, lang: str, track: str) -> None:
        return None

    def set_thumbnail(self, remote_id: str, path: Path) -> None:
        """The cover is a frame of the video, chosen when the post starts."""

    def find_in_playlist(self, remote_id: str, playlist: str) -> str | None:
        return None

    def add_to_playlist(self, remote_id: str, playlist: str) -> str:
        raise PlatformError(f"{self.name}: playlists are not handled",
                            hint=f"remove playlist from [release.{self.name}]")

    def remove_from_playlist(self, item: str) -> None:
        return None

    def cannot(self, what: str) -> PlatformError:
        return PlatformError(f"{self.name}: the API cannot {what} a posted video", hint=f"do it in the {self.name} app")

    def set_schedule(self, remote_id: str, video: VideoUpload) -> None:
        raise self.cannot("reschedule")

    def update_texts(self, remote_id: str, video: VideoUpload) -> None:
        raise self.cannot("edit the caption of")

    def unpublish(self, remote_id: str) -> None:
        raise self.cannot("hide")

    def delete(self, remote_id: str) -> None:
        raise self.cannot("delete")
