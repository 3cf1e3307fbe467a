"""Translator mode's files: the template to download, and a translator's file imported after a preview.

The template is `stages.subtitles_templates.template` (what `webseries subtitles template` writes);
the preview is its `prepare_import` (the import's own reading and checks, nothing written) and
the confirmation its `import_file`. Between the two, the uploaded file waits under
build/.studio-uploads/<random token>/, tied to the person who sent it and to the track.
"""

from __future__ import annotations

from collections.abc import Callable

from anyio import from_thread
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, RedirectResponse, Response

from pipeline import audit
from pipeline.captions.bambara import LOOKALIKES
from pipeline.errors import PipelineError
from pipeline.models import Episode
from pipeline.stages.subtitles_templates import import_file, prepare_import, template
from pipeline.web.files import UploadRefused, accept_upload, stage, staged, unstage
from pipeline.web.pages import subtitle_track as track
from pipeline.web.pages.subtitle_track import EDIT, REFERENCE
from pipeline.web.pages.subtitle_words import lookalike, problem
from pipeline.web.registry import Ctx, Route, route

IMPORT_TYPES = (".csv", ".xlsx", ".srt")
IMPORT_MAX_BYTES = 2_000_000            # hours of subtitles; a larger file is not a subtitle file
TEMPLATE_TYPES = {"srt": "application/x-subrip", "csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
BAMBARA_LETTERS = frozenset("ɛɔɲŋƐƆƝŊ")

PageRenderer = Callable[..., Response]


def _translation(ctx: Ctx) -> tuple[Episode, str]:
    ep, lang = track.episode_and_lang(ctx)
    if lang == REFERENCE:
        raise HTTPException(404)  # the French is recognised or edited, not translated
    if not track.may_edit(ctx, lang):
        raise HTTPException(403)
    return ep, lang


def _owner(ctx: Ctx, ep: Episode, lang: str) -> dict[str, str]:
    return {"user": track.person(ctx), "asset": ep.id, "lang": lang}


def marked(text: str) -> list[tuple[str, str]]:
    """The text in runs: ("b", "ɛ") for a Bambara letter, ("x", "è") for a look-alike, ("", ...) for the rest."""
    out: list[tuple[str, str]] = []
    for ch in text:
        kind = "b" if ch in BAMBARA_LETTERS else "x" if ch in LOOKALIKES else ""
        if out and out[-1][0] == kind and not kind:
            out[-1] = (kind, out[-1][1] + ch)
        else:
            out.append((kind, ch))
    return out


def routes(page: PageRenderer) -> tuple[Route, ...]:
    """This module's routes; `page` renders the track page (subtitles.py) with a message."""

    @route("/subtitles/{episode}/{lang}/template", roles=EDIT, methods=("POST",), name="subtitles_template")
    def download(ctx: Ctx) -> Response:
        """The template in the format asked, as `webseries subtitles template` writes it, downloaded."""
        ep, lang = _translation(ctx)
        fmt = ctx.field("format")
        if fmt not in TEMPLATE_TYPES:
            return page(ctx, ep, lang, 400, error="Format de modèle inconnu (SRT, CSV ou XLSX).")
        try:
            result = template(ctx.cfg, ctx.store, ep, lang, (fmt,))
        except PipelineError as exc:
            return page(ctx, ep, lang, 400, error=f"Le modèle n'a pas pu être fait : {exc.message}")
        made = next(p for p in result.files if p.suffix == f".{fmt}" and ".reference-" not in p.name)
        ctx.audit("create", audit.target("subtitles", ep.id, lang), f"modèle {made.name}")
        return FileResponse(made, media_type=TEMPLATE_TYPES[fmt], filename=f"{ep.id}.{made.name}")

    @route("/subtitles/{episode}/{lang}/slots", roles=EDIT, methods=("POST",), name="subtitles_slots")
    def slots(ctx: Ctx) -> Response:
        """Slots to translate on the page itself: the SRT template, read back as the track's rows."""
        ep, lang = _translation(ctx)
        try:
            template(ctx.cfg, ctx.store, ep, lang, ("srt",))
        except PipelineError as exc:
            return page(ctx, ep, lang, 400, error=f"Les créneaux n'ont pas pu être préparés : {exc.message}")
        return RedirectResponse(f"/subtitles/{ep.id}/{lang}?ok=slots", status_code=303)

    @route("/subtitles/{episode}/{lang}/import", roles=EDIT, methods=("POST",), name="subtitles_preview")
    def preview(ctx: Ctx) -> Response:
        """Read and check the file a translator sent; show what would be imported. Nothing is written yet."""
        ep, lang = _translation(ctx)
        upload = ctx.form.get("file") if ctx.form is not None else None
        try:
            sent = from_thread.run(accept_upload, upload, IMPORT_TYPES, IMPORT_MAX_BYTES)
        except UploadRefused as exc:
            return page(ctx, ep, lang, 400, error=f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
        token, path = stage(ctx.cfg.project.build_dir, sent, _owner(ctx, ep, lang))
        ready = prepare_import(ctx.cfg, ep.id, lang, path, track.rules(ctx.cfg, ep, lang).fps)
        french = track.reference(ctx.cfg, ep, lang)
        return ctx.render("subtitles_import.html", ep=ep, lang=lang, lang_name=track.LANGUAGE_NAMES.get(lang, lang),
                          sent=sent.name, ready=ready, token=token, problems=[problem(p) for p in ready.problems],
                          flagged=[lookalike(f) for f in ready.flagged],
                          rows=track.rows(list(ready.cues), french),
                          lint=[track.problem(v, v.cue) for v in ready.violations], marked=marked,
                          replaces=track.read(ctx.cfg, ep, lang)[1] == "file", url=f"/subtitles/{ep.id}/{lang}")

    @route("/subtitles/{episode}/{lang}/import/confirm", roles=EDIT, methods=("POST",), name="subtitles_import")
    def confirm(ctx: Ctx) -> Response:
        ep, lang = _translation(ctx)
        path = staged(ctx.cfg.project.build_dir, ctx.field("upload"), _owner(ctx, ep, lang))
        result = import_file(ctx.cfg, ctx.store, ep.id, lang, path, track.rules(ctx.cfg, ep, lang).fps)
        unstage(path)
        ctx.audit("import", audit.target("subtitles", ep.id, lang), f"{path.name} : {result.cues} sous-titres")
        return RedirectResponse(f"/subtitles/{ep.id}/{lang}?ok=imported", status_code=303)

    @route("/subtitles/{episode}/{lang}/import/cancel", roles=EDIT, methods=("POST",), name="subtitles_import_cancel")
    def cancel(ctx: Ctx) -> Response:
        ep, lang = _translation(ctx)
        unstage(staged(ctx.cfg.project.build_dir, ctx.field("upload"), _owner(ctx, ep, lang)))
        return RedirectResponse(f"/subtitles/{ep.id}/{lang}", status_code=303)

    return download, slots, preview, confirm, cancel
