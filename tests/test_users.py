"""`webseries users`: accounts with argon2 hashes, passwords never echoed or stored in clear."""

from __future__ import annotations

import io
import json
import sqlite3
import sys

import pytest

from pipeline.store import Store
from pipeline.users import authenticate
from tests.studio_support import ROOT


@pytest.fixture
def config(tmp_path):
    (tmp_path / "config.toml").write_text((ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "episodes").mkdir()
    return tmp_path / "config.toml"


def run(config, capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    from pipeline import cli

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(["--config", str(config), "users", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_passwd_remove(config, capsys, monkeypatch):
    assert run(config, capsys, monkeypatch, "add", "awa", "--role", "admin", "--password-stdin",
               stdin="une phrase de passe\n")[0] == 0
    code, out, err = run(config, capsys, monkeypatch, "add", "awa", "--role", "editor", "--password-stdin",
                         stdin="autre chose longue\n")
    assert code == 2 and "error: user 'awa' already exists" in err
    assert run(config, capsys, monkeypatch, "add", "ténin", "--role", "translator", "--password-stdin",
               stdin="mot de passe de Ténin\n")[0] == 0
    code, out, _ = run(config, capsys, monkeypatch, "list", "--json")
    assert [(u["name"], u["role"]) for u in json.loads(out)] == [("awa", "admin"), ("ténin", "translator")]
    db = config.parent / "build" / "pipeline.sqlite3"
    stored = sqlite3.connect(db).execute("SELECT password_hash FROM users WHERE name='awa'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "une phrase de passe" not in stored
    with Store(db) as store:
        assert authenticate(store, "awa", "une phrase de passe").role == "admin"
        assert authenticate(store, "awa", "mauvais") is None and authenticate(store, "nobody", "x" * 12) is None
    assert run(config, capsys, monkeypatch, "passwd", "awa", "--password-stdin", stdin="nouvelle phrase\n")[0] == 0
    with Store(db) as store:
        assert authenticate(store, "awa", "une phrase de passe") is None
        assert authenticate(store, "awa", "nouvelle phrase") is not None
    assert run(config, capsys, monkeypatch, "remove", "ténin")[0] == 0
    code, _, err = run(config, capsys, monkeypatch, "remove", "ténin")
    assert code == 2 and "no user named 'ténin'" in err


def test_bad_input_is_refused_with_a_hint(config, capsys, monkeypatch):
    code, _, err = run(config, capsys, monkeypatch, "add", "bob", "--role", "admin", "--password-stdin", stdin="court\n")
    assert code == 2 and "password too short" in err and "hint:" in err
    code, _, err = run(config, capsys, monkeypatch, "add", "../bob", "--role", "admin", "--password-stdin",
                       stdin="assez long vraiment\n")
    assert code == 2 and "invalid user name" in err
    code, _, err = run(config, capsys, monkeypatch, "add", "bob", "--role", "admin")  # no terminal, no --password-stdin
    assert code == 2 and "--password-stdin" in err
    assert json.loads(run(config, capsys, monkeypatch, "list", "--json")[1]) == []


def test_password_is_asked_twice_without_echo(config, capsys, monkeypatch):
    import getpass

    answers = iter(["premier essai long", "pas le même texte"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(answers))
    monkeypatch.setattr(sys, "stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    from pipeline import cli

    code = cli.main(["--config", str(config), "users", "add", "bob", "--role", "editor"])
    err = capsys.readouterr().err
    assert code == 2 and "the two passwords differ; nothing was changed" in err
    assert "premier essai" not in err
