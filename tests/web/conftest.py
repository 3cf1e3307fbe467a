"""The `browser` fixture for the studio's page tests (helpers in browser_support.py)."""

from __future__ import annotations

import pytest

from tests.web.browser_support import CHROMIUM, FLAGS


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is not installed: `make setup` installs it (APT_PACKAGES)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()
