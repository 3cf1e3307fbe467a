"""One subtitle track as the Sous-titres page shows and edits it: read from the files and the
stages' records, never decided here.

The cues come from subtitles/<episode>/<lang>.srt (or, for a translation not started yet, the
template's slots); the rules from the config at the episode's own frame rate; the player from
the smallest rendition the transcode stage made; the review state from `subtitles status`.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

from starlette.exceptions import HTTPException

from pipeline import audit, jobs
from pipeline.captions import editing, files, review, sheets
from pipeline.captions.lint import Violation, lint
from pipeline.captions.rules import CueRules
from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.models import LANGUAGES, Cue, Episode, Rendition
from pipeline.paths import subtitle_path
from pipeline.stages.subtitles_status import state_of
from pipeline.stages.subtitles_templates import texts_within
from pipeline.store import Store
from pipeline.web.pages.episode_rows import SUBTITLE_STATES, renditions
from pipeline.web.pages.subtitle_words import lint_message, rule_name
from pipeline.web.registry import Ctx

EDIT = frozenset({"admin", "editor", "translator"})     # may change a track (translators: not the French)
REVIEW = frozenset({"admin", "editor"})                 # may approve (README: "Sous-titres", roles)
REFERENCE = "fr"                                        # the language the others are translated from
LANGUAGE_NAMES = {"fr": "français", "bm": "bambara"}
PLAYER_PROFILE = "mobile"                               # the rendition a render job is asked for


@dataclass(frozen=True)
class Row:
    """One cue as the page shows it, with its counters and, for a translation, the French said then.
    Times are kept as written (a form sent back with a mistake shows it as typed)."""

    n: int
    start_code: str
    end_code: str
    start: float
    end: float
    text: str
    french: str
    chars: int
    cps: float
    todo: bool                   # a translation slot still holding the template's placeholder


@dataclass(frozen=True)
class Problem:
    cue: int
    time: str
    rule: str
    message: str


def episode_and_lang(ctx: Ctx) -> tuple[Episode, str]:
    """The episode and language named in the path, or 404."""
    from pipeline.manifest import ID_PATTERN, MANIFEST, load_episode

    ep_id, lang = ctx.request.path_params["episode"], ctx.request.path_params["lang"]
    folder = ctx.cfg.project.episodes_dir / ep_id
    if not ID_PATTERN.match(ep_id) or lang not in LANGUAGES or not (folder / MANIFEST).is_file():
        raise HTTPException(404)
    try:
        return load_episode(folder), lang
    except ConfigError:
        raise HTTPException(404) from None


def person(ctx: Ctx) -> str:
    """The signed-in person's name (every route here needs a session)."""
    assert ctx.user is not None
    return ctx.user.name


def may_edit(ctx: Ctx, lang: str) -> bool:
    """Translators write translations, not the French they translate from."""
    return ctx.may(EDIT) and not (ctx.user is not None and ctx.user.role == "translator" and lang == REFERENCE)


@functools.lru_cache(maxsize=256)
def _fps(path: str, size: int, mtime_ns: int) -> float:
    from pipeline.media import ffmpeg

    try:
        return ffmpeg.probe(Path(path)).fps or 25.0
    except PipelineError:
        return 25.0


def rules(cfg: Config, ep: Episode, lang: str) -> CueRules:
    """The cue rules for this language at the episode's frame rate (25 when the master is missing)."""
    try:
        st = ep.master.stat()
    except OSError:
        return cfg.subtitles.rules_for(lang, 25.0)
    return cfg.subtitles.rules_for(lang, _fps(str(ep.master), st.st_size, st.st_mtime_ns))


def player(cfg: Config, store: Store, ep: Episode) -> Rendition | None:
    """The smallest rendition with a picture (landscape first): light enough for the office network."""
    videos = [r for r in renditions(cfg, store, ep) if r.width > 0 and r.height > 0]
    videos.sort(key=lambda r: (r.height > r.width, r.size_bytes))
    return videos[0] if videos else None


