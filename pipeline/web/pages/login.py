"""Signing in and out. The login form has its own CSRF token (a cookie it must echo), attempts
are rate-limited per account and per address, and a wrong name reads like a wrong password."""

from __future__ import annotations

import hmac

from starlette.responses import RedirectResponse, Response

from pipeline import audit, users
from pipeline.web import sessions
from pipeline.web.guard import client_address
from pipeline.web.registry import ALL, Ctx, Page, route


def _next(ctx: Ctx) -> str:
    target = ctx.field("next") or ctx.request.query_params.get("next", "")
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def _form(ctx: Ctx, status: int = 200, error: str = "", name: str = "") -> Response:
    token = ctx.request.cookies.get(sessions.LOGIN_COOKIE) or sessions.new_token()
    response = ctx.render("login.html", status=status, login_csrf=token, error=error, name=name, next=_next(ctx),
                          bye="bye" in ctx.request.query_params)
    response.set_cookie(sessions.LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=ctx.request.url.scheme == "https", path="/login")
    return response


@route("/login", public=True)
def login_form(ctx: Ctx) -> Response:
    if ctx.user is not None:
        return RedirectResponse(_next(ctx), status_code=303)
    return _form(ctx)


@route("/login", methods=("POST",), public=True)
def login(ctx: Ctx) -> Response:
    expected = ctx.request.cookies.get(sessions.LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(ctx.field("csrf").encode(), expected.encode()):
        return ctx.render("error.html", status=403, title="Demande refusée",
                          message="Le formulaire de connexion a expiré.", hint="Rechargez la page et recommencez.")
    name, password, address = ctx.field("name").strip(), ctx.field("password"), client_address(ctx.request)
    refused = sessions.refusal(ctx.store, name, address, ctx.studio)
    if refused:
        return _form(ctx, 429, refused, name)
    user = users.authenticate(ctx.store, name, password)
    if user is None:
        sessions.record_failure(ctx.store, name, address)
        return _form(ctx, 401, "Nom ou mot de passe incorrect.", name)
    sessions.clear_failures(ctx.store, name)
    token, _ = sessions.open_session(ctx.store, user, address)
    audit.record(ctx.store, user.name, "login", audit.target("user", user.name), address)
    response = RedirectResponse(_next(ctx), status_code=303)
    response.set_cookie(sessions.COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=ctx.request.url.scheme == "https", max_age=int(ctx.studio.session_hours * 3600))
    response.delete_cookie(sessions.LOGIN_COOKIE, path="/login")
    return response


@route("/logout", roles=ALL, methods=("POST",))
def logout(ctx: Ctx) -> Response:
    sessions.close_session(ctx.store, ctx.request.cookies.get(sessions.COOKIE, ""))
    ctx.audit("logout", audit.target("user", ctx.user.name))  # type: ignore[union-attr]
    response = RedirectResponse("/login?bye=1", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


@route("/", roles=ALL)
def home(ctx: Ctx) -> Response:
    return RedirectResponse("/episodes", status_code=303)


PAGE = Page("login", "", "/login", routes=(login_form, login, logout, home))
