"""Every request passes here: session, CSRF, role, then the page's handler.

Anonymous -> the login page (htmx requests get an HX-Redirect). A POST (or any unsafe method)
without the session's CSRF token, in the form field `csrf` or the `X-CSRF-Token` header that
htmx sends, -> 403. A role the route does not list -> the 403 page. Handlers run in a thread
with their own database connection; a PipelineError they raise becomes a French error page.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.store import Store
from pipeline.config.studio import StudioConfig
from pipeline.users import ROLES
from pipeline.web import sessions
from pipeline.web.registry import Ctx, Route
from pipeline.web.render import Renderer

log = logging.getLogger("pipeline.studio")
SAFE_METHODS = ("GET", "HEAD")
MAX_FIELDS = 20_000  # a subtitle track posts 3-4 fields a cue (an hour of speech: ~900 cues); bodies are size-capped


@dataclass(frozen=True)
class Studio:
    """What every request needs, built once by the app factory."""

    cfg: Config
    settings: StudioConfig
    render: Renderer


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def error_page(ctx: Ctx, status: int, title: str, message: str, hint: str = "") -> Response:
    return ctx.render("error.html", status=status, title=title, message=message, hint=hint)


def _handle(studio: Studio, route: Route, request: Request, form: FormData | None) -> Response:
    with Store(studio.cfg.project.database) as store:
        session = sessions.lookup(store, request.cookies.get(sessions.COOKIE), studio.settings)
        ctx = Ctx(request, studio.cfg, studio.settings, store, session.user if session else None,
                  session.csrf if session else "", form, studio.render)
        if session is None and not route.public:
            target = "/login?next=" + quote(request.url.path)
            if request.headers.get("HX-Request"):
                return Response(status_code=401, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=303)
        if request.method not in SAFE_METHODS and not route.public:
            sent = (form.get("csrf") if form is not None else None) or request.headers.get("X-CSRF-Token", "")
            if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), ctx.csrf.encode()):
                return error_page(ctx, 403, "Demande refusée",
                                  "Le jeton de sécurité de ce formulaire manque ou a expiré.",
                                  "Rechargez la page et recommencez.")
        if not route.public and ctx.user.role not in route.roles:  # type: ignore[union-attr]
            allowed = ", ".join(ROLES[r] for r in sorted(route.roles))
            return error_page(ctx, 403, "Accès refusé",
                              f"Votre rôle ({ctx.user.role_label}) ne permet pas cette action.",  # type: ignore[union-attr]
                              f"Rôles autorisés : {allowed}.")
        try:
            return route.handler(ctx)
        except HTTPException:
            raise
        except PipelineError as exc:
            text = "; ".join(exc.problems) if isinstance(exc, ConfigError) else exc.message
            return error_page(ctx, 400, "Impossible", text, exc.hint or "")


def endpoint(studio: Studio, route: Route):  # noqa: ANN201 - a Starlette endpoint
    async def run(request: Request) -> Response:
        form = None
        if request.method not in SAFE_METHODS:
            form = await request.form(max_files=20, max_fields=MAX_FIELDS,
                                      max_part_size=int(studio.settings.max_upload_mb * 1e6))
        try:
            return await run_in_threadpool(_handle, studio, route, request, form)
        finally:
            if form is not None:
                await form.close()
    run.__name__ = route.name
    return run
