"""A Facebook Page through the Graph API (pinned version) over real HTTP with `requests`.

There is no maintained official Python SDK for the Graph API (facebook-sdk stopped at
v3, 2019), and the protocol is plain HTTPS forms: chunked resumable upload
(upload_phase start/transfer/finish, following the offsets the server returns), published=false
+ scheduled_publish_time, captions with the locale in the file name. The token travels in
the form body, never in a URL (URLs end up in exception messages and proxy logs).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from pipeline.config import Config
from pipeline.log import stage_logger
from pipeline.platforms.accounts import FACEBOOK_SCOPES, auth_error, facebook_token
from pipeline.platforms.base import (AccountInfo, Backoff, Capabilities, PlatformError, QuotaExceeded, RemoteState,
                                     RemoteVideo, UploadProgress, VideoUpload)

log = stage_logger("publish")
THROTTLE_CODES = (4, 17, 32, 613, 80001)
AUTH_CODES = (102, 190)
OFFSET_MISMATCH = 1363037
NOT_FOUND_SUBCODE = 33   # "Object ... does not exist": a deleted video


class GraphError(Exception):
    def __init__(self, status: int, error: dict, headers: dict) -> None:
        super().__init__(f"HTTP {status}: code {error.get('code')}: {error.get('message', '')}")
        self.status, self.error, self.headers = status, error, headers

    @property
    def code(self) -> int:
        return int(self.error.get("code", 0))


def usage_percent(headers: dict) -> tuple[int, int]:
    """The highest X-App-Usage / X-Business-Use-Case-Usage percentage, and minutes to regain access."""
    top, wait = 0, 0
    try:
        app = json.loads(headers.get("X-App-Usage", "{}"))
        top = max([top, *(int(v) for v in app.values())])
        for entries in json.loads(headers.get("X-Business-Use-Case-Usage", "{}")).values():
            for e in entries:
                top = max(top, int(e.get("call_count", 0)), int(e.get("total_cputime", 0)), int(e.get("total_time", 0)))
                wait = max(wait, int(e.get("estimated_time_to_regain_access", 0)))
    except (ValueError, TypeError, AttributeError):
        pass
    return top, wait


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, GraphError):
        return exc.status >= 500 or exc.code in THROTTLE_CODES or exc.code in (1, 2) or bool(exc.error.get("is_transient"))
    return isinstance(exc, requests.RequestException)


def _description(video: VideoUpload) -> str:
    """A Page video's description with the tags as hashtags; a Reel has no title field: it leads the text."""
    text = video.description
    if video.tags:
        text += "\n\n" + " ".join("#" + "".join(t.split()) for t in video.tags)
    return f"{video.title}\n\n{text}" if video.vertical else text


