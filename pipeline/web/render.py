"""Pages from Jinja2 templates, autoescaped: a title or a cue with `<script>` shows as text.

Every page gets the navigation (the pages this person's role may open), the CSRF token for its
forms and htmx requests, and filters that show times in the project's zone and sizes in MB.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse, Response

from pipeline.web.registry import STATIC, TEMPLATES, Ctx, Page

MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def local_time(value: datetime | None, zone: Any, style: str = "short") -> str:
    """12/01 10:32 (short) or 12 janv. 2027 10:32 (long), in the project's zone."""
    if value is None:
        return ""
    t = value.astimezone(zone)
    if style == "long":
        return f"{t.day} {MONTHS[t.month - 1]} {t.year} {t:%H:%M}"
    return t.strftime("%d/%m %H:%M")


def megabytes(size: float | None) -> str:
    return "" if size is None else f"{size / 1e6:.1f} Mo".replace(".", ",")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = round(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def decimal(value: float | None, digits: int = 1) -> str:
    """French decimals: 1,5."""
    return "" if value is None else f"{value:.{digits}f}".replace(".", ",")


@functools.lru_cache(maxsize=64)
def _static_version(name: str) -> str:
    path = STATIC / name
    return str(int(path.stat().st_mtime)) if path.is_file() else "0"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(megabytes=megabytes, duration=duration, decimal=decimal)
    env.globals["static"] = lambda name: f"/static/{name}?v={_static_version(name)}"
    return env


class Renderer:
    """Renders a template for a Ctx with the common values every page needs."""

    def __init__(self, pages: tuple[Page, ...], media_url: Any) -> None:
        self.env = environment()
        self.pages = pages
        self.media_url = media_url

    def link(self, ctx: Ctx, page: str, link: str, **params: str) -> str | None:
        """A link into another page if that page exists and this person may open it; else None."""
        for p in self.pages:
            if p.name == page and link in p.links and ctx.may(p.roles):
                return p.links[link](**params)
        return None

    def __call__(self, ctx: Ctx, template: str, status: int, values: dict[str, Any]) -> Response:
        zone = ctx.zone
        nav = [p for p in self.pages if p.title and ctx.may(p.roles)]
        html = self.env.get_template(template).render(
            user=ctx.user, csrf=ctx.csrf, nav=nav, here=ctx.request.url.path, series=ctx.cfg.project.series_title.fr,
            local=lambda v, style="short": local_time(v, zone, style),
            link=lambda page, link, **kw: self.link(ctx, page, link, **kw),
            media=lambda path, preview=False: self.media_url(ctx.cfg, Path(path), preview),
            may=ctx.may, **values)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
