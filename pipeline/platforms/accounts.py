"""Platform accounts: token files (mode 0600, outside the repository), login, and redaction.

Tokens are read from the environment or a file the user alone can read; they are never
written to config.toml, never printed, and a logging filter replaces any known secret (and
anything shaped like a bearer token or access_token=...) with [redacted] as a safety net.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from datetime import datetime
from collections.abc import Callable
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.platforms.base import AuthError

YOUTUBE_SCOPES = ("https://www.googleapis.com/auth/youtube.upload",
                  "https://www.googleapis.com/auth/youtube.force-ssl",
                  "https://www.googleapis.com/auth/yt-analytics.readonly")  # metrics: reports.query
FACEBOOK_SCOPES = ("pages_manage_posts", "pages_read_engagement", "read_insights")  # publish; metrics: insights
LOGIN_YOUTUBE = "webseries publish login youtube"
LOGIN_FACEBOOK = "webseries publish login facebook"

_SECRETS: set[str] = set()
_PATTERNS = (re.compile(r"(?i)(bearer\s+|oauth\s+)[A-Za-z0-9._~+/=-]{8,}"),
             re.compile(r"(?i)((?:access|refresh)_token[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]{4,}"),
             re.compile(r"(?i)(client_secret[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]{4,}"))


def register_secret(value: str | None) -> None:
    """Remember a secret so every log line and error printed afterwards has it redacted."""
    if value and len(value) >= 6:
        _SECRETS.add(value)
        install_redaction()


def redact(text: str) -> str:
    for s in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(s, "[redacted]")
    for p in _PATTERNS:
        text = p.sub(lambda m: m.group(1) + "[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        clean = redact(msg)
        if clean != msg:
            record.msg, record.args = clean, ()
        return True


_FILTER = RedactingFilter()


def install_redaction() -> None:
    """Put the filter on every handler that exists now (ours, the root's, pytest's)."""
    for logger in (logging.getLogger(), logging.getLogger("pipeline")):
        for h in logger.handlers:
            if _FILTER not in h.filters:
                h.addFilter(_FILTER)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for name in ("googleapiclient", "googleapiclient.discovery", "googleapiclient.http", "urllib3",
                 "google_auth_httplib2", "apscheduler"):
        lg = logging.getLogger(name)
        if _FILTER not in lg.filters:
            lg.addFilter(_FILTER)


# ------------------------------------------------------------------ token files

def check_token_file(cfg: Config, path: Path, fix: str) -> None:
    """Refuse a token file inside the project (it could be committed) or readable by others."""
    try:
        inside = path.resolve().is_relative_to(cfg.project.root.resolve())
    except OSError:
        inside = False
    if inside:
        raise AuthError(f"token file {path} is inside the project folder, where it could be committed",
                        hint="keep tokens under ~/.config/webseries/ and point config.toml's token_file there")
    if not path.is_file():
        raise AuthError(f"no token file at {path}", hint=f"run `{fix}` (to rehearse without an account: "
                                                          "`webseries publish upload --emulator`)")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise AuthError(f"token file {path} can be read by other users (mode {mode:04o})",
                        hint=f"run `chmod 600 {path}`")


def write_token_file(path: Path, text: str) -> None:
    """Create the file 0600 from the start (never a moment readable by others), then rename."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def youtube_credentials(cfg: Config):  # noqa: ANN201 - google.oauth2.credentials.Credentials
    from google.oauth2.credentials import Credentials

    path = cfg.publish.youtube.token_file
    check_token_file(cfg, path, LOGIN_YOUTUBE)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        for key in ("token", "refresh_token", "client_secret"):
            register_secret(info.get(key))
        # Built by hand: from_authorized_user_info always resets token_uri to Google's endpoint,
        # and the configured one (the emulator's, in the demo and tests) must be kept.
        expiry = info.get("expiry")
        creds = Credentials(
            token=info.get("token"), refresh_token=info.get("refresh_token"),
            token_uri=cfg.publish.youtube.token_uri, client_id=info.get("client_id"),
            client_secret=info.get("client_secret"), scopes=info.get("scopes") or list(YOUTUBE_SCOPES),
            expiry=datetime.strptime(expiry.rstrip("Z").split(".")[0], "%Y-%m-%dT%H:%M:%S") if expiry else None)
        if not creds.token and not creds.refresh_token:
            raise KeyError("token")
    except (ValueError, KeyError, TypeError) as exc:
        raise AuthError(f"token file {path} is not a valid YouTube token ({type(exc).__name__})",
                        hint=f"run `{LOGIN_YOUTUBE}` again") from None
    return creds


def facebook_token(cfg: Config) -> str:
    fb = cfg.publish.facebook
    return pasted_token(cfg, "Facebook Page token", fb.token_env, fb.token_file, LOGIN_FACEBOOK)


