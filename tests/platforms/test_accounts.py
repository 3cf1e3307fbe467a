"""Accounts: headless OAuth login against the emulator's token endpoint, token files, redaction."""

from __future__ import annotations

import json
import logging
import stat
from urllib.parse import parse_qs, urlsplit

import pytest
from publish_support import PublishProject, emulator, pp, publish_media  # noqa: F401

from pipeline.platforms import accounts
from pipeline.platforms.base import AuthError
from pipeline.platforms.emulator import Emulator
from pipeline.platforms.youtube import YouTube


def test_headless_login_writes_a_0600_token_that_works(pp: PublishProject, emulator: Emulator,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the emulator speaks http on 127.0.0.1
    (pp.home / "youtube-client.json").write_text(json.dumps({"installed": {
        "client_id": "emu-client", "client_secret": "emu-client-secret-x", "auth_uri": f"{emulator.url}/auth",
        "token_uri": f"{emulator.url}/token", "redirect_uris": ["http://localhost"]}}))
    (pp.home / "youtube-token.json").unlink()
    said: list[str] = []

    def ask(prompt: str) -> str:  # what the user pastes: the address the browser was sent to
        url = next(w for w in said[-1].split() if w.startswith("http"))
        state = parse_qs(urlsplit(url).query)["state"][0]
        return f"http://localhost:8765/?code=abc123&state={state}&scope=x"
    path = accounts.login_youtube(pp.cfg, headless=True, ask=ask, say=said.append)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["token"] == "emu-access-abc123"
    assert "abc123" not in said[-1]
    YouTube(pp.cfg).read_back("nothing")  # the saved token is accepted by the API


def test_token_inside_the_project_is_refused(pp: PublishProject) -> None:
    inside = pp.project.root / "token.json"
    inside.write_text("{}")
    inside.chmod(0o600)
    with pytest.raises(AuthError, match="inside the project folder"):
        accounts.check_token_file(pp.cfg, inside, accounts.LOGIN_YOUTUBE)


def test_missing_facebook_token_names_the_fix(pp: PublishProject) -> None:
    (pp.home / "facebook-page-token").unlink()
    with pytest.raises(AuthError) as exc:
        accounts.facebook_token(pp.cfg)
    assert "webseries publish login facebook" in exc.value.hint


def test_redaction_filter_hides_registered_and_shaped_secrets(caplog: pytest.LogCaptureFixture) -> None:
    accounts.register_secret("s3cret-token-value-123")
    log = logging.getLogger("pipeline.publish")
    with caplog.at_level(logging.INFO, logger="pipeline"):
        log.info("token %s", "s3cret-token-value-123")
        log.info("headers {'authorization': 'Bearer abcdefghijklmnop'} url ?access_token=EAAzzzzzzzz&x=1")
    assert "s3cret-token-value-123" not in caplog.text and "abcdefghijklmnop" not in caplog.text
    assert "EAAzzzzzzzz" not in caplog.text and caplog.text.count("[redacted]") == 3
