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
from pipeline.platforms.accounts import YOUTUBE_SCOPES, auth_error, youtube_credentials
from pipeline.platforms.base import (AccountInfo, AuthError, Backoff, Capabilities, PlatformError, QuotaExceeded,
                                     RemoteState, RemoteVideo, UploadProgress, VideoUpload)

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


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status(video: VideoUpload) -> dict[str, object]:
    """status part: private now, public at publishAt (YouTube does the publishing); privacy private: no time.
    videos.update replaces the whole part, so every property we keep is sent each time."""
    status: dict[str, object] = {"privacyStatus": "private", "selfDeclaredMadeForKids": False}
    if video.privacy == "public":
        status["publishAt"] = _rfc3339(video.publish_at)
    return status


class YouTube:
    name = "youtube"
    capabilities = Capabilities(playlists=True)

    def __init__(self, cfg: Config, credentials: object | None = None) -> None:
        self.cfg = cfg
        self.yt = cfg.publish.youtube
        self.backoff = Backoff(cfg.publish.retry_attempts, cfg.publish.retry_base_seconds)
        self.credentials = credentials or youtube_credentials(cfg)
        self.service = build_service(self.yt.api_root, self.credentials)

    def _call(self, what: str, fn: Callable[[], object], gone_ok: bool = False) -> object:
        """One API call with retries, and the errors the stage acts on; with gone_ok, a 404 is None
        (deleting what is already gone is done)."""
        def once() -> object:
            try:
                return fn()
            except HttpError as exc:
                if gone_ok and exc.resp.status == 404:
                    return None
                raise
        return guarded_call(self.backoff, what, once,
                            refused_hint="check the release in the calendar (`webseries publish check`)")

    def _snippet(self, video: VideoUpload) -> dict[str, object]:
        """snippet part; an update must resend categoryId (and the rest), or YouTube refuses or clears them."""
        return {"title": video.title, "description": video.description, "tags": list(video.tags),
                "categoryId": self.yt.category_id, "defaultLanguage": video.language,
                "defaultAudioLanguage": video.language}

    # ---------------------------------------------------------------- upload + schedule

    def upload(self, video: VideoUpload, resume: UploadProgress | None,
               on_progress: Callable[[UploadProgress], None]) -> RemoteVideo:
        from googleapiclient.http import MediaFileUpload

        body = {"snippet": self._snippet(video), "status": _status(video)}
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

    def replace_caption(self, remote_id: str, lang: str, path: Path, track: str) -> str:
        """captions.update with the new file: the same track, new text (never a second track)."""
        from googleapiclient.http import MediaFileUpload

        track_id, _, language = track.partition(":")
        media = MediaFileUpload(str(path), mimetype="application/octet-stream", resumable=False)
        body = {"id": track_id, "snippet": {"isDraft": False}}
        item = self._call(f"captions.update {lang}", self.service.captions().update(
            part="snippet", body=body, media_body=media).execute, gone_ok=True)
        if item is None:  # the track was removed by hand since: attach it again
            return self.add_caption(remote_id, lang, path)
        return f"{item['id']}:{item['snippet'].get('language', language)}"

    def remove_caption(self, remote_id: str, lang: str, track: str) -> None:
        self._call(f"captions.delete {lang}", self.service.captions().delete(id=track.partition(":")[0]).execute,
                   gone_ok=True)

    def remove_from_playlist(self, item: str) -> None:
        self._call("playlistItems.delete", self.service.playlistItems().delete(id=item).execute, gone_ok=True)

    # ---------------------------------------------------------------- changes after upload

    def set_schedule(self, remote_id: str, video: VideoUpload) -> None:
        self._call("videos.update status", self.service.videos().update(
            part="status", body={"id": remote_id, "status": _status(video)}).execute)

    def update_texts(self, remote_id: str, video: VideoUpload) -> None:
        self._call("videos.update snippet", self.service.videos().update(
            part="snippet", body={"id": remote_id, "snippet": self._snippet(video)}).execute)

    def unpublish(self, remote_id: str) -> None:
        """Private with no publishAt: videos.update drops the properties it is not sent."""
        self._call("videos.update status", self.service.videos().update(
            part="status", body={"id": remote_id, "status": {"privacyStatus": "private",
                                                             "selfDeclaredMadeForKids": False}}).execute,
                   gone_ok=True)  # a deleted video is not public either

    def delete(self, remote_id: str) -> None:
        self._call("videos.delete", self.service.videos().delete(id=remote_id).execute, gone_ok=True)

    def read_back(self, remote_id: str) -> RemoteState:
        res = self._call("videos.list", self.service.videos().list(part="status,snippet", id=remote_id).execute)
        if not res.get("items"):
            return RemoteState(False, detail="not found on YouTube (deleted?)")
        item = res["items"][0]
        st = item.get("status", {})
        when = st.get("publishAt")
        publish_at = datetime.fromisoformat(when.replace("Z", "+00:00")) if when else None
        privacy = st.get("privacyStatus", "")
        return RemoteState(True, privacy, publish_at, privacy == "public" and not publish_at,
                           item.get("snippet", {}).get("title", ""), st.get("uploadStatus", ""))

    def account(self) -> AccountInfo:
        res = self._call("channels.list", self.service.channels().list(part="snippet", mine=True).execute)
        items = res.get("items") or []
        if not items:
            raise PlatformError("youtube: this account has no channel",
                                hint="create the channel on YouTube, then `webseries publish login youtube`")
        granted = set(getattr(self.credentials, "granted_scopes", None) or getattr(self.credentials, "scopes", None)
                      or ())
        missing = tuple(s.rsplit("/", 1)[-1] for s in YOUTUBE_SCOPES if granted and s not in granted)
        return AccountInfo(items[0]["snippet"].get("title", "?"), f"channel {items[0]['id']}", missing)
