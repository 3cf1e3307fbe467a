"""The evaluation side of `webseries metrics demo`: what field teams and surveyors would send.

Episode manifests with French titles, a screenings sheet and a broadcasts sheet filled in the
facilitators' template (then imported as any sheet would be), a pre/post KoboToolbox survey
served by the emulator's API v2 (and pulled with a token, like the real one), and logframe
targets, so the demo report shows every section. Figures are made up but fixed (seeded).
"""

from __future__ import annotations

import dataclasses
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook

from pipeline.config import Config
from pipeline.config.evaluation import EvaluationConfig
from pipeline.metrics import fieldwork
from pipeline.platforms.emulator import Emulator
from pipeline.platforms.emulator import kobo as emulator_kobo

TITLES = ("Voter, c'est choisir", "La mairie, c'est nous", "Les femmes décident aussi", "Jeunes et engagés",
          "Le budget de la commune", "Nos droits, nos devoirs")
FORM = "aDemoSurveyForm2026"
QUESTIONS = {"q_age_vote": ("18",), "q_role_maire": ("b",), "q_carte": ("mairie",), "q_femmes_candidates": ("oui",),
             "q_budget": ("a c",)}
REGIONS = ("Bamako", "Ségou", "Sikasso", "Mopti", "Kayes")
TARGETS = {"views": (0, 8000), "unique_viewers_facebook": (0, 3000), "comments": (0, 60), "answered_pct": (0, 80),
           "screening_participants": (0, 900), "screening_women": (0, 450), "screening_men": (0, 450),
           "broadcast_audience": (0, 150000), "knowledge_gain": (0, 15), "avg_percentage_youtube": (None, 50),
           "complete_views_pct_facebook": (None, 20)}


def write_episodes(folder: Path, count: int) -> None:
    for i in range(1, count + 1):
        ep = folder / f"ep{i:02d}"
        ep.mkdir(parents=True, exist_ok=True)
        (ep / "episode.toml").write_text(
            f'id = "ep{i:02d}"\nnumber = {i}\nmaster = "master.mov"\nlanguages = ["fr", "bm"]\n\n'
            f'[title]\nfr = "{TITLES[(i - 1) % len(TITLES)]}"\n\n[description]\nfr = "Épisode {i} de la série."\n',
            encoding="utf-8")


def _fill(template: Path, rows: list[list[object]], target: Path) -> Path:
    """What a facilitator does: open the template, type the rows under the headers, save."""
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    wb.save(target)
    return target


def field_sheets(folder: Path, episodes: int, today: date) -> tuple[Path, Path]:
    rng = random.Random(15)
    shutil.rmtree(folder, ignore_errors=True)   # the demo's own folder: last run's sheets go
    screen_tpl, _ = fieldwork.write_template(fieldwork.SCREENING, folder)
    places = (("Ségou", "Ségou", "Pelengana", "École fondamentale de Pelengana"), ("Sikasso", "Sikasso", "Sikasso",
              "Maison des jeunes"), ("Mopti", "Mopti", "Sévaré", "Place publique du marché"),
              ("Bamako", "District", "Commune IV", "Centre culturel de Lafiabougou"),
              ("Kayes", "Kayes", "Kayes N'di", "Cour du chef de quartier"), ("Ségou", "San", "San", "Radio Parana"))
    questions = ("Comment retirer sa carte d'électeur ?", "Pourquoi les femmes sont-elles peu candidates ?",
                 "Mun na kamalenw tɛ sugandili kɛ ?", "Qui décide du budget de la commune ?", "")
    screenings = []
    for i in range(9):
        region, cercle, commune, place = places[i % len(places)]
        counts = [rng.randint(5, 30) for _ in range(6)]
        screenings.append([today - timedelta(days=20 - 2 * i), region, cercle, commune, place,
                           f"{1 + i % episodes}" + (f", {1 + (i + 1) % episodes}" if i % 3 == 0 and episodes > 1 else ""),
                           ("Awa Diallo", "Bakary Sangaré", "Mariam Cissé")[i % 3], *counts,
                           rng.randint(0, 4), rng.randint(0, 8), ("bambara", "bambara et français", "peul (fulfulde)")[i % 3],
                           questions[i % len(questions)]])
    broad_tpl, _ = fieldwork.write_template(fieldwork.BROADCAST, folder)
    broadcasts = [[today - timedelta(days=15 - 3 * i), station, medium, str(1 + i % episodes), language, audience, source]
                  for i, (station, medium, language, audience, source) in enumerate((
                      ("Radio Kledu", "radio", "bambara", 45000, "estimation de la station (sondage 2025)"),
                      ("ORTM", "télévision", "français", 120000, "étude d'audience ORTM 2025"),
                      ("Radio Jamana Ségou", "radio", "bambara", 18000, "estimation de la station"),
                      ("Radio Parana San", "radio", "bambara", 9000, "estimation de la station")))]
    return (_fill(screen_tpl, screenings, folder / "projections-novembre.xlsx"),
            _fill(broad_tpl, broadcasts, folder / "diffusions-novembre.xlsx"))


def survey_submissions(emu: Emulator, n: int = 120) -> None:
    """Pre and post waves of n respondents each: the post wave knows more (as hoped)."""
    rng = random.Random(2026)
    wrong = {"q_age_vote": "16", "q_role_maire": "c", "q_carte": "préfecture", "q_femmes_candidates": "non",
             "q_budget": "b"}
    rows = []
    for wave, p in (("pre", 0.45), ("post", 0.68)):
        for i in range(n):
            age = rng.choice((15, 16, 17, 19, 22, 25, 28, 31, 34, 38, 45, 52))
            row = {"vague": wave, "identification/nom": f"Personne {wave}-{i}", "identification/telephone": "+223 70 00 00 00",
                   "identification/sexe": rng.choice(("femme", "homme")), "identification/age": age,
                   "identification/region": REGIONS[i % len(REGIONS)] if i % 40 else "Kidal",
                   "_submission_time": f"2026-{10 if wave == 'pre' else 12}-{1 + i % 28:02d}T10:00:00"}
            for q, right in QUESTIONS.items():
                row[f"connaissances/{q}"] = right[0] if rng.random() < p else wrong[q]
            rows.append(row)
    emulator_kobo.add_submissions(emu, FORM, rows)


def evaluation_config(ev: EvaluationConfig, url: str, tokens: Path) -> EvaluationConfig:
    """The demo's survey mapping (the form above), Kobo at the emulator, and logframe targets."""
    survey = dataclasses.replace(ev.survey, wave="vague", sex="sexe", age="age", region="region", respondent="",
                                 questions=QUESTIONS, min_cell=10, kobo_server=url, kobo_asset=FORM,
                                 kobo_token_env="WEBSERIES_DEMO_UNUSED", kobo_token_file=tokens / "kobo-token")
    indicators = tuple(dataclasses.replace(i, baseline=TARGETS[i.measure][0], target=TARGETS[i.measure][1])
                       if i.measure in TARGETS and i.target is None else i for i in ev.indicators)
    return dataclasses.replace(ev, survey=survey, indicators=indicators)


def with_episodes(cfg: Config, folder: Path) -> Config:
    return dataclasses.replace(cfg, project=dataclasses.replace(cfg.project, episodes_dir=folder))
