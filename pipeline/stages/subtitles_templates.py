"""Bambara subtitles as translators make them: a timed template out, their file back in.

No model here transcribes Bambara well (see DESIGN.md), so people write the Bambara. The
template gives them one slot per stretch of speech — timing from voice-activity detection,
matched to the French cues where there are some, never longer than the cue rules allow — with
the French (and any machine draft) beside it. Import reads their SRT, CSV or XLSX back,
whatever encoding the spreadsheet used, and stores it as a person's version: 'edited', never
overwritten by a later generation, and not released until someone runs `approve`.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.asr import vad
from pipeline.asr.audio import load_audio
from pipeline.captions import files, markup, review, sheets
from pipeline.captions.bambara import lookalikes, lost_letters, normalise, reflow
from pipeline.captions.lint import Violation, lint
from pipeline.captions.rules import CueRules
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write, keep_copy, replace_together, sha256_file, write_error
from pipeline.locks import locked
from pipeline.models import Cue, Episode
from pipeline.paths import subtitle_path
from pipeline.stages.subtitles import STAGE, known_language, log, subtitles
from pipeline.stages.subtitles_review import timing
from pipeline.store import Store, utcnow

if TYPE_CHECKING:
    import numpy as np

FORMATS = ("srt", "csv", "xlsx")
MIN_SLOT = 1.0   # speech left over between French cues shorter than this gets no slot of its own
EPS = 0.0015
MAX_CUE_CHARS = 1000  # two lines of 42 is the rule; far more is a page pasted into one cell
SAVE_AS_UNICODE = ("Le fichier a perdu des lettres bambara (ɛ ɔ ɲ ŋ devenues « ? ») : dans Excel, « Enregistrer "
                   "sous » en « Classeur Excel (.xlsx) » ou en « CSV UTF-8 », pas en « CSV (séparateur : "
                   "point-virgule) » ; corrigez les lignes citées et renvoyez le fichier")


@dataclass(frozen=True)
class Slot:
    start: float
    end: float
    french: str      # the French said there ("" where no French cue covers that speech)
    draft: str       # a machine (or earlier) Bambara text for that time, to correct


@dataclass(frozen=True)
class TemplateResult:
    asset: str
    lang: str
    files: tuple[Path, ...]
    slots: int
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ImportResult:
    asset: str
    lang: str
    path: Path
    cues: int
    read_as: str                      # encoding or format the file was read with
    flagged: tuple[str, ...]          # look-alike letters, "cue N: ..."
    violations: tuple[Violation, ...]
    backup: Path | None               # a person's earlier file, kept aside


# ------------------------------------------------------------------ slots

def _split(start: float, end: float, longest: float) -> list[tuple[float, float]]:
    n = max(1, int((end - start - EPS) // longest) + 1)
    step = (end - start) / n
    return [(round(start + i * step, 3), round(start + (i + 1) * step, 3)) for i in range(n)]


def _group(t0: float, t1: float, fine: list[tuple[float, float]], longest: float) -> list[tuple[float, float]]:
    """Slots over [t0, t1] that end at pauses: consecutive short speech bursts (VAD with a fine
    silence threshold) joined while the slot stays within `longest`; a burst longer than that is split."""
    parts = [(max(a, t0), min(b, t1)) for a, b in fine if b > t0 and a < t1] or [(t0, t1)]
    out: list[tuple[float, float]] = []
    for a, b in parts:
        if out and b - out[-1][0] <= longest:
            out[-1] = (out[-1][0], b)
        else:
            out += _split(a, b, longest)
    return [(round(a, 3), round(b, 3)) for a, b in out if b - a >= 0.2]


def fine_regions(samples: np.ndarray) -> list[tuple[float, float]]:
    """Speech bursts separated by pauses of 0.2 s or more: where a slot may end."""
    return vad.speech_regions(samples, min_silence_ms=200, pad_ms=100)


def _text(cue: Cue) -> str:
    return " ".join(cue.lines).replace("\u00a0", " ")


def make_slots(speech: list[tuple[float, float]], french: list[Cue], draft: list[Cue],
               rules: CueRules, fine: list[tuple[float, float]] | None = None) -> tuple[list[Slot], int]:
    """(slots, French cues that fall on no speech). A French cue over speech becomes one slot with
    its own timing; speech no French cue covers gets slots of its own, split to `max_duration`."""
    max_duration = rules.max_duration
    used: set[int] = set()
    spans: list[tuple[float, float, str]] = []
    for a, b in speech:
        mine = [i for i, c in enumerate(french) if i not in used and c.end > a and c.start < b]
        used.update(mine)
        t = a
        for i in mine:
            c = french[i]
            if c.start - t >= MIN_SLOT:
                spans += [(s, e, "") for s, e in _group(t, c.start - 0.08, fine or [], max_duration)]
            spans.append((c.start, c.end, _text(c)))
            t = max(t, c.end + 0.08)
        # A lone short burst gets a slot ("Awɔ!") unless the French heard nothing there: Silero also
        # fires briefly where music starts, and with French cues present Whisper is a second opinion.
        if b - t >= (MIN_SLOT if mine or french else 0.0):
            spans += [(s, e, "") for s, e in _group(t, b, fine or [], max_duration)]
    spans.sort()
    for i in range(len(spans)):  # timing a translator can keep: the minimum shown time and gap
        (s, e, fr) = spans[i]
        nxt = spans[i + 1][0] - rules.min_gap if i + 1 < len(spans) else float("inf")
        spans[i] = (s, round(min(max(e, s + rules.min_duration), max(nxt, s + 0.3)), 3), fr)

    drafts = texts_within(draft, [(s, e) for s, e, _ in spans])
    return [Slot(s, e, fr, d) for (s, e, fr), d in zip(spans, drafts, strict=True)], len(french) - len(used)


def texts_within(cues: Sequence[Cue], spans: Sequence[tuple[float, float]]) -> list[str]:
    """For each (start, end): the text of the cues whose middle falls in [start, end), in their order:
    another track's words for each slot (found by bisection: a long episode's tracks stay fast)."""
    middles = sorted(((c.start + c.end) / 2, i) for i, c in enumerate(cues))
    keys = [m for m, _ in middles]
    out = []
    for start, end in spans:
        found = middles[bisect.bisect_left(keys, start - EPS):bisect.bisect_left(keys, end + EPS)]
        out.append(" ".join(_text(cues[i]) for _, i in sorted(found, key=lambda m: m[1])))
    return out


# ------------------------------------------------------------------ template

def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_write(path, "wb") as fh:
        fh.write(data)


def _write_once(store: Store, asset: str, path: Path, data: bytes) -> Path:
    """Write a template file unless a translator has changed it since we wrote it (they sometimes
    fill it in place): then leave theirs and write <name>.new.<ext> beside it."""
    item = f"template:{path.name}"
    record = store.output(STAGE, asset, item)
    if path.is_file():
        ours = record is not None and record.info.get("sha256") == sha256_file(path)
        if not ours and path.read_bytes() != data:
            path = review.new_path(path)
    _write_bytes(path, data)
    store.record_output(STAGE, asset, item, hashlib.sha256(data).hexdigest(), path,
                        {"sha256": hashlib.sha256(data).hexdigest()})
    return path


@locked(STAGE)
def template(cfg: Config, store: Store, episode: Episode, lang: str = "bm",
             formats: tuple[str, ...] = ("srt", "csv")) -> TemplateResult:
    from pipeline.media import ffmpeg

    if lang == "fr":
        raise PipelineError("a template is for translating the French: give another language",
                            hint=f"webseries subtitles template {episode.id} --lang bm")
    _known(lang)
    for fmt in formats:
        if fmt not in FORMATS:
            raise PipelineError(f"unknown template format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    ffmpeg.require_tools()
    audio = load_audio(episode)
    fps = ffmpeg.probe(episode.master).fps or 25.0
    rules = cfg.subtitles.rules_for(lang, fps)
    notes = []
    fr_path, draft_path = subtitle_path(cfg, episode.id, "fr"), subtitle_path(cfg, episode.id, lang)
    french = files.read_srt(fr_path) if fr_path.is_file() else []
    if not french:
        notes.append(f"no French subtitles yet: slots from the voice only (run `webseries subtitles "
                     f"{episode.id} --lang fr` to have the French beside them)")
    route = cfg.subtitles.bambara.route_for(episode.id) if lang == "bm" else ""
    if not draft_path.is_file() and route not in ("", "none"):  # a recogniser/translator is configured
        (made,) = subtitles(cfg, store, episode, ["bm"], show_progress=False)
        notes.append(f"made a machine draft first ({made.route} route, {made.cues} cues)")
    draft = files.read_srt(draft_path) if draft_path.is_file() else []
    if draft:
        notes.append(f"the {lang} text of {draft_path.name} is filled in beside the French, to correct")
    speech = vad.speech_regions(audio.samples)
    if not speech:
        raise PipelineError(f"{episode.id}: no speech found in {episode.master.name}: nothing to translate",
                            hint="check the master's sound track has the voice")
    slots, off_speech = make_slots(speech, french, draft, rules, fine_regions(audio.samples))
    if off_speech:
        notes.append(f"{off_speech} French cue(s) over no detected speech left out (check them in fr.srt)")
    written = []
    folder = subtitle_path(cfg, episode.id, lang).parent
    folder.mkdir(parents=True, exist_ok=True)
    rows = [(n, s.start, s.end, s.french, s.draft) for n, s in enumerate(slots, 1)]
    for fmt in formats:
        if fmt == "srt":
            cues = [Cue(s.start, s.end, tuple((s.draft or sheets.TODO).split("\n"))) for s in slots]
            ref = [Cue(s.start, s.end, (s.french or "(pas de français ici)",)) for s in slots]
            written.append(_write_once(store, episode.id, folder / f"{lang}.template.srt",
                                       files.srt_text(cues).encode()))
            written.append(_write_once(store, episode.id, folder / f"{lang}.reference-fr.srt",
                                       files.srt_text(ref).encode()))
        elif fmt == "csv":
            data = b"\xef\xbb\xbf" + sheets.csv_text(rows).encode()  # BOM: spreadsheets then read UTF-8
            written.append(_write_once(store, episode.id, folder / f"{lang}.template.csv", data))
        else:
            written.append(_write_once(store, episode.id, folder / f"{lang}.template.xlsx", sheets.xlsx_bytes(rows)))
    for path in written:
        if path.name.endswith((".new.srt", ".new.csv", ".new.xlsx")):
            notes.append(f"{path.name.replace('.new', '')} was changed by someone: kept it, wrote {path.name}")
    review.record_event(store, episode.id, lang, "template", None, ", ".join(p.name for p in written))
    log.info("%s: %s: template with %d slots over %.0f s of speech: %s", episode.id, lang, len(slots),
             sum(b - a for a, b in speech), ", ".join(p.name for p in written))
    return TemplateResult(episode.id, lang, tuple(written), len(slots), tuple(notes))


# ------------------------------------------------------------------ import

def _known(lang: str) -> None:
    if not known_language(lang):  # as `webseries subtitles EP --lang xx` refuses it: no xx.srt to burn later
        raise PipelineError(f"unknown language code {lang!r}",
                            hint="use ISO 639-1 codes: fr (French), bm (Bambara), en, ...")


def check_rows(rows: list[sheets.Row], lossy: bool = False, duration: float | None = None) -> list[str]:
    """Every problem of a translator's rows. `lossy`: the file's encoding has no ɛ ɔ ɲ ŋ (a "?" near
    a word is then a lost letter); `duration`: the episode's length (no cue may run past it)."""
    problems = []
    for i, r in enumerate(rows):
        if len(r.text) > MAX_CUE_CHARS:
            problems.append(f"{r.where}: {len(r.text):,} characters in one subtitle (at most {MAX_CUE_CHARS}; "
                            "the rule is 2 lines of 42): split it into rows")
        elif not r.text or r.text.strip() == sheets.TODO:
            problems.append(f"{r.where}: the translation is empty (write it, or delete the row if nothing is said)")
        elif lost_letters(r.text, lossy):
            problems.append(f"{r.where}: {r.text[:60]!r}: a '?' stands where a letter was (ɛ ɔ ɲ ŋ lost when the "
                            "file was saved)")
        if r.end <= r.start:
            problems.append(f"{r.where}: ends at {sheets.timecode(r.end)}, not after its start "
                            f"{sheets.timecode(r.start)}")
        elif duration is not None and r.end > duration + EPS:
            problems.append(f"{r.where}: ends at {sheets.timecode(r.end)}, after the end of the episode "
                            f"({sheets.timecode(duration)})")
        if i and r.start < rows[i - 1].end - EPS:
            problems.append(f"{r.where}: starts at {sheets.timecode(r.start)}, before {rows[i - 1].where} ends "
                            f"({sheets.timecode(rows[i - 1].end)})")
    return problems


