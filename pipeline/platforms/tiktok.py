"""TikTok through the Content Posting API v2 (direct post, FILE_UPLOAD) over real HTTP with `requests`.

There is no official Python client; the protocol is JSON over HTTPS: creator_info/query before each
post (privacy options, max duration, interactions allowed), video/init with the chunk plan, one PUT
per chunk with Content-Range (sequential), then status/fetch until PUBLISH_COMPLETE or FAILED.
A dropped connection resumes from the bytes TikTok acknowledged (status/fetch's uploaded_bytes).
TikTok has no scheduled publishing: the stage calls upload() at the release time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from pipeline.config import Config
from pipeline.log import stage_logger
from pipeline.media import ffmpeg
from pipeline.platforms.base import (AccountInfo, AuthError, Backoff, PlatformError, QuotaExceeded, RemoteState,
                                     RemoteVideo, UploadProgress, VideoUpload)
from pipeline.platforms.shortvideo import PostedAtTime, caption
from pipeline.platforms.tiktok_auth import LOGIN_TIKTOK, TIKTOK_SCOPES, fresh_tokens, refresh

log = stage_logger("publish")
PRIVACY = {"public": "PUBLIC_TO_EVERYONE", "unlisted": "MUTUAL_FOLLOW_FRIENDS", "private": "SELF_ONLY"}
MIN_CHUNK, MAX_CHUNKS = 5 * 1024 * 1024, 1000
THROTTLED = ("rate_limit_exceeded",)
POLL_SECONDS = 2.0


class TikTokError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status}: {code}: {message}")
        self.status, self.code, self.message = status, code, message


def chunk_plan(size: int, chunk: int) -> tuple[int, int]:
    """(chunk_size, total_chunk_count) by TikTok's rules: one piece when the file fits in a chunk (always
    under 5 MB), else floor(size / chunk) chunks, the last one taking the remainder; at most 1000."""
    if size <= chunk or size < MIN_CHUNK and chunk >= MIN_CHUNK:
        return size, 1
    chunk = max(chunk, -(-size // MAX_CHUNKS))
    return chunk, size // chunk


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, TikTokError):
        return exc.status >= 500 or exc.code in THROTTLED or exc.code == "internal_error"
    return isinstance(exc, requests.RequestException)


class TikTok(PostedAtTime):
    name = "tiktok"

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.tt = cfg.publish.tiktok
        self.http = requests.Session()
        self.tokens = fresh_tokens(cfg, self.http)
        self.backoff = Backoff(cfg.publish.retry_attempts, cfg.publish.retry_base_seconds)
        self.poll = POLL_SECONDS * min(1.0, cfg.publish.retry_base_seconds)

    # ---------------------------------------------------------------- one call

    def _once(self, path: str, body: dict, query: dict | None = None) -> dict:
        if self.tokens.expires_at - datetime.now(UTC) < timedelta(minutes=5):
            self.tokens = refresh(self.cfg, self.tokens, self.http)
        r = self.http.post(f"{self.tt.api_root}{path}", json=body, params=query, timeout=120,
                           headers={"Authorization": f"Bearer {self.tokens.access_token}",
                                    "Content-Type": "application/json; charset=UTF-8"})
        try:
            answer = r.json()
        except ValueError:
            raise TikTokError(r.status_code, "internal_error", "non-JSON answer") from None
        err = answer.get("error") or {}
        if r.status_code >= 400 or err.get("code", "ok") != "ok":
            raise TikTokError(r.status_code, str(err.get("code", "")), str(err.get("message", "")))
        return answer.get("data") or {}

    def call(self, what: str, path: str, body: dict, query: dict | None = None) -> dict:
        """One API call with retries; an expired token is refreshed once; TikTok's refusals as our errors."""
        def once() -> dict:
            try:
                return self._once(path, body, query)
            except TikTokError as exc:
                if exc.code != "access_token_invalid":
                    raise
                self.tokens = refresh(self.cfg, self.tokens, self.http)  # revoked early or clock skew: once
                return self._once(path, body, query)
        try:
            return self.backoff.run(what, once, _transient, on_retry=lambda m: log.warning("tiktok: %s", m))
        except TikTokError as exc:
            raise self._refused(what, exc) from None
        except Exception as exc:
            cause = exc.__cause__
            if isinstance(cause, TikTokError) and cause.code in THROTTLED:
                raise QuotaExceeded(f"tiktok: still rate limited after retries during {what} (6 posts a minute "
                                    "per account)", datetime.now(UTC) + timedelta(minutes=1)) from None
            raise

    def _refused(self, what: str, exc: TikTokError) -> Exception:
        if exc.code in ("access_token_invalid", "scope_not_authorized", "scope_permission_missed"):
            return AuthError(f"tiktok: {what} refused ({exc.code}): the token is no longer valid or lacks "
                             f"{', '.join(TIKTOK_SCOPES)}", hint=f"run `{LOGIN_TIKTOK}`, then the same command again")
        if exc.code == "unaudited_client_can_only_post_to_private_accounts":
            return PlatformError("tiktok: app not audited: only private (SELF_ONLY) posts are accepted, and this "
                                 "one is public", hint='meanwhile privacy = "private" in [release.tiktok] posts it '
                                 "privately; once TikTok has audited the app (README: TikTok app), set "
                                 "audited = true in [publish.tiktok]")
        if exc.code.startswith("spam_risk"):
            return PlatformError(f"tiktok: refused the post as spam risk ({exc.code}: {exc.message[:160]})",
                                 hint="TikTok limits posts per account per day: give the release a later time")
        return PlatformError(f"tiktok: {what} refused: {exc.code}: {exc.message[:200]}",
                             hint="check the release (`webseries publish check`)")

    # ---------------------------------------------------------------- post

    def creator_info(self) -> dict:
        return self.call("creator_info", "/v2/post/publish/creator_info/query/", {})

    def upload(self, video: VideoUpload, resume: UploadProgress | None,
               on_progress: Callable[[UploadProgress], None]) -> RemoteVideo:
        size = video.file.stat().st_size
        info = self.creator_info()   # asked before each post, as TikTok requires
        if resume:
            pid, url = resume.session.split(" ", 1)
            log.info("tiktok: resuming post %s", pid)
        else:
            privacy = PRIVACY[video.privacy]
            if privacy not in info.get("privacy_level_options", []):
                raise PlatformError(f"tiktok: this account cannot post as {privacy} (it offers "
                                    f"{', '.join(info.get('privacy_level_options', []))})",
                                    hint="change privacy in [release.tiktok]")
            longest = info.get("max_video_post_duration_sec")
            if longest and (seconds := ffmpeg.probe(video.file).duration) > longest:
                raise PlatformError(f"tiktok: this account may post videos up to {longest} s; the clip lasts "
                                    f"{seconds:.0f} s", hint="post a shorter clip")
            chunk, count = chunk_plan(size, self.tt.chunk_bytes)
            data = self.call("video init", "/v2/post/publish/video/init/", {
                "post_info": {"title": caption(video)[:self.tt.caption_max], "privacy_level": privacy,
                              "disable_comment": bool(info.get("comment_disabled")),
                              "disable_duet": bool(info.get("duet_disabled")),
                              "disable_stitch": bool(info.get("stitch_disabled")),
                              "video_cover_timestamp_ms": 1000},
                "source_info": {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk,
                                "total_chunk_count": count}})
            pid, url = data["publish_id"], data["upload_url"]
            on_progress(UploadProgress(f"{pid} {url}", 0, size))
        self._send(video.file, size, pid, url, on_progress)
        status = self._wait(pid)
        ids = status.get("publicaly_available_post_id") or []  # (sic) TikTok's spelling
        user = info.get("creator_username", "")
        link = f"https://www.tiktok.com/@{user}/video/{ids[0]}" if ids else f"https://www.tiktok.com/@{user}"
        return RemoteVideo(pid, link)

    def _send(self, file: Path, size: int, pid: str, url: str, on_progress: Callable[[UploadProgress], None]) -> None:
        chunk, count = chunk_plan(size, self.tt.chunk_bytes)

        def send() -> None:
            got = int(self.call("status", "/v2/post/publish/status/fetch/", {"publish_id": pid})
                      .get("uploaded_bytes", 0))   # what TikTok holds, not what we think we sent
            with open(file, "rb") as fh:
                for i in range(min(got // chunk, count), count):
                    start = i * chunk
                    end = size if i == count - 1 else start + chunk
                    fh.seek(start)
                    r = self.http.put(url, data=fh.read(end - start), timeout=300, headers={
                        "Content-Type": "video/mp4", "Content-Range": f"bytes {start}-{end - 1}/{size}"})
                    if r.status_code not in (201, 206):
                        raise TikTokError(r.status_code, "upload_failed", r.text[:200])
                    on_progress(UploadProgress(f"{pid} {url}", end, size))
        try:
            self.backoff.run("chunk upload", send, _transient, on_retry=lambda m: log.warning("tiktok: %s", m))
        except TikTokError as exc:
            raise self._refused("chunk upload", exc) from None

    def _wait(self, pid: str) -> dict:
        """status/fetch until TikTok says published or failed (with its reason)."""
        deadline = time.monotonic() + 600
        while True:
            st = self.call("status", "/v2/post/publish/status/fetch/", {"publish_id": pid})
            if st.get("status") == "PUBLISH_COMPLETE":
                return st
            if st.get("status") == "FAILED":
                raise PlatformError(f"tiktok: the post failed: {st.get('fail_reason', 'no reason given')}",
                                    hint="fix what TikTok says, then `webseries publish upload` posts it again")
            if time.monotonic() > deadline:
                raise PlatformError(f"tiktok: still {st.get('status')} after 10 minutes",
                                    hint="`webseries publish status --refresh` reads it again later")
            time.sleep(self.poll)

    def read_back(self, remote_id: str) -> RemoteState:
        try:
            st = self.call("status", "/v2/post/publish/status/fetch/", {"publish_id": remote_id})
        except PlatformError as exc:
            if "invalid_publish_id" in exc.message:
                return RemoteState(False, detail="TikTok does not know this post")
            raise
        done = st.get("status") == "PUBLISH_COMPLETE"
        public = bool(st.get("publicaly_available_post_id"))
        return RemoteState(True, "public" if public else "private" if done else "", None, done and public, "",
                           st.get("status", "") + (f": {st['fail_reason']}" if st.get("fail_reason") else ""))

    def account(self) -> AccountInfo:
        info = self.creator_info()
        missing = tuple(s for s in TIKTOK_SCOPES if s not in self.tokens.scope)
        detail = f"@{info.get('creator_username', '?')}" + ("" if self.tt.audited else "; app not audited: "
                                                             "private (SELF_ONLY) posts only")
        return AccountInfo(info.get("creator_nickname", "?"), detail, missing)

    def video_stats(self, post_ids: list[str], fields: tuple[str, ...]) -> dict[str, dict]:
        """video/query for up to 20 ids a call: {id: fields}; a private or deleted video is simply absent."""
        out: dict[str, dict] = {}
        for i in range(0, len(post_ids), 20):
            data = self.call("video query", "/v2/video/query/", {"filters": {"video_ids": post_ids[i:i + 20]}},
                             {"fields": ",".join(("id", *fields))})
            out.update({str(v["id"]): v for v in data.get("videos", [])})
        return out
