"""Travaux: every job with its live progress (htmx polls the table every second while one is
active), and the cancel button for those who may start that kind of job."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from pipeline import jobs
from pipeline.web.registry import ALL, Ctx, Page, route

CANCEL_ROLES = frozenset().union(*(k.roles for k in jobs.KINDS.values()))


def job_values(ctx: Ctx) -> dict:
    """The jobs to list: `?limit=` (at most 200; 50 by default) newest first."""
    q = ctx.request.query_params
    raw = q.get("limit") or ctx.field("limit") or "50"
    limit = min(int(raw), 200) if raw.isdigit() and int(raw) > 0 else 50
    found = jobs.recent(ctx.store, limit=limit)
    return {"jobs": found, "kinds": jobs.KINDS, "polling": any(j.active for j in found), "limit": limit}


@route("/jobs", roles=ALL)
def jobs_page(ctx: Ctx) -> Response:
    return ctx.render("jobs.html", **job_values(ctx))


@route("/jobs/table", roles=ALL)
def jobs_table(ctx: Ctx) -> Response:
    """The table alone, for htmx polling."""
    return ctx.render("_jobs_table.html", **job_values(ctx))


@route("/jobs/{job_id:int}/cancel", roles=CANCEL_ROLES, methods=("POST",))
def cancel(ctx: Ctx) -> Response:
    job = jobs.get(ctx.store, ctx.request.path_params["job_id"])
    if job is None:
        raise HTTPException(404)
    if not ctx.may(jobs.KINDS[job.kind].roles):
        raise HTTPException(403)
    jobs.cancel(ctx.cfg, ctx.store, job.job_id, ctx.user.name)  # type: ignore[union-attr]
    if ctx.request.headers.get("HX-Request"):
        return ctx.render("_jobs_table.html", **job_values(ctx))
    back = ctx.field("back")
    return RedirectResponse(back if back.startswith("/") and not back.startswith("//") else "/jobs", status_code=303)


PAGE = Page("jobs", "Travaux", "/jobs", routes=(jobs_page, jobs_table, cancel),
            links={"job": lambda job_id: f"/jobs#job-{job_id}"})
