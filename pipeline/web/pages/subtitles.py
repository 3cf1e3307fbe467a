"""Sous-titres: a track's cues beside its video, edited, checked as you type, approved.

Every check and every write is the library's: lint is `captions.lint` (what `webseries subtitles
lint` runs), saving is `captions.editing.save` (the CLI's SRT/VTT writer, refused when the file
changed since the page was opened), approving is `captions.review.approve` with the reviewer's
name. Translations (every language but French) open in translator mode: the French beside each
slot, the Bambara letters, the template and the import (`subtitles_import.py`).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, RedirectResponse, Response

from pipeline import audit, jobs
from pipeline.captions import editing
from pipeline.captions.sheets import TODO, timecode
from pipeline.models import Episode
from pipeline.paths import subtitle_path
from pipeline.stages.subtitles_status import status
from pipeline.web.pages import subtitle_track as track
from pipeline.web.pages import subtitles_import
from pipeline.web.pages.episode_rows import SUBTITLE_STATES
from pipeline.web.pages.subtitle_track import EDIT, REFERENCE, REVIEW, Posted
from pipeline.web.registry import ALL, Ctx, Page, route

STEPS = {"generated": "généré", "draft": "brouillon", "template": "modèle", "imported": "importé",
         "edited": "modifié", "approved": "approuvé"}
LETTERS = ("ɛ", "ɔ", "ɲ", "ŋ", "Ɛ", "Ɔ", "Ɲ", "Ŋ")
CONFLICT = ("Ce fichier a été modifié depuis que vous l'avez ouvert{who}. Rien n'a été enregistré : "
            "la page montre maintenant la version actuelle ; vos changements sont rappelés ci-dessous.")
NOTICES = {"saved": "Enregistré.", "approved": "Approuvé.", "taken": "La nouvelle version a remplacé la vôtre.",
           "kept": "Votre version est gardée ; la nouvelle version a été écartée.",
           "imported": "Fichier importé.", "slots": "Créneaux préparés : écrivez la traduction de chacun.",
           "render": "Rendu demandé : le lecteur apparaîtra quand il sera prêt."}


def _url(ep: Episode, lang: str, suffix: str = "") -> str:
    return f"/subtitles/{ep.id}/{lang}{suffix}"


@route("/subtitles", roles=ALL)
def index(ctx: Ctx) -> Response:
    rows = [r for r in status(ctx.cfg, ctx.store) if r.kind == "episode"]
    return ctx.render("subtitles_index.html", rows=rows, states=SUBTITLE_STATES, steps=STEPS)


def _page(ctx: Ctx, ep: Episode, lang: str, status_code: int = 200, posted: Posted | None = None,
          conflict: str = "", error: str = "") -> Response:
    cues, source, unreadable, version = track.read(ctx.cfg, ep, lang)
    french = track.reference(ctx.cfg, ep, lang)
    rules = track.rules(ctx.cfg, ep, lang)
    state = track.state(ctx.store, ep, lang)
    rendition = track.player(ctx.cfg, ctx.store, ep)
    unsaved = []
    if posted is not None and conflict:  # what the person typed that the file on disk does not say
        on_disk = {r.n: r.text for r in track.rows(cues, french)}
        unsaved = [r for r in posted.rows if on_disk.get(r.n) != r.text]
    shown = posted.rows if posted is not None and not conflict else track.rows(cues, french)
    problems = track.problems(posted.cues, rules, posted.numbers) if posted is not None and not conflict \
        else track.problems(cues, rules)
    notice = NOTICES.get(ctx.request.query_params.get("ok", ""), "")
    return ctx.render(
        "subtitles.html", status=status_code, ep=ep, lang=lang, lang_name=track.LANGUAGE_NAMES.get(lang, lang),
        translating=lang != REFERENCE, rows=shown, source=source, unreadable=unreadable, problems=problems,
        by_cue=track.by_cue(problems),
        errors=posted.errors if posted is not None and not conflict else {}, version=version,
        state=track.state_label(state), state_key=state,
        approved=track.approval(ctx.cfg, ctx.store, ep, lang, state), last=track.last_edit(ctx.cfg, ctx.store, ep, lang),
        rendition=rendition, render_job=None if rendition else track.render_job(ctx.store, ep),
        can_render=ctx.may(jobs.KINDS["transcode"].roles), has_master=ep.master.is_file(),
        can_edit=track.may_edit(ctx, lang), can_approve=ctx.may(REVIEW), letters=LETTERS,
        todo=sum(1 for r in shown if r.todo), rules=rules, diff=track.new_version(ctx.cfg, ep, lang),
        new_name=f"{lang}.new.srt", notice=notice, conflict=conflict, unsaved=unsaved, error=error,
        url=_url(ep, lang), timecode=timecode, oob=False)


@route("/subtitles/{episode}/{lang}", roles=ALL)
def show(ctx: Ctx) -> Response:
    ep, lang = track.episode_and_lang(ctx)
    return _page(ctx, ep, lang)


def _editable(ctx: Ctx) -> tuple[Episode, str]:
    """The episode and language of a change, if this person may change that language (else 403)."""
    ep, lang = track.episode_and_lang(ctx)
    if not track.may_edit(ctx, lang):
        raise HTTPException(403)
    return ep, lang


def _conflict(ctx: Ctx, ep: Episode, lang: str, posted: Posted | None = None) -> Response:
    who = track.last_edit(ctx.cfg, ctx.store, ep, lang)
    return _page(ctx, ep, lang, 409, posted, conflict=CONFLICT.format(who=f" ({who})" if who else ""))


@route("/subtitles/{episode}/{lang}/lint", roles=EDIT, methods=("POST",))
def check(ctx: Ctx) -> Response:
    """The form as typed, checked by the CLI's lint: the list of problems, and each cue's counters (htmx)."""
    ep, lang = _editable(ctx)
    posted = track.posted(ctx, lang, [])
    problems = track.problems(posted.cues, track.rules(ctx.cfg, ep, lang), posted.numbers)
    return ctx.render("_subtitle_lint.html", problems=problems, by_cue=track.by_cue(problems), errors=posted.errors,
                      rows=posted.rows, oob=True)


@route("/subtitles/{episode}/{lang}/save", roles=EDIT, methods=("POST",))
def save(ctx: Ctx) -> Response:
    ep, lang = _editable(ctx)
    posted = track.posted(ctx, lang, track.reference(ctx.cfg, ep, lang))
    if not posted.ok:
        error = "Rien n'a été enregistré : corrigez les lignes signalées." if posted.cues else \
            "Rien n'a été enregistré : il ne resterait aucun sous-titre."
        return _page(ctx, ep, lang, 400, posted, error=error)
    path = subtitle_path(ctx.cfg, ep.id, lang)
    try:
        editing.save(ctx.store, ep.id, lang, path, posted.cues, posted.version)
    except editing.EditConflict:
        return _conflict(ctx, ep, lang, posted)
    ctx.audit("edit", audit.target("subtitles", ep.id, lang), f"{len(posted.cues)} sous-titres")
    return RedirectResponse(_url(ep, lang, "?ok=saved"), status_code=303)


@route("/subtitles/{episode}/{lang}/approve", roles=REVIEW, methods=("POST",))
def approve(ctx: Ctx) -> Response:
    """Approve the file as the reviewer read it; lint problems need an explicit 'malgré les remarques'."""
    ep, lang = track.episode_and_lang(ctx)
    path = subtitle_path(ctx.cfg, ep.id, lang)
    cues, source, unreadable, _ = track.read(ctx.cfg, ep, lang)
    if source != "file" or unreadable:
        return _page(ctx, ep, lang, 400, error="Il n'y a pas encore de fichier lisible à approuver.")
    if any(c.text.strip() == TODO for c in cues):
        return _page(ctx, ep, lang, 400, error="Des créneaux restent « à traduire » : rien n'a été approuvé.")
    found = track.problems(cues, track.rules(ctx.cfg, ep, lang))
    if found and not ctx.field("force"):
        return _page(ctx, ep, lang, 400, error=f"{len(found)} remarque(s) restent : corrigez-les, ou cochez "
                                               "« approuver malgré les remarques ». Rien n'a été approuvé.")
    try:
        editing.approve(ctx.store, ep.id, lang, path, ctx.field("version"), by=track.person(ctx))
    except editing.EditConflict:
        return _conflict(ctx, ep, lang)
    ctx.audit("approve", audit.target("subtitles", ep.id, lang),
              f"{len(found)} remarque(s) acceptée(s)" if found else "")
    return RedirectResponse(_url(ep, lang, "?ok=approved"), status_code=303)


@route("/subtitles/{episode}/{lang}/new-version", roles=EDIT, methods=("POST",))
def settle(ctx: Ctx) -> Response:
    """Take the machine's `<lang>.new.srt` in place of the person's file, or keep theirs and drop it."""
    ep, lang = _editable(ctx)
    path = subtitle_path(ctx.cfg, ep.id, lang)
    choice = ctx.field("choice")
    if choice not in ("take", "keep"):
        return _page(ctx, ep, lang, 400, error="Choisissez : prendre la nouvelle version, ou garder la vôtre.")
    try:
        if choice == "take":
            editing.take_new(ctx.store, ep.id, lang, path, ctx.field("version"))
        else:
            editing.keep_mine(path, ctx.field("version"))
    except editing.EditConflict:
        return _conflict(ctx, ep, lang)
    ctx.audit("edit", audit.target("subtitles", ep.id, lang),
              f"nouvelle version {'prise' if choice == 'take' else 'écartée'} ({lang}.new.srt)")
    return RedirectResponse(_url(ep, lang, "?ok=taken" if choice == "take" else "?ok=kept"), status_code=303)


@route("/subtitles/{episode}/{lang}/waveform.png", roles=ALL)
def waveform(ctx: Ctx) -> Response:
    """The sound of the player's rendition (the master when there is none), drawn once per file version."""
    from pipeline.media.waveform import waveform as draw

    ep, _ = track.episode_and_lang(ctx)
    rendition = track.player(ctx.cfg, ctx.store, ep)
    source = rendition.path if rendition else ep.master
    if not source.is_file():
        raise HTTPException(404)
    picture = draw(source, ctx.cfg.project.build_dir / ".studio-waveforms")
    return FileResponse(picture, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@route("/subtitles/{episode}/{lang}/render", roles=jobs.KINDS["transcode"].roles, methods=("POST",))
def render(ctx: Ctx) -> Response:
    """No rendition to play yet: ask for the small one (a render job, as the Épisodes page starts them)."""
    ep, lang = track.episode_and_lang(ctx)
    if track.render_job(ctx.store, ep) is None:
        jobs.enqueue(ctx.cfg, ctx.store, "transcode", ep.id, {"profiles": [track.PLAYER_PROFILE]}, track.person(ctx))
    return RedirectResponse(_url(ep, lang, "?ok=render"), status_code=303)


PAGE = Page("subtitles", "Sous-titres", "/subtitles",
            routes=(index, waveform, check, save, approve, settle, render, *subtitles_import.routes(_page), show),
            links={"track": lambda episode, lang: f"/subtitles/{episode}/{lang}"})
