"""The episode form writes episode.toml as the CLI reads it: comments kept, bad input refused in French."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.manifest import load_episode
from pipeline.store import Store
from pipeline import audit
from tests.studio_support import StudioProject, login, make_studio_project, studio_in_thread, tiny_master

__all__ = ["tiny_master"]


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, tiny_master: Path):
    project = make_studio_project(tmp_path_factory.mktemp("form") / "project", tiny_master)
    with studio_in_thread(project.config) as base:
        yield project, base, *login(base, "editor")


def form_of(html: str) -> dict[str, str]:
    """The edit form's fields as the browser would send them."""
    fields = dict(re.findall(r'<input name="([^"]+)" value="([^"]*)"', html))
    fields.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    fields.update(re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', html))
    for name in re.findall(r'<select name="([^"]+)"', html):
        fields[name] = "clip"
    return {k: v.replace("&#39;", "'").replace("&amp;", "&") for k, v in fields.items()}


def test_edit_keeps_comments_and_validates_like_the_cli(studio):
    project, base, s, _ = studio
    path = project.episode_file("ep01-test")
    fields = form_of(s.get(base + "/episodes/ep01-test/edit").text)
    fields.update({"number": "4", "title.bm": "Ka jamana lamɔ", "h0_start": "00:05", "h0_end": "12.5",
                   "h0_label": "La mairie", "languages": ["fr", "bm"]})
    r = s.post(base + "/episodes/ep01-test/edit", data=fields)
    assert r.status_code == 200 and r.url.endswith("/episodes?saved=ep01-test")
    assert "Épisode « ep01-test » enregistré." in r.text
    text = path.read_text(encoding="utf-8")
    assert "# Episode written by hand: its comments must survive the studio's edits." in text
    assert "number = 4  # the episode's number in the season" in text
    assert 'bm = "Ka jamana lamɔ"  # to be written by the Bambara translator' in text
    ep = load_episode(path.parent)
    assert ep.number == 4 and ep.languages == ("fr", "bm") and ep.highlights[0].start == 5.0
    assert ep.highlights[0].end == 12.5 and ep.highlights[0].label == "La mairie"
    with Store(project.database) as store:
        entry = audit.latest(store, audit.target("episode", "ep01-test"), "edit")
    assert entry and entry.user == "editor" and "number" in entry.detail and "title.bm" in entry.detail


def test_invalid_input_is_shown_beside_its_field_and_nothing_is_written(studio):
    project, base, s, _ = studio
    path = project.episode_file("ep01-test")
    before = path.read_text(encoding="utf-8")
    fields = form_of(s.get(base + "/episodes/ep01-test/edit").text)
    fields.update({"number": "quatre", "thumbnail_time": "bientôt", "h0_start": "00:20", "h0_end": "00:10",
                   "h0_label": "À l'envers"})
    r = s.post(base + "/episodes/ep01-test/edit", data=fields)
    assert r.status_code == 400
    assert "doit être un nombre entier" in r.text
    assert "une durée en secondes ou un temps comme 01:23.5 (reçu &#39;bientôt&#39;)" in r.text
    assert "doit être après le début" in r.text
    assert 'value="quatre"' in r.text  # what the person typed is still there
    assert path.read_text(encoding="utf-8") == before


def test_a_file_changed_since_the_form_was_opened_is_not_overwritten(studio):
    project, base, s, _ = studio
    path = project.episode_file("ep01-test")
    fields = form_of(s.get(base + "/episodes/ep01-test/edit").text)
    path.write_text(path.read_text(encoding="utf-8").replace("[title]", "# changed by hand meanwhile\n[title]"),
                    encoding="utf-8")
    mine = path.read_text(encoding="utf-8")
    r = s.post(base + "/episodes/ep01-test/edit", data={**fields, "number": "9"})
    assert r.status_code == 409 and "modifié par quelqu&#39;un d&#39;autre" in r.text
    assert path.read_text(encoding="utf-8") == mine


def test_create_an_episode(studio):
    project, base, s, csrf = studio
    page = s.get(base + "/episodes/new").text
    fields = {**form_of(page), "id": "ep07-mairie", "number": "7", "title.fr": "La mairie", "master": "master.mov",
              "description.fr": "Visite", "languages": "fr"}
    r = s.post(base + "/episodes/new", data=fields)
    assert r.url.endswith("/episodes?saved=ep07-mairie")
    ep = load_episode(project.root / "episodes" / "ep07-mairie")
    assert ep.title.fr == "La mairie" and ep.number == 7
    assert project.episode_file("ep07-mairie").read_text(encoding="utf-8").startswith("# Épisode créé dans le studio par editor.")
    again = s.post(base + "/episodes/new", data=fields)
    assert again.status_code == 409 and "existe déjà" in again.text
    bad = s.post(base + "/episodes/new", data={**fields, "id": "../escape"})
    assert bad.status_code == 400 and "lettres minuscules" in bad.text
    assert not (project.root / "escape").exists() and not (project.root / "episodes" / "..").joinpath("escape").exists()
