"""Statistiques, evaluators' side: field sheets (screenings, broadcasts) and survey exports imported
after a preview, and the KoboToolbox survey read as a job.

The preview is the import's own reading (`fieldwork.read`, `survey.read_file`): every row checked,
every bad row named, nothing stored; the confirmation is its `import_file` (one transaction).
Between the two, the file waits staged (`web.files.stage`), tied to the person and the kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from anyio import from_thread
from starlette.responses import RedirectResponse, Response

from pipeline import audit, jobs
from pipeline.errors import PipelineError
from pipeline.metrics import fieldwork, survey
from pipeline.metrics.survey import AGE_GROUPS, SEXES
from pipeline.metrics.titles import catalogue
from pipeline.web.files import UploadRefused, accept_upload, stage, staged, unstage
from pipeline.web.registry import Ctx, Route, route

KINDS = {"screenings": "projections", "broadcasts": "diffusions", "survey": "enquête avant / après"}
TYPES = (".xlsx", ".csv")
MAX_BYTES = 5_000_000        # a season of field sheets or a survey export is far smaller
PREVIEW_ROWS = 200


def _owner(ctx: Ctx, kind: str) -> dict[str, str]:
    return {"user": ctx.user.name if ctx.user else "", "kind": kind}  # type: ignore[union-attr]


def _kind(ctx: Ctx) -> str:
    kind = ctx.field("kind")
    if kind not in KINDS:
        raise PipelineError("Choisissez ce que contient le fichier (projections, diffusions ou enquête).",
                            hint="puis envoyez-le de nouveau")
    return kind


def _cell(value: object) -> str:
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _preview(ctx: Ctx, kind: str, path: Path) -> tuple[list[str], list[list[str]], int, int]:
    """(headers, rows as shown, rows read, rows already imported) — raises PipelineError naming bad rows."""
    if kind == "survey":
        responses, _ = survey.read_file(ctx.cfg, path)
        have = {k for (k,) in ctx.store.db.execute("SELECT response_key FROM survey_responses")}
        rows = [["avant" if r.wave == "pre" else "après", SEXES.get(r.sex, r.sex), AGE_GROUPS.get(r.age_group, ""),
                 r.region, str(sum(1 for _, a in r.answers if a))] for r in responses]
        return (["Vague", "Sexe", "Âge", "Région", "Réponses données"], rows, len(responses),
                sum(r.key in have for r in responses))
    k = fieldwork.KINDS[kind]
    records, _ = fieldwork.read(k, path, catalogue(ctx.cfg))
    have = {key for (key,) in ctx.store.db.execute("SELECT row_key FROM field_records WHERE kind=?", (k.name,))}
    rows = [[_cell(getattr(r, c.key)) for c in k.columns] for r in records]
    return [c.header for c in k.columns], rows, len(records), sum(fieldwork.row_key(r) in have for r in records)


def routes(roles: Iterable[str]) -> tuple[Route, ...]:
    allowed = frozenset(roles)

    @route("/statistics/import", roles=allowed, methods=("POST",), name="statistics_preview")
    def preview(ctx: Ctx) -> Response:
        """Read and check the file; show what would be imported. Nothing is stored yet."""
        kind = _kind(ctx)
        upload = ctx.form.get("file") if ctx.form is not None else None
        try:
            sent = from_thread.run(accept_upload, upload, TYPES, MAX_BYTES)
        except UploadRefused as exc:
            return ctx.render("statistics_import.html", status=400, kind=kind, label=KINDS[kind], sent="",
                              problems=[f"{exc.message} ({exc.hint})" if exc.hint else exc.message], token="",
                              headers=[], rows=[], total=0, already=0)
        token, path = stage(ctx.cfg.project.build_dir, sent, _owner(ctx, kind))
        try:
            headers, rows, total, already = _preview(ctx, kind, path)
        except PipelineError as exc:
            unstage(path)
            problems = [p.strip() for p in exc.message.split(" | ")]
            return ctx.render("statistics_import.html", status=400, kind=kind, label=KINDS[kind], sent=sent.name,
                              problems=problems + ([exc.hint] if exc.hint else []), token="", headers=[], rows=[],
                              total=0, already=0)
        return ctx.render("statistics_import.html", kind=kind, label=KINDS[kind], sent=sent.name, problems=[],
                          token=token, headers=headers, rows=rows[:PREVIEW_ROWS], total=total, already=already)

    @route("/statistics/import/confirm", roles=allowed, methods=("POST",), name="statistics_import")
    def confirm(ctx: Ctx) -> Response:
        kind = _kind(ctx)
        path = staged(ctx.cfg.project.build_dir, ctx.field("upload"), _owner(ctx, kind))
        if kind == "survey":
            got = survey.import_file(ctx.cfg, ctx.store, path)
            rows, new, already = got.rows, got.new, got.already
        else:
            result = fieldwork.import_file(ctx.store, fieldwork.KINDS[kind], path, catalogue(ctx.cfg))
            rows, new, already = result.rows, result.new, result.already
        unstage(path)
        ctx.audit("import", audit.target("metrics", kind), f"{path.name} : {rows} ligne(s), {new} nouvelle(s)")
        return RedirectResponse(f"/statistics?imported={kind}:{new}:{already}", status_code=303)

    @route("/statistics/import/cancel", roles=allowed, methods=("POST",), name="statistics_import_cancel")
    def cancel(ctx: Ctx) -> Response:
        kind = _kind(ctx)
        unstage(staged(ctx.cfg.project.build_dir, ctx.field("upload"), _owner(ctx, kind)))
        return RedirectResponse("/statistics", status_code=303)

    @route("/statistics/kobo", roles=allowed, methods=("POST",), name="statistics_kobo")
    def kobo(ctx: Ctx) -> Response:
        """The survey's submissions through the KoboToolbox API, in a job (it may take a while on a slow line)."""
        job_id = jobs.enqueue(ctx.cfg, ctx.store, "kobo", "KoboToolbox", {}, ctx.user.name)  # type: ignore[union-attr]
        return RedirectResponse(f"/jobs#job-{job_id}", status_code=303)

    return preview, confirm, cancel, kobo
