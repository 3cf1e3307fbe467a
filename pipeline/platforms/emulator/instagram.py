"""Instagram Graph API content publishing for Reels, and Reels insights, as Meta answers them.

A container (media_type=REELS, upload_type=resumable) gets its bytes on the rupload host with
`offset` and `file_size` headers (a drop keeps the bytes before it: GET on the same address says
how many the host holds), is IN_PROGRESS once while it "processes", then FINISHED; media_publish
turns it into a Reel. Errors are Graph's (guard: bad token 190, throttling), plus the daily
publishing limit / spam-risk refusal (code 9, subcode 2207042) from Faults.spam_risk_next.
"""

from __future__ import annotations

import re

from pipeline.platforms.emulator import facebook as fbe
from pipeline.platforms.emulator.server import Emulator, Request, Response, Route
from pipeline.platforms.emulator.state import DropConnection

REELS_METRICS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")


def link_account(emu: Emulator, page: str, user: str, username: str = "ajcad.mali") -> None:
    """The Page's linked Instagram professional account (what GET /{page}?fields=instagram_business_account shows)."""
    emu.state.fb_pages.setdefault(page, {"name": "Page (émulateur)"})["instagram_business_account"] = user
    emu.state.ig_media[user] = {"id": user, "kind": "user", "username": username}


def _guarded(emu: Emulator, req: Request) -> tuple[dict, Response | None]:
    fields, _ = fbe.form(req)
    return fields, fbe.guard(emu, req, fields)


