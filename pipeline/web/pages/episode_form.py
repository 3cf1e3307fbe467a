"""Create or edit an episode: the form writes episodes/<id>/episode.toml with tomlkit (comments
kept), after the CLI's own validation (`manifest.episode_from_data`); problems are shown in
French beside their fields and nothing is written. A file saved by someone else since the form
was opened is not overwritten."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from pipeline import audit, tomledit
from pipeline.errors import ConfigError
from pipeline.manifest import ID_PATTERN, MANIFEST, episode_from_data
from pipeline.models import LANGUAGES
from pipeline.web.messages import field_errors
from pipeline.web.registry import Ctx, route

EDIT_ROLES = frozenset({"admin", "editor"})
SPARE_ROWS = 2  # empty highlight rows offered below the existing ones
TEXT_KEYS = ("title.fr", "title.bm", "description.fr", "description.bm")


@dataclass(frozen=True)
class Highlight:
    start: str = ""
    end: str = ""
    label: str = ""
    use: str = "clip"


@dataclass(frozen=True)
class Form:
    """The form's values as text, as the person typed them (or as the file has them)."""

    id: str = ""
    number: str = ""
    texts: dict[str, str] = field(default_factory=dict)       # "title.fr" -> text
    languages: tuple[str, ...] = ("fr",)
    master: str = "master.mov"
    thumbnail_time: str = ""
    highlights: tuple[Highlight, ...] = ()
    digest: str = ""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def from_file(path: Path) -> Form:
    data = tomledit.load(path).unwrap()
    title, desc = data.get("title") or {}, data.get("description") or {}
    raw = data.get("highlights") or []
    lights = tuple(Highlight(_text(h.get("start")), _text(h.get("end")), _text(h.get("label")), _text(h.get("use") or "clip"))
                   for h in raw if isinstance(h, dict))
    langs = data.get("languages")
    return Form(_text(data.get("id")), _text(data.get("number")),
                {"title.fr": _text(title.get("fr")), "title.bm": _text(title.get("bm")),
                 "description.fr": _text(desc.get("fr")), "description.bm": _text(desc.get("bm"))},
                tuple(langs) if isinstance(langs, list) else ("fr",), _text(data.get("master")),
                _text(data.get("thumbnail_time")), lights, tomledit.digest(path))


def from_post(ctx: Ctx, ep_id: str) -> Form:
    f = ctx.field
    rows = []
    for i in range(int(f("rows") or 0) if (f("rows") or "0").isdigit() else 0):
        h = Highlight(f(f"h{i}_start").strip(), f(f"h{i}_end").strip(), f(f"h{i}_label").strip(), f(f"h{i}_use") or "clip")
        if h.start or h.end or h.label:
            rows.append(h)
    langs = tuple(lg for lg in LANGUAGES if ctx.form is not None and lg in ctx.form.getlist("languages"))
    return Form(ep_id, f("number").strip(), {k: f(k).strip() for k in TEXT_KEYS}, langs, f("master").strip(),
                f("thumbnail_time").strip(), tuple(rows), f("digest"))


def _number(text: str) -> Any:
    """What TOML should hold for what was typed: a number when it is one, else the text (the validator says why)."""
    t = text.replace(",", ".")
    try:
        return int(t) if t.lstrip("-").isdigit() else float(t)
    except ValueError:
        return text


def _time(existing: Any, typed: str) -> Any:
    from pipeline.manifest import parse_time

    if existing is not None and parse_time(existing) is not None and parse_time(existing) == parse_time(_number(typed)):
        return existing  # same instant, written the editor's way: leave it
    return _number(typed)