def pasted_token(cfg: Config, what: str, env: str, path: Path, login: str) -> str:
    """A token from $env, else from its 0600 file outside the project (written by `login`)."""
    token = os.environ.get(env, "").strip()
    if not token:
        if not path.is_file():
            raise AuthError(f"no {what}: ${env} is empty and {path} does not exist",
                            hint=f"run `{login}` (it stores a token you paste), or set ${env}")
        check_token_file(cfg, path, login)
        token = path.read_text(encoding="utf-8").strip()
    register_secret(token)
    return token


def preflight(cfg: Config, platforms: list[str]) -> tuple[list[str], list[str]]:
    """(problems, notes) about the accounts the calendars need, read from this machine only: token files
    present, outside the project and 0600, the YouTube OAuth client, the Facebook Page id. No token is read
    aloud: only paths and modes are named."""
    problems: list[str] = []
    notes: list[str] = []
    if "youtube" in platforms:
        yt = cfg.publish.youtube
        try:
            check_token_file(cfg, yt.token_file, LOGIN_YOUTUBE)
        except AuthError as exc:
            problems.append(f"youtube: {exc.message} ({exc.hint})")
        if not yt.client_secrets_file.is_file():
            (problems if not yt.token_file.is_file() else notes).append(
                f"youtube: no OAuth client file at {yt.client_secrets_file}: `{LOGIN_YOUTUBE}` needs it (create an "
                "OAuth client of type Desktop app in the Google Cloud console and save its JSON there)")
    if "facebook" in platforms:
        fb = cfg.publish.facebook
        if os.environ.get(fb.token_env, "").strip():
            notes.append(f"facebook: the Page token comes from ${fb.token_env}")
        else:
            try:
                if not fb.token_file.is_file():
                    raise AuthError(f"no Facebook Page token: ${fb.token_env} is empty and {fb.token_file} does "
                                    "not exist", hint=f"run `{LOGIN_FACEBOOK}`, or set ${fb.token_env}")
                check_token_file(cfg, fb.token_file, LOGIN_FACEBOOK)
            except AuthError as exc:
                problems.append(f"facebook: {exc.message} ({exc.hint})")
    return problems, notes


# ------------------------------------------------------------------ login

def login_youtube(cfg: Config, headless: bool, ask: Callable[[str], str] = input,
                  say: Callable[[str], None] = print) -> Path:
    """OAuth installed-app flow; headless prints the URL and reads back the redirect URL pasted."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    yt = cfg.publish.youtube
    if not yt.client_secrets_file.is_file():
        raise PipelineError(f"no OAuth client file at {yt.client_secrets_file}",
                            hint="create an OAuth client (Desktop app) in the Google Cloud console, download its "
                                 "JSON there, then run this again")
    flow = InstalledAppFlow.from_client_secrets_file(str(yt.client_secrets_file), scopes=list(YOUTUBE_SCOPES))
    if yt.token_uri:
        flow.client_config["token_uri"] = yt.token_uri
    if headless:
        flow.redirect_uri = "http://localhost:8765/"
        url, _ = flow.authorization_url(access_type="offline", prompt="consent")
        say(f"Open this address in a browser on any machine and allow access:\n  {url}\n"
            "The browser then fails to open a localhost page: copy the whole address it shows.")
        flow.fetch_token(authorization_response=ask("Paste that address here: ").strip())
        creds = flow.credentials
    else:
        creds = flow.run_local_server(host="localhost", port=0, open_browser=True,
                                      authorization_prompt_message="Allow access in the browser window: {url}",
                                      success_message="Done: you can close this window.")
    for s in (creds.token, creds.refresh_token, getattr(creds, "client_secret", None)):
        register_secret(s)
    write_token_file(yt.token_file, creds.to_json())
    return yt.token_file


def login_facebook(cfg: Config, ask: Callable[[str], str] | None = None) -> Path:
    """Store a Page access token pasted by the user (Graph API Explorer or Business settings)."""
    return login_token(cfg.publish.facebook.token_file, "Page access token (not shown): ", ask)


def login_token(path: Path, prompt: str, ask: Callable[[str], str] | None = None) -> Path:
    """Store a token pasted by the user (asked without echo) in a 0600 file; returns the file."""
    import getpass

    token = (ask or getpass.getpass)(prompt).strip()
    if not token:
        raise PipelineError("no token given", hint="paste the token, or set the environment variable")
    register_secret(token)
    write_token_file(path, token + "\n")
    return path


def auth_error(platform: str, detail: str) -> AuthError:
    fix = LOGIN_YOUTUBE if platform == "youtube" else LOGIN_FACEBOOK
    return AuthError(f"{platform}: the token was refused ({redact(detail)[:160]}): it has expired or was revoked",
                     hint=f"run `{fix}`, then run the same command again")

