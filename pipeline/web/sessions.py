"""Login sessions (server-side) and the login rate limit, in the project database.

The browser holds only a random token (HttpOnly, SameSite=Lax cookie; Secure over https);
the table keeps its SHA-256, the user, the session's CSRF token and when it was last used.
Logging out, removing the account or changing its password deletes the row: the cookie is
then worth nothing. Failed logins are counted per account and per client address over a
window, so guessing is slow from one machine and against one account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipeline import users
from pipeline.store import Store, utcnow
from pipeline.config.studio import StudioConfig
from pipeline.users import User

COOKIE = "studio_session"
LOGIN_COOKIE = "studio_login"   # CSRF token of the login form (no session yet)
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def open_session(store: Store, user: User, address: str) -> tuple[str, Session]:
    """A fresh token for the cookie (only its digest is stored) and the session's CSRF token."""
    token, csrf = new_token(), new_token()
    now = utcnow().isoformat()
    with store.db:
        store.db.execute("INSERT INTO user_sessions VALUES (?,?,?,?,?,?)",
                         (_digest(token), user.name, csrf, now, now, address))
    return token, Session(user, csrf)


def lookup(store: Store, token: str | None, s: StudioConfig) -> Session | None:
    if not token:
        return None
    row = store.db.execute("SELECT user, csrf, last_seen FROM user_sessions WHERE token_sha256=?",
                           (_digest(token),)).fetchone()
    if not row:
        return None
    now = utcnow()
    last = datetime.fromisoformat(row[2])
    if now - last > timedelta(hours=s.session_hours):
        close_session(store, token)
        return None
    user = users.get(store, row[0])
    if user is None:
        return None
    if now - last > TOUCH_EVERY:
        with store.db:
            store.db.execute("UPDATE user_sessions SET last_seen=? WHERE token_sha256=?", (now.isoformat(), _digest(token)))
    return Session(user, row[1])


def close_session(store: Store, token: str) -> None:
    with store.db:
        store.db.execute("DELETE FROM user_sessions WHERE token_sha256=?", (_digest(token),))


# ------------------------------------------------------------------ rate limit

def refusal(store: Store, name: str, address: str, s: StudioConfig) -> str | None:
    """A French sentence when this account or address has failed too often lately, else None."""
    since = utcnow() - timedelta(minutes=s.login_window_minutes)
    for column, value, limit, what in (("user", name, s.login_failures_per_user, "ce compte"),
                                       ("address", address, s.login_failures_per_address, "cette machine")):
        rows = store.db.execute(f"SELECT at FROM login_failures WHERE {column}=? AND at>=? ORDER BY at",  # noqa: S608
                                (value, since.isoformat())).fetchall()
        if len(rows) >= limit:
            free = datetime.fromisoformat(rows[len(rows) - limit][0]) + timedelta(minutes=s.login_window_minutes)
            minutes = max(1, int((free - utcnow()).total_seconds() // 60) + 1)
            return (f"Trop de tentatives de connexion pour {what}. Réessayez dans {minutes} minute"
                    f"{'s' if minutes > 1 else ''}, ou demandez à un administrateur de vérifier votre mot de passe.")
    return None


def record_failure(store: Store, name: str, address: str) -> None:
    with store.db:
        store.db.execute("INSERT INTO login_failures VALUES (?,?,?)", (utcnow().isoformat(), name, address))
        store.db.execute("DELETE FROM login_failures WHERE at < ?", ((utcnow() - timedelta(days=1)).isoformat(),))


def clear_failures(store: Store, name: str) -> None:
    with store.db:
        store.db.execute("DELETE FROM login_failures WHERE user=?", (name,))