def apply(doc: tomlkit.TOMLDocument, form: Form) -> list[str]:
    """Put the form into the document; returns the keys that changed."""
    changed = []
    for key, value in (("id", form.id), ("number", _number(form.number)), ("master", form.master),
                       ("languages", list(form.languages)),
                       ("thumbnail_time", _time(doc.get("thumbnail_time"), form.thumbnail_time)
                        if form.thumbnail_time else None)):
        if tomledit.put(doc, key, value):
            changed.append(key)
    for key in TEXT_KEYS:
        table, lang = key.split(".")
        if tomledit.put(tomledit.subtable(doc, table), lang, form.texts.get(key, "")):
            changed.append(key)
    old = doc.get("highlights")
    old_items = list(old) if isinstance(old, list) else []
    if len(old_items) != len(form.highlights) or not isinstance(old, tomlkit.items.AoT):
        if form.highlights or "highlights" in doc:
            aot = tomlkit.aot()
            for h in form.highlights:
                t = tomlkit.table()
                t.update({"start": _number(h.start), "end": _number(h.end), "label": h.label, "use": h.use})
                aot.append(t)
            if "highlights" in doc:
                del doc["highlights"]
            if form.highlights:
                doc["highlights"] = aot
            changed.append("highlights")
    else:  # same count: change in place, keeping each table's comments
        for i, (t, h) in enumerate(zip(old, form.highlights, strict=True)):
            for key, value in (("start", _time(t.get("start"), h.start)), ("end", _time(t.get("end"), h.end)),
                               ("label", h.label), ("use", h.use)):
                if tomledit.put(t, key, value):
                    changed.append(f"highlights[{i + 1}].{key}")
    return changed


def _new_document(ctx: Ctx) -> tomlkit.TOMLDocument:
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Épisode créé dans le studio par {ctx.user.name if ctx.user else '?'}."))
    doc.add(tomlkit.comment("Modifiable ici ou dans le studio ; `webseries` le vérifie de la même façon."))
    return doc


def _render(ctx: Ctx, form: Form, creating: bool, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    rows = list(form.highlights) + [Highlight()] * SPARE_ROWS
    return ctx.render("episode_form.html", status=status, form=form, creating=creating, errors=errors or {},
                      rows=rows, languages=LANGUAGES)


@route("/episodes/new", roles=EDIT_ROLES, name="episode_new")
def new_form(ctx: Ctx) -> Response:
    return _render(ctx, Form(), creating=True)


@route("/episodes/{episode}/edit", roles=EDIT_ROLES, name="episode_edit")
def edit_form(ctx: Ctx) -> Response:
    folder = _folder(ctx, ctx.request.path_params["episode"])
    return _render(ctx, from_file(folder / MANIFEST), creating=False)


def _folder(ctx: Ctx, ep_id: str) -> Path:
    folder = ctx.cfg.project.episodes_dir / ep_id
    if not ID_PATTERN.match(ep_id) or not (folder / MANIFEST).is_file():
        raise HTTPException(404)
    return folder


def _save(ctx: Ctx, form: Form, path: Path, creating: bool) -> Response:
    if not creating and tomledit.digest(path) != form.digest:
        return _render(ctx, form, creating, {"": "Ce fichier a été modifié par quelqu'un d'autre depuis que vous "
                                             "l'avez ouvert. Rien n'a été enregistré : rechargez la page, puis "
                                             "refaites vos changements."}, 409)
    doc = tomledit.load(path) if not creating else _new_document(ctx)
    changed = apply(doc, form)
    try:
        if creating:
            tomledit.save(path, doc, episode_from_data)  # validates before the folder is made
        elif changed:
            tomledit.save(path, doc, episode_from_data)
    except ConfigError as exc:
        return _render(ctx, form, creating, field_errors(exc.problems), 400)
    if creating or changed:
        ctx.audit("create" if creating else "edit", audit.target("episode", form.id), ", ".join(changed))
    return RedirectResponse(f"/episodes?saved={form.id}", status_code=303)


@route("/episodes/new", roles=EDIT_ROLES, methods=("POST",), name="episode_create")
def create(ctx: Ctx) -> Response:
    ep_id = ctx.field("id").strip()
    form = from_post(ctx, ep_id)
    if not ID_PATTERN.match(ep_id):
        return _render(ctx, form, True, {"id": "lettres minuscules, chiffres et tirets seulement (ex. ep03-vote)"}, 400)
    folder = ctx.cfg.project.episodes_dir / ep_id
    if folder.exists():
        return _render(ctx, form, True, {"id": f"l'épisode « {ep_id} » existe déjà"}, 409)
    return _save(ctx, form, folder / MANIFEST, creating=True)


@route("/episodes/{episode}/edit", roles=EDIT_ROLES, methods=("POST",), name="episode_update")
def update(ctx: Ctx) -> Response:
    folder = _folder(ctx, ctx.request.path_params["episode"])
    return _save(ctx, from_post(ctx, folder.name), folder / MANIFEST, creating=False)


ROUTES = (new_form, create, edit_form, update)
