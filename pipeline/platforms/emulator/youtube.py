"""YouTube Data API v3 routes of the emulator: resumable uploads, captions, thumbnails, playlists.

Response and error bodies copy the real service's shapes (`youtube#video`, the
`{"error": {"code", "message", "errors": [{"domain", "reason"}]}}` envelope).
"""

from __future__ import annotations

import email.parser
import re
from datetime import UTC, datetime

from pipeline.platforms.emulator.server import Emulator, Request, Response, Route
from pipeline.platforms.emulator.state import CHANNEL_ID

COSTS = {"videos.insert": 1600, "captions.insert": 400, "thumbnails.set": 50, "playlistItems.insert": 50,
         "list": 1, "videos.update": 50, "videos.delete": 50, "captions.update": 450, "captions.delete": 50,
         "playlistItems.delete": 50}
SCOPES = ("https://www.googleapis.com/auth/youtube.upload", "https://www.googleapis.com/auth/youtube.force-ssl",
          "https://www.googleapis.com/auth/yt-analytics.readonly")  # what `publish login youtube` asks for
CAPTION_LANGS = {"fr", "en", "bm", "und", "ar", "wo", "ff", "dyu"}


def error(status: int, reason: str, message: str, domain: str = "youtube.api") -> Response:
    return Response(status, {"error": {"code": status, "message": message,
                                       "errors": [{"message": message, "domain": domain, "reason": reason}]}})


def auth(emu: Emulator, req: Request) -> Response | None:
    """Google's 401 answer for a missing or unknown bearer token (Data and Analytics APIs alike)."""
    if not emu.token_ok(req.bearer()):
        msg = ("Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
               "or other valid authentication credential.")
        r = error(401, "authError", msg, "global")
        r.body["error"]["status"] = "UNAUTHENTICATED"
        r.headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        return r
    return None


def charge(emu: Emulator, method: str) -> Response | None:
    """Take a call's quota units, or answer quotaExceeded when today's are spent."""
    cost = COSTS[method]
    if emu.faults.quota_left is not None:
        if emu.faults.quota_left < cost:
            return error(403, "quotaExceeded", "The request cannot be completed because you have exceeded your "
                         '<a href="/youtube/v3/getting-started#quota">quota</a>.', "youtube.quota")
        emu.faults.quota_left -= cost
    emu.state.yt_quota_used += cost
    return None


def _now() -> datetime:
    return datetime.now(UTC)


def _rfc3339(s: str) -> datetime | None:
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None


def validate_video(body: dict) -> Response | None:
    sn, st = body.get("snippet", {}), body.get("status", {})
    if not sn.get("title") or len(sn["title"]) > 100:
        return error(400, "invalidTitle", "The request metadata specifies an invalid or empty video title.")
    if len(sn.get("description", "").encode()) > 5000 or "<" in sn.get("description", ""):
        return error(400, "invalidDescription", "The request metadata specifies an invalid video description.")
    if len(",".join(sn.get("tags", []))) > 500:
        return error(400, "invalidTags", "The request metadata specifies invalid video keywords.")
    if st.get("publishAt"):
        when = _rfc3339(st["publishAt"])
        if st.get("privacyStatus") != "private" or when is None or when <= _now():
            return error(400, "invalidPublishAt", "The request metadata specifies an invalid scheduled publishing time.")
    return None


# ------------------------------------------------------------------ videos.insert (resumable)

def upload_start(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := auth(emu, req)) is not None:
        return r
    if req.query.get("uploadType") != "resumable":
        return error(400, "badRequest", "Only resumable uploads are emulated.")
    body = req.json()
    if (r := validate_video(body)) is not None or (r := charge(emu, "videos.insert")) is not None:
        return r
    sid = emu.state.new_id("yt-session-")
    emu.state.yt_sessions[sid] = {"meta": body, "size": int(req.headers.get("x-upload-content-length", -1)),
                                  "data": bytearray(), "video": None}
    location = f"{req.base_url}/upload/youtube/v3/videos?uploadType=resumable&upload_id={sid}"
    return Response(200, None, {"Location": location, "X-GUploader-UploadID": sid})


_RANGE = re.compile(r"bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)")


