"""HTML for people: the screening kit's pages and the narrator's script, from Jinja templates.

Every page is one self-contained file (its style inside, no script needed to read it) that
prints cleanly and opens from a USB key: links are relative, and nothing points to the web.
Subtitle tracks are embedded as data: addresses, because Chromium refuses to load a <track>
from a file:// page ("file: URLs are treated as unique security origins") and would show none.
"""

from __future__ import annotations

import base64
from datetime import datetime

import jinja2

from pipeline.kits.sizes import human_duration

ENV = jinja2.Environment(loader=jinja2.PackageLoader("pipeline.kits", "templates"),
                         autoescape=jinja2.select_autoescape(("html",), default=False),
                         undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def timecode(seconds: float, tenths: bool = True) -> str:
    """01:02.5 (or 1:01:02.5): what the narrator reads on the guide video's clock."""
    s = max(0.0, seconds)
    h, rest = divmod(s, 3600)
    text = f"{int(rest // 60):02d}:{rest % 60:04.1f}" if tenths else f"{int(rest // 60):02d}:{int(rest % 60):02d}"
    return f"{int(h)}:{text}" if h else text


def french_number(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


ENV.filters["timecode"] = timecode
ENV.filters["duration"] = human_duration
ENV.filters["fr"] = french_number


def vtt_data_address(vtt: str) -> str:
    """A WebVTT file as a data: address, for a <track> that loads from file:// pages too."""
    return "data:text/vtt;charset=utf-8;base64," + base64.b64encode(vtt.encode("utf-8")).decode("ascii")


def render(template: str, **context: object) -> str:
    return ENV.get_template(template).render(**context)


def local_date(moment: datetime, zone: object) -> str:
    """12/01/2027 à 10:32, in the project's zone."""
    return moment.astimezone(zone).strftime("%d/%m/%Y à %H:%M")  # type: ignore[arg-type]
