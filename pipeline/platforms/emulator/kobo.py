"""KoboToolbox API v2 routes of the emulator: a form's submissions, paged, behind a token.

`GET /api/v2/assets/{uid}/data.json?limit=&start=` with `Authorization: Token …` answers
{"count", "next", "previous", "results"} as KoboToolbox does; field names are the form's
`name`s with group paths joined by "/", plus Kobo's own `_id`, `_uuid`, `_submission_time`.
A wrong token gets 401 {"detail": "Invalid token."}, an unknown form 404 {"detail": "Not found."}.
Tests and the demo put submissions in with `add_submissions`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from pipeline.platforms.emulator.server import Emulator, Request, Response, Route

MAX_LIMIT = 30000


@dataclass
class KoboState:
    token: str = ""                                            # "" = any token accepted
    page_max: int = MAX_LIMIT                                  # the server's cap on a page (tests lower it)
    assets: dict[str, list[dict]] = field(default_factory=dict)
    requests: int = 0


def state(emu: Emulator) -> KoboState:
    return emu.state.extra.setdefault("kobo", KoboState())


def add_submissions(emu: Emulator, asset: str, rows: list[dict]) -> None:
    subs = state(emu).assets.setdefault(asset, [])
    for row in rows:
        n = len(subs) + 1
        subs.append({"_id": 100000 + n, "_uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{asset}/{n}")),
                     "_submission_time": row.pop("_submission_time", "2026-11-02T10:00:00"), **row})


def data(emu: Emulator, req: Request, m: re.Match) -> Response:
    st = state(emu)
    st.requests += 1
    auth = req.headers.get("authorization", "")
    if not auth.startswith("Token ") or (st.token and auth[6:].strip() != st.token):
        return Response(401, {"detail": "Invalid token."})
    subs = st.assets.get(m.group("asset"))
    if subs is None:
        return Response(404, {"detail": "Not found."})
    try:
        limit = max(1, min(st.page_max, int(req.query.get("limit", 1000))))
        start = max(0, int(req.query.get("start", 0)))
    except ValueError:
        return Response(400, {"detail": "limit and start must be integers"})
    page = subs[start:start + limit]
    base = f"{req.base_url}{req.path}?format=json&limit={limit}"
    return Response(200, {"count": len(subs),
                          "next": f"{base}&start={start + limit}" if start + limit < len(subs) else None,
                          "previous": f"{base}&start={max(0, start - limit)}" if start else None,
                          "results": page})


ROUTES = (Route("GET", r"/api/v2/assets/(?P<asset>\w+)/data.json", data),)
