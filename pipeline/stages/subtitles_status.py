"""Where every subtitle track stands, for the team: made by the machine, with a translator,
imported, approved — with its lint count and when each step happened (local time).

The review state comes from captions.review (checked against the file on disk, so an edit
nobody announced still shows); the steps a file cannot tell (a template issued, a file
imported) come from the track's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pipeline.captions import files, review
from pipeline.captions.lint import lint
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.fsutil import sha256_file
from pipeline.paths import TRAILER, subtitle_path
from pipeline.stages.subtitles import log
from pipeline.stages.subtitles_review import timing
from pipeline.store import Store

STEPS = ("generated", "draft", "template", "imported", "edited", "approved")


@dataclass(frozen=True)
class TrackStatus:
    asset: str
    kind: str                 # episode | trailer | clip
    lang: str
    state: str                # missing | generated | draft | in translation | imported | edited | approved
    status: str               # the review state alone (captions.review): generated | draft | edited | approved | none
    route: str
    violations: int | None    # lint problems; None when there is no readable file
    changed: dict[str, str] = field(default_factory=dict)   # step -> local ISO time of its last occurrence
    path: str = ""
    approved_by: str = ""     # the reviewer named at the approval (studio, or `approve --by`), while approved


def _kind(asset: str) -> str:
    return "trailer" if asset == TRAILER else "clip" if "-clip" in asset else "episode"


def state_of(track: review.Track | None, history: list[tuple[str, str, str | None, str]]) -> str:
    """The step a track is at, for people: its review state, told apart by its history
    (an 'edited' file is 'imported' while it is the file a translator sent)."""
    last: dict[str, tuple[str, str | None]] = {ev: (at, sha) for ev, at, sha, _ in history}
    current = review.current_status(track) if track else None
    digest = sha256_file(track.path) if track and track.path.is_file() else None
    if current == "approved":
        return "approved"
    if current == "edited":
        return "imported" if "imported" in last and last["imported"][1] == digest else "edited"
    made = max((last[s][0] for s in ("generated", "draft") if s in last), default="")
    if "template" in last and last["template"][0] >= made:
        return "in translation"
    return current or "missing"


def _wanted(cfg: Config, store: Store, assets: list[str] | None) -> dict[tuple[str, str], None]:
    """(asset, lang) to show: the configured languages of the episodes asked about (only those: a
    broken manifest elsewhere is not this command's business), and every track known."""
    from pipeline.manifest import discover, load_all

    wanted: dict[tuple[str, str], None] = {}
    folders = discover(cfg.project.episodes_dir)
    episodes, broken = load_all([f for f in folders if not assets or f.name in assets])
    for ep in episodes:
        for lang in [lg for lg in cfg.subtitles.languages if lg in ep.languages] or ["fr"]:
            wanted[(ep.id, lang)] = None
    for name, why in broken.items():
        log.warning("%s left out of the list: %s", name, why)
    for t in review.all_tracks(store):
        wanted[(t.asset, t.lang)] = None
    for asset, lang in review.tracked_in_history(store):
        wanted[(asset, lang)] = None
    return wanted


def status(cfg: Config, store: Store, assets: list[str] | None = None) -> list[TrackStatus]:
    """One row per asset and language: every episode's configured languages, and every track known."""
    wanted = _wanted(cfg, store, assets)
    if assets:
        unknown = [a for a in assets if not any(k[0] == a or k[0].startswith(f"{a}-clip") for k in wanted)]
        if unknown:
            raise PipelineError(f"no subtitles known for {', '.join(unknown)}",
                                hint="give episode ids (their clips are included), 'trailer', or nothing for all")
    zone = cfg.project.zone
    rows, rates = [], {}
    for asset, lang in sorted(wanted, key=lambda k: (k[0], k[1] != "fr", k[1])):  # French, the reference, first
        if assets and not any(asset == a or asset.startswith(f"{a}-clip") for a in assets):
            continue
        track = review.current(store, asset, lang)
        history = review.events(store, asset, lang)
        changed = {ev: datetime.fromisoformat(at).astimezone(zone).isoformat(timespec="minutes")
                   for ev, at, _, _ in history if ev in STEPS}
        path = track.path if track else subtitle_path(cfg, asset, lang)
        violations = None
        if path.is_file():
            if asset not in rates:
                rates[asset] = timing(cfg, asset).fps
            try:
                violations = len(lint(files.read_srt(path), cfg.subtitles.rules_for(lang, rates[asset])))
            except PipelineError:
                violations = None
        state = state_of(track, history)
        rows.append(TrackStatus(asset, _kind(asset), lang, state, track.status if track else "none",
                                track.route if track else "",
                                violations, changed, str(path) if path.is_file() else "",
                                review.approved_by(store, asset, lang) if state == "approved" else ""))
    return rows


def table(rows: list[TrackStatus]) -> str:
    out = [f"{'asset':<22} {'lang':<4} {'state':<15} {'lint':>4}  last change"]
    for r in rows:
        # steps in the same minute: the one the track is at wins
        last = max(r.changed.items(), key=lambda kv: (kv[1], kv[0] == r.state)) if r.changed else None
        lint_n = "-" if r.violations is None else str(r.violations)
        when = f"{last[0]} {last[1].replace('T', ' ')}" if last else ""
        if r.state == "approved" and r.approved_by:
            when += f" by {r.approved_by}"
        out.append(f"{r.asset:<22} {r.lang:<4} {r.state:<15} {lint_n:>4}  {when}")
    return "\n".join(out)