def upload_put(emu: Emulator, req: Request, m: re.Match) -> Response:
    sess = emu.state.yt_sessions.get(req.query.get("upload_id", ""))
    if sess is None:
        return error(404, "notFound", "The upload session was not found or has expired.")
    if sess["video"] is not None:
        return Response(200, emu.state.yt_videos[sess["video"]])
    have = len(sess["data"])
    rng = _RANGE.fullmatch(req.headers.get("content-range", "bytes */*"))
    if rng is None:
        return error(400, "badContentRange", "Invalid Content-Range header.")
    if rng.group(3) != "*":
        sess["size"] = int(rng.group(3))
    if rng.group(1) is not None:  # a chunk, not a status query
        if emu.faults.fail_next > 0:
            emu.faults.fail_next -= 1
            return error(503, "backendError", "Backend Error", "global")
        start, data = int(rng.group(1)), req.body
        if start <= have < start + len(data):
            data = data[have - start:]
            emu.faults.deliver(sess, have, data)
    have = len(sess["data"])
    if sess["size"] >= 0 and have >= sess["size"]:
        return _finish(emu, sess, req)
    return Response(308, None, {"Range": f"bytes=0-{have - 1}"} if have else {})


def _finish(emu: Emulator, sess: dict, req: Request) -> Response:
    meta = sess["meta"]
    vid = emu.state.new_id("yt")
    status = {"uploadStatus": "uploaded", "privacyStatus": meta.get("status", {}).get("privacyStatus", "private"),
              "license": "youtube", "embeddable": True, "publicStatsViewable": True,
              "selfDeclaredMadeForKids": bool(meta.get("status", {}).get("selfDeclaredMadeForKids", False))}
    if meta.get("status", {}).get("publishAt"):
        status["publishAt"] = meta["status"]["publishAt"]
    video = {"kind": "youtube#video", "etag": f"etag-{vid}", "id": vid,
             "snippet": {"publishedAt": _now().strftime("%Y-%m-%dT%H:%M:%SZ"), "channelId": CHANNEL_ID,
                         "categoryId": "22", **meta.get("snippet", {})},
             "status": status, "_bytes": len(sess["data"])}
    emu.state.yt_videos[vid] = video
    sess["video"] = vid
    return Response(200, video)


def settle(emu: Emulator, v: dict) -> None:
    """What YouTube does at publishAt: the video turns public (and can never be scheduled again)."""
    publish_at = _rfc3339(v["status"].get("publishAt", "")) if v["status"].get("publishAt") else None
    if publish_at and publish_at.timestamp() <= emu.now():
        v["status"]["privacyStatus"] = "public"
        del v["status"]["publishAt"]
    if v["status"].get("privacyStatus") == "public":
        v["_was_public"] = True


