"""Routes that steer the emulator itself (tests, the demo): inject faults, read what it holds."""

from __future__ import annotations

import re

from pipeline.platforms.emulator.server import Emulator, Request, Response, Route


def faults_set(emu: Emulator, req: Request, m: re.Match) -> Response:
    for key, value in req.json().items():
        if hasattr(emu.faults, key):
            setattr(emu.faults, key, set(value) if key == "refuse_caption_langs" else value)
    return Response(200, {"ok": True})


def state_get(emu: Emulator, req: Request, m: re.Match) -> Response:
    s = emu.state
    return Response(200, {
        "youtube": {"videos": list(s.yt_videos.values()), "captions": list(s.yt_captions.values()),
                    "thumbnails": sorted(s.yt_thumbnails), "playlistItems": list(s.yt_playlist_items.values()),
                    "quota_used": s.yt_quota_used},
        "facebook": {"videos": [{k: v for k, v in vid.items() if k != "data"} for vid in s.fb_videos.values()],
                     "captions": s.fb_captions},
    })


ROUTES = (
    Route("POST", r"/_emulator/faults", faults_set),
    Route("GET", r"/_emulator/state", state_get),
)
