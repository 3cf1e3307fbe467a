"""The studio's pages, in navigation order. Adding a page = a module with a PAGE, one line here."""

from __future__ import annotations

from pipeline.web import files
from pipeline.web.pages import calendar_page, episodes, jobs, login, statistics, subtitles
from pipeline.web.registry import Page

PAGES: tuple[Page, ...] = (
    login.PAGE,
    episodes.PAGE,
    subtitles.PAGE,
    calendar_page.PAGE,
    statistics.PAGE,
    jobs.PAGE,
    Page("media", "", "/media", routes=files.ROUTES),
)
