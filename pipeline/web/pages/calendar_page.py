"""Calendrier: the month and week views of every release, a release's own page, and the changes a
communications officer makes (move by drag or form, cancel, restore, create).

Every change goes through the publish stage's own functions (`publish.move`/`cancel`/`restore`:
the calendar file rewritten with its comments, then the platforms). It is checked here first with
`releases.release_problems`, so a refusal (a time past, a release already public) is said at once,
in French, with nothing written. A release already on a platform changes there through a job
(`publish-change`): the request never waits on a platform. Translators have no business with the
publication plan: the calendar is closed to them (403); editors and evaluators read it.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from pipeline import audit, jobs, ledger
from pipeline.errors import ConfigError
from pipeline.releases import Release, release_problems
from pipeline.stages import publish
from pipeline.web.pages import calendar_view as view
from pipeline.web.pages.calendar_create import ROUTES as CREATE
from pipeline.web.pages.episode_rows import RELEASE_STATES
from pipeline.web.registry import Ctx, Page, route

READ, ACT = view.READ, view.ACT
DELETE = frozenset({"admin"})
DELETE_WORD = "SUPPRIMER"
CHANGE = "publish-change"


def release_link(release: str, platform: str = "") -> str:
    return f"/calendar/releases/{quote(release, safe='')}" + (f"?platform={quote(platform)}" if platform else "")


def _values(ctx: Ctx, plan: view.Plan) -> dict:
    q = ctx.request.query_params
    pending = {j.target: j for j in jobs.recent(ctx.store, limit=50) if j.kind == CHANGE and j.active}
    return {"pending": pending, "fr": view.in_french, "plan": plan, "weekdays": view.WEEKDAYS,
            "names": view.PLATFORM_NAMES, "release_link": release_link, "can_act": ctx.may(ACT),
            "done": q.get("done", ""), "job": q.get("job", ""), "states": RELEASE_STATES}


@route("/calendar", roles=READ)
def month(ctx: Ctx) -> Response:
    today = datetime.now(UTC).astimezone(ctx.zone).date()
    y, m = view.parse_month(ctx.request.query_params.get("month", ""), today)
    first, last = view.month_bounds(y, m)
    plan = view.load_plan(ctx.cfg, ctx.store)
    prev, nxt = (date(y, m, 1) - timedelta(days=1)), (date(y, m, 28) + timedelta(days=4))
    return ctx.render("calendar.html", mode="month", days=plan.days(first, last, m, today),
                      heading=f"{view.MONTH_NAMES[m - 1]} {y}", here_url=f"/calendar?month={y}-{m:02d}",
                      prev_url=f"/calendar?month={prev:%Y-%m}", next_url=f"/calendar?month={nxt:%Y-%m}",
                      other_url=f"/calendar/week?week={max(first, date(y, m, 1)):%Y-%m-%d}", **_values(ctx, plan))


@route("/calendar/week", roles=READ)
def week(ctx: Ctx) -> Response:
    today = datetime.now(UTC).astimezone(ctx.zone).date()
    monday = view.parse_week(ctx.request.query_params.get("week", ""), today)
    sunday = monday + timedelta(days=6)
    plan = view.load_plan(ctx.cfg, ctx.store)
    heading = f"semaine du {monday.day} {view.MONTH_NAMES[monday.month - 1]} au {sunday.day} " \
              f"{view.MONTH_NAMES[sunday.month - 1]} {sunday.year}"
    return ctx.render("calendar.html", mode="week", days=plan.days(monday, sunday, None, today), heading=heading,
                      here_url=f"/calendar/week?week={monday}", prev_url=f"/calendar/week?week={monday - timedelta(7)}",
                      next_url=f"/calendar/week?week={monday + timedelta(7)}",
                      other_url=f"/calendar?month={monday:%Y-%m}", **_values(ctx, plan))


def _entry(ctx: Ctx) -> view.Entry:
    found = view.load_plan(ctx.cfg, ctx.store).entry(ctx.request.path_params["release"])
    if found is None:
        raise HTTPException(404)
    return found


@route("/calendar/releases/{release}", roles=READ)
def release_page(ctx: Ctx) -> Response:
    plan = view.load_plan(ctx.cfg, ctx.store)
    entry = plan.entry(ctx.request.path_params["release"])
    if entry is None:
        raise HTTPException(404)
    rid = entry.release.id
    history = {r.platform: [(datetime.fromisoformat(at), state, detail) for at, state, detail in
                            ledger.events(ctx.store, rid, r.platform)] for r in entry.rows}
    trail = [a for a in audit.history(ctx.store, audit.target("release", rid) + ":", limit=100)]
    changes = [j for j in jobs.recent(ctx.store, limit=50) if j.kind == CHANGE and j.target == rid][:5]
    return ctx.render("calendar_release.html", entry=entry, history=history, trail=trail, changes=changes,
                      emulated=view.emulated(ctx.cfg), platform=ctx.request.query_params.get("platform", ""),
                      refresh=any(j.active for j in changes), local_at=entry.release.publish_at.astimezone(
                          ZoneInfo(entry.release.zone)).strftime("%Y-%m-%dT%H:%M"),
                      can_delete=ctx.may(DELETE), delete_word=DELETE_WORD, zone=ctx.zone,
                      actions={"move": "déplacement", "cancel": "annulation", "restore": "rétablissement"},
                      back=release_link(rid), **_values(ctx, plan))


def _refused(ctx: Ctx, entry: view.Entry, changed: Release) -> Response | None:
    """The publish stage's own check of the changed release; its problems said in French (400)."""
    errors, _ = release_problems(ctx.cfg, ctx.store, changed, None, datetime.now(UTC))
    if not errors:
        return None
    where = f"{changed.calendar.name}: release {changed.id!r}: "
    said = [view.in_french(e.removeprefix(where)) for e in errors]
    return ctx.render("error.html", status=400, title="Changement refusé", message=" ".join(said),
                      hint="Rien n'a été modifié, ni dans le calendrier ni sur les plateformes.")


