"""Instagram Reels through the Instagram Graph API, with the Facebook Page's login (instagram_content_publish).

The Graph calls go through publish's Facebook client (pinned version, token in the body, retries,
throttling, Meta's error shapes). A REELS container is created with upload_type=resumable, the bytes
go to the rupload host with `offset` and `file_size` headers (resumed from the offset the host holds),
the container is polled until its status_code is FINISHED, then media_publish makes it a Reel.
Instagram has no scheduled publishing through the API: the stage calls upload() at the release time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pipeline.config import Config
from pipeline.log import stage_logger
from pipeline.platforms.base import AccountInfo, PlatformError, RemoteState, RemoteVideo, UploadProgress, VideoUpload
from pipeline.platforms.facebook import Facebook, GraphError
from pipeline.platforms.shortvideo import PostedAtTime, caption

log = stage_logger("publish")
INSTAGRAM_SCOPES = ("instagram_basic", "instagram_content_publish", "instagram_manage_insights")
SPAM_SUBCODES = (2207042, 2207051)   # daily publishing limit reached; action blocked as spam risk


class Instagram(PostedAtTime):
    name = "instagram"

    def __init__(self, cfg: Config, graph: Facebook | None = None) -> None:
        self.graph = graph or Facebook(cfg)
        self.ig = cfg.publish.instagram
        self.version = cfg.publish.facebook.graph_version
        self.page_id = cfg.publish.facebook.page_id
        self.poll = 2.0 * min(1.0, cfg.publish.retry_base_seconds)
        self._user = self.ig.ig_user_id

    def user_id(self) -> str:
        """The Instagram professional account linked to the Page (`instagram_business_account`)."""
        if not self._user:
            page = self.graph.call("instagram account", "GET", self.page_id, {"fields": "instagram_business_account"})
            self._user = str((page.get("instagram_business_account") or {}).get("id", ""))
            if not self._user:
                raise PlatformError(f"instagram: the Facebook Page {self.page_id} has no Instagram professional "
                                    "account linked", hint="link it in the Page's settings (README: Meta app)")
        return self._user

    def _call(self, what: str, method: str, path: str, data: dict | None = None) -> dict:
        try:
            return self.graph.call(what, method, path, data)
        except PlatformError as exc:
            if any(str(s) in exc.message for s in SPAM_SUBCODES):
                raise PlatformError(f"instagram: {exc.message.removeprefix('facebook: ')}",
                                    hint="Instagram limits posts per account per day: give the release a later "
                                         "time") from None
            raise PlatformError(exc.message.replace("facebook:", "instagram:", 1), hint=exc.hint) from None

    def upload(self, video: VideoUpload, resume: UploadProgress | None,
               on_progress: Callable[[UploadProgress], None]) -> RemoteVideo:
        size = video.file.stat().st_size
        user = self.user_id()
        text = caption(video)
        if resume and resume.session.startswith("igc:"):
            cid = resume.session[4:]
            log.info("instagram: resuming container %s", cid)
        else:
            cid = self._call("reel container", "POST", f"{user}/media", {
                "media_type": "REELS", "upload_type": "resumable", "caption": text, "share_to_feed": "true",
                "thumb_offset": "1000"})["id"]
            on_progress(UploadProgress(f"igc:{cid}", 0, size))
        state = self._call("container status", "GET", cid, {"fields": "status_code"}).get("status_code")
        if state == "PUBLISHED":   # published just before a crash: find it, never post twice
            return self._find_published(user, text)
        if state != "FINISHED":
            self._send(video.file, size, cid, on_progress)
            self._wait(cid)
        media = self._call("media_publish", "POST", f"{user}/media_publish", {"creation_id": cid})["id"]
        link = self._call("permalink", "GET", media, {"fields": "permalink"}).get("permalink", "")
        return RemoteVideo(media, link or f"https://www.instagram.com/reel/{media}/")

    def _send(self, file: Path, size: int, cid: str, on_progress: Callable[[UploadProgress], None]) -> None:
        url = f"{self.ig.upload_root}/ig-api-upload/{self.version}/{cid}"
        auth = {"Authorization": f"OAuth {self.graph.token}"}

        def send() -> None:
            """Ask the upload host how much it holds, then send the rest from that offset."""
            r = self.graph.http.get(url, headers=auth, timeout=60)
            offset = int(r.json().get("offset", 0)) if r.status_code == 200 else 0
            if offset < size:
                with open(file, "rb") as fh:
                    fh.seek(offset)
                    r = self.graph.http.post(url, data=fh, timeout=300, headers={
                        **auth, "offset": str(offset), "file_size": str(size), "Content-Length": str(size - offset)})
                if r.status_code >= 400:
                    raise GraphError(r.status_code, r.json().get("error", {}), dict(r.headers))
            on_progress(UploadProgress(f"igc:{cid}", size, size))
        try:
            self.graph.guarded("reel upload", send)
        except PlatformError as exc:
            raise PlatformError(exc.message.replace("facebook:", "instagram:", 1), hint=exc.hint) from None

    def _wait(self, cid: str) -> None:
        deadline = time.monotonic() + 600
        while True:
            st = self._call("container status", "GET", cid, {"fields": "status_code,status"})
            code = st.get("status_code")
            if code == "FINISHED":
                return
            if code in ("ERROR", "EXPIRED"):
                raise PlatformError(f"instagram: the Reel could not be processed ({code}: {st.get('status', '')})",
                                    hint="check the clip (`webseries publish check`), then upload again")
            if time.monotonic() > deadline:
                raise PlatformError("instagram: the Reel is still processing after 10 minutes",
                                    hint="`webseries publish upload` tries again")
            time.sleep(self.poll)

    def _find_published(self, user: str, text: str) -> RemoteVideo:
        media = self._call("recent media", "GET", f"{user}/media", {"fields": "id,caption,permalink", "limit": "25"})
        for m in media.get("data", []):
            if m.get("caption", "") == text:
                return RemoteVideo(m["id"], m.get("permalink", ""))
        raise PlatformError("instagram: the container was published but the Reel is not among the account's "
                            "recent posts", hint="check the Instagram account, then `webseries publish status`")

    def read_back(self, remote_id: str) -> RemoteState:
        info = self.graph.call("reel fields", "GET", remote_id, {"fields": "id,caption,permalink,timestamp"},
                               gone_ok=True)
        if not info:
            return RemoteState(False, detail="not found on Instagram (deleted?)")
        return RemoteState(True, "public", None, True, (info.get("caption") or "").split("\n")[0],
                           info.get("permalink", ""))

    def account(self) -> AccountInfo:
        user = self.user_id()
        name = self._call("account name", "GET", user, {"fields": "username"}).get("username", "?")
        return AccountInfo(f"@{name}", f"Instagram account {user} (Page {self.page_id})")
