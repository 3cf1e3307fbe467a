"""TikTok tokens: `webseries publish login tiktok` (OAuth 2 with PKCE on a local redirect), the 0600 token
file, and a refresh before the access token (24 h) expires, without the user (the refresh token lasts a year).

TikTok's desktop flow wants the PKCE challenge as the hex SHA-256 of the verifier (not base64url).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.platforms.accounts import check_token_file, register_secret, write_token_file
from pipeline.platforms.base import AuthError

LOGIN_TIKTOK = "webseries publish login tiktok"
TIKTOK_SCOPES = ("user.info.basic", "video.publish", "video.list")
REFRESH_MARGIN = timedelta(minutes=30)
UNAUDITED_NOTE = ("tiktok: the app is not audited by TikTok yet, so TikTok accepts private (SELF_ONLY) posts only; "
                  "public posts are refused until the audit passes (README: TikTok app), then set "
                  "audited = true in [publish.tiktok]")


@dataclass(frozen=True)
class TikTokTokens:
    access_token: str
    refresh_token: str
    expires_at: datetime
    refresh_expires_at: datetime
    open_id: str
    scope: tuple[str, ...]
    client_secret: str


def _from_answer(body: dict, client_secret: str, now: datetime) -> TikTokTokens:
    return TikTokTokens(body["access_token"], body["refresh_token"], now + timedelta(seconds=int(body["expires_in"])),
                        now + timedelta(seconds=int(body.get("refresh_expires_in", 31536000))),
                        body.get("open_id", ""), tuple(body.get("scope", "").split(",")), client_secret)


def save_tokens(path: Path, t: TikTokTokens) -> None:
    for s in (t.access_token, t.refresh_token, t.client_secret):
        register_secret(s)
    write_token_file(path, json.dumps({"access_token": t.access_token, "refresh_token": t.refresh_token,
                                       "expires_at": t.expires_at.isoformat(),
                                       "refresh_expires_at": t.refresh_expires_at.isoformat(),
                                       "open_id": t.open_id, "scope": list(t.scope),
                                       "client_secret": t.client_secret}, indent=1))


def load_tokens(cfg: Config) -> TikTokTokens:
    path = cfg.publish.tiktok.token_file
    check_token_file(cfg, path, LOGIN_TIKTOK)
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        t = TikTokTokens(d["access_token"], d["refresh_token"], datetime.fromisoformat(d["expires_at"]),
                         datetime.fromisoformat(d["refresh_expires_at"]), d.get("open_id", ""),
                         tuple(d.get("scope") or ()), d.get("client_secret", ""))
    except (ValueError, KeyError, TypeError) as exc:
        raise AuthError(f"token file {path} is not a valid TikTok token ({type(exc).__name__})",
                        hint=f"run `{LOGIN_TIKTOK}` again") from None
    for s in (t.access_token, t.refresh_token, t.client_secret):
        register_secret(s)
    return t


def client_secret(cfg: Config, saved: str = "") -> str:
    return os.environ.get(cfg.publish.tiktok.client_secret_env, "").strip() or saved


def refresh(cfg: Config, tokens: TikTokTokens, http: requests.Session, now: datetime | None = None) -> TikTokTokens:
    """New tokens from the refresh token, written to the 0600 file before they are used."""
    now = now or datetime.now(UTC)
    tt = cfg.publish.tiktok
    if tokens.refresh_expires_at <= now:
        raise AuthError("tiktok: the refresh token has expired (it lasts a year)", hint=f"run `{LOGIN_TIKTOK}`")
    secret = client_secret(cfg, tokens.client_secret)
    r = http.post(f"{tt.api_root}/v2/oauth/token/", timeout=60, data={
        "client_key": tt.client_key, "client_secret": secret, "grant_type": "refresh_token",
        "refresh_token": tokens.refresh_token}, headers={"Content-Type": "application/x-www-form-urlencoded"})
    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    if r.status_code != 200 or "access_token" not in body:
        raise AuthError(f"tiktok: the token could not be refreshed ({body.get('error', r.status_code)}): it was "
                        "revoked, or the app's client key or secret changed", hint=f"run `{LOGIN_TIKTOK}`")
    fresh = _from_answer(body, secret, now)
    save_tokens(tt.token_file, fresh)
    return fresh


def fresh_tokens(cfg: Config, http: requests.Session, now: datetime | None = None) -> TikTokTokens:
    """The saved tokens, refreshed first when the access token expires within REFRESH_MARGIN."""
    now = now or datetime.now(UTC)
    tokens = load_tokens(cfg)
    return refresh(cfg, tokens, http, now) if tokens.expires_at - now < REFRESH_MARGIN else tokens


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)[:64]
    return verifier, hashlib.sha256(verifier.encode()).hexdigest()


def login_tiktok(cfg: Config, open_url: Callable[[str], object] = webbrowser.open,
                 say: Callable[[str], None] = print, ask_secret: Callable[[str], str] | None = None,
                 port: int = 0, timeout: float = 300) -> Path:
    """Open TikTok's consent page; a one-shot local server receives the redirect; the code and the PKCE
    verifier are exchanged for tokens, saved 0600."""
    import getpass

    tt = cfg.publish.tiktok
    if not tt.client_key:
        raise PipelineError("[publish.tiktok] client_key is empty",
                            hint="create the app at TikTok for Developers (README: TikTok app), then copy its "
                                 "client key into config.toml")
    secret = client_secret(cfg) or (ask_secret or getpass.getpass)("TikTok app client secret (not shown): ").strip()
    if not secret:
        raise PipelineError("no client secret given", hint=f"paste it, or set ${tt.client_secret_env}")
    register_secret(secret)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    got: dict[str, str] = {}

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            got.update({k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()})
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write("C'est fait : vous pouvez fermer cette fenêtre.".encode())

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the code is in the URL
            pass

    server = HTTPServer(("127.0.0.1", port), Redirect)
    server.timeout = timeout
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/callback/"
    url = tt.auth_url + "?" + urlencode({
        "client_key": tt.client_key, "scope": ",".join(TIKTOK_SCOPES), "response_type": "code",
        "redirect_uri": redirect_uri, "state": state, "code_challenge": challenge, "code_challenge_method": "S256"})
    say(f"Allow access in the browser window (or open this address): {url}")
    if not tt.audited:
        say("note: " + UNAUDITED_NOTE)
    waiter = threading.Thread(target=server.handle_request, daemon=True)
    waiter.start()
    open_url(url)
    waiter.join(timeout)
    server.server_close()
    if got.get("state") != state or "code" not in got:
        raise PipelineError(f"tiktok login did not complete ({got.get('error_description') or got.get('error') or 'no answer'})",
                            hint=f"run `{LOGIN_TIKTOK}` again and allow every permission asked")
    r = requests.post(f"{tt.api_root}/v2/oauth/token/", timeout=60, data={
        "client_key": tt.client_key, "client_secret": secret, "code": got["code"],
        "grant_type": "authorization_code", "redirect_uri": redirect_uri, "code_verifier": verifier})
    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    if r.status_code != 200 or "access_token" not in body:
        raise PipelineError(f"tiktok refused the login code ({body.get('error_description') or r.status_code})",
                            hint=f"run `{LOGIN_TIKTOK}` again")
    save_tokens(tt.token_file, _from_answer(body, secret, datetime.now(UTC)))
    return tt.token_file


def preflight(cfg: Config) -> list[str]:
    """`publish check`: the TikTok app's key and the token file (present, outside the project, 0600)."""
    problems = []
    if not cfg.publish.tiktok.client_key:
        problems.append("tiktok: [publish.tiktok] client_key is empty (README: TikTok app)")
    try:
        check_token_file(cfg, cfg.publish.tiktok.token_file, LOGIN_TIKTOK)
    except AuthError as exc:
        problems.append(f"tiktok: {exc.message} ({exc.hint})")
    return problems
