"""How a page declares itself: its routes, the roles each route allows, its links.

    @route("/episodes", roles=ALL)
    def episodes(ctx: Ctx) -> Response: ...

    PAGE = Page("episodes", "Épisodes", "/episodes", routes=(episodes, ...),
                links={"episode": lambda episode: f"/episodes/{episode}/edit"})

and one line in `pipeline/web/pages/__init__.py`. Every route names its roles (or is
`public`, only the login page); `guard.py` enforces them, a test walks every route x role.
Handlers are plain functions taking a `Ctx` (run in a thread: they may use the database).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pipeline import audit
from pipeline.config import Config
from pipeline.store import Store
from pipeline.config.studio import StudioConfig
from pipeline.users import ROLES, User

if TYPE_CHECKING:
    from starlette.datastructures import FormData
    from starlette.requests import Request
    from starlette.responses import Response

ALL: frozenset[str] = frozenset(ROLES)
ADMIN = frozenset({"admin"})


@dataclass(frozen=True)
class Ctx:
    """What a handler gets: the request, the project, the signed-in person, the parsed form."""

    request: Request
    cfg: Config
    studio: StudioConfig
    store: Store
    user: User | None          # None only on public routes
    csrf: str
    form: FormData | None
    render_page: Callable[..., Response]

    @property
    def zone(self) -> ZoneInfo:
        return self.cfg.project.zone

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        return self.render_page(self, template, status, values)

    def field(self, name: str, default: str = "") -> str:
        """A text field of the posted form ('' when absent; uploads are not text)."""
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else default

    def audit(self, action: str, target: str, detail: str = "") -> audit.Entry:
        assert self.user is not None
        return audit.record(self.store, self.user.name, action, target, detail)

    def may(self, roles: Iterable[str]) -> bool:
        return self.user is not None and self.user.role in roles


Handler = Callable[[Ctx], "Response"]


@dataclass(frozen=True)
class Route:
    path: str
    roles: frozenset[str]
    methods: tuple[str, ...]
    name: str
    handler: Handler
    public: bool = False


def route(path: str, roles: Iterable[str] = (), methods: Iterable[str] = ("GET",), name: str | None = None,
          public: bool = False) -> Callable[[Handler], Route]:
    """Declare a route; a route with no roles must say `public=True` (only the login page does)."""
    allowed = frozenset(roles)
    unknown = allowed - ALL
    if unknown or (not allowed and not public):
        raise ValueError(f"route {path}: roles must be some of {sorted(ALL)} (got {sorted(allowed)})")

    def declare(fn: Handler) -> Route:
        return Route(path, allowed, tuple(m.upper() for m in methods), name or fn.__name__, fn, public)
    return declare


@dataclass(frozen=True)
class Page:
    """A page of the studio: its nav entry (if `title`), its routes and the links it offers."""

    name: str
    title: str                   # "" = not in the navigation bar
    path: str
    routes: tuple[Route, ...]
    links: dict[str, Callable[..., str]] = field(default_factory=dict)

    @property
    def roles(self) -> frozenset[str]:
        """Who sees it: the roles of the route serving its own path."""
        return next((r.roles for r in self.routes if r.path == self.path and "GET" in r.methods), ALL)


TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
