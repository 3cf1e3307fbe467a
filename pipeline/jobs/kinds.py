"""What a job can be: one entry per long piece of work, each calling the stage's own function.

A kind runs in the job's own process with (cfg, store, target, options) and returns a short
French summary for the page. `roles` are who may start or cancel it; the studio's buttons and
routes read them from here. To add a kind: write a module-level runner that calls the stage
function (never a copy of its logic) and add a JobKind to KINDS.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline import ledger
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.models import Episode
from pipeline.store import Store

Runner = Callable[[Config, Store, str, dict[str, Any]], str]


@dataclass(frozen=True)
class JobKind:
    name: str                   # the stage's name: transcode, subtitles, clips, publish
    label: str                  # what the page calls it
    roles: frozenset[str]       # who may start and cancel it
    run: Runner


def _episode(cfg: Config, episode_id: str) -> Episode:
    from pipeline.manifest import MANIFEST, ID_PATTERN, load_episode

    folder = cfg.project.episodes_dir / episode_id
    if not ID_PATTERN.match(episode_id) or not (folder / MANIFEST).is_file():
        raise PipelineError(f"unknown episode {episode_id!r}", hint="it may have been renamed or removed")
    return load_episode(folder)


def run_transcode(cfg: Config, store: Store, target: str, options: dict[str, Any]) -> str:
    from pipeline.stages.transcode import transcode

    out = transcode(cfg, store, _episode(cfg, target), options.get("profiles"), force=bool(options.get("force")),
                    show_progress=False)
    sizes = (f"{r.profile} ({r.mb_per_minute:.1f} Mo/min)".replace(".", ",") for r in out)
    return f"{len(out)} rendu(s) : " + ", ".join(sizes)


def run_subtitles(cfg: Config, store: Store, target: str, options: dict[str, Any]) -> str:
    from pipeline.stages.subtitles import subtitles

    out = subtitles(cfg, store, _episode(cfg, target), options.get("langs"), force=bool(options.get("force")),
                    show_progress=False)
    return "; ".join(f"{r.lang} : {r.cues} sous-titres ({r.action})" for r in out) or "rien à faire"


def run_clips(cfg: Config, store: Store, target: str, options: dict[str, Any]) -> str:
    from pipeline.stages.clips import clips

    _, out = clips(cfg, store, _episode(cfg, target), count=options.get("count"), force=bool(options.get("force")),
                   show_progress=False)
    return f"{len(out)} extrait(s) : " + ", ".join(r.clip_id for r in out)


def run_upload(cfg: Config, store: Store, target: str, options: dict[str, Any]) -> str:
    """One release on one platform, exactly as the scheduler does it (the ledger says what is done)."""
    from pipeline.scheduler import upload_job

    state = upload_job(str(cfg.file), target, str(options.get("platform", "")))
    return f"{options.get('platform')} : {ledger.STATES_FR.get(state, state)}"


def run_change(cfg: Config, store: Store, target: str, options: dict[str, Any]) -> str:
    """A release moved or cancelled in the studio's calendar: `publish.move`/`cancel`, calendar and platforms."""
    from datetime import datetime

    from pipeline.stages import publish

    publishers = publish.default_publishers(cfg)
    if options.get("action") == "move":
        outcomes = publish.move(cfg, store, target, datetime.fromisoformat(str(options["at"])), publishers)
    else:
        outcomes = publish.cancel(cfg, store, target, publishers, delete=bool(options.get("delete")))
    failed = [f"{o.platform} : {o.error or o.detail}" for o in outcomes if o.failed]
    if failed:
        raise PipelineError("; ".join(failed), hint="the calendar is written; `webseries publish upload` retries")
    return "; ".join(f"{o.platform} : {ledger.STATES_FR.get(o.state, o.state)}" for o in outcomes)


def run_report(cfg: Config, store: Store, target: str, options: dict[str, Any]) -> str:
    """One of the report's files for a selection (`metrics.downloads`: the same `report.build` as the CLI)."""
    from pipeline.metrics import downloads

    fmt = str(options.get("format", "docx"))
    out = downloads.make(cfg, store, downloads.from_options(options), fmt)
    return f"{target} : {fmt.upper()} prêt ({out.name})"


def run_kobo(cfg: Config, store: Store, target: str, options: dict[str, Any]) -> str:
    """The survey's submissions read through the KoboToolbox API, as `metrics import survey --kobo`."""
    from pipeline.metrics import survey

    got, calls = survey.pull_kobo(cfg, store)
    return (f"{got.rows} réponses lues ({got.pre} avant, {got.post} après), {got.new} nouvelles, "
            f"{got.already} déjà importées ({calls} requête(s))")


ALL = frozenset(("admin", "editor", "communication", "evaluation", "translator"))
STATS = frozenset(("admin", "editor", "communication", "evaluation"))   # who reads the statistics
KINDS: dict[str, JobKind] = {k.name: k for k in (
    JobKind("transcode", "Rendu", frozenset(("admin", "editor")), run_transcode),
    JobKind("subtitles", "Reconnaissance des sous-titres", frozenset(("admin", "editor")), run_subtitles),
    JobKind("clips", "Extraits et vignettes", frozenset(("admin", "editor", "communication")), run_clips),
    JobKind("publish", "Envoi sur la plateforme", frozenset(("admin", "communication")), run_upload),
    JobKind("publish-change", "Changement de diffusion", frozenset(("admin", "communication")), run_change),
    JobKind("report", "Fichiers du rapport d'évaluation", STATS, run_report),
    JobKind("kobo", "Enquête KoboToolbox", frozenset(("admin", "evaluation")), run_kobo),
)}


def kind(name: str) -> JobKind:
    if name not in KINDS:
        raise PipelineError(f"unknown job kind {name!r}", hint=f"known: {', '.join(KINDS)}")
    return KINDS[name]


# The stages' progress labels ("[transcode] ep01: encoding 5"), as the page says them.
_PHASES = (
    (re.compile(r"measuring loudness"), "mesure du volume sonore"),
    (re.compile(r"encoding (\d+)"), r"encodage (\1 fichiers)"),
    (re.compile(r"(\w+) speech"), r"reconnaissance de la parole (\1)"),
    (re.compile(r"analysing"), "analyse de l'épisode"),
    (re.compile(r"burning (.+) into (.+)"), r"incrustation \1 dans \2"),
)


def phase_label(label: str) -> str:
    text = label.split("] ", 1)[-1]
    for pattern, french in _PHASES:
        m = pattern.search(text)
        if m:
            return text[:m.start()] + m.expand(french)
    return text
