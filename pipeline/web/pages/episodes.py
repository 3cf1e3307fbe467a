"""Épisodes: one row per episode, one column per stage, the actions this person's role allows
(render, recognise subtitles, make clips: each a job), and the episode form."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from pipeline import jobs
from pipeline.manifest import ID_PATTERN, MANIFEST
from pipeline.web.pages import episode_form
from pipeline.web.pages.episode_rows import rows
from pipeline.web.registry import ALL, Ctx, Page, Route, route

ACTIONS = ("transcode", "subtitles", "clips")  # job kinds started from an episode's row
RECENT_JOBS = 6  # shown above the table, live while one is active
BUTTONS = {"transcode": "Rendre", "subtitles": "Reconnaître les sous-titres", "clips": "Faire les extraits"}


@route("/episodes", roles=ALL)
def episodes(ctx: Ctx) -> Response:
    recent = jobs.recent(ctx.store, limit=RECENT_JOBS)
    return ctx.render("episodes.html", rows=rows(ctx.cfg, ctx.store), actions=ACTIONS, buttons=BUTTONS,
                      kinds=jobs.KINDS, saved=ctx.request.query_params.get("saved", ""),
                      can_edit=ctx.may(episode_form.EDIT_ROLES),
                      jobs=recent, polling=any(j.active for j in recent), limit=RECENT_JOBS)


def _starter(kind: str) -> Route:
    @route(f"/episodes/{{episode}}/jobs/{kind}", roles=jobs.KINDS[kind].roles, methods=("POST",), name=f"start_{kind}")
    def start(ctx: Ctx) -> Response:
        ep_id = ctx.request.path_params["episode"]
        if not ID_PATTERN.match(ep_id) or not (ctx.cfg.project.episodes_dir / ep_id / MANIFEST).is_file():
            raise HTTPException(404)
        options = {"force": True} if ctx.field("force") else {}
        job_id = jobs.enqueue(ctx.cfg, ctx.store, kind, ep_id, options, ctx.user.name)  # type: ignore[union-attr]
        return RedirectResponse(f"/episodes#job-{job_id}", status_code=303)
    return start


PAGE = Page("episodes", "Épisodes", "/episodes",
            routes=(episodes, *episode_form.ROUTES, *(_starter(k) for k in ACTIONS)),
            links={"edit": lambda episode: f"/episodes/{episode}/edit"})
