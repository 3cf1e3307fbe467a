"""A studio project with a season's statistics: `webseries metrics demo`'s simulated season (pulled
twice from the emulator through the real clients, field sheets and the KoboToolbox survey
imported), copied into the project's own database, with one account per role."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from pipeline.config import load_config
from pipeline.stages import metrics_demo_data as demo_data
from pipeline.stages.metrics_demo import simulate
from pipeline.store import Store
from pipeline.users import ROLES, add
from tests.studio_support import PASSWORD, StudioProject, make_studio_project

TARGETS = """
[metrics.indicators]
vues = { measure = "views", label = "Vues des vidéos", baseline = 0, target = 8000 }
participants = { measure = "screening_participants", label = "Participants aux projections", target = 900 }
femmes = { measure = "screening_women", label = "Femmes touchées par les projections", target = 450 }
gain = { measure = "knowledge_gain", label = "Gain de connaissances (points)", target = 15 }
"""


def survey_toml() -> str:
    questions = "\n".join(f'{q} = {list(right)!r}'.replace("'", '"') for q, right in demo_data.QUESTIONS.items())
    return ('\n[metrics.survey]\nwave = "vague"\nsex = "sexe"\nage = "age"\nregion = "region"\nmin_cell = 10\n'
            f'kobo_asset = "{demo_data.FORM}"\n[metrics.survey.questions]\n{questions}\n')


def stats_project(root: Path, master: Path, season: int = 4, episodes: int = 0, profiles: str = '["mobile"]',
                  demo_episodes: bool = True) -> StudioProject:
    """A studio project (`episodes` copies of `master`) holding the statistics of a simulated `season`;
    with `demo_episodes`, the season's own manifests too (titles, the episode filter)."""
    project = make_studio_project(root, master, profiles=profiles, episodes=episodes)
    dcfg = simulate(load_config(project.config), season, say=lambda _: None)
    if demo_episodes:
        for folder in dcfg.project.episodes_dir.iterdir():
            shutil.copytree(folder, project.root / "episodes" / folder.name)
    with sqlite3.connect(dcfg.project.database) as src, sqlite3.connect(project.database) as dst:
        src.backup(dst)
    shutil.rmtree(dcfg.project.database.parent)
    with Store(project.database) as store:
        for role in ROLES:
            add(store, role, role, PASSWORD.format(role=role))
    with open(project.config, "a", encoding="utf-8") as fh:
        fh.write(survey_toml() + TARGETS)
    return project
