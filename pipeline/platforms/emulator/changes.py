"""Changes after an upload, as the emulator answers them: YouTube videos.update / videos.delete,
captions.update / captions.delete, playlistItems.delete, channels.list (mine); Graph
`POST /{video-id}` (scheduled_publish_time, published, name, description), `DELETE /{video-id}`,
`DELETE /{video-id}/captions` (by locale) and `debug_token`.

The rules the real services enforce are enforced here: videos.update replaces the whole part it
is sent (a status without publishAt unschedules; a snippet must carry categoryId); publishAt is
refused once a video has been public; a Graph schedule must be 10 minutes to 75 days ahead and
a published video cannot be scheduled again.
"""

from __future__ import annotations

import re
import time

from pipeline.platforms.emulator import facebook as fbe
from pipeline.platforms.emulator import youtube as yte
from pipeline.platforms.emulator.server import Emulator, Request, Response, Route

FB_SCOPES = ["pages_show_list", "pages_manage_posts", "pages_read_engagement", "read_insights"]


# ------------------------------------------------------------------ YouTube Data API v3

def videos_update(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := yte.auth(emu, req)) is not None:
        return r
    parts = [p for p in req.query.get("part", "").split(",") if p]
    body = req.json()
    v = emu.state.yt_videos.get(body.get("id", ""))
    if v is None:
        return yte.error(404, "videoNotFound", "The video that you are trying to update cannot be found.")
    if not parts or set(parts) - {"snippet", "status"}:
        return yte.error(400, "unexpectedPart", "The request specifies an unexpected value for the part parameter.")
    yte.settle(emu, v)
    snippet, status = body.get("snippet", {}), body.get("status", {})
    if "snippet" in parts:
        if not snippet.get("categoryId"):
            return yte.error(400, "invalidCategoryId", "The snippet.categoryId property specifies an invalid "
                                                       "category ID. A snippet update must include categoryId.")
        if (r := yte.validate_video({"snippet": snippet})) is not None:
            return r
    if "status" in parts:
        if status.get("publishAt") and v.get("_was_public"):
            return yte.error(400, "invalidPublishAt", "The video has already been public: it cannot be scheduled.")
        if (r := yte.validate_video({"snippet": {"title": "x"}, "status": status})) is not None:
            return r
    if (r := yte.charge(emu, "videos.update")) is not None:
        return r
    if "snippet" in parts:  # the whole part is replaced; read-only properties stay
        v["snippet"] = {"publishedAt": v["snippet"].get("publishedAt"), "channelId": v["snippet"].get("channelId"),
                        **snippet}
    if "status" in parts:
        kept = {k: v["status"][k] for k in ("uploadStatus", "license", "embeddable", "publicStatsViewable")
                if k in v["status"]}
        v["status"] = {**kept, **status}
        yte.settle(emu, v)
    return Response(200, v)


def videos_delete(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := yte.auth(emu, req)) is not None:
        return r
    vid = req.query.get("id", "")
    if vid not in emu.state.yt_videos:
        return yte.error(404, "videoNotFound", "The video that you are trying to delete cannot be found.")
    if (r := yte.charge(emu, "videos.delete")) is not None:
        return r
    del emu.state.yt_videos[vid]
    for cid in [c for c, cap in emu.state.yt_captions.items() if cap["snippet"]["videoId"] == vid]:
        del emu.state.yt_captions[cid]
    emu.state.yt_thumbnails.pop(vid, None)
    return Response(204)


