"""Reading viewers' comments: YouTube `commentThreads.list` and Graph `/{video-id}/comments`.

The request count does not grow with the number of videos, as far as the APIs allow:
- YouTube: one `channels.list(mine=true)` (skipped when `youtube_channel_id` is set), then
  `commentThreads.list(allThreadsRelatedToChannelId=…, part=snippet,replies, maxResults=100)`:
  every video of the channel in one listing, one request per 100 threads. A thread inlines at most
  5 replies; one with more costs one `comments.list(parentId=…)` per 100 of its replies.
- Facebook: `{video}/comments?filter=stream` (replies flattened, each with its parent) for up to 50
  videos in one Graph batch; a video with more than 100 comments needs one more batch item per 100,
  and those go out together in the next batch.
So a busy video (hundreds of comments, a long reply thread) costs more; 5 or 50 videos with a
normal handful each cost the same. Pages are capped by `max_pages`; a listing cut short is not
"complete", so nothing unseen in it is marked removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from pipeline.config import Config
from pipeline.log import stage_logger
from pipeline.metrics.comments import Comment, make, with_answers
from pipeline.metrics.dataset import PostedVideo
from pipeline.metrics.facebook_source import BATCH_MAX, FacebookMetrics
from pipeline.metrics.feedback import author_key
from pipeline.metrics.youtube_source import SRC_D, YouTubeMetrics

log = stage_logger("metrics")
FB_FIELDS = "id,message,created_time,from{id},like_count,parent{id},is_hidden"
PAGE_SIZE = 100


@dataclass(frozen=True)
class CommentPull:
    comments: list[Comment]
    complete: list[tuple[str, str]]    # (platform, remote_id) of videos whose comments were all read
    notes: list[str]                   # what could not be read, for the pull's summary


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00").replace("+0000", "+00:00"))


class YouTubeComments:
    """Every comment thread of the channel in one listing; keeps those under our videos."""

    def __init__(self, cfg: Config, metrics: YouTubeMetrics, salt: bytes) -> None:
        self.cfg, self.metrics, self.salt = cfg, metrics, salt
        self.max_pages = cfg.metrics.evaluation.comments.max_pages

    def _list(self, what: str, request: Callable[[str], object]) -> tuple[list[dict], bool]:
        """All pages of a list call (request(page_token) -> a Resource request); False if cut at max_pages."""
        items: list[dict] = []
        token = ""
        for _ in range(self.max_pages):
            res = self.metrics.call(SRC_D, what, request(token).execute)
            items += res.get("items", [])
            token = res.get("nextPageToken", "")
            if not token:
                return items, True
        return items, False

    def channel(self) -> str:
        configured = self.cfg.metrics.evaluation.comments.youtube_channel_id
        if configured:
            return configured
        res = self.metrics.call(SRC_D, "channels.list mine", self.metrics.data.channels().list(part="id", mine=True).execute)
        items = res.get("items", [])
        return items[0]["id"] if items else ""

    def pull(self, videos: list[PostedVideo]) -> CommentPull:
        by_id = {v.remote_id: v for v in videos}
        channel = self.channel()
        if not channel:
            return CommentPull([], [], ["youtube: this account has no channel; no comments read"])
        threads, complete = self._list("commentThreads.list", lambda tok: self.metrics.data.commentThreads().list(
            part="snippet,replies", allThreadsRelatedToChannelId=channel, maxResults=PAGE_SIZE, textFormat="plainText",
            **({"pageToken": tok} if tok else {})))
        notes = [] if complete else [f"youtube: comment listing stopped after max_pages = {self.max_pages} pages"]
        out: list[Comment] = []
        for thread in threads:
            sn = thread["snippet"]
            video = by_id.get(sn.get("videoId", ""))
            if video is None:
                continue
            top = sn["topLevelComment"]
            out.append(self._comment(video, top, "", channel))
            replies = thread.get("replies", {}).get("comments", [])
            if sn.get("totalReplyCount", 0) > len(replies):   # more than the 5 inlined: ask for the thread
                replies, whole = self._list("comments.list", lambda tok, parent=top["id"]: self.metrics.data.comments()
                                            .list(part="snippet", parentId=parent, maxResults=PAGE_SIZE,
                                                  textFormat="plainText", **({"pageToken": tok} if tok else {})))
                if not whole:
                    notes.append(f"youtube: replies of comment {top['id']} stopped after {self.max_pages} pages")
            out += [self._comment(video, r, top["id"], channel) for r in replies]
        return CommentPull(with_answers(out), [("youtube", v) for v in by_id] if complete else [], notes)

    def _comment(self, video: PostedVideo, item: dict, parent: str, channel: str) -> Comment:
        sn = item["snippet"]
        author = (sn.get("authorChannelId") or {}).get("value", "")
        return make(video, item["id"], parent, _when(sn["publishedAt"]), sn.get("textDisplay") or "",
                    sn.get("likeCount", 0), author == channel, author_key(self.salt, "youtube", author),
                    sn.get("moderationStatus", "published") != "published")


class FacebookComments:
    """Every video's comment stream through Graph batches (50 items each)."""

    def __init__(self, cfg: Config, metrics: FacebookMetrics, salt: bytes) -> None:
        self.metrics, self.salt, self.page = metrics, salt, cfg.publish.facebook.page_id
        self.max_pages = cfg.metrics.evaluation.comments.max_pages

    def pull(self, videos: list[PostedVideo]) -> CommentPull:
        by_id = {v.remote_id: v for v in videos}
        todo: list[tuple[str, str]] = [(vid, "") for vid in sorted(by_id)]   # (video, cursor after)
        raw: dict[str, list[dict]] = {vid: [] for vid in by_id}
        complete: set[str] = set()
        notes: list[str] = []
        for _ in range(self.max_pages):
            if not todo:
                break
            nxt: list[tuple[str, str]] = []
            for i in range(0, len(todo), BATCH_MAX):
                part = todo[i:i + BATCH_MAX]
                answers = self.metrics.batch([(f"{vid}/comments", {
                    "filter": "stream", "order": "chronological", "limit": PAGE_SIZE, "fields": FB_FIELDS,
                    **({"after": after} if after else {})}) for vid, after in part], what="comments batch")
                for (vid, _), answer in zip(part, answers, strict=False):
                    follow = self._take(vid, answer, raw, notes)
                    if follow is None:
                        continue
                    if follow:
                        nxt.append((vid, follow))
                    else:
                        complete.add(vid)
            todo = nxt
        if todo:
            notes.append(f"facebook: comments of {len(todo)} video(s) stopped after max_pages = {self.max_pages}")
        out = [self._comment(by_id[vid], c) for vid, items in raw.items() for c in items]
        return CommentPull(with_answers(out), [("facebook", v) for v in sorted(complete)], notes)

    @staticmethod
    def _take(vid: str, answer: dict | None, raw: dict[str, list[dict]], notes: list[str]) -> str | None:
        """Keep one answer's comments; the cursor of the next page, "" at the end, None if unreadable."""
        if answer is None:
            notes.append(f"facebook: no answer for the comments of video {vid}; read again next pull")
            return None
        body = answer["body"] if isinstance(answer["body"], dict) else {}
        if "error" in body:
            err = body["error"]
            notes.append(f"facebook: comments of video {vid} refused (code {err.get('code')}: "
                         f"{str(err.get('message', ''))[:80]})")
            return None
        raw[vid] += body.get("data", [])
        paging = body.get("paging", {})
        if not paging.get("next"):
            return ""
        after = paging.get("cursors", {}).get("after") or parse_qs(urlsplit(paging["next"]).query).get("after", [""])[0]
        return after or ""

    def _comment(self, video: PostedVideo, c: dict) -> Comment:
        author = str((c.get("from") or {}).get("id", ""))
        parent = str((c.get("parent") or {}).get("id", ""))
        return make(video, str(c["id"]), parent, _when(c["created_time"]), c.get("message") or "",
                    c.get("like_count", 0), bool(self.page) and author == self.page,
                    author_key(self.salt, "facebook", author), bool(c.get("is_hidden")))
