"""The studio's pages, in navigation order. Adding a page = a module with a PAGE, one line here."""

from __future__ import annotations

from pipeline.web import files
from pipeline.web.pages import episodes, jobs, login, subtitles
from pipeline.web.registry import Page

PAGES: tuple[Page, ...] = (
    login.PAGE,
    episodes.PAGE,
    subtitles.PAGE,
    jobs.PAGE,
    Page("media", "", "/media", routes=files.ROUTES),
)
