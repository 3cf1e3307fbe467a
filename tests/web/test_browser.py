"""The studio in a real browser (Debian's Chromium through Playwright), as an editor uses it.

Each step takes a screenshot of its page (`make screenshots` writes them to docs/screenshots/ for README.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pipeline.manifest import load_episode
from tests.studio_support import make_master, make_studio_project, served, tiny_master
from tests.web.browser_support import shot, sign_in

__all__ = ["tiny_master"]


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, tiny_master: Path):
    root = tmp_path_factory.mktemp("browser")
    long_master = make_master(root / "long.mp4", 12.0, "1280x720")
    project = make_studio_project(root / "project", tiny_master, profiles='["youtube"]')
    project.add_episode("ep02-long", long_master, 2, title="Le conseil communal")
    with served(project.config, "--no-scheduler") as base:
        yield project, base


def test_login_and_episodes_table(browser, studio):
    project, base = studio
    page = sign_in(browser, base, screenshot="login")
    assert page.locator("table.episodes tbody tr").count() == 2
    row = page.locator("#ep-ep02-long")
    assert "Le conseil communal" in row.inner_text() and "master.mp4" in row.inner_text()
    assert row.locator("button:has-text('Rendre')").is_visible()
    page.close()


def test_edit_and_create_episodes_through_the_form(browser, studio):
    project, base = studio
    page = sign_in(browser, base)
    page.click("#ep-ep01-test a:has-text('ep01-test')")
    page.fill("input[name=number]", "cinq")
    page.fill("input[name='title.bm']", "Kalata ye sugandili ye")
    page.fill("input[name=h0_start]", "00:01")
    page.fill("input[name=h0_end]", "2,5")
    page.fill("input[name=h0_label]", "Ouverture")
    page.click("button:has-text('Enregistrer')")
    error = page.locator(".field-error").first
    assert "doit être un nombre entier" in error.inner_text()
    shot(page, "episode_form")
    path = project.episode_file("ep01-test")
    assert "number = 1" in path.read_text(encoding="utf-8")  # nothing written yet
    page.fill("input[name=number]", "5")
    page.click("button:has-text('Enregistrer')")
    page.wait_for_url(re.compile(r"/episodes\?saved=ep01-test"))
    assert "Épisode « ep01-test » enregistré." in page.inner_text("main")
    text = path.read_text(encoding="utf-8")
    assert "number = 5  # the episode's number in the season" in text
    assert 'bm = "Kalata ye sugandili ye"  # to be written by the Bambara translator' in text
    assert text.startswith("# Episode written by hand: its comments must survive the studio's edits.")
    ep = load_episode(path.parent)
    assert ep.number == 5 and ep.highlights[0].label == "Ouverture" and ep.highlights[0].end == 2.5

    page.click("a:has-text('Nouvel épisode')")
    page.fill("input[name=id]", "ep03-jeunes")
    page.fill("input[name=number]", "3")
    page.fill("input[name='title.fr']", "Les jeunes <b>et</b> la commune")
    page.fill("textarea[name='description.fr']", "Troisième épisode.")
    page.click("button:has-text('Enregistrer')")
    page.wait_for_url(re.compile(r"saved=ep03-jeunes"))
    assert load_episode(project.root / "episodes" / "ep03-jeunes").title.fr == "Les jeunes <b>et</b> la commune"
    assert "Les jeunes <b>et</b> la commune" in page.locator("#ep-ep03-jeunes").inner_text()  # shown as text
    page.close()


def test_render_job_progress_and_cancel(browser, studio):
    project, base = studio
    page = sign_in(browser, base)
    page.click("#ep-ep01-test button:has-text('Rendre')")
    first = page.locator("#jobs tbody tr").first
    job = first.get_attribute("id")
    page.wait_for_selector(f"#{job}[data-state=done]", timeout=90_000)
    assert page.inner_text(f"#{job} .state") == "terminé"
    assert "youtube" in page.inner_text(f"#{job} .message")

    page.click("#ep-ep02-long button:has-text('Rendre')")
    long_job = page.locator("#jobs tbody tr").first.get_attribute("id")
    assert long_job != job
    expect(page.locator(f"#{long_job} .message")).to_contain_text("encodage", timeout=90_000)  # the CSP forbids eval
    assert page.locator(f"#{long_job} progress").is_visible()
    page.click(f"#{long_job} button:has-text('Annuler')")
    page.wait_for_selector(f"#{long_job}[data-state=cancelled]", timeout=60_000)
    assert page.inner_text(f"#{long_job} .message") == "annulé par editor"
    rendered = project.root / "build" / "ep02-long" / "renditions"
    assert not list(rendered.iterdir())
    page.goto(base + "/jobs")
    shot(page, "jobs")
    page.goto(base + "/episodes")
    assert "youtube" in page.locator("#ep-ep01-test td.renditions").inner_text()
    shot(page, "episodes")
    page.close()