def create_container(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, r = _guarded(emu, req)
    if r is not None:
        return fbe.usage(emu, r)
    if emu.state.ig_media.get(m.group("user"), {}).get("kind") != "user":
        return fbe.usage(emu, fbe.error(100, "(#100) Unsupported post request. Object does not exist", 33))
    if fields.get("media_type") != "REELS" or fields.get("upload_type") != "resumable":
        return fbe.usage(emu, fbe.error(100, "(#100) media_type REELS with upload_type resumable is expected here"))
    if emu.faults.spam_risk_next > 0:
        emu.faults.spam_risk_next -= 1
        return fbe.usage(emu, fbe.error(9, "Application request limit reached", 2207042, status=400,
                                        data={"error_user_title": "Nombre maximum de publications atteint"}))
    if len(fields.get("caption", "")) > 2200:
        return fbe.usage(emu, fbe.error(100, "(#100) The caption is too long", 2207010))
    cid = str(17900000000000000 + len(emu.state.ig_media) + emu.state.counter)
    emu.state.counter += 1
    emu.state.ig_media[cid] = {"id": cid, "kind": "container", "user": m.group("user"), "data": bytearray(),
                               "size": None, "status_code": "IN_PROGRESS", "polls": 0,
                               "caption": fields.get("caption", ""), "thumb_offset": fields.get("thumb_offset")}
    return fbe.usage(emu, Response(200, {"id": cid, "uri": f"{req.base_url}/ig-api-upload/v21.0/{cid}"}))


def rupload(emu: Emulator, req: Request, m: re.Match) -> Response:
    c = emu.state.ig_media.get(m.group("video"))
    if not emu.token_ok((req.headers.get("authorization", "").split(" ", 1) + [""])[1]):
        return Response(401, {"debug_info": {"type": "AuthError", "message": "Invalid OAuth access token"}})
    if c is None or c["kind"] != "container":
        return Response(400, {"debug_info": {"type": "ProcessingFailedError", "message": "container not found"}})
    if req.method == "GET":
        return Response(200, {"id": c["id"], "offset": len(c["data"])})
    offset, size = int(req.headers.get("offset", "0")), int(req.headers.get("file_size", "0"))
    if offset != len(c["data"]) or size <= 0 or offset + len(req.body) > size:
        return Response(400, {"debug_info": {"type": "ProcessingFailedError",
                                             "message": f"offset must be {len(c['data'])}"}})
    c["size"] = size
    try:
        emu.faults.deliver(c, offset, req.body)
    except DropConnection:
        raise
    return Response(200, {"success": True, "message": "Upload successful."})


def object_get(emu: Emulator, req: Request, m: re.Match) -> Response:
    """GET /{id}: a container's status_code, a Reel's fields, or an account's username."""
    fields, r = _guarded(emu, req)
    if r is not None:
        return fbe.usage(emu, r)
    o = emu.state.ig_media[m.group("video")]
    if o["kind"] == "container":
        if o["status_code"] == "IN_PROGRESS" and o["size"] and len(o["data"]) >= o["size"]:
            o["polls"] += 1
            o["status_code"] = "FINISHED" if o["polls"] >= 2 else "IN_PROGRESS"
        return fbe.usage(emu, Response(200, {"id": o["id"], "status_code": o["status_code"],
                                             "status": "Finished: Media has been uploaded and it is ready to be published."
                                             if o["status_code"] == "FINISHED" else "In Progress"}))
    keep = ("id", "username") if o["kind"] == "user" else ("id", "caption", "permalink", "timestamp", "media_type")
    return fbe.usage(emu, Response(200, {k: o[k] for k in keep if k in o}))


def media_publish(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, r = _guarded(emu, req)
    if r is not None:
        return fbe.usage(emu, r)
    c = emu.state.ig_media.get(fields.get("creation_id", ""))
    if c is None or c["kind"] != "container" or c["user"] != m.group("user"):
        return fbe.usage(emu, fbe.error(100, "(#100) creation_id does not exist", 33))
    if c["status_code"] != "FINISHED":
        return fbe.usage(emu, fbe.error(9007, "Media ID is not available", 2207027))
    c["status_code"] = "PUBLISHED"
    mid = str(18000000000000000 + len(emu.state.ig_media))
    emu.state.ig_media[mid] = {"id": mid, "kind": "reel", "user": c["user"], "caption": c["caption"],
                               "media_type": "VIDEO", "permalink": f"https://www.instagram.com/reel/emu{mid}/",
                               "timestamp": "2026-12-01T18:00:00+0000", "size": len(c["data"]),
                               "insights": {"views": 310, "reach": 240, "likes": 41, "comments": 6, "shares": 9,
                                            "saved": 12, "total_interactions": 68}}
    return fbe.usage(emu, Response(200, {"id": mid}))


def media_list(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, r = _guarded(emu, req)
    if r is not None:
        return fbe.usage(emu, r)
    reels = [o for o in emu.state.ig_media.values() if o["kind"] == "reel" and o["user"] == m.group("user")]
    return fbe.usage(emu, Response(200, {"data": [{k: o[k] for k in ("id", "caption", "permalink")}
                                                  for o in reversed(reels)]}))


def insights(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, r = _guarded(emu, req)
    if r is not None:
        return fbe.usage(emu, r)
    o = emu.state.ig_media.get(m.group("video"))
    if o is None or o["kind"] != "reel":
        return fbe.usage(emu, fbe.error(100, "(#100) Object does not exist", 33))
    asked = [x for x in fields.get("metric", "").split(",") if x]
    bad = [x for x in asked if x not in REELS_METRICS]
    if bad:
        return fbe.usage(emu, fbe.error(100, f"(#100) metric[0] must be one of the following values: "
                                             f"{', '.join(REELS_METRICS)}"))
    data = [{"name": x, "period": "lifetime", "values": [{"value": o["insights"][x]}], "id": f"{o['id']}/insights/{x}"}
            for x in asked if x in o["insights"]]   # a metric Meta withholds is simply absent
    return fbe.usage(emu, Response(200, {"data": data}))


ROUTES: tuple[Route, ...] = (
    Route("POST", fbe.V + r"/(?P<user>\d+)/media", create_container),
    Route("GET", fbe.V + r"/(?P<user>\d+)/media", media_list),
    Route("POST", fbe.V + r"/(?P<user>\d+)/media_publish", media_publish),
    Route("POST", r"/ig-api-upload" + fbe.V + r"/(?P<video>\d+)", rupload),
    Route("GET", r"/ig-api-upload" + fbe.V + r"/(?P<video>\d+)", rupload),
    Route("GET", fbe.V + r"/(?P<video>\d+)/insights", insights),
)