def render_job(store: Store, ep: Episode) -> jobs.Job | None:
    """A render of this episode that is queued or running (the player will come from it)."""
    return next((j for j in jobs.recent(store, limit=50) if j.kind == "transcode" and j.target == ep.id and j.active),
                None)


def template_path(cfg: Config, ep: Episode, lang: str) -> Path:
    return subtitle_path(cfg, ep.id, lang).with_name(f"{lang}.template.srt")


_PARSED: dict[tuple[str, str], tuple[Cue, ...]] = {}   # (path, digest) -> cues, the latest _PARSED_KEEP
_PARSED_KEEP = 32
_PARSED_LOCK = threading.Lock()


def cues_of(path: Path) -> tuple[list[Cue], str]:
    """(the cues of an SRT file, the version they were read from): the page's text and the version its
    save will carry always go together. Parsed once per version; files are replaced whole (renamed),
    so a version unchanged across the read is the version read."""
    for _ in range(5):
        before = editing.version(path)
        with _PARSED_LOCK:
            known = _PARSED.get((str(path), before))
        if known is not None:
            return list(known), before
        cues = tuple(files.read_srt(path))
        if editing.version(path) == before:
            with _PARSED_LOCK:
                while len(_PARSED) >= _PARSED_KEEP:
                    _PARSED.pop(next(iter(_PARSED)))
                _PARSED[(str(path), before)] = cues
            return list(cues), before
    raise PipelineError(f"{path.name} keeps changing while it is read", hint="try again in a moment")


def read(cfg: Config, ep: Episode, lang: str) -> tuple[list[Cue], str, str, str]:
    """(cues, where they come from: "file" | "template" | "none", an unreadable file's problem, the
    version of the track's file a save must be based on)."""
    path = subtitle_path(cfg, ep.id, lang)
    template = template_path(cfg, ep, lang)
    try:
        if path.is_file():
            cues, version = cues_of(path)
            return cues, "file", "", version
        if lang != REFERENCE and template.is_file():
            return cues_of(template)[0], "template", "", editing.ABSENT
    except PipelineError as exc:
        return [], "file" if path.is_file() else "template", exc.message, editing.version(path)
    return [], "none", "", editing.ABSENT


def reference(cfg: Config, ep: Episode, lang: str) -> list[Cue]:
    """The French cues a translation is made from ([] for the French itself, or when there are none)."""
    path = subtitle_path(cfg, ep.id, REFERENCE)
    if lang == REFERENCE or not path.is_file():
        return []
    try:
        return cues_of(path)[0]
    except PipelineError:
        return []


def row(n: int, cue: Cue, french: str = "", start_code: str = "", end_code: str = "") -> Row:
    return Row(n, start_code or sheets.timecode(cue.start), end_code or sheets.timecode(cue.end), cue.start, cue.end,
               cue.text, french, cue.chars, round(cue.cps, 1) if cue.duration > 0 else 0.0,
               cue.text.strip() == sheets.TODO)


def rows(cues: list[Cue], french: list[Cue]) -> list[Row]:
    """The cues as rows, each with the French said during it (for a translation)."""
    said = texts_within(french, [(c.start, c.end) for c in cues]) if french else [""] * len(cues)
    return [row(n, c, fr) for n, (c, fr) in enumerate(zip(cues, said, strict=True), 1)]


def problems(cues: list[Cue], cue_rules: CueRules, numbers: list[int] | None = None) -> list[Problem]:
    """The CLI's lint (`webseries subtitles lint`), worded in French; `numbers` renumbers the cues
    as the page shows them (a form's rows)."""
    return [problem(v, numbers[v.cue - 1] if numbers else v.cue) for v in lint(cues, cue_rules)]


def by_cue(problems: list[Problem]) -> dict[int, list[Problem]]:
    out: dict[int, list[Problem]] = {}
    for p in problems:
        out.setdefault(p.cue, []).append(p)
    return out