class Facebook:
    name = "facebook"
    capabilities = Capabilities(playlists=False)

    def __init__(self, cfg: Config, token: str | None = None) -> None:
        self.fb = cfg.publish.facebook
        self.token = token or facebook_token(cfg)
        self.base_delay = cfg.publish.retry_base_seconds
        self.backoff = Backoff(cfg.publish.retry_attempts, cfg.publish.retry_base_seconds)
        self.http = requests.Session()
        self.root = f"{self.fb.graph_root.rstrip('/')}/{self.fb.graph_version}"

    def _once(self, method: str, path: str, data: dict | None, files: dict | None) -> dict:
        form = {**(data or {}), "access_token": self.token}
        if method == "GET":  # a GET has no body: the token goes in a header instead of the URL
            r = self.http.get(f"{self.root}/{path}", params=data, headers={"Authorization": f"OAuth {self.token}"},
                              timeout=120)
        elif method == "DELETE":
            r = self.http.delete(f"{self.root}/{path}", data=form, timeout=120)
        else:
            r = self.http.post(f"{self.root}/{path}", data=form, files=files, timeout=120)
        top, _ = usage_percent(r.headers)
        if top >= 75:  # slow down before Facebook throttles us
            pause = self.base_delay * (8 if top >= 90 else 2)
            log.warning("facebook: app usage at %d%%; pausing %.1f s", top, pause)
            time.sleep(pause)
        try:
            body = r.json()
        except ValueError:
            body = {"error": {"code": 2, "message": f"non-JSON answer ({r.status_code})"}}
        if r.status_code >= 400 or "error" in body:
            raise GraphError(r.status_code, body.get("error", {}), dict(r.headers))
        return body

    def call(self, what: str, method: str, path: str, data: dict | None = None, files: dict | None = None,
             mismatch_ok: bool = False, gone_ok: bool = False) -> dict:
        """One Graph call with this client's retries, throttling and error handling (metrics uses it too);
        with gone_ok, "does not exist" is an empty answer (deleting what is gone is done)."""
        def once() -> dict:
            try:
                return self._once(method, path, data, files)
            except GraphError as exc:
                if gone_ok and exc.code == 100 and exc.error.get("error_subcode") == NOT_FOUND_SUBCODE:
                    return {}
                raise
        return self._guarded(what, once, mismatch_ok)

    def _guarded(self, what: str, once: Callable[[], object], mismatch_ok: bool = False) -> dict:
        """Retries with backoff, and the errors the stage acts on (auth, throttled for good, refused)."""
        try:
            return self.backoff.run(what, once, _transient, on_retry=lambda m: log.warning("facebook: %s", m))
        except GraphError as exc:
            if mismatch_ok and exc.error.get("error_subcode") == OFFSET_MISMATCH and exc.error.get("error_data"):
                return exc.error["error_data"]
            if exc.code in AUTH_CODES:
                raise auth_error("facebook", f"code {exc.code}") from None
            sub = exc.error.get("error_subcode")
            raise PlatformError(f"facebook: {what} refused: code {exc.code}{f'/{sub}' if sub else ''}: "
                                f"{exc.error.get('message', '')}"[:300],
                                hint="check the release in the calendar (`webseries publish check`)") from None
        except Exception as exc:
            cause = exc.__cause__
            if isinstance(cause, GraphError) and cause.code in THROTTLE_CODES:
                _, wait = usage_percent(cause.headers)
                raise QuotaExceeded(f"facebook: still throttled after retries during {what} (code {cause.code})",
                                    datetime.now(UTC) + timedelta(minutes=max(wait, 15))) from None
            raise

    # ---------------------------------------------------------------- upload + schedule

    def upload(self, video: VideoUpload, resume: UploadProgress | None,
               on_progress: Callable[[UploadProgress], None]) -> RemoteVideo:
        if video.vertical:
            return self._upload_reel(video, resume, on_progress)
        size = video.file.stat().st_size
        page = f"{self.fb.page_id}/videos"
        if resume:
            vid, sid, end = resume.session.split(":")
            start, end = resume.offset, int(end)
            log.info("facebook: resuming video %s at byte %d of %d", vid, start, size)
        else:
            r = self.call("upload start", "POST", page, {"upload_phase": "start", "file_size": str(size)})
            vid, sid, start, end = r["video_id"], r["upload_session_id"], int(r["start_offset"]), int(r["end_offset"])
            on_progress(UploadProgress(f"{vid}:{sid}:{end}", start, size))
        with open(video.file, "rb") as fh:
            while start < size:
                fh.seek(start)
                chunk = fh.read(end - start)
                r = self.call("upload transfer", "POST", page,
                               {"upload_phase": "transfer", "upload_session_id": sid, "start_offset": str(start)},
                               files={"video_file_chunk": (video.file.name, chunk, "application/octet-stream")},
                               mismatch_ok=True)  # the server already has (or lacks) bytes: go where it says
                start, end = int(r["start_offset"]), int(r["end_offset"])
                on_progress(UploadProgress(f"{vid}:{sid}:{end}", start, size))
        finish = {"upload_phase": "finish", "upload_session_id": sid, "title": video.title,
                  "description": _description(video), "published": "false"}
        if video.privacy == "public":  # unpublished until the time; Facebook publishes it then
            finish["scheduled_publish_time"] = str(int(video.publish_at.timestamp()))
        self.call("upload finish", "POST", page, finish)
        info = self.call("video fields", "GET", vid, {"fields": "permalink_url"})
        link = info.get("permalink_url", f"/{self.fb.page_id}/videos/{vid}/")
        return RemoteVideo(vid, link if link.startswith("http") else f"https://www.facebook.com{link}")

    # ---------------------------------------------------------------- Reels (vertical clips)

    def _upload_reel(self, video: VideoUpload, resume: UploadProgress | None,
                     on_progress: Callable[[UploadProgress], None]) -> RemoteVideo:
        """Reels Publishing API: start -> bytes to the upload host (resumable by offset) -> finish."""
        size = video.file.stat().st_size
        reels = f"{self.fb.page_id}/video_reels"
        if resume and resume.session.startswith("reel:"):
            vid = resume.session[5:]
        else:
            vid = self.call("reel start", "POST", reels, {"upload_phase": "start"})["video_id"]
            on_progress(UploadProgress(f"reel:{vid}", 0, size))
        url = f"{self.fb.reels_upload_root.rstrip('/')}/video-upload/{self.fb.graph_version}/{vid}"

        def send() -> int:
            """Ask how much arrived (the server's count, not ours), then send the rest from there."""
            st = self._once("GET", vid, {"fields": "status"}, None).get("status", {})
            offset = int(st.get("uploading_phase", {}).get("bytes_transferred", 0))
            if offset < size:
                with open(video.file, "rb") as fh:
                    fh.seek(offset)
                    r = self.http.post(url, data=fh, timeout=300, headers={
                        "Authorization": f"OAuth {self.token}", "offset": str(offset), "file_size": str(size),
                        "Content-Length": str(size - offset)})
                if r.status_code >= 400:
                    raise GraphError(r.status_code, r.json().get("error", {}), dict(r.headers))
            return size
        self._guarded("reel upload", send)
        on_progress(UploadProgress(f"reel:{vid}", size, size))
        finish = {"upload_phase": "finish", "video_id": vid, "description": _description(video)}
        if video.privacy == "public":
            finish.update(video_state="SCHEDULED", scheduled_publish_time=str(int(video.publish_at.timestamp())))
        else:
            finish["video_state"] = "DRAFT"
        self.call("reel finish", "POST", reels, finish)
        return RemoteVideo(vid, f"https://www.facebook.com/reel/{vid}")

    # ---------------------------------------------------------------- captions, thumbnail

    def find_caption(self, remote_id: str, lang: str) -> str | None:
        locale = self.fb.caption_locales.get(lang, lang)
        have = {c.get("locale") for c in self.call("captions list", "GET", f"{remote_id}/captions").get("data", [])}
        return locale if locale in have else None

    def add_caption(self, remote_id: str, lang: str, path: Path) -> str:
        """Attach under the language's locale; a locale Facebook refuses is skipped, never mislabelled
        (a Bambara track filed as French would hide the French one), unless caption_fallback names one."""
        def post(locale: str) -> str:
            name = f"{path.parent.name or 'captions'}.{locale}.srt"  # the locale in the name is what Facebook reads
            self.call(f"captions {locale}", "POST", f"{remote_id}/captions",
                       {"default_locale": locale} if lang == "fr" else {},
                       files={"captions_file": (name, path.read_bytes(), "application/x-subrip")})
            return locale
        locale = self.fb.caption_locales.get(lang, lang)
        try:
            return post(locale)
        except PlatformError as exc:
            if "1363041" not in exc.message and "locale" not in exc.message:
                raise
            fallback = self.fb.caption_fallback
            if fallback and fallback != locale and fallback not in self.fb.caption_locales.values():
                log.warning("facebook: caption locale %s refused; attaching it as %s", locale, fallback)
                return post(fallback)
            log.warning("facebook: caption locale %s refused; %s captions skipped on Facebook", locale, lang)
            return f"refused:{locale}"

    def set_thumbnail(self, remote_id: str, path: Path) -> None:
        self.call("thumbnail", "POST", f"{remote_id}/thumbnails", {"is_preferred": "true"},
                   files={"source": (path.name, path.read_bytes(), "image/jpeg")})

    def find_in_playlist(self, remote_id: str, playlist: str) -> str | None:
        return None

    def add_to_playlist(self, remote_id: str, playlist: str) -> str:
        raise PlatformError("facebook: playlists are not handled by this pipeline",
                            hint="remove `playlist` from the release's [facebook] table")

    def replace_caption(self, remote_id: str, lang: str, path: Path, track: str) -> str:
        """Graph keeps one track per locale: remove the old one, then attach the new file."""
        self.remove_caption(remote_id, lang, track)
        return self.add_caption(remote_id, lang, path)

    def remove_caption(self, remote_id: str, lang: str, track: str) -> None:
        if track.startswith("refused:"):
            return  # never attached
        self.call(f"captions delete {track}", "DELETE", f"{remote_id}/captions", {"locale": track}, gone_ok=True)

    def remove_from_playlist(self, item: str) -> None:
        raise PlatformError("facebook: playlists are not handled by this pipeline",
                            hint="remove `playlist` from the release's [facebook] table")

    # ---------------------------------------------------------------- changes after upload (POST /{video-id})

    def set_schedule(self, remote_id: str, video: VideoUpload) -> None:
        """An unpublished video's scheduled_publish_time (10 minutes to 75 days ahead); privacy private: none."""
        if video.privacy != "public":
            self.unpublish(remote_id)
            return
        self.call("reschedule", "POST", remote_id,
                  {"published": "false", "scheduled_publish_time": str(int(video.publish_at.timestamp()))})

    def update_texts(self, remote_id: str, video: VideoUpload) -> None:
        fields = {"description": _description(video)}
        if not video.vertical:
            fields["name"] = video.title  # a Page video's title is the field `name` once uploaded
        self.call("video texts", "POST", remote_id, fields)

    def unpublish(self, remote_id: str) -> None:
        """Unpublished with no scheduled time (the stage reads the video back to make sure it took)."""
        self.call("unpublish", "POST", remote_id, {"published": "false"}, gone_ok=True)  # deleted: not public

    def delete(self, remote_id: str) -> None:
        self.call("video delete", "DELETE", remote_id, gone_ok=True)

    def read_back(self, remote_id: str) -> RemoteState:
        info = self.call("video fields", "GET", remote_id,
                         {"fields": "published,scheduled_publish_time,title,description,status"}, gone_ok=True)
        if not info:
            return RemoteState(False, detail="not found on Facebook (deleted?)")
        when = info.get("scheduled_publish_time")
        publish_at = datetime.fromtimestamp(int(when), UTC) if when and not info.get("published") else None
        published = bool(info.get("published"))
        privacy = "published" if published else "scheduled" if publish_at else "draft"
        return RemoteState(True, privacy, publish_at, published, info.get("title", ""),
                           info.get("status", {}).get("video_status", ""))

    def account(self) -> AccountInfo:
        """debug_token says whose token this is and what it may do; the Page's name comes from the Page."""
        data = self.call("debug_token", "GET", "debug_token", {"input_token": self.token}).get("data", {})
        if not data.get("is_valid", False):
            raise auth_error("facebook", "debug_token: not valid")
        page = str(data.get("profile_id") or "")
        if page and page != self.fb.page_id:
            raise PlatformError(f"facebook: the token is for Page {page}, but [publish.facebook] page_id is "
                                f"{self.fb.page_id}", hint="set page_id to the Page you publish on, or "
                                                           "`webseries publish login facebook` with that Page's token")
        name = self.call("page name", "GET", self.fb.page_id, {"fields": "name"}).get("name", "?")
        scopes = set(data.get("scopes") or ())
        return AccountInfo(name, f"Page {self.fb.page_id}", tuple(s for s in FACEBOOK_SCOPES if s not in scopes))
