"""The community-screening kit: a folder that plays the episodes with no internet, from file://."""

from __future__ import annotations

import contextlib
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import Project
from offline_support import EP, offline_project, short_master  # noqa: F401 - fixture

from pipeline.kits import sizes
from pipeline.stages.package import MARKER

CHROMIUM = Path("/usr/bin/chromium")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "poster") and value:
                self.found.append(value)


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory, sample_master: Path, short_master: Path) -> tuple[Project, Path, str]:  # noqa: F811
    project = offline_project(tmp_path_factory.mktemp("kit") / "project", sample_master, short_master)
    out = project.root / "cle-usb"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = project.run("package", "screening", EP, "--out", str(out))[0]
    assert code == 0, err.getvalue()
    return project, out, err.getvalue()


def test_every_link_is_relative_and_leads_to_a_file_of_the_kit(kit) -> None:  # noqa: ANN001
    _project, out, _log = kit
    pages = list(out.rglob("*.html"))
    assert {p.relative_to(out).as_posix() for p in pages} >= {
        "index.html", f"episodes/{EP}.html", f"guides/{EP}.html"}
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.found:
            if link.startswith(("data:text/vtt", "#")):
                continue
            assert not re.match(r"^[a-z][a-z0-9+.-]*:", link, re.I) and not link.startswith("/"), (page, link)
            assert (page.parent / unquote(link)).resolve().is_file(), (page, link)


def test_nothing_in_the_kit_refers_to_a_web_address(kit) -> None:  # noqa: ANN001
    _project, out, _log = kit
    for path in out.rglob("*"):
        if path.suffix in (".html", ".txt", ".vtt", ".srt"):
            assert not re.search(r"https?://", path.read_text(encoding="utf-8"), re.I), path


def test_the_kit_holds_both_qualities_burned_copies_audio_tracks_and_says_its_size(kit) -> None:  # noqa: ANN001
    _project, out, _log = kit
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {f"videos/{EP}.540p.mp4", f"videos/{EP}.480p.mp4", f"episodes/{EP}-480p.html",
            f"videos/{EP}.sous-titres-fr.mp4", f"videos/{EP}.sous-titres-bm-fr.mp4",
            f"audio/{EP}.ogg", f"sous-titres/{EP}.fr.vtt", f"sous-titres/{EP}.bm.vtt", f"images/{EP}.jpg",
            "LISEZMOI.txt", MARKER} <= names
    index = (out / "index.html").read_text(encoding="utf-8")
    total = sizes.measure(out, 8.0).total
    assert "il tient sur une clé USB de 8 Go" in index and "Ka kalata kɛ" in index  # the Bambara title
    shown = re.search(r"Le kit pèse ([\d,]+) Mo", index)
    assert shown and abs(float(shown.group(1).replace(",", ".")) - total / 1e6) < 0.06
    assert "Le kit pèse" in (out / "LISEZMOI.txt").read_text(encoding="utf-8")


def test_the_discussion_guide_comes_from_episode_toml_and_prints(kit) -> None:  # noqa: ANN001
    _project, out, _log = kit
    guide = (out / "guides" / f"{EP}.html").read_text(encoding="utf-8")
    for text in ("Qui, ici, a déjà voté ?", "Chaque voix compte.", "Mairie de la commune", "+223 20 22 00 00",
                 "www.example.ml"):
        assert text.replace("'", "&#39;") in guide
    assert "@media print" in guide and "@page" in guide


def test_rerun_replaces_the_kit_but_never_a_folder_it_did_not_make(kit, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    project, out, _log = kit
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "rapport.docx").write_text("le travail de quelqu'un")
    code, _, err = project.run("package", "screening", EP, "--out", str(mine), capsys=capsys)
    assert code == 2 and "not a pack made by webseries" in err and "Traceback" not in err
    assert (mine / "rapport.docx").read_text() == "le travail de quelqu'un"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_index_opened_from_the_file_system_plays_the_first_episode_with_both_tracks_offline(kit) -> None:  # noqa: ANN001
    from playwright.sync_api import sync_playwright
    from tests.web.browser_support import FLAGS

    _project, out, _log = kit
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto((out / "index.html").as_uri())
            assert page.locator("h2").first.inner_text().startswith("Épisode 1")
            with page.expect_navigation():
                page.locator("a", has_text="Regarder").first.click()
            page.wait_for_selector("video")
            state = page.evaluate("""async () => {
                const v = document.querySelector('video');
                v.muted = true;
                await v.play();
                for (const t of v.textTracks) t.mode = 'hidden';
                const deadline = Date.now() + 8000;
                while (Date.now() < deadline && (v.readyState < 2 ||
                       Array.from(v.textTracks).some(t => !t.cues || t.cues.length === 0))) {
                    await new Promise(r => setTimeout(r, 100));
                }
                return {ready: v.readyState, time: v.currentTime, error: v.error && v.error.code,
                        tracks: Array.from(v.textTracks).map(t => [t.kind, t.language, t.cues ? t.cues.length : 0])};
            }""")
        finally:
            browser.close()
    assert state["ready"] >= 2 and state["error"] is None, state
    assert state["tracks"] == [["subtitles", "fr", 2], ["subtitles", "bm", 2]], state
    assert requests and all(u.startswith("file://") for u in requests), [u for u in requests
                                                                          if not u.startswith("file://")]
    assert any(u.endswith(f"videos/{EP}.540p.mp4") for u in requests)