def problem(v: Violation, n: int) -> Problem:
    return Problem(n, v.timecode(), rule_name(v.rule), lint_message(v))


def state(store: Store, ep: Episode, lang: str) -> str:
    """The step the track is at, as `webseries subtitles status` says it (missing, generated, imported...)."""
    return state_of(review.current(store, ep.id, lang), review.events(store, ep.id, lang))


def state_label(key: str) -> str:
    return SUBTITLE_STATES.get(key, key)


def approval(cfg: Config, store: Store, ep: Episode, lang: str, key: str) -> str:
    """"approuvé par Awa, 12/01 10:32" while the file is the approved version, else ""."""
    if key != "approved":
        return ""
    entry = audit.latest(store, audit.target("subtitles", ep.id, lang), "approve")
    if entry is not None:
        return entry.describe(cfg.project.zone)
    by = review.approved_by(store, ep.id, lang)
    return f"approuvé par {by}" if by else "approuvé"


def last_edit(cfg: Config, store: Store, ep: Episode, lang: str) -> str:
    entry = audit.history(store, audit.target("subtitles", ep.id, lang), limit=1)
    return entry[0].describe(cfg.project.zone) if entry else ""


# ------------------------------------------------------------------ the posted form

@dataclass(frozen=True)
class Posted:
    rows: list[Row]              # every row kept, as typed (numbered as the page numbered them)
    cues: list[Cue]              # the rows whose times could be read
    numbers: list[int]           # the page's number of each cue
    errors: dict[int, str]       # row number -> what is wrong with it
    version: str

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.cues)


def _text(raw: str) -> tuple[str, ...]:
    """A textarea's text as cue lines: an empty line would end the cue in an SRT file."""
    lines = [line.strip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return tuple(line for line in lines if line)


def posted(ctx: Ctx, lang: str, french: list[Cue]) -> Posted:
    """The cues as the person typed them (a row ticked 'supprimer' left out), and their errors. A
    translation slot left empty keeps the template's placeholder (approval waits for it)."""
    f = ctx.field
    count = int(f("n")) if f("n").isdigit() else 0
    typed: list[tuple[int, Cue, str, str]] = []
    cues, numbers, errors = [], [], {}
    for i in range(1, min(count, 5000) + 1):
        if f(f"drop-{i}") or ctx.form is None or f"text-{i}" not in ctx.form:
            continue
        start_code, end_code = f(f"start-{i}").strip(), f(f"end-{i}").strip()
        start, end = sheets.parse_time(start_code), sheets.parse_time(end_code)
        lines = _text(f(f"text-{i}"))
        if not lines and lang != REFERENCE:
            lines = (sheets.TODO,)
        elif not lines:
            errors[i] = "texte vide : écrivez-le, ou cochez « supprimer »"
        if start is None or end is None or start < 0 or end < 0:
            errors[i] = "temps illisible : écrivez HH:MM:SS,mmm (ex. 00:01:02,500)"
            typed.append((i, Cue(0.0, 0.0, lines), start_code or "?", end_code or "?"))
            continue
        if end <= start:
            errors[i] = "la fin doit venir après le début"
        cue = Cue(round(start, 3), round(end, 3), lines)
        typed.append((i, cue, start_code, end_code))
        cues.append(cue)
        numbers.append(i)
    said = texts_within(french, [(c.start, c.end) for _, c, _, _ in typed]) if french else [""] * len(typed)
    out = [row(i, c, fr, a, b) for (i, c, a, b), fr in zip(typed, said, strict=True)]
    return Posted(out, cues, numbers, errors, f("version"))


def new_version(cfg: Config, ep: Episode, lang: str) -> list[editing.DiffRow] | None:
    """The rows of `<lang>.new.srt` beside the person's file, when a machine refresh left one."""
    path = subtitle_path(cfg, ep.id, lang)
    beside = review.new_path(path)
    if not beside.is_file() or not path.is_file():
        return None
    try:
        return editing.diff(cues_of(path)[0], cues_of(beside)[0])
    except PipelineError:
        return None