def _on_platform(ctx: Ctx, rel: Release) -> bool:
    return any((e := ledger.get(ctx.store, rel.id, t.platform)) is not None and bool(e.remote_id)
               for t in rel.targets)


def _apply(ctx: Ctx, entry: view.Entry, action: str, options: dict, detail: str) -> Response:
    """A job when a platform holds the release; else the calendar (and ledger) written now, in the request."""
    rel = entry.release
    job = ""
    if _on_platform(ctx, rel):
        job = str(jobs.enqueue(ctx.cfg, ctx.store, CHANGE, rel.id, {"action": action, **options},
                               ctx.user.name))  # type: ignore[union-attr]
    else:
        publishers = publish.default_publishers(ctx.cfg)
        if action == "move":
            publish.move(ctx.cfg, ctx.store, rel.id, datetime.fromisoformat(options["at"]), publishers)
        elif action == "restore":
            publish.restore(ctx.cfg, ctx.store, rel.id, publishers)
        else:
            publish.cancel(ctx.cfg, ctx.store, rel.id, publishers, delete=bool(options.get("delete")))
    verb = {"restore": "schedule"}.get(action, action)
    for t in rel.targets:
        ctx.audit(verb, audit.target("release", rel.id, t.platform), detail)
    back = ctx.field("back")
    back = back if back.startswith("/") and not back.startswith("//") else release_link(rel.id)
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}done={action}" + (f"&job={job}" if job else ""), status_code=303)


@route("/calendar/releases/{release}/move", roles=ACT, methods=("POST",))
def move(ctx: Ctx) -> Response:
    """`at` (the form: 2027-01-15T18:00, the release's zone) or `date` (a drop on a day: the same time)."""
    entry = _entry(ctx)
    rel = entry.release
    zone = ZoneInfo(rel.zone)
    current = rel.publish_at.astimezone(zone)
    try:
        if ctx.field("at"):
            at = datetime.fromisoformat(ctx.field("at")).replace(tzinfo=None, second=0, microsecond=0)
        else:
            at = datetime.combine(date.fromisoformat(ctx.field("date")), time(current.hour, current.minute))
    except ValueError:
        raise ConfigError(["la nouvelle date n'est pas lisible"], hint="choisissez une date et une heure") from None
    if at == current.replace(tzinfo=None, second=0, microsecond=0):
        return RedirectResponse(release_link(rel.id), status_code=303)
    changed = dataclasses.replace(rel, publish_at=at.replace(tzinfo=zone).astimezone(UTC))
    refused = _refused(ctx, entry, changed)
    if refused is not None:
        return refused
    return _apply(ctx, entry, "move", {"at": at.isoformat()},
                  f"{current:%d/%m %H:%M} → {at:%d/%m %H:%M}")


@route("/calendar/releases/{release}/cancel", roles=ACT, methods=("POST",))
def cancel(ctx: Ctx) -> Response:
    entry = _entry(ctx)
    delete = bool(ctx.field("delete"))
    if delete and not ctx.may(DELETE):
        raise HTTPException(403)
    if not ctx.field("confirm") or (delete and ctx.field("word").strip() != DELETE_WORD):
        word = f" et tapez {DELETE_WORD}" if delete else ""
        return ctx.render("error.html", status=400, title="Confirmation manquante",
                          message=f"Cochez la case de confirmation{word} pour annuler cette diffusion.",
                          hint="Rien n'a été modifié.")
    return _apply(ctx, entry, "cancel", {"delete": delete}, "supprimée des plateformes" if delete else "")


@route("/calendar/releases/{release}/restore", roles=ACT, methods=("POST",))
def restore(ctx: Ctx) -> Response:
    entry = _entry(ctx)
    refused = _refused(ctx, entry, dataclasses.replace(entry.release, cancel=False))
    if refused is not None:
        return refused
    return _apply(ctx, entry, "restore", {}, "rétablie")


PAGE = Page("calendar", "Calendrier", "/calendar",
            routes=(month, week, release_page, move, cancel, restore, *CREATE),
            links={"release": release_link, "month": lambda month: f"/calendar?month={month}"})