def videos_list(emu: Emulator, req: Request, m: re.Match) -> Response:
    """videos.list as publish reads it (status, snippet); part=statistics is analytics.py's."""
    if (r := auth(emu, req)) is not None or (r := charge(emu, "list")) is not None:
        return r
    items = []
    for vid in req.query.get("id", "").split(","):
        v = emu.state.yt_videos.get(vid)
        if v is None:
            continue
        settle(emu, v)
        items.append(v)
    return Response(200, {"kind": "youtube#videoListResponse", "items": items,
                          "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}})


# ------------------------------------------------------------------ captions, thumbnails, playlists

def multipart(req: Request) -> tuple[dict, bytes]:
    """A multipart/related body as the client sends it: JSON metadata, then the media."""
    msg = email.parser.BytesParser().parsebytes(
        f"Content-Type: {req.headers.get('content-type', '')}\r\n\r\n".encode() + req.body)
    parts = msg.get_payload() if msg.is_multipart() else []
    if len(parts) != 2:
        return {}, b""
    import json
    return json.loads(parts[0].get_payload(decode=True) or b"{}"), parts[1].get_payload(decode=True) or b""


def captions_insert(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := auth(emu, req)) is not None:
        return r
    meta, media = multipart(req)
    sn = meta.get("snippet", {})
    if sn.get("videoId") not in emu.state.yt_videos:
        return error(404, "videoNotFound", "The video identified by the videoId parameter could not be found.")
    lang = sn.get("language", "")
    if lang not in CAPTION_LANGS or lang in emu.faults.refuse_caption_langs:
        return error(400, "invalidMetadata", f"The request contains invalid metadata values: language {lang!r}.")
    if not media:
        return error(400, "contentRequired", "The request does not contain the caption track contents.")
    if (r := charge(emu, "captions.insert")) is not None:
        return r
    cid = emu.state.new_id("cap")
    cap = {"kind": "youtube#caption", "etag": f"etag-{cid}", "id": cid,
           "snippet": {"videoId": sn["videoId"], "language": lang, "name": sn.get("name", ""),
                       "trackKind": "standard", "isDraft": bool(sn.get("isDraft", False)), "status": "serving",
                       "lastUpdated": _now().strftime("%Y-%m-%dT%H:%M:%SZ")},
           "_bytes": len(media)}
    emu.state.yt_captions[cid] = cap
    return Response(200, cap)


def captions_list(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := auth(emu, req)) is not None or (r := charge(emu, "list")) is not None:
        return r
    items = [c for c in emu.state.yt_captions.values() if c["snippet"]["videoId"] == req.query.get("videoId")]
    return Response(200, {"kind": "youtube#captionListResponse", "items": items})


def thumbnails_set(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := auth(emu, req)) is not None:
        return r
    vid = req.query.get("videoId", "")
    if vid not in emu.state.yt_videos:
        return error(404, "videoNotFound", "The video that you are trying to update cannot be found.")
    if not req.body[:3] == b"\xff\xd8\xff":
        return error(400, "invalidImage", "The provided image content is invalid.")
    if (r := charge(emu, "thumbnails.set")) is not None:
        return r
    emu.state.yt_thumbnails[vid] = req.body
    url = f"{req.base_url}/vi/{vid}/default.jpg"
    return Response(200, {"kind": "youtube#thumbnailSetResponse",
                          "items": [{"default": {"url": url, "width": 120, "height": 90}}]})


def playlist_items_insert(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := auth(emu, req)) is not None:
        return r
    sn = req.json().get("snippet", {})
    if not str(sn.get("playlistId", "")).startswith("PL"):
        return error(404, "playlistNotFound", "The playlist identified with the request's playlistId cannot be found.")
    vid = sn.get("resourceId", {}).get("videoId")
    if vid not in emu.state.yt_videos:
        return error(404, "videoNotFound", "The video that you are trying to add to the playlist cannot be found.")
    if (r := charge(emu, "playlistItems.insert")) is not None:
        return r
    pid = emu.state.new_id("pli")
    item = {"kind": "youtube#playlistItem", "etag": f"etag-{pid}", "id": pid,
            "snippet": {"playlistId": sn["playlistId"], "resourceId": {"kind": "youtube#video", "videoId": vid},
                        "position": sum(1 for i in emu.state.yt_playlist_items.values()
                                        if i["snippet"]["playlistId"] == sn["playlistId"])}}
    emu.state.yt_playlist_items[pid] = item
    return Response(200, item)


def playlist_items_list(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := auth(emu, req)) is not None or (r := charge(emu, "list")) is not None:
        return r
    items = [i for i in emu.state.yt_playlist_items.values()
             if i["snippet"]["playlistId"] == req.query.get("playlistId")
             and (not req.query.get("videoId") or i["snippet"]["resourceId"]["videoId"] == req.query["videoId"])]
    return Response(200, {"kind": "youtube#playlistItemListResponse", "items": items,
                          "pageInfo": {"totalResults": len(items), "resultsPerPage": 50}})


def token(emu: Emulator, req: Request, m: re.Match) -> Response:
    """The OAuth 2.0 token endpoint: refresh_token grants, as google-auth sends them."""
    from urllib.parse import parse_qs
    form = {k: v[-1] for k, v in parse_qs(req.body.decode()).items()}
    if form.get("grant_type") == "refresh_token" and form.get("refresh_token") in emu.state.refresh_tokens:
        access = emu.state.refresh_tokens[form["refresh_token"]]
        emu.state.valid_tokens.add(access)
        return Response(200, {"access_token": access, "expires_in": 3599, "token_type": "Bearer",
                              "scope": " ".join(SCOPES)})
    if form.get("grant_type") == "authorization_code" and form.get("code"):
        access = f"emu-access-{form['code']}"
        emu.state.valid_tokens.add(access)
        emu.state.refresh_tokens[f"emu-refresh-{form['code']}"] = access
        return Response(200, {"access_token": access, "refresh_token": f"emu-refresh-{form['code']}",
                              "expires_in": 3599, "token_type": "Bearer"})
    return Response(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})


ROUTES = (
    Route("POST", r"/upload/youtube/v3/videos", upload_start),
    Route("PUT", r"/upload/youtube/v3/videos", upload_put),
    Route("POST", r"/upload/youtube/v3/captions", captions_insert),
    Route("GET", r"/youtube/v3/captions", captions_list),
    Route("POST", r"/upload/youtube/v3/thumbnails/set", thumbnails_set),
    Route("POST", r"/youtube/v3/playlistItems", playlist_items_insert),
    Route("GET", r"/youtube/v3/playlistItems", playlist_items_list),
    Route("POST", r"/token", token),
)
