"""TikTok's Content Posting API v2 (and its OAuth token endpoint and video list/query), as documented.

Every answer is `{"data": {...}, "error": {"code": "ok" | <code>, "message", "log_id"}}`. Faults:
a dropped connection in a chunk (Faults.drop_at: the chunk counts as received, only the answer is
lost, as TikTok's acknowledged byte count in status/fetch then shows), 6 init calls a minute per
token (rate_limit_exceeded), spam-risk refusals, and an unaudited app (only SELF_ONLY accepted).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode

from pipeline.platforms.emulator.server import Emulator, Request, Response, Route
from pipeline.platforms.emulator.state import DropConnection

INIT_PER_MINUTE = 6
LAST_CHUNK_MAX = 128 * 1024 * 1024
PRIVACY = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


def answer(data: dict | None = None, code: str = "ok", message: str = "", status: int = 200) -> Response:
    return Response(status, {"data": data or {}, "error": {"code": code, "message": message,
                                                             "log_id": "202611301200emulator"}})


def _auth(emu: Emulator, req: Request) -> Response | None:
    if not emu.token_ok(req.bearer()):
        return answer(code="access_token_invalid", status=401,
                      message="The access token is invalid or not found in the request.")
    return None


def token(emu: Emulator, req: Request, m: re.Match) -> Response:
    """POST /v2/oauth/token/: an authorization code (with its PKCE verifier) or a refresh token -> new tokens."""
    form = {k: v[-1] for k, v in parse_qs(req.body.decode()).items()}
    grant = form.get("grant_type")
    if grant == "refresh_token":
        if form.get("refresh_token") not in emu.state.refresh_tokens:
            return Response(400, {"error": "invalid_grant", "error_description": "Refresh token is invalid or expired.",
                                  "log_id": "emulator"})
        refresh = form["refresh_token"]
    elif grant == "authorization_code" and form.get("code") and form.get("code_verifier"):
        challenge = emu.state.extra.setdefault("tt_codes", {}).pop(form["code"], None)
        if challenge != hashlib.sha256(form["code_verifier"].encode()).hexdigest():
            return Response(400, {"error": "invalid_grant", "error_description": "Code verifier or code is invalid.",
                                  "log_id": "emulator"})
        refresh = "rft." + secrets.token_hex(12)
    else:
        return Response(400, {"error": "invalid_request", "error_description": "code and code_verifier are required",
                              "log_id": "emulator"})
    access = "act." + secrets.token_hex(16)
    emu.state.valid_tokens.add(access)
    emu.state.refresh_tokens[refresh] = access
    return Response(200, {"access_token": access, "expires_in": 86400, "open_id": "emu-open-id",
                          "refresh_token": refresh, "refresh_expires_in": 31536000,
                          "scope": "user.info.basic,video.publish,video.list", "token_type": "Bearer"})


def authorize(emu: Emulator, req: Request, m: re.Match) -> Response:
    """GET /v2/auth/authorize/: the user allows access at once; redirected back with a code and the state."""
    q = req.query
    if q.get("code_challenge_method") != "S256" or not q.get("code_challenge") or not q.get("client_key"):
        return Response(400, b"client_key, code_challenge and code_challenge_method=S256 are required")
    code = secrets.token_urlsafe(12)
    emu.state.extra.setdefault("tt_codes", {})[code] = q["code_challenge"]
    back = f"{q['redirect_uri']}?{urlencode({'code': code, 'scopes': q.get('scope', ''), 'state': q.get('state', '')})}"
    return Response(302, b"", {"Location": back})


def creator_info(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := _auth(emu, req)) is not None:
        return r
    return answer({"creator_avatar_url": "", "creator_username": "ajcad.mali", "creator_nickname": "AJCAD Mali",
                   "privacy_level_options": PRIVACY, "comment_disabled": False, "duet_disabled": False,
                   "stitch_disabled": True, "max_video_post_duration_sec": 600})


def init(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := _auth(emu, req)) is not None:
        return r
    calls = emu.state.extra.setdefault("tt_init_times", {}).setdefault(req.bearer(), [])
    now = emu.now()
    calls[:] = [t for t in calls if now - t < 60]
    if len(calls) >= INIT_PER_MINUTE:
        return answer(code="rate_limit_exceeded", status=429,
                      message="API rate limit was exceeded. Please try again later.")
    calls.append(now)
    body = req.json()
    post, src = body.get("post_info") or {}, body.get("source_info") or {}
    privacy = post.get("privacy_level")
    if privacy not in PRIVACY:
        return answer(code="privacy_level_option_mismatch", status=400,
                      message="privacy_level is not one of the options creator_info returned.")
    if emu.faults.tiktok_unaudited and privacy != "SELF_ONLY":
        return answer(code="unaudited_client_can_only_post_to_private_accounts", status=403,
                      message="Please review our integration guidelines at https://developers.tiktok.com/doc/"
                              "content-sharing-guidelines/")
    if emu.faults.spam_risk_next > 0:
        emu.faults.spam_risk_next -= 1
        return answer(code="spam_risk_too_many_posts", status=403,
                      message="The daily post cap from the API is reached for the current user.")
    if src.get("source") != "FILE_UPLOAD":
        return answer(code="invalid_params", status=400, message="source must be FILE_UPLOAD or PULL_FROM_URL")
    size, chunk, count = (int(src.get(k, 0)) for k in ("video_size", "chunk_size", "total_chunk_count"))
    small = size < emu.state.tt_min_chunk
    ok = size > 0 and 0 < count <= 1000 and (
        (small and chunk == size and count == 1) or
        (not small and emu.state.tt_min_chunk <= chunk <= 64 * 1024 * 1024 and count == size // chunk
         and size - chunk * (count - 1) <= LAST_CHUNK_MAX))
    if not ok:
        return answer(code="invalid_params", status=400,
                      message="The chunk_size or total_chunk_count is invalid for video_size.")
    pid = f"v_pub_file~v2-1.{emu.state.new_id('7')}"
    upload_id = secrets.token_hex(8)
    emu.state.tt_posts[pid] = {"publish_id": pid, "upload_id": upload_id, "size": size, "chunk": chunk,
                               "count": count, "data": bytearray(), "title": post.get("title", ""),
                               "privacy": privacy, "status": "PROCESSING_UPLOAD", "post_id": "", "polls": 0,
                               "cover_ms": post.get("video_cover_timestamp_ms"), "created": now,
                               "stats": {"view_count": 0, "like_count": 0, "comment_count": 0, "share_count": 0}}
    return answer({"publish_id": pid, "upload_url": f"{req.base_url}/tiktok-upload/video/?upload_id={upload_id}"})


def upload_put(emu: Emulator, req: Request, m: re.Match) -> Response:
    """PUT one chunk, in order, `Content-Range: bytes a-b/total`; 206 until the last, then 201."""
    post = next((p for p in emu.state.tt_posts.values() if p["upload_id"] == req.query.get("upload_id")), None)
    if post is None:
        return Response(404, b"upload_id not found or expired")
    rng = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", req.headers.get("content-range", ""))
    if rng is None or int(rng.group(3)) != post["size"] or int(rng.group(2)) - int(rng.group(1)) + 1 != len(req.body):
        return Response(400, b"Content-Range does not match the body and video_size")
    start = int(rng.group(1))
    have = len(post["data"])
    if start < have:  # this chunk arrived already (its answer was lost): acknowledged again, not appended
        return Response(201 if have == post["size"] else 206)
    if start > have:
        return Response(416, b"chunks must be uploaded sequentially")
    try:
        emu.faults.deliver(post, start, req.body, whole_chunk=True)
    except DropConnection:
        _settle(post)
        raise
    return Response(201 if _settle(post) else 206)


def _settle(post: dict) -> bool:
    done = len(post["data"]) >= post["size"]
    if done and post["status"] == "PROCESSING_UPLOAD":
        post["status"] = "PROCESSING_DOWNLOAD"  # the next status/fetch sees it published
    return done


def status_fetch(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := _auth(emu, req)) is not None:
        return r
    post = emu.state.tt_posts.get(req.json().get("publish_id", ""))
    if post is None:
        return answer(code="invalid_publish_id", status=400, message="publish_id does not exist")
    if post["status"] == "PROCESSING_DOWNLOAD":
        post["polls"] += 1
        if post["polls"] >= 2:   # one poll still processing, then out
            post["status"] = "PUBLISH_COMPLETE"
            post["post_id"] = str(7300000000000000000 + emu.state.counter)
            emu.state.counter += 1
    data = {"status": post["status"], "uploaded_bytes": len(post["data"]),
            "publicaly_available_post_id": [int(post["post_id"])] if post["post_id"] and
            post["privacy"] == "PUBLIC_TO_EVERYONE" else []}
    if post.get("fail_reason"):
        data["fail_reason"] = post["fail_reason"]
    return answer(data)


def video_query(emu: Emulator, req: Request, m: re.Match) -> Response:
    """POST /v2/video/query/?fields=...: the creator's public videos among filters.video_ids."""
    if (r := _auth(emu, req)) is not None:
        return r
    fields = [f for f in req.query.get("fields", "").split(",") if f]
    ids = (req.json().get("filters") or {}).get("video_ids") or []
    if len(ids) > 20:
        return answer(code="invalid_params", status=400, message="at most 20 video_ids")
    by_id = {p["post_id"]: p for p in emu.state.tt_posts.values() if p["post_id"]}
    videos = []
    for vid in ids:
        p = by_id.get(str(vid))
        if p is None or p["privacy"] != "PUBLIC_TO_EVERYONE":
            continue
        full = {"id": p["post_id"], "title": p["title"], "create_time": int(p["created"]),
                "share_url": f"https://www.tiktok.com/@ajcad.mali/video/{p['post_id']}", **p["stats"]}
        videos.append({k: v for k, v in full.items() if k in fields or k == "id"})
    return answer({"videos": videos, "cursor": 0, "has_more": False})


ROUTES: tuple[Route, ...] = (
    Route("GET", r"/v2/auth/authorize/", authorize),
    Route("POST", r"/v2/oauth/token/", token),
    Route("POST", r"/v2/post/publish/creator_info/query/", creator_info),
    Route("POST", r"/v2/post/publish/video/init/", init),
    Route("PUT", r"/tiktok-upload/video/", upload_put),
    Route("POST", r"/v2/post/publish/status/fetch/", status_fetch),
    Route("POST", r"/v2/video/query/", video_query),
)
