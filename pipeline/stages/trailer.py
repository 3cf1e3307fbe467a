"""The series trailer: the best highlights of every episode between a title and an end card.

Every shot of every episode, both cards, the fades, the loudness normalisation and both
outputs (16:9 and 9:16) come from ONE ffmpeg run; moviepy only draws the cards as stills.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.clips import cards, select
from pipeline.clips.select import EpisodePool, Excerpt
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.locks import episode_lock
from pipeline.media import assembly, ffmpeg
from pipeline.models import Episode
from pipeline.paths import TRAILER, clip_path, thumbnail_path
from pipeline.stages import clips as stage
from pipeline.store import Store

SENTENCE_SECONDS = (2.5, 12.0)  # a trailer shot: a sentence or two
VARIANTS = ("16x9", "vertical")


@dataclass(frozen=True)
class TrailerResult:
    segments: tuple[Excerpt, ...]
    outputs: dict[str, Path]
    thumbnail: Path
    duration: float
    skipped: bool
    notes: tuple[str, ...]


def choose(cfg: Config, materials: list[stage.Material]) -> list[Excerpt]:
    c = cfg.clips
    cards_total = c.title_card_seconds + c.end_card_seconds
    pools = []
    for m in materials:
        ep = m.episode
        select.check_markers(ep, m.analysis.duration, 0.0)
        markers = tuple(select.marker_segment(ep, h, m.cues, m.analysis, c.keywords)
                        for h in ep.highlights if h.use == "trailer")
        sentences = tuple(select.candidates(ep.id, m.cues, m.analysis, c.keywords, *SENTENCE_SECONDS))
        pools.append(EpisodePool(ep, markers, sentences, tuple(select.broll(ep.id, m.cues, m.analysis))))
    lo, hi = c.trailer_seconds
    return select.choose_trailer(pools, max(0.0, lo - cards_total), max(1.0, hi - cards_total))


def trailer(cfg: Config, store: Store, episodes: list[Episode], force: bool = False,
            show_progress: bool = True, render: bool = True) -> TrailerResult:
    """Choose the trailer's shots from every episode and render it (render=False: choose only)."""
    with episode_lock(cfg, TRAILER, stage.STAGE, "trailer"):
        return _trailer(cfg, store, episodes, force, show_progress, render)


def _trailer(cfg: Config, store: Store, episodes: list[Episode], force: bool, show_progress: bool,
             render: bool) -> TrailerResult:
    if not episodes:
        raise PipelineError("no episodes to make a trailer from", hint="add episodes under episodes/")
    materials = {}
    for ep in episodes:
        if not ep.master.is_file() and len(episodes) > 1:  # not exported yet: the others still make a trailer
            stage.log.info("%s: master not found (%s): left out of the trailer", ep.id, ep.master)
            continue
        materials[ep.id] = stage.load_material(cfg, store, ep, show_progress)
    if not materials:
        raise PipelineError("no episode has its master yet", hint="export the masters named in episode.toml")
    segments = choose(cfg, list(materials.values()))
    if not segments:
        raise PipelineError("no highlights found for the trailer",
                            hint='mark some with [[highlights]] use = "trailer" in episode.toml')
    c = cfg.clips
    rate = stage.output_rate(next(iter(materials.values())).info)
    shots = [assembly.Shot(None, 0.0, assembly.frame_round(c.title_card_seconds, rate))]
    shots += [assembly.Shot(materials[s.episode].episode.master, s.start, assembly.frame_round(s.duration, rate))
              for s in segments]
    shots.append(assembly.Shot(None, 0.0, assembly.frame_round(c.end_card_seconds, rate)))
    duration = sum(s.duration for s in shots)
    notes = []
    if duration < c.trailer_seconds[0] - 0.5:
        notes.append(f"trailer lasts {duration:.1f} s, less than the {c.trailer_seconds[0]:g} s asked: "
                     "not enough highlights (mark more with use = \"trailer\")")
    finals = {v: clip_path(cfg, TRAILER, v) for v in VARIANTS}
    title, end = (cards.title_card(cfg.project.series_title.fr, cfg.project.series_title.bm),
                  cards.end_card(c.first_release, c.channels))
    first = materials[segments[0].episode]
    thumb_title = cfg.project.series_title.fr
    fp = stage.fingerprint({"shots": [(str(s.source), s.start, s.duration) for s in shots],
                            "digests": {k: m.digest for k, m in materials.items()},
                            "cards": [asdict(title), asdict(end)],
                            "settings": asdict(c), "recipe": stage.RECIPE, "ffmpeg": ffmpeg.version(),
                            "loudness": cfg.transcode.profiles[c.loudness_profile].settings()})
    thumb = stage.make_thumbnail(cfg, store, first, TRAILER, thumb_title, segments[0].start, segments[0].end, None,
                             force) if render else thumbnail_path(cfg, TRAILER)
    result = TrailerResult(tuple(segments), finals, thumb, duration, True, tuple(notes))
    if not render or (not force and stage.up_to_date(store, TRAILER, [f"{TRAILER}.{v}" for v in VARIANTS], fp)):
        return result
    with tempfile.TemporaryDirectory(prefix="clips-") as tmp:
        variants = []
        imgs: dict[str, tuple[Path, Path]] = {}
        for v in VARIANTS:
            w, h, fw, fh = stage.variant_sizes(first.info, v)
            imgs[v] = (cards.render_card(title, w, h, Path(tmp) / f"title.{v}.png"),
                       cards.render_card(end, w, h, Path(tmp) / f"end.{v}.png"))
            variants.append(assembly.Variant(finals[v], w, h, fw, fh))
        shots[0] = assembly.Shot(None, 0.0, shots[0].duration, tuple(imgs[v][0] for v in VARIANTS))
        shots[-1] = assembly.Shot(None, 0.0, shots[-1].duration, tuple(imgs[v][1] for v in VARIANTS))
        a = assembly.Assembly(tuple(shots), tuple(variants), rate, c.fade_seconds, (), stage.encoder(cfg, rate))
        notes += stage.render(cfg, a, TRAILER, show_progress)
    for v in VARIANTS:
        store.record_output(stage.STAGE, TRAILER, f"{TRAILER}.{v}", fp, finals[v],
                            {"duration": duration, "segments": [asdict(s) for s in segments]})
    for note in notes:
        stage.log.info("%s: %s", TRAILER, note)
    stage.log.info("%s: %d shots from %d episode(s), %.1f s", TRAILER, len(segments), len(materials), duration)
    return TrailerResult(tuple(segments), finals, thumb, duration, False, tuple(notes))
