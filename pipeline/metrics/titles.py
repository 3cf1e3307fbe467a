"""Videos by the names people know them by: the episode's French title, its clips, the trailer.

The report names each video by its French title with its id beside it; facilitators write
episode numbers ("1, 3") that become episode ids through the same manifests. A broken
manifest does not stop the report: that episode is shown by its id and the log says why.
"""

from __future__ import annotations

from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.log import stage_logger
from pipeline.manifest import discover, load_episode
from pipeline.models import Episode

log = stage_logger("metrics")


def catalogue(cfg: Config) -> dict[str, Episode]:
    """Every readable episode manifest, by id."""
    out = {}
    for folder in discover(cfg.project.episodes_dir):
        try:
            ep = load_episode(folder)
        except PipelineError as exc:
            log.warning("%s: %s (shown by its id)", folder.name, exc.message)
            continue
        out[ep.id] = ep
    return out


def title(asset: str, episodes: dict[str, Episode]) -> str:
    """'Voter, c'est choisir', 'Voter, c'est choisir — extrait 2', 'Bande-annonce'; the id if unknown."""
    if asset == "trailer":
        return "Bande-annonce"
    episode, _, clip = asset.partition("-clip")
    ep = episodes.get(episode)
    name = ep.title.fr if ep and ep.title.fr else episode
    return f"{name} — extrait {clip}" if clip else name


def short(asset: str, episodes: dict[str, Episode]) -> str:
    """A chart's label: "Voter, c'est choisir", "Extrait 1 — Voter, c'est choisir" (clips read apart when cut)."""
    episode, _, clip = asset.partition("-clip")
    return f"Extrait {clip} — {title(episode, episodes)}" if clip else title(asset, episodes)


def labelled(asset: str, episodes: dict[str, Episode]) -> str:
    """The title with the id beside it, as the report prints videos."""
    name = title(asset, episodes)
    return name if name == asset else f"{name} ({asset})"


def episode_for(token: str, episodes: dict[str, Episode]) -> str | None:
    """An episode id from what a facilitator wrote: a number ("3", "ép. 3") or an id; None if unknown."""
    text = token.strip().lower()
    digits = "".join(c for c in text if c.isdigit())
    if text in episodes:
        return text
    rest = text
    for word in ("épisode", "episode", "ép", "ep", "n°", "no"):
        rest = rest.replace(word, "")
    if digits and not any(c.isalpha() for c in rest):
        number = int(digits)
        found = [e.id for e in episodes.values() if e.number == number]
        if found:
            return found[0]
        return None if episodes else f"ep{number:02d}"
    matches = [e for e in episodes if e.startswith(text)]
    return matches[0] if len(matches) == 1 else None
