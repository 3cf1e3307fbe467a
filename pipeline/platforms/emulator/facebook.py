"""Facebook Graph API (Pages) routes of the emulator: chunked video upload, scheduling, captions.

Upload phases follow the Graph protocol: `start` (file_size -> video_id, upload_session_id,
start_offset, end_offset; the server picks the chunk size), `transfer` (a multipart chunk at
start_offset -> the next offsets), `finish` (title, description, published=false +
scheduled_publish_time). A transfer at the wrong offset is refused with error_subcode 1363037
and the offsets the server expects in `error_data`, which the client resumes from.
"""

from __future__ import annotations

import email.parser
import json
import re
import time
from urllib.parse import parse_qs

from pipeline.platforms.emulator.server import Emulator, Request, Response, Route

THROTTLE_MESSAGES = {
    4: "Application request limit reached",
    17: "User request limit reached",
    32: "Page request limit reached",
    613: "Calls to this api have exceeded the rate limit.",
    80001: "There have been too many calls to this Page account. Wait a bit and try again.",
}
MIN_LEAD_S, MAX_LEAD_S = 10 * 60, 75 * 24 * 3600
LOCALE = re.compile(r".+\.([a-z]{2,3}_[A-Z]{2})\.srt")


def error(code: int, message: str, subcode: int | None = None, status: int = 400,
          etype: str = "OAuthException", data: dict | None = None) -> Response:
    err: dict = {"message": message, "type": etype, "code": code, "fbtrace_id": "AemulatorTrace"}
    if subcode is not None:
        err["error_subcode"] = subcode
    if data is not None:
        err["error_data"] = data
    return Response(status, {"error": err})


