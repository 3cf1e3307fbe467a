"""The studio's ASGI app: Starlette, Jinja2 pages, htmx for the live parts (served from here).

Why Starlette and not FastAPI: the studio serves HTML forms, not a JSON API; Starlette is the
part of FastAPI that does that (routing, forms via python-multipart, FileResponse with Range
requests, static files) without the validation layer we already have in the pipeline's own
validators. uvicorn serves it. No CDN and no build step: htmx is one vendored file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.routing import Route as StarletteRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.config import load_config
from pipeline.store import Store
from pipeline.web import sessions
from pipeline.web.files import media_url
from pipeline.web.guard import Studio, endpoint
from pipeline.web.pages import PAGES
from pipeline.web.registry import STATIC, Ctx, Route
from pipeline.web.render import Renderer

log = logging.getLogger("pipeline.studio")

# No inline script or style anywhere: templates link /static files only (htmx included).
SECURITY_HEADERS = (
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
                                 b"form-action 'self'; frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class Guardrails:
    """ASGI middleware: security headers on every answer; bodies over the upload limit refused (413)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            response = PlainTextResponse(f"Envoi trop volumineux (au plus {self.max_body / 1e6:.0f} Mo).", 413)
            return await response(scope, receive, self._with_headers(send))
        if length is None and scope["method"] not in ("GET", "HEAD", "OPTIONS") and \
                b"chunked" in headers.get(b"transfer-encoding", b""):
            response = PlainTextResponse("Longueur de l'envoi requise.", 411)
            return await response(scope, receive, self._with_headers(send))
        await self.app(scope, receive, self._with_headers(send))

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)
        return wrapped


def all_routes() -> list[Route]:
    return [r for page in PAGES for r in page.routes]


def create_app(config_path: Path) -> Starlette:
    cfg = load_config(config_path)
    settings = cfg.studio.effective()
    with Store(cfg.project.database):
        pass  # apply migrations once, before the first request
    studio = Studio(cfg, settings, Renderer(PAGES, media_url))
    routes: list = [StarletteRoute(r.path, endpoint(studio, r), methods=list(r.methods), name=r.name)
                    for r in all_routes()]
    routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))

    async def error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status == 500:
            log.exception("studio: unexpected error on %s", request.url.path, exc_info=exc)
        titles = {403: "Accès refusé", 404: "Page introuvable", 405: "Action impossible ici",
                  500: "Erreur inattendue"}
        messages = {403: "Votre rôle ne permet pas cette action.", 404: "Rien ici : le lien est peut-être ancien.",
                    405: "Cette adresse ne s'utilise pas ainsi.",
                    500: "Le studio a rencontré un problème (c'est un bogue) ; le détail est dans le terminal du serveur."}
        with Store(cfg.project.database) as store:
            session = sessions.lookup(store, request.cookies.get(sessions.COOKIE), settings)
            ctx = Ctx(request, cfg, settings, store, session.user if session else None,
                      session.csrf if session else "", None, studio.render)
            return ctx.render("error.html", status=status, title=titles.get(status, "Erreur"),
                              message=messages.get(status, ""), hint="")

    app = Starlette(routes=routes, exception_handlers={HTTPException: error, Exception: error})
    app.add_middleware(Guardrails, max_body=int(settings.max_upload_mb * 1e6) + 64 * 1024)
    return app
