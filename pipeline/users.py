"""Studio accounts: a name, one role, an argon2 password hash (tables in the project database).

Roles say what a person may do in the studio (`webseries serve`); every web route names the
roles it allows. Passwords are hashed with argon2id (argon2-cffi's defaults, which follow the
RFC 9106 recommendation); the clear text is never stored, logged or echoed. Login sessions
and the login rate limit live in `pipeline/web/sessions.py`, the audit trail in `pipeline/audit.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipeline.errors import PipelineError
from pipeline.store import Store, utcnow

ROLES: dict[str, str] = {  # role -> what the studio calls it
    "admin": "Administration",
    "editor": "Montage",
    "communication": "Communication",
    "evaluation": "Évaluation",
    "translator": "Traduction",
}
ROLE_DUTIES: dict[str, str] = {  # shown in README and `users list`
    "admin": "everything, and accounts",
    "editor": "episodes, renders, subtitles, clips",
    "communication": "clips, calendar, publishing",
    "evaluation": "reads everything, statistics and their downloads",
    "translator": "Bambara subtitles (edit, import); reads episodes",
}
NAME_PATTERN = re.compile(r"^[\w.-]{1,40}$")
MIN_PASSWORD = 10
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    name: str
    role: str
    created_at: datetime

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


def _check_name(name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise PipelineError(f"invalid user name {name!r}",
                            hint="use letters, digits, '.', '-' or '_' (at most 40), e.g. awa or awa.traore")


def check_role(role: str) -> None:
    if role not in ROLES:
        raise PipelineError(f"unknown role {role!r}", hint=f"use one of: {', '.join(ROLES)}")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise PipelineError(f"password too short ({len(password)} characters)",
                            hint=f"use at least {MIN_PASSWORD} characters; a few words in a row are easy to remember")


def hash_password(password: str) -> str:
    check_password(password)
    return _HASHER.hash(password)


def add(store: Store, name: str, role: str, password: str) -> User:
    _check_name(name)
    check_role(role)
    digest = hash_password(password)
    if get(store, name):
        raise PipelineError(f"user {name!r} already exists",
                            hint=f"choose another name, or `webseries users passwd {name}` to change the password")
    now = utcnow().isoformat()
    with store.db:
        store.db.execute("INSERT INTO users VALUES (?,?,?,?,?)", (name, role, digest, now, now))
    return User(name, role, datetime.fromisoformat(now))


def get(store: Store, name: str) -> User | None:
    row = store.db.execute("SELECT name, role, created_at FROM users WHERE name=?", (name,)).fetchone()
    return User(row[0], row[1], datetime.fromisoformat(row[2])) if row else None


def all_users(store: Store) -> list[User]:
    return [User(r[0], r[1], datetime.fromisoformat(r[2]))
            for r in store.db.execute("SELECT name, role, created_at FROM users ORDER BY name")]


def remove(store: Store, name: str) -> None:
    """Delete the account and end its sessions at once."""
    if not get(store, name):
        raise PipelineError(f"no user named {name!r}", hint="`webseries users list` shows the accounts")
    with store.db:
        store.db.execute("DELETE FROM user_sessions WHERE user=?", (name,))
        store.db.execute("DELETE FROM users WHERE name=?", (name,))


def set_password(store: Store, name: str, password: str) -> None:
    """A new password ends every open session of that account."""
    if not get(store, name):
        raise PipelineError(f"no user named {name!r}", hint="`webseries users list` shows the accounts")
    digest = hash_password(password)
    with store.db:
        store.db.execute("UPDATE users SET password_hash=?, password_changed_at=? WHERE name=?",
                         (digest, utcnow().isoformat(), name))
        store.db.execute("DELETE FROM user_sessions WHERE user=?", (name,))


def set_role(store: Store, name: str, role: str) -> None:
    check_role(role)
    if not get(store, name):
        raise PipelineError(f"no user named {name!r}", hint="`webseries users list` shows the accounts")
    with store.db:
        store.db.execute("UPDATE users SET role=? WHERE name=?", (role, name))


# A hash to verify against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a real password, only for timing")


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user if the password is right, else None (unknown names take as long as wrong passwords)."""
    row = store.db.execute("SELECT password_hash FROM users WHERE name=?", (name,)).fetchone()
    try:
        _HASHER.verify(row[0] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if not row:
        return None
    if _HASHER.check_needs_rehash(row[0]):
        with store.db:
            store.db.execute("UPDATE users SET password_hash=? WHERE name=?", (_HASHER.hash(password), name))
    return get(store, name)