def form(req: Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """Fields and files of a urlencoded or multipart/form-data body, plus the query string."""
    fields, files = dict(req.query), {}
    ctype = req.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        # split on the boundary by hand: email.parser walks a chunk of video line by line (slow)
        boundary = ctype.split("boundary=", 1)[1].strip('"').encode()
        for part in req.body.split(b"--" + boundary)[1:-1]:
            head, _, payload = part[2:].partition(b"\r\n\r\n")
            disposition = email.parser.BytesHeaderParser().parsebytes(head + b"\r\n\r\n")
            name = disposition.get_param("name", header="content-disposition")
            filename = disposition.get_param("filename", header="content-disposition")
            payload = payload[:-2]  # the CRLF before the next boundary
            if filename is not None:
                files[name] = (filename, payload)
            else:
                fields[name] = payload.decode()
    elif req.body:
        fields.update({k: v[-1] for k, v in parse_qs(req.body.decode()).items()})
    return fields, files


def guard(emu: Emulator, req: Request, fields: dict[str, str]) -> Response | None:
    """Graph's answer to a bad token or a throttled call (error 190, or 4/17/32/613/80001), else None."""
    token = fields.get("access_token") or (req.headers.get("authorization", "").split(" ", 1) + [""])[1] or None
    if not emu.token_ok(token):
        return error(190, "Error validating access token: Session has expired or the token was revoked.", 463)
    if emu.faults.throttle_next > 0:
        emu.faults.throttle_next -= 1
        code = emu.faults.throttle_code
        r = error(code, THROTTLE_MESSAGES.get(code, "Rate limited"), status=400 if code != 32 else 403)
        r.headers["X-Business-Use-Case-Usage"] = json.dumps({"page": [{
            "type": "pages", "call_count": 100, "total_cputime": 40, "total_time": 60,
            "estimated_time_to_regain_access": 0}]})
        return r
    return None


def usage(emu: Emulator, resp: Response) -> Response:
    """Every Graph answer carries X-App-Usage, as Meta's do."""
    u = emu.faults.app_usage
    resp.headers.setdefault("X-App-Usage", json.dumps({"call_count": u, "total_cputime": u // 2, "total_time": u // 2}))
    return resp


def page_videos(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, files = form(req)
    if (r := guard(emu, req, fields)) is not None:
        return usage(emu, r)
    phase = fields.get("upload_phase")
    handler = {"start": _start, "transfer": _transfer, "finish": _finish}.get(phase or "")
    if handler is None:
        return usage(emu, error(100, "(#100) upload_phase must be one of start, transfer, finish"))
    return usage(emu, handler(emu, m.group("page"), fields, files))


def _start(emu: Emulator, page: str, fields: dict, files: dict) -> Response:
    size = int(fields.get("file_size", 0))
    if size <= 0:
        return error(100, "(#100) file_size must be a positive integer")
    vid, sid = emu.state.new_id("1000"), emu.state.new_id("2000")
    emu.state.fb_videos[vid] = {"id": vid, "page": page, "size": size, "finished": False, "title": "",
                                "description": "", "published": None, "scheduled_publish_time": None}
    emu.state.fb_sessions[sid] = {"video": vid, "data": bytearray(), "size": size}
    end = min(size, emu.state.fb_chunk_size)
    return Response(200, {"video_id": vid, "upload_session_id": sid, "start_offset": "0", "end_offset": str(end)})


def _offsets(emu: Emulator, sess: dict) -> dict[str, str]:
    have = len(sess["data"])
    return {"start_offset": str(have), "end_offset": str(min(sess["size"], have + emu.state.fb_chunk_size))}


def _transfer(emu: Emulator, page: str, fields: dict, files: dict) -> Response:
    sess = emu.state.fb_sessions.get(fields.get("upload_session_id", ""))
    if sess is None:
        return error(100, "(#100) Invalid upload_session_id", 1363030)
    if emu.faults.fail_next > 0:
        emu.faults.fail_next -= 1
        return error(2, "An unexpected error has occurred. Please retry your request later.", status=500)
    start, chunk = int(fields.get("start_offset", -1)), files.get("video_file_chunk", ("", b""))[1]
    have = len(sess["data"])
    if start != have:
        return error(6001, "There was a problem uploading your video file: start_offset does not match.",
                     1363037, data=_offsets(emu, sess))
    if not chunk or have + len(chunk) > sess["size"]:
        return error(100, "(#100) video_file_chunk is empty or past file_size", 1363019)
    emu.faults.deliver(sess, have, chunk, whole_chunk=True)  # a Graph chunk arrives whole or not at all
    if len(sess["data"]) >= sess["size"]:
        return Response(200, {"start_offset": str(sess["size"]), "end_offset": str(sess["size"])})
    return Response(200, _offsets(emu, sess))


def _finish(emu: Emulator, page: str, fields: dict, files: dict) -> Response:
    sess = emu.state.fb_sessions.get(fields.get("upload_session_id", ""))
    if sess is None:
        return error(100, "(#100) Invalid upload_session_id", 1363030)
    if len(sess["data"]) < sess["size"]:
        return error(6001, "There was a problem uploading your video file: it is incomplete.", 1363037,
                     data=_offsets(emu, sess))
    video = emu.state.fb_videos[sess["video"]]
    if video["finished"]:
        return Response(200, {"success": True})  # finishing twice publishes nothing twice
    published = fields.get("published", "true").lower() != "false"
    when = fields.get("scheduled_publish_time")
    if when is not None:
        lead = int(when) - time.time()
        if published or not MIN_LEAD_S <= lead <= MAX_LEAD_S:
            return error(100, "(#100) The specified scheduled publish time is invalid.", 1363026)
    video.update(finished=True, title=fields.get("title", ""), description=fields.get("description", ""),
                 published=published, scheduled_publish_time=int(when) if when else None, bytes=len(sess["data"]),
                 data=bytes(sess["data"]))
    return Response(200, {"success": True})


def settle(emu: Emulator, v: dict) -> None:
    """What the platform does at the scheduled time: the video is published."""
    if not v["published"] and v["scheduled_publish_time"] and v["scheduled_publish_time"] <= emu.now():
        v["published"] = True


def video_get(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, _ = form(req)
    if (r := guard(emu, req, fields)) is not None:
        return usage(emu, r)
    page = emu.state.fb_pages.get(m.group("video"))
    if page is not None:  # a Page: GET /{page-id}?fields=name
        return usage(emu, Response(200, {"id": m.group("video"), "name": page.get("name", "")}))
    v = emu.state.fb_videos.get(m.group("video"))
    if v is None or not (v["finished"] or v.get("reel")):
        return usage(emu, error(100, "(#100) Unsupported get request. Object does not exist", 33))
    settle(emu, v)
    if v.get("reel") and not v["finished"]:  # a reel being uploaded: how many bytes arrived
        return usage(emu, Response(200, {"id": v["id"], "status": {"video_status": "upload_pending",
                      "uploading_phase": {"status": "in_progress", "bytes_transferred": len(v["data"])}}}))
    out = {"id": v["id"], "title": v["title"], "description": v["description"], "published": v["published"],
           "permalink_url": f"/{'reel' if v.get('reel') else v['page'] + '/videos'}/{v['id']}/",
           "status": {"video_status": "ready"}}
    if v["scheduled_publish_time"] and not v["published"]:
        out["scheduled_publish_time"] = v["scheduled_publish_time"]
    return usage(emu, Response(200, out))


def captions_post(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, files = form(req)
    if (r := guard(emu, req, fields)) is not None:
        return usage(emu, r)
    vid = m.group("video")
    if vid not in emu.state.fb_videos:
        return usage(emu, error(100, "(#100) Invalid video id", 33))
    name, data = files.get("captions_file", ("", b""))
    loc = LOCALE.fullmatch(name)
    if loc is None or loc.group(1).split("_")[0] in emu.faults.refuse_caption_langs:
        return usage(emu, error(100, "(#100) The caption file name must end with a supported locale, "
                                      "like name.en_US.srt", 1363041))
    emu.state.fb_captions.setdefault(vid, []).append({"locale": loc.group(1), "bytes": len(data),
                                                      "is_default": fields.get("default_locale") == loc.group(1)})
    return usage(emu, Response(200, {"success": True}))


def captions_get(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, _ = form(req)
    if (r := guard(emu, req, fields)) is not None:
        return usage(emu, r)
    data = [{"locale": c["locale"], "is_default": c["is_default"]} for c in emu.state.fb_captions.get(m.group("video"), [])]
    return usage(emu, Response(200, {"data": data}))


def thumbnails_post(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, files = form(req)
    if (r := guard(emu, req, fields)) is not None:
        return usage(emu, r)
    if m.group("video") not in emu.state.fb_videos or not files.get("source", ("", b""))[1][:3] == b"\xff\xd8\xff":
        return usage(emu, error(100, "(#100) Invalid video id or image"))
    emu.state.fb_videos[m.group("video")]["thumbnail"] = len(files["source"][1])
    return usage(emu, Response(200, {"success": True}))


def reels(emu: Emulator, req: Request, m: re.Match) -> Response:
    """/{page-id}/video_reels: start gives a video id for the upload host; finish schedules it."""
    fields, _ = form(req)
    if (r := guard(emu, req, fields)) is not None:
        return usage(emu, r)
    if fields.get("upload_phase") == "start":
        vid = emu.state.new_id("1000")
        emu.state.fb_videos[vid] = {"id": vid, "page": m.group("page"), "reel": True, "finished": False, "title": "",
                                    "description": "", "published": None, "scheduled_publish_time": None,
                                    "data": b"", "size": None}
        return usage(emu, Response(200, {"video_id": vid,
                                          "upload_url": f"{req.base_url}/video-upload/v21.0/{vid}"}))
    v = emu.state.fb_videos.get(fields.get("video_id", ""))
    if fields.get("upload_phase") != "finish" or v is None or not v.get("reel"):
        return usage(emu, error(100, "(#100) Invalid upload_phase or video_id"))
    if v["size"] is None or len(v["data"]) < v["size"]:
        return usage(emu, error(6000, "There was a problem uploading your video file: it is incomplete.", 1363019))
    if v["finished"]:
        return usage(emu, Response(200, {"success": True}))
    state, when = fields.get("video_state", "PUBLISHED"), fields.get("scheduled_publish_time")
    if state == "SCHEDULED" and (when is None or not MIN_LEAD_S <= int(when) - time.time() <= MAX_LEAD_S):
        return usage(emu, error(100, "(#100) The specified scheduled publish time is invalid.", 1363026))
    v.update(finished=True, description=fields.get("description", ""), published=state == "PUBLISHED",
             scheduled_publish_time=int(when) if when else None, bytes=len(v["data"]))
    return usage(emu, Response(200, {"success": True}))


def rupload(emu: Emulator, req: Request, m: re.Match) -> Response:
    """The Reels upload host: bytes from `offset` (a header), as much as arrives before a drop."""
    if not emu.token_ok(req.headers.get("authorization", "").removeprefix("OAuth ").strip()):
        return error(190, "Error validating access token: Session has expired or the token was revoked.", 463)
    v = emu.state.fb_videos.get(m.group("video"))
    if v is None or not v.get("reel"):
        return error(100, "(#100) Invalid video id")
    if emu.faults.fail_next > 0:
        emu.faults.fail_next -= 1
        return error(2, "An unexpected error has occurred. Please retry your request later.", status=500)
    v["size"] = int(req.headers.get("file_size", 0))
    offset, data = int(req.headers.get("offset", 0)), req.body
    if offset != len(v["data"]):
        return error(6000, f"offset {offset} does not match the {len(v['data'])} bytes received", 1363037)
    emu.faults.deliver(v, offset, data)
    return Response(200, {"success": True})


V = r"/v\d+\.\d+"
ROUTES = (
    Route("POST", V + r"/(?P<page>\d+)/videos", page_videos),
    Route("POST", V + r"/(?P<page>\d+)/video_reels", reels),
    Route("POST", r"/video-upload" + V + r"/(?P<video>\d+)", rupload),
    Route("POST", V + r"/(?P<video>\d+)/captions", captions_post),
    Route("GET", V + r"/(?P<video>\d+)/captions", captions_get),
    Route("POST", V + r"/(?P<video>\d+)/thumbnails", thumbnails_post),
    Route("GET", V + r"/(?P<video>\d+)", video_get),
)