@dataclass(frozen=True)
class PreparedImport:
    """A translator's file read and checked, nothing written: what `import_file` would store."""

    source: Path
    rows: tuple[sheets.Row, ...]
    read_as: str
    problems: tuple[str, ...]         # any problem: nothing may be imported
    cues: tuple[Cue, ...]             # the rows as they would be written (normalised, lines re-broken)
    flagged: tuple[str, ...]
    violations: tuple[Violation, ...]
    lost_letters: bool = False        # '?' where Bambara letters were: the file must be saved again

    @property
    def hint(self) -> str:
        return SAVE_AS_UNICODE if self.lost_letters else "fix these rows in the file and import it again"


def prepare_import(cfg: Config, asset: str, lang: str, source: Path, fps: float | None = None) -> PreparedImport:
    """Read and check a translator's file without writing anything (the studio's preview).
    `fps`: the frame rate for lint (default: the asset's own, from its master)."""
    _known(lang)
    rows, read_as, problems = sheets.read_rows(source)
    picture = timing(cfg, asset)
    lossy = read_as == sheets.LOSSY
    problems += check_rows(rows, lossy, picture.duration)
    if not rows and not problems:
        problems.append("no subtitles in it")
    rules = cfg.subtitles.rules_for(lang, fps or picture.fps)
    cues, flagged = [], []
    for n, r in enumerate(rows, 1):
        text, removed = markup.clean(r.text)
        text = normalise(text)
        flagged += [f"cue {n} ({r.where}): removed {x}" for x in removed]
        flagged += [f"cue {n} ({r.where}): {f}" for f in lookalikes(text)]
        cues.append(Cue(round(r.start, 3), round(r.end, 3), reflow(text, rules)))
    violations = tuple(lint(cues, rules)) if not problems else ()
    lost = bool(problems) and any(lost_letters(r.text, lossy) for r in rows if len(r.text) <= MAX_CUE_CHARS)
    return PreparedImport(source, tuple(rows), read_as, tuple(problems), tuple(cues), tuple(flagged), violations,
                          lost)