def captions_update(emu: Emulator, req: Request, m: re.Match) -> Response:
    """captions.update with a new file: the same track id, new content."""
    if (r := yte.auth(emu, req)) is not None:
        return r
    meta, media = yte.multipart(req)
    cap = emu.state.yt_captions.get(meta.get("id", ""))
    if cap is None:
        return yte.error(404, "captionNotFound", "The caption track could not be found.")
    if not media:
        return yte.error(400, "contentRequired", "The request does not contain the caption track contents.")
    if (r := yte.charge(emu, "captions.update")) is not None:
        return r
    cap["snippet"]["isDraft"] = bool(meta.get("snippet", {}).get("isDraft", False))
    cap["snippet"]["lastUpdated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    cap["_bytes"] = len(media)
    cap["_version"] = cap.get("_version", 1) + 1
    return Response(200, cap)


def captions_delete(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := yte.auth(emu, req)) is not None:
        return r
    if req.query.get("id", "") not in emu.state.yt_captions:
        return yte.error(404, "captionNotFound", "The caption track could not be found.")
    if (r := yte.charge(emu, "captions.delete")) is not None:
        return r
    del emu.state.yt_captions[req.query["id"]]
    return Response(204)


def playlist_items_delete(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := yte.auth(emu, req)) is not None:
        return r
    if req.query.get("id", "") not in emu.state.yt_playlist_items:
        return yte.error(404, "playlistItemNotFound", "The playlist item could not be found.")
    if (r := yte.charge(emu, "playlistItems.delete")) is not None:
        return r
    del emu.state.yt_playlist_items[req.query["id"]]
    return Response(204)


def channels_list(emu: Emulator, req: Request, m: re.Match) -> Response:
    """channels.list(mine=true): the channel the token speaks for (`publish check --online`)."""
    if (r := yte.auth(emu, req)) is not None or (r := yte.charge(emu, "list")) is not None:
        return r
    if req.query.get("mine", "").lower() != "true":
        return yte.error(400, "badRequest", "This emulator answers channels.list(mine=true) only.")
    ch = emu.state.yt_channel
    items = [{"kind": "youtube#channel", "id": ch["id"], "snippet": {"title": ch["title"]}}] if ch else []
    return Response(200, {"kind": "youtube#channelListResponse", "items": items})


# ------------------------------------------------------------------ Graph API

def video_update(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, _ = fbe.form(req)
    if (r := fbe.guard(emu, req, fields)) is not None:
        return fbe.usage(emu, r)
    v = emu.state.fb_videos.get(m.group("video"))
    if v is None or not v["finished"]:
        return fbe.usage(emu, fbe.error(100, "(#100) Unsupported post request. Object does not exist", 33))
    fbe.settle(emu, v)
    when = fields.get("scheduled_publish_time")
    if when is not None:
        lead = int(when) - time.time()
        if v["published"] or fields.get("published", "false").lower() == "true" or \
                not fbe.MIN_LEAD_S <= lead <= fbe.MAX_LEAD_S:
            return fbe.usage(emu, fbe.error(100, "(#100) The specified scheduled publish time is invalid.", 1363026))
        v.update(published=False, scheduled_publish_time=int(when))
    elif "published" in fields:  # published=false alone: unpublished, no time (a cancel); true: out now
        published = fields["published"].lower() == "true"
        v.update(published=published, scheduled_publish_time=None)
    if "name" in fields:
        v["title"] = fields["name"]
    if "description" in fields:
        v["description"] = fields["description"]
    return fbe.usage(emu, Response(200, {"success": True}))


def video_delete(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, _ = fbe.form(req)
    if (r := fbe.guard(emu, req, fields)) is not None:
        return fbe.usage(emu, r)
    if emu.state.fb_videos.pop(m.group("video"), None) is None:
        return fbe.usage(emu, fbe.error(100, "(#100) Unsupported delete request. Object does not exist", 33))
    emu.state.fb_captions.pop(m.group("video"), None)
    return fbe.usage(emu, Response(200, {"success": True}))


def captions_delete_fb(emu: Emulator, req: Request, m: re.Match) -> Response:
    """DELETE /{video-id}/captions?locale=xx_XX: the track of that locale."""
    fields, _ = fbe.form(req)
    if (r := fbe.guard(emu, req, fields)) is not None:
        return fbe.usage(emu, r)
    tracks = emu.state.fb_captions.get(m.group("video"), [])
    keep = [c for c in tracks if c["locale"] != fields.get("locale")]
    if len(keep) == len(tracks):
        return fbe.usage(emu, fbe.error(100, "(#100) No caption with this locale on the video", 33))
    emu.state.fb_captions[m.group("video")] = keep
    return fbe.usage(emu, Response(200, {"success": True}))


def debug_token(emu: Emulator, req: Request, m: re.Match) -> Response:
    """GET /debug_token?input_token=...: whose token it is (the Page) and its permissions."""
    fields, _ = fbe.form(req)
    if (r := fbe.guard(emu, req, fields)) is not None:
        return fbe.usage(emu, r)
    page_id, page = next(iter(emu.state.fb_pages.items()), ("", {}))
    data = {"app_id": "100000000000999", "type": "PAGE", "application": "webseries (emulator)",
            "is_valid": emu.token_ok(fields.get("input_token")), "profile_id": page_id,
            "scopes": page.get("scopes", FB_SCOPES), "expires_at": 0}
    return fbe.usage(emu, Response(200, {"data": data}))


V = r"/v\d+\.\d+"
ROUTES = (
    Route("PUT", r"/youtube/v3/videos", videos_update),
    Route("DELETE", r"/youtube/v3/videos", videos_delete),
    Route("PUT", r"/upload/youtube/v3/captions", captions_update),
    Route("DELETE", r"/youtube/v3/captions", captions_delete),
    Route("DELETE", r"/youtube/v3/playlistItems", playlist_items_delete),
    Route("GET", r"/youtube/v3/channels", channels_list),
    Route("POST", V + r"/(?P<video>\d+)", video_update),
    Route("DELETE", V + r"/(?P<video>\d+)", video_delete),
    Route("DELETE", V + r"/(?P<video>\d+)/captions", captions_delete_fb),
    Route("GET", V + r"/debug_token", debug_token),
)
