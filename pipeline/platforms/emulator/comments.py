"""Comment routes of the emulator: YouTube `commentThreads.list`, `comments.list`, `channels.list(mine)`,
and Graph `/{video-id}/comments`, with replies, pagination, hidden and deleted comments.

Each video that is out gets a few deterministic comments (French and Bambara, questions among
them, some answered by the channel or the Page) the first time anyone asks; tests add their own
with `add_thread` or POST /_emulator/comments. Like the real services: YouTube inlines at most 5
replies (the rest through comments.list(parentId)), leaves held-for-review threads out unless
asked, and pages by `pageToken`; Graph pages by cursor (`after`), answers `filter=stream` with
replies flattened (each with its `parent`), returns only the `fields` asked for, and shows
Page-hidden comments to the Page with `is_hidden`. A deleted comment is simply gone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pipeline.platforms.emulator import facebook as fbe
from pipeline.platforms.emulator import youtube as yte
from pipeline.platforms.emulator.analytics import stable_hash
from pipeline.platforms.emulator.server import Emulator, Request, Response, Route
from pipeline.platforms.emulator.state import CHANNEL_ID

INLINE_REPLIES = 5
VIEWERS = (("Awa Traoré", "UCviewerAwaTraore00001"), ("Moussa Keïta", "UCviewerMoussaKeita002"),
           ("Fatoumata Coulibaly", "UCviewerFatoumataC0003"), ("Ibrahim Diarra", "UCviewerIbrahimD000004"),
           ("Aminata Sangaré", "UCviewerAminataS000005"), ("Oumar Touré", "UCviewerOumarToure0006"),
           ("Kadiatou Sidibé", "UCviewerKadiatouS00007"), ("Seydou Koné", "UCviewerSeydouKone0008"))
TEXTS = ("Pourquoi les femmes votent-elles moins que les hommes ?",
         "Merci AJCAD, très belle vidéo sur la citoyenneté.",
         "Comment obtenir la carte d'électeur à Sikasso",
         "Sugandili bɛ kɛ tuma jumɛn ?",
         "I ni ce, a ka di kosɛbɛ ! Musow ka kan ka sugandili kɛ.",
         "Est-ce que les jeunes de 17 ans peuvent voter ?",
         "Bravo aux jeunes de la mairie de Ségou 👏",
         "Mun na kamalenw tɛ taa meri la",
         "La vidéo est trop longue pour nos forfaits internet.",
         "Quel est le rôle du conseil communal",
         "Aw ni ce ! An bɛ kɔnɔ episode nata makɔnɔ.",
         "Qui peut être candidat aux élections communales ?")
ANSWERS = ("Merci pour votre question ! Tout est expliqué dans l'épisode 2.",
           "I ni ce ! Kalata bɛ sɔrɔ meri la.", "Bonne question : la carte se retire à la mairie.")
REPLIES = ("Je suis d'accord avec toi.", "Tiɲɛ don.", "Moi aussi je me pose la question.")


@dataclass
class CommentsState:
    threads: dict[str, list[dict]] = field(default_factory=dict)   # video id -> threads (our own shape)
    generated: set[str] = field(default_factory=set)


def state(emu: Emulator) -> CommentsState:
    return emu.state.extra.setdefault("comments", CommentsState())


def _out_since(emu: Emulator, vid: str) -> datetime | None:
    """When the video went out (None: not out yet, or unknown)."""
    if vid in emu.state.yt_videos:
        v = emu.state.yt_videos[vid]
        when = v.get("status", {}).get("publishAt") or v.get("snippet", {}).get("publishedAt")
        at = datetime.fromisoformat(when.replace("Z", "+00:00")) if when else None
    elif vid in emu.state.fb_videos:
        ts = emu.state.fb_videos[vid].get("scheduled_publish_time")
        at = datetime.fromtimestamp(ts, UTC) if ts else None
    else:
        return None
    return at if at is not None and at.timestamp() <= emu.now() else None


def add_thread(emu: Emulator, vid: str, text: str, author: int = 0, replies: tuple[tuple[str, int], ...] = (),
               hidden: bool = False, at: datetime | None = None, likes: int = 0) -> dict:
    """A top-level comment and its replies ((text, author index; -1 = the channel or Page))."""
    st = state(emu)
    at = at or datetime.fromtimestamp(emu.now(), UTC) - timedelta(hours=1)
    n = len(st.threads.setdefault(vid, []))
    thread = {"id": f"c{stable_hash(vid, n, text) % 10**10:010d}", "video": vid, "text": text, "author": author,
              "at": at, "likes": likes, "hidden": hidden, "replies": []}
    for i, (reply, who) in enumerate(replies):
        thread["replies"].append({"id": f"{thread['id']}.r{i}", "text": reply, "author": who,
                                  "at": at + timedelta(minutes=30 * (i + 1)), "likes": 0})
    st.threads[vid].append(thread)
    return thread


def _generate(emu: Emulator, vid: str) -> None:
    """0-2 threads per video that is out, fixed by its id: normal volumes (a season of 50 fits one page)."""
    st = state(emu)
    since = _out_since(emu, vid)
    if vid in st.generated or since is None:
        return
    st.generated.add(vid)
    for k in range(stable_hash(vid, "threads") % 3):
        h = stable_hash(vid, "thread", k)
        text = TEXTS[h % len(TEXTS)]
        replies: list[tuple[str, int]] = []
        if h % 4 != 1 and ("?" in text or "Comment" in text or "tuma" in text or "Quel" in text):
            replies.append((ANSWERS[h % len(ANSWERS)], -1))         # most questions get an answer
        if h % 3 == 0:
            replies.append((REPLIES[h % len(REPLIES)], (h // 7) % len(VIEWERS)))
        add_thread(emu, vid, text, h % len(VIEWERS), tuple(replies), hidden=h % 11 == 4,
                   at=since + timedelta(hours=2 + 5 * k), likes=h % 6)


def threads(emu: Emulator, vid: str) -> list[dict]:
    _generate(emu, vid)
    return state(emu).threads.get(vid, [])


def delete(emu: Emulator, comment_id: str) -> None:
    for ts in state(emu).threads.values():
        ts[:] = [t for t in ts if t["id"] != comment_id]
        for t in ts:
            t["replies"] = [r for r in t["replies"] if r["id"] != comment_id]


# ------------------------------------------------------------------ YouTube

def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _yt_comment(c: dict, vid: str, parent: str = "") -> dict:
    name, author = (("AJCAD Mali", CHANNEL_ID) if c["author"] == -1 else VIEWERS[c["author"] % len(VIEWERS)])
    snippet = {"channelId": CHANNEL_ID, "videoId": vid, "textDisplay": c["text"], "textOriginal": c["text"],
               "authorDisplayName": name, "authorProfileImageUrl": "https://yt3.example/avatar.jpg",
               "authorChannelUrl": f"http://www.youtube.com/channel/{author}", "authorChannelId": {"value": author},
               "canRate": True, "viewerRating": "none", "likeCount": c["likes"], "publishedAt": _stamp(c["at"]),
               "updatedAt": _stamp(c["at"])}
    if parent:
        snippet["parentId"] = parent
    return {"kind": "youtube#comment", "etag": f"e-{c['id']}", "id": c["id"], "snippet": snippet}


def _page(items: list, token: str, size: int) -> tuple[list, str]:
    start = int(token[1:]) if token.startswith("p") and token[1:].isdigit() else 0
    end = start + size
    return items[start:end], (f"p{end}" if end < len(items) else "")


def _max_results(req: Request, default: int) -> int:
    try:
        return max(1, min(100, int(req.query.get("maxResults", default))))
    except ValueError:
        return default


def comment_threads(emu: Emulator, req: Request, m: re.Match) -> Response:
    if (r := yte.auth(emu, req)) is not None or (r := yte.charge(emu, "list")) is not None:
        return r
    q = req.query
    if q.get("allThreadsRelatedToChannelId"):
        if q["allThreadsRelatedToChannelId"] != CHANNEL_ID:
            return yte.error(404, "channelNotFound", "The channel could not be found.")
        vids = list(emu.state.yt_videos)
    elif q.get("videoId"):
        if q["videoId"] not in emu.state.yt_videos:
            return yte.error(404, "videoNotFound", "The video identified by the videoId parameter could not be found.")
        vids = [q["videoId"]]
    else:
        return yte.error(400, "missingRequiredParameter", "No filter selected. Expected one of: "
                                                          "allThreadsRelatedToChannelId, videoId, id, channelId")
    held = q.get("moderationStatus") in ("heldForReview", "likelySpam")
    every = sorted((t for v in vids for t in threads(emu, v) if t["hidden"] == held), key=lambda t: t["at"],
                   reverse=True)   # order=time: newest first
    page, token = _page(every, q.get("pageToken", ""), _max_results(req, 20))
    parts = set(q.get("part", "").split(","))
    items = []
    for t in page:
        item = {"kind": "youtube#commentThread", "etag": f"e-{t['id']}", "id": t["id"],
                "snippet": {"channelId": CHANNEL_ID, "videoId": t["video"], "topLevelComment": _yt_comment(t, t["video"]),
                            "canReply": True, "totalReplyCount": len(t["replies"]), "isPublic": True}}
        if "replies" in parts and t["replies"]:
            item["replies"] = {"comments": [_yt_comment(r, t["video"], t["id"]) for r in t["replies"][:INLINE_REPLIES]]}
        items.append(item)
    return _listing("youtube#commentThreadListResponse", items, token,
                    pageInfo={"totalResults": len(every), "resultsPerPage": len(items)})


def _listing(kind: str, items: list[dict], token: str, **extra: object) -> Response:
    """A Data API list answer, with nextPageToken when there is more."""
    body = {"kind": kind, "etag": "e", "items": items, **extra}
    if token:
        body["nextPageToken"] = token
    return Response(200, body)


def comments_list(emu: Emulator, req: Request, m: re.Match) -> Response:
    """comments.list(parentId=...): every reply of one thread, paged."""
    if (r := yte.auth(emu, req)) is not None or (r := yte.charge(emu, "list")) is not None:
        return r
    parent = req.query.get("parentId", "")
    thread = next((t for ts in state(emu).threads.values() for t in ts if t["id"] == parent), None)
    if thread is None:
        return yte.error(404, "commentNotFound", "The comment identified by the parentId parameter could not be found.")
    page, token = _page(thread["replies"], req.query.get("pageToken", ""), _max_results(req, 20))
    return _listing("youtube#commentListResponse", [_yt_comment(c, thread["video"], parent) for c in page], token)


# ------------------------------------------------------------------ Graph

def _fields(spec: str) -> dict[str, set[str] | None]:
    """'id,message,from{id},parent{id}' -> {"id": None, "from": {"id"}, ...}."""
    out: dict[str, set[str] | None] = {}
    for name, sub in re.findall(r"(\w+)(?:\{([^}]*)\})?", spec):
        out[name] = set(sub.split(",")) if sub else None
    return out


def _fb_comment(c: dict, vid: str, page: str, parent: str, fields: dict[str, set[str] | None]) -> dict:
    name, author = ("AJCAD Mali", page) if c["author"] == -1 else VIEWERS[c["author"] % len(VIEWERS)]
    full = {"id": f"{vid}_{c['id']}", "message": c["text"], "created_time": c["at"].strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "from": {"name": name, "id": str(stable_hash(author) % 10**15)} if c["author"] != -1 else
            {"name": name, "id": page}, "like_count": c["likes"], "is_hidden": c.get("hidden", False),
            "comment_count": len(c.get("replies", []))}
    if parent:
        full["parent"] = {"id": f"{vid}_{parent}", "created_time": full["created_time"]}
    out = {"id": full["id"]}
    for name, sub in fields.items():
        if name in full:
            out[name] = {k: v for k, v in full[name].items() if sub is None or k in sub} \
                if isinstance(full[name], dict) else full[name]
    return out


def video_comments(emu: Emulator, req: Request, m: re.Match) -> Response:
    fields, _ = fbe.form(req)
    if (r := fbe.guard(emu, req, fields)) is not None:
        return fbe.usage(emu, r)
    vid = m.group("video")
    v = emu.state.fb_videos.get(vid)
    if v is None or not v.get("finished"):
        return fbe.usage(emu, fbe.error(100, f"(#100) Object with ID '{vid}' does not exist", 33))
    want = _fields(fields.get("fields", "id,message,created_time"))
    flat: list[tuple[dict, str]] = []
    for t in sorted(threads(emu, vid), key=lambda t: t["at"]):
        flat.append((t, ""))
        if fields.get("filter") == "stream":   # replies too, each with its parent
            flat += [(r, t["id"]) for r in t["replies"]]
    try:
        limit = max(1, min(100, int(fields.get("limit", 25))))
    except ValueError:
        limit = 25
    start = int(fields["after"][1:]) if fields.get("after", "").startswith("p") else 0
    page = flat[start:start + limit]
    body: dict = {"data": [_fb_comment(c, vid, v.get("page", ""), parent, want) for c, parent in page]}
    if page:
        body["paging"] = {"cursors": {"before": f"p{start}", "after": f"p{start + len(page)}"}}
        if start + len(page) < len(flat):
            body["paging"]["next"] = (f"{req.base_url}{req.path}?filter={fields.get('filter', 'toplevel')}"
                                      f"&limit={limit}&after=p{start + len(page)}")
    return fbe.usage(emu, Response(200, body))


def control(emu: Emulator, req: Request, m: re.Match) -> Response:
    """POST {"add": [{video, text, author, replies: [[text, author]], hidden}], "delete": [ids]}."""
    body = req.json()
    for a in body.get("add", []):
        add_thread(emu, a["video"], a["text"], int(a.get("author", 0)),
                   tuple((t, int(w)) for t, w in a.get("replies", [])), bool(a.get("hidden", False)))
    for cid in body.get("delete", []):
        delete(emu, cid)
    return Response(200, {"videos": {v: len(ts) for v, ts in state(emu).threads.items()}})


ROUTES = (
    Route("GET", r"/youtube/v3/commentThreads", comment_threads),
    Route("GET", r"/youtube/v3/comments", comments_list),
    Route("GET", fbe.V + r"/(?P<video>\d+)/comments", video_comments),
    Route("POST", r"/_emulator/comments", control),
)
