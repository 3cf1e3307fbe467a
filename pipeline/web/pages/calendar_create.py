"""Calendrier: a new release (asset, time, platforms, subtitles, texts) appended to a calendar file.

The new [[release]] goes through the calendar's own parser and `releases.release_problems` before
the file is written (`schedule_edit.add_release`): a time past or too close, a title YouTube would
refuse, are said in French and nothing is written. What is merely missing (renditions, approved
subtitles) is fine: the release is "planned, not ready" until its upload is due.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from starlette.responses import RedirectResponse, Response

from pipeline import audit
from pipeline.errors import ConfigError, PipelineError
from pipeline.manifest import discover
from pipeline.paths import TRAILER, clips_dir
from pipeline.releases import PLATFORMS, Release, release_problems
from pipeline.schedule_edit import add_release
from pipeline.web.pages import calendar_view as view
from pipeline.web.registry import Ctx, Route, route

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")
LANGS = ("fr", "bm")


def _assets(ctx: Ctx) -> list[str]:
    """Episodes (by folder), their clips made so far, and the trailer: what a release may name."""
    out = []
    for folder in discover(ctx.cfg.project.episodes_dir):
        out.append(folder.name)
        folder_clips = clips_dir(ctx.cfg, folder.name)
        out += sorted({p.stem.split(".")[0] for p in folder_clips.glob(f"{folder.name}-clip*.mp4")}) \
            if folder_clips.is_dir() else []
    return [*out, TRAILER]


def _calendars(ctx: Ctx) -> list[str]:
    return [p.stem for p in sorted(ctx.cfg.project.schedules_dir.glob("*.toml"))] or ["saison1"]


def _form(ctx: Ctx, values: dict, errors: list[str], status: int = 200) -> Response:
    return ctx.render("calendar_new.html", status=status, form=values, errors=errors, assets=_assets(ctx),
                      calendars=_calendars(ctx), platforms=PLATFORMS, names=view.PLATFORM_NAMES, langs=LANGS)


def new_form(ctx: Ctx) -> Response:
    at = ctx.request.query_params.get("date", "")
    return _form(ctx, {"at": f"{at}T18:00" if re.fullmatch(r"\d{4}-\d\d-\d\d", at) else "", "calendar": "",
                       "asset": "", "id": "", "platforms": list(PLATFORMS[:2]), "subtitles": ["fr"]}, [])


def create(ctx: Ctx) -> Response:
    form = ctx.form
    assert form is not None
    values = {k: ctx.field(k).strip() for k in ("calendar", "asset", "id", "at")}
    values["platforms"] = [p for p in form.getlist("platforms") if p in PLATFORMS]
    values["subtitles"] = [lang for lang in form.getlist("subtitles") if lang in LANGS]
    for p in PLATFORMS:
        values[f"{p}.title"], values[f"{p}.description"] = ctx.field(f"{p}.title"), ctx.field(f"{p}.description")
    errors = []
    if not NAME.fullmatch(values["calendar"]):
        errors.append("nom de calendrier : lettres minuscules, chiffres, - et _ (ex. saison1)")
    if values["id"] and not NAME.fullmatch(values["id"]):
        errors.append("identifiant : lettres minuscules, chiffres, - et _ (ex. ep01-facebook)")
    if not values["asset"]:
        errors.append("choisissez ce qui est diffusé (épisode, extrait ou bande-annonce)")
    if not values["platforms"]:
        errors.append("choisissez au moins une plateforme")
    try:
        at = datetime.fromisoformat(values["at"]).replace(tzinfo=None, second=0, microsecond=0)
    except ValueError:
        errors.append("la date et l'heure ne sont pas lisibles")
    if errors:
        return _form(ctx, values, errors, 400)
    rid = values["id"] or values["asset"]
    if any(e.release.id == rid for e in view.load_plan(ctx.cfg, ctx.store).entries):
        return _form(ctx, values, [f"une diffusion « {rid} » existe déjà : donnez-lui un autre identifiant"], 400)
    fields: dict = {**({"id": values["id"]} if values["id"] else {}), "asset": values["asset"], "at": at,
                    "platforms": values["platforms"], "subtitles": values["subtitles"]}
    for p in values["platforms"]:
        texts = {k: values[f"{p}.{k}"].strip() for k in ("title", "description") if values[f"{p}.{k}"].strip()}
        if texts:
            fields[p] = texts

    def accept(rel: Release) -> None:
        problems, _ = release_problems(ctx.cfg, ctx.store, rel, None, datetime.now(UTC))
        if problems:
            raise ConfigError(problems, hint="nothing was written")
    file = ctx.cfg.project.schedules_dir / f"{values['calendar']}.toml"
    try:
        add_release(ctx.cfg, file, fields, accept)
    except ConfigError as exc:
        where = re.compile(r"^[^:]+: (release '[^']*'|release\[\d+\]\.)[: ]*")
        return _form(ctx, values, [view.in_french(where.sub("", p)) for p in exc.problems], 400)
    except PipelineError as exc:
        return _form(ctx, values, [exc.message], 400)
    for p in values["platforms"]:
        ctx.audit("schedule", audit.target("release", rid, p), f"{at:%d/%m %H:%M} · {file.name}")
    return RedirectResponse(f"/calendar?month={at:%Y-%m}&done=create", status_code=303)


ROUTES: tuple[Route, ...] = (route("/calendar/new", roles=view.ACT, name="new_release")(new_form),
                             route("/calendar/new", roles=view.ACT, methods=("POST",), name="create_release")(create))
