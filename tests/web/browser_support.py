"""Browser helpers for the studio's page tests: Debian's Chromium through Playwright.

Screenshots go to $WEBSERIES_SCREENSHOTS when set (`make screenshots` sets docs/screenshots, the
pictures README.md shows), else to a scratch folder, so a plain test run changes no tracked file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tests.studio_support import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("WEBSERIES_SCREENSHOTS") or Path(tempfile.gettempdir()) / "webseries-screenshots")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def shot(page, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def sign_in(browser, base: str, role: str = "editor", screenshot: str = ""):  # noqa: ANN001, ANN201
    """A new page signed in through the login form (asked for /episodes, sent to the login first)."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page.on("dialog", lambda d: d.accept())
    page.goto(base + "/episodes")
    assert "/login" in page.url
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORD.format(role=role))
    if screenshot:
        shot(page, screenshot)
    page.click("button:has-text('Se connecter')")
    page.wait_for_url(base + "/episodes")
    return page
