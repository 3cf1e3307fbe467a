"""The Sous-titres page in a real browser (Debian's Chromium): an editor corrects and approves a
cue beside the video, and a translator imports a spreadsheet after its preview.

Screenshots: subtitles.png and translator.png (README.md shows them; `make screenshots`).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pipeline.captions import files
from pipeline.models import Cue
from tests.studio_support import child_env, studio_in_thread, tiny_master
from tests.web.browser_support import shot, sign_in
from tests.web.subtitles_support import BAMBARA, FRENCH, csv_bytes, machine_writes, subtitle_project

__all__ = ["tiny_master"]
PLAYER = "document.getElementById('player')"


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, tiny_master: Path):
    project = subtitle_project(tmp_path_factory.mktemp("subs-browser") / "project", tiny_master, episodes=2)
    with studio_in_thread(project.config) as base:
        yield project, base


def test_editor_corrects_a_cue_beside_the_video_and_approves_it(browser, studio):
    project, base = studio
    page = sign_in(browser, base)
    page.click("#ep-ep01-test .subtitles a:has-text('généré')")
    page.wait_for_url(base + "/subtitles/ep01-test/fr")
    page.wait_for_function(f"{PLAYER}.readyState >= 1")

    # The player and the list follow each other: a cue's number seeks; playing time lights its cue.
    page.click("#cue-2 button.seek")
    assert page.evaluate(f"{PLAYER}.currentTime") == pytest.approx(FRENCH[1].start, abs=0.01)
    expect(page.locator("#cue-2")).to_have_class(re.compile(r"\bcurrent\b"))
    page.evaluate(f"{PLAYER}.currentTime = 2.5")
    expect(page.locator("#cue-3")).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator("#cue-2")).not_to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator("#waveform")).to_have_js_property("naturalWidth", 1600)

    # The rules speak as you type (the server's lint), then go quiet once the text is right.
    text = page.locator("#cue-1 textarea")
    text.fill("Bonjour à toutes et à tous, bienvenue dans notre commune")
    expect(page.locator("#problems-1")).to_contain_text("ligne trop longue")
    expect(page.locator("#lint")).to_contain_text("n° 1")
    text.fill("Salut à toutes.")
    expect(page.locator("#lint")).to_contain_text("Aucune remarque")
    expect(page.locator("#count-1")).to_contain_text("15 car.")
    page.keyboard.press("Control+Space")  # the documented shortcut: play, from inside the text
    page.wait_for_function(f"!{PLAYER}.paused")
    page.keyboard.press("Control+Space")
    page.wait_for_function(f"{PLAYER}.paused")
    page.set_viewport_size({"width": 1280, "height": 1000})
    shot(page, "subtitles")

    page.click("#save")
    expect(page.locator("#notice")).to_have_text("Enregistré.")
    srt = project.root / "subtitles" / "ep01-test" / "fr.srt"
    assert files.read_srt(srt)[0].text == "Salut à toutes."
    assert page.inner_text("#state").startswith("modifié")

    page.click("#approve button")
    expect(page.locator("#notice")).to_have_text("Approuvé.")
    expect(page.locator("#approved")).to_have_text(re.compile(r"^approuvé par editor, \d\d/\d\d \d\d:\d\d$"))
    out = subprocess.run([sys.executable, "-m", "pipeline", "--config", str(project.config), "subtitles", "status"],
                         capture_output=True, text=True, env=child_env(), check=True).stdout
    assert re.search(r"ep01-test\s+fr\s+approved\s+0\s+approved \S+ \S+ by editor", out), out
    page.close()


def test_translator_imports_a_spreadsheet_after_its_preview(browser, studio):
    project, base = studio
    page = sign_in(browser, base, role="translator")
    page.goto(base + "/subtitles/ep01-test/bm")
    page.set_input_files("input[type=file]", files=[
        {"name": "ep01-bambara.csv", "mimeType": "text/csv", "buffer": csv_bytes(BAMBARA)}])
    page.click("button:has-text(\"Voir l'aperçu\")")
    expect(page.locator("#preview tbody tr")).to_have_count(3)
    expect(page.locator("#row-2")).to_contain_text("Aw ka taa ɲɛnatɔmɔ kɛ.")
    expect(page.locator("#row-2 mark.letter").first).to_have_text("ɲ")
    bm = project.root / "subtitles" / "ep01-test" / "bm.srt"
    assert not bm.exists()  # nothing written before the confirmation

    page.click("#confirm")
    expect(page.locator("#notice")).to_have_text("Fichier importé.")
    assert [c.text for c in files.read_srt(bm)] == [row[3] for row in BAMBARA]
    french = files.read_srt(project.root / "subtitles" / "ep01-test" / "fr.srt")
    expect(page.locator("#cue-1 .french")).to_have_text(french[0].text)  # each slot beside its French

    text = page.locator("#cue-1 textarea")  # a letter goes in at the cursor
    text.click()
    page.keyboard.press("End")
    page.keyboard.type(" ka")
    page.click("button.letter[data-letter='ɲ']")
    page.keyboard.type("ɛ")
    expect(text).to_have_value("I ni ce, aw bɛɛ kaɲɛ")
    expect(page.locator("#count-1")).to_contain_text("20 car.")
    page.click("#cue-1 button.play-slot")  # the slot's sound, from its start
    page.wait_for_function(f"!{PLAYER}.paused || {PLAYER}.currentTime > 0.5")
    page.set_viewport_size({"width": 1280, "height": 1000})
    shot(page, "translator")
    page.click("#save")
    expect(page.locator("#notice")).to_have_text("Enregistré.")
    assert files.read_srt(bm)[0].text == "I ni ce, aw bɛɛ kaɲɛ"
    assert page.locator("#approve").count() == 0  # approval is an editor's
    page.close()


def test_a_script_in_a_cue_stays_text_in_the_browser(browser, studio):
    project, base = studio
    evil = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    machine_writes(project, "ep02-test", "fr", [Cue(0.1, 1.0, (evil,)), *FRENCH[1:]])
    page = sign_in(browser, base)
    page.goto(base + "/subtitles/ep02-test/fr")
    expect(page.locator("#cue-1 textarea")).to_have_value(evil)
    expect(page.locator("#problems-1")).to_contain_text("ligne trop longue")
    page.fill("#cue-2 textarea", evil)  # typed: the live check sends it back inside its answer
    expect(page.locator("#problems-2")).to_contain_text("ligne trop longue")
    assert page.evaluate("window.pwned === undefined")
    assert page.locator("main img:not(#waveform)").count() == 0
    assert page.locator("script:not([src])").count() == 0
    page.close()