@locked(STAGE, "subtitles import")
def import_file(cfg: Config, store: Store, asset: str, lang: str, source: Path,
                fps: float | None = None) -> ImportResult:
    """Read a translator's file and store it as the person's version of `lang` for `asset`; all or nothing.
    `fps`: the frame rate for lint (default: the asset's own, from its master)."""
    prepared = prepare_import(cfg, asset, lang, source, fps)
    problems, read_as = list(prepared.problems), prepared.read_as
    if problems:
        shown = "; ".join(problems[:8]) + (f"; and {len(problems) - 8} more" if len(problems) > 8 else "")
        raise PipelineError(f"{source.name} ({read_as}): {len(problems)} problem(s), nothing imported: {shown}",
                            hint=prepared.hint)
    cues, flagged = list(prepared.cues), list(prepared.flagged)
    target = subtitle_path(cfg, asset, lang)
    text = files.srt_text(cues)
    backup: list[Path] = []
    track = review.get_track(store, asset, lang)
    keep = target.is_file() and target.read_text(encoding="utf-8", errors="replace") != text and (
        (review.current_status(track) if track else "edited") in ("edited", "approved"))  # a person's file

    @contextmanager
    def keep_theirs() -> Iterator[None]:  # once the new files are written, never for an attempt that failed
        if keep:
            backup.append(keep_copy(target, f"{target.stem}.before-import-{utcnow():%Y%m%dT%H%M%SZ}.srt"))
        yield

    try:
        replace_together([(target, text), (target.with_suffix(".vtt"), files.vtt_text(cues))], keep_theirs())
    except OSError as exc:
        raise write_error(exc, target, f"nothing was imported ({target.name} is as it was)") from None
    review.store_human(store, asset, lang, target, "import")
    review.record_event(store, asset, lang, "imported", sha256_file(target), f"{source.name} ({read_as})")
    violations = prepared.violations
    log.info("%s: %s: imported %d cues from %s (read as %s)%s%s", asset, lang, len(cues), source.name, read_as,
             f"; {len(flagged)} thing(s) to check" if flagged else "",
             f"; lint: {len(violations)} problem(s)" if violations else "; lint clean")
    return ImportResult(asset, lang, target, len(cues), read_as, tuple(flagged), violations,
                        backup[0] if backup else None)
