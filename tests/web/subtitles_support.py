"""A studio project with subtitles to review: a rendition made by the transcode stage, a French
file written by the pipeline as the recogniser would (review.write_track), and a translator's CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline.captions import review
from pipeline.config import load_config
from pipeline.manifest import load_episode
from pipeline.models import Cue
from pipeline.paths import subtitle_path
from pipeline.stages.transcode import transcode
from pipeline.store import Store
from tests.studio_support import StudioProject, make_studio_project

FRENCH = [  # over the 3-second tiny master, within every cue rule (lint is clean)
    Cue(0.1, 1.0, ("Bonjour à tous.",)),
    Cue(1.08, 1.98, ("Allez voter.",)),
    Cue(2.06, 2.96, ("Merci.",)),
]
BAMBARA = [  # start, end, French, Bambara: every Bambara letter
    ("00:00:00,100", "00:00:01,000", "Bonjour à tous.", "I ni ce, aw bɛɛ"),
    ("00:00:01,080", "00:00:01,980", "Allez voter.", "Aw ka taa ɲɛnatɔmɔ kɛ."),
    ("00:00:02,060", "00:00:02,960", "Merci.", "Ŋaniya, Ɛ Ɔ Ɲ."),
]


def csv_bytes(rows: list[tuple[str, ...]]) -> bytes:
    """A CSV as a French spreadsheet saves it with 'CSV UTF-8': semicolons, a BOM."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(["n", "début", "fin", "français", "bamanankan"])
    for n, row in enumerate(rows, 1):
        w.writerow([n, *row])
    return out.getvalue().encode("utf-8-sig")


def machine_writes(project: StudioProject, ep_id: str, lang: str, cues: list[Cue]) -> Path:
    """The recogniser's output, written as the subtitles stage writes it."""
    cfg = load_config(project.config)
    path = subtitle_path(cfg, ep_id, lang)
    with Store(project.database) as store:
        return review.write_track(store, ep_id, lang, path, cues, review.machine_status(lang), "whisper").path


def subtitle_project(root: Path, master: Path, episodes: int = 2) -> StudioProject:
    """ep01-test has a 'mobile' rendition and machine French; the others have French but no rendition."""
    project = make_studio_project(root, master, episodes=episodes)
    cfg = load_config(project.config)
    with Store(project.database) as store:
        transcode(cfg, store, load_episode(project.episode_file("ep01-test").parent), ["mobile"], show_progress=False)
    for n in range(1, episodes + 1):
        machine_writes(project, f"ep0{n}-test", "fr", FRENCH)
    return project
