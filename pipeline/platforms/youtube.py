"""YouTube through google-api-python-client (Data API v3): resumable upload, schedule, captions.

The client is built from the discovery document bundled with the library, with rootUrl and
baseUrl replaced by the configured endpoint: `api_endpoint` alone would leave media uploads
on https://www.googleapis.com, so the emulator would never see them.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httplib2
from googleapiclient.errors import HttpError

from pipeline.config import Config
from pipeline.log import stage_logger
from pipeline.platforms.accounts import auth_error, youtube_credentials
from pipeline.platforms.base import (AuthError, Backoff, PlatformError, QuotaExceeded, RemoteStatus, RemoteVideo,
                                     UploadProgress, VideoUpload)

log = stage_logger("publish")
TRACK_NAMES = {"fr": "Français", "bm": "Bamanankan"}
PACIFIC = ZoneInfo("America/Los_Angeles")


def next_quota_reset(now: datetime) -> datetime:
    """YouTube quotas reset at midnight Pacific time; retry a few minutes after."""
    local = now.astimezone(PACIFIC)
    return datetime.combine(local.date() + timedelta(days=1), time(0, 5), PACIFIC).astimezone(UTC)


def pacific_day(now: datetime) -> str:
    return now.astimezone(PACIFIC).date().isoformat()


class _Http(httplib2.Http):
    """httplib2 re-sends a request after a dropped connection ("stale connection", whatever
    RETRIES says); a chunk body given as a stream is consumed by then, so the re-send carries
    no bytes and both ends wait for each other. A chunk (<= chunk_kib) is read into memory first."""

    def request(self, uri, method="GET", body=None, headers=None, *args, **kwargs):  # noqa: ANN001, ANN201
        if body is not None and hasattr(body, "read"):
            body = body.read()
        return super().request(uri, method, body, headers, *args, **kwargs)


def build_service(api_root: str, credentials: object, timeout: float = 120):  # noqa: ANN201 - a Resource
    """The youtube v3 Resource from the bundled document, every URL under `api_root`."""
    import google_auth_httplib2
    from googleapiclient.discovery import build_from_document
    from googleapiclient.discovery_cache import get_static_doc

    doc = json.loads(get_static_doc("youtube", "v3"))
    root = api_root if api_root.endswith("/") else api_root + "/"
    doc["rootUrl"] = root
    doc["mtlsRootUrl"] = root
    doc["baseUrl"] = root + doc.get("servicePath", "")
    raw = _Http(timeout=timeout)
    raw.redirect_codes = raw.redirect_codes - {308}  # 308 is "resume incomplete" here, as build_http() sets it
    http = google_auth_httplib2.AuthorizedHttp(credentials, http=raw)
    return build_from_document(doc, http=http)


def _reason(exc: HttpError) -> str:
    try:
        err = json.loads(exc.content.decode())["error"]
        return (err.get("errors") or [{}])[0].get("reason", "") or err.get("status", "")
    except (ValueError, KeyError, AttributeError):
        return ""


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, HttpError):
        return exc.resp.status >= 500 or exc.resp.status == 429 or _reason(exc) in (
            "rateLimitExceeded", "userRateLimitExceeded", "backendError")
    return isinstance(exc, (OSError, httplib2.HttpLib2Error, http.client.HTTPException))


def guarded_call(backoff: Backoff, what: str, fn: Callable[[], object], refused_hint: str,
                 scope_hint: str = "") -> dict:
    """One call with retries; auth, quota and refusals become the errors the stages act on.

    Shared by publishing (Data API) and metrics (Analytics API): same service, same error shapes.
    """
    from google.auth.exceptions import RefreshError

    try:
        return backoff.run(what, fn, _transient, on_retry=lambda m: log.warning("youtube: %s", m))
    except RefreshError as exc:
        raise auth_error("youtube", str(exc)) from None
    except HttpError as exc:
        reason = _reason(exc)
        if exc.resp.status == 401:
            raise auth_error("youtube", reason or "401") from None
        if reason in ("quotaExceeded", "dailyLimitExceeded"):
            raise QuotaExceeded(f"youtube: daily quota exceeded during {what}",
                                next_quota_reset(datetime.now(UTC))) from None
        if scope_hint and reason in ("insufficientPermissions", "forbidden", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"):
            raise AuthError(f"youtube: {what} refused ({reason}): the token lacks a permission this needs",
                            hint=scope_hint) from None
        detail = getattr(exc, "reason", "") or ""
        raise PlatformError(f"youtube: {what} refused ({exc.resp.status} {reason}): {detail}"[:300],
                            hint=refused_hint) from None


class YouTube:
    name = "youtube"

    def __init__(self, cfg: Config, credentials: object | None = None) -> None:
        self.cfg = cfg
        self.yt = cfg.publish.youtube
        self.backoff = Backoff(cfg.publish.retry_attempts, cfg.publish.retry_base_seconds)
        self.service = build_service(self.yt.api_root, credentials or youtube_credentials(cfg))

    def _call(self, what: str, fn: Callable[[], object]) -> object:
        """One API call with retries, and the errors the stage acts on."""
        return guarded_call(self.backoff, what, fn,
                            refused_hint="check the release in the calendar (`webseries publish check`)")

    # ---------------------------------------------------------------- upload + schedule

    def upload(self, video: VideoUpload, resume: UploadProgress | None,
               on_progress: Callable[[UploadProgress], None]) -> RemoteVideo:
        from googleapiclient.http import MediaFileUpload

        status: dict[str, object] = {"privacyStatus": "private", "selfDeclaredMadeForKids": False}
        if video.privacy == "public":  # private now, public at publishAt: YouTube does the publishing
            status["publishAt"] = video.publish_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"snippet": {"title": video.title, "description": video.description, "tags": list(video.tags),
                            "categoryId": self.yt.category_id, "defaultLanguage": video.language,
                            "defaultAudioLanguage": video.language},
                "status": status}
        media = MediaFileUpload(str(video.file), mimetype="video/mp4", chunksize=self.yt.chunk_bytes, resumable=True)
        size = media.size()
        request = self.service.videos().insert(part="snippet,status", body=body, media_body=media,
                                               notifySubscribers=True)
        response = self._resume(request, resume, size) if resume else None
        while response is None:
            _, response = self._call("upload", lambda: request.next_chunk(num_retries=0))
            if request.resumable_uri:
                on_progress(UploadProgress(request.resumable_uri, request.resumable_progress, size))
        vid = response["id"]
        return RemoteVideo(vid, f"https://www.youtube.com/watch?v={vid}")

    def _resume(self, request: object, resume: UploadProgress, size: int) -> dict | None:
        """Ask the server how much of the session it holds (PUT, Content-Range: bytes */size)."""
        def ask() -> tuple:
            return request.http.request(resume.session, "PUT",
                                        headers={"Content-Range": f"bytes */{size}", "Content-Length": "0"})
        resp, content = self._call("upload status", ask)
        if resp.status in (200, 201):
            return json.loads(content)  # finished before the crash: the video exists, do not upload again
        if resp.status == 308:
            request.resumable_uri = resume.session
            rng = resp.get("range")
            request.resumable_progress = int(rng.split("-")[1]) + 1 if rng else 0
            log.info("youtube: resuming %s at byte %d of %d", resume.session.split("upload_id=")[-1][:12],
                     request.resumable_progress, size)
            return None
        log.warning("youtube: upload session gone (HTTP %d); starting a new one", resp.status)
        return None

    # ---------------------------------------------------------------- captions, thumbnail, playlist

    def find_caption(self, remote_id: str, lang: str) -> str | None:
        res = self._call("captions.list", self.service.captions().list(part="snippet", videoId=remote_id).execute)
        for item in res.get("items", []):
            sn = item["snippet"]
            if sn.get("language") == lang or sn.get("name") == TRACK_NAMES.get(lang, lang):
                return f"{item['id']}:{sn.get('language')}"
        return None

    def add_caption(self, remote_id: str, lang: str, path: Path) -> str:
        from googleapiclient.http import MediaFileUpload

        def insert(language: str) -> dict:
            body = {"snippet": {"videoId": remote_id, "language": language,
                                "name": TRACK_NAMES.get(lang, lang), "isDraft": False}}
            media = MediaFileUpload(str(path), mimetype="application/octet-stream", resumable=False)
            return self._call(f"captions.insert {language}",
                              self.service.captions().insert(part="snippet", body=body, media_body=media).execute)
        try:
            item = insert(lang)
        except PlatformError as exc:
            fallback = self.yt.caption_fallback
            if not fallback or fallback == lang or "invalidMetadata" not in exc.message:
                raise
            log.warning("youtube: caption language %r refused; attaching it as %r named %r",
                        lang, fallback, TRACK_NAMES.get(lang, lang))
            item = insert(fallback)
        return f"{item['id']}:{item['snippet']['language']}"

    def set_thumbnail(self, remote_id: str, path: Path) -> None:
        from googleapiclient.http import MediaFileUpload

        media = MediaFileUpload(str(path), mimetype="image/jpeg", resumable=False)
        self._call("thumbnails.set", self.service.thumbnails().set(videoId=remote_id, media_body=media).execute)

    def find_in_playlist(self, remote_id: str, playlist: str) -> str | None:
        res = self._call("playlistItems.list", self.service.playlistItems().list(
            part="snippet", playlistId=playlist, videoId=remote_id).execute)
        items = res.get("items", [])
        return items[0]["id"] if items else None

    def add_to_playlist(self, remote_id: str, playlist: str) -> str:
        body = {"snippet": {"playlistId": playlist, "resourceId": {"kind": "youtube#video", "videoId": remote_id}}}
        return self._call("playlistItems.insert",
                          self.service.playlistItems().insert(part="snippet", body=body).execute)["id"]

    def status(self, remote_id: str) -> RemoteStatus:
        res = self._call("videos.list", self.service.videos().list(part="status", id=remote_id).execute)
        if not res.get("items"):
            return RemoteStatus(False, "not found on YouTube (deleted?)")
        st = res["items"][0]["status"]
        published = st.get("privacyStatus") == "public" and not st.get("publishAt")
        return RemoteStatus(published, st.get("privacyStatus", ""))
