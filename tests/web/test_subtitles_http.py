"""The Sous-titres page over real HTTP: escaping, concurrent saves, roles, uploads, the player's Range requests."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from pipeline import jobs
from pipeline.captions import files, review
from pipeline.captions.sheets import timecode
from pipeline.config import load_config
from pipeline.models import Cue
from pipeline.paths import subtitle_path
from pipeline.stages.subtitles_status import status
from pipeline.store import Store
from pipeline.media.synth import make_test_video
from tests.studio_support import StudioProject, child_env, login, studio_in_thread
from tests.web.subtitles_support import BAMBARA, FRENCH, csv_bytes, machine_writes, subtitle_project

VERSION = re.compile(r'name="version" value="([0-9a-f]*)"')
TOKEN = re.compile(r'name="upload" value="([0-9a-f]+)"')


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> tuple[StudioProject, str]:
    root = tmp_path_factory.mktemp("subs-http")
    speech = make_test_video(root / "speech.mp4", duration=3.0, speech="Bonjour à tous. Allez voter.")
    project = subtitle_project(root / "project", speech, episodes=4)
    with studio_in_thread(project.config) as base:
        yield project, base


_SIGNED_IN: dict[tuple[str, str], tuple[requests.Session, str]] = {}


def signed_in(base: str, role: str) -> tuple[requests.Session, str]:
    """One login per role and studio (argon2 makes each login cost a fraction of a second)."""
    if (base, role) not in _SIGNED_IN:
        _SIGNED_IN[(base, role)] = login(base, role)
    return _SIGNED_IN[(base, role)]


def srt(project: StudioProject, ep: str, lang: str) -> Path:
    return subtitle_path(load_config(project.config), ep, lang)


def form_of(page: str, cues: list[Cue] | None = None, **texts: str) -> dict[str, str]:
    """The cue form as the page sent it (its version), with some texts changed: text-2="..."."""
    data = {"version": VERSION.search(page)[1], "n": str(len(cues or FRENCH))}
    for i, c in enumerate(cues or FRENCH, 1):
        data |= {f"start-{i}": timecode(c.start), f"end-{i}": timecode(c.end), f"text-{i}": c.text}
    return data | {k.replace("_", "-"): v for k, v in texts.items()}


def track_row(project: StudioProject, ep: str, lang: str):  # noqa: ANN201
    cfg = load_config(project.config)
    with Store(project.database) as store:
        return next(r for r in status(cfg, store, [ep]) if r.asset == ep and r.lang == lang)


def test_a_script_in_a_cue_is_shown_as_text(studio):
    project, base = studio
    machine_writes(project, "ep03-test", "fr", [Cue(0.1, 1.0, ("<script>alert('cue')</script> & <b>gras</b>",)),
                                                *FRENCH[1:]])
    s, csrf = signed_in(base, "evaluation")
    for page in (s.get(base + "/subtitles/ep03-test/fr").text, s.get(base + "/subtitles").text):
        assert "<script>alert" not in page and "<b>gras" not in page
    page = s.get(base + "/subtitles/ep03-test/fr").text
    assert "&lt;script&gt;alert(&#39;cue&#39;)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"
    editor, csrf = signed_in(base, "editor")
    live = editor.post(base + "/subtitles/ep03-test/fr/lint",
                       data={"csrf": csrf, **form_of(page, text_1="<script>alert(2)</script>" * 3)})
    assert live.status_code == 200 and "<script>alert(2)" not in live.text
    assert "ligne trop longue" in live.text and 'id="count-1" hx-swap-oob="true"' in live.text


def test_save_writes_the_files_and_status_shows_the_edit(studio):
    project, base = studio
    s, csrf = signed_in(base, "editor")
    page = s.get(base + "/subtitles/ep01-test/fr").text
    r = s.post(base + "/subtitles/ep01-test/fr/save", allow_redirects=False,
               data={"csrf": csrf, **form_of(page, text_2="Allez voter,\nvite !")})
    assert r.status_code == 303 and r.headers["location"].endswith("?ok=saved")
    path = srt(project, "ep01-test", "fr")
    assert [c.lines for c in files.read_srt(path)][1] == ("Allez voter,", "vite !")
    assert "Allez voter,\nvite !" in path.with_suffix(".vtt").read_text(encoding="utf-8")
    assert track_row(project, "ep01-test", "fr").state == "edited"
    assert "modifié par editor" in s.get(base + "/subtitles/ep01-test/fr").text


def test_two_concurrent_saves_the_second_is_refused(studio):
    project, base = studio
    path = srt(project, "ep02-test", "fr")
    awa, csrf_a = signed_in(base, "editor")
    moussa, csrf_m = signed_in(base, "admin")
    page_a = awa.get(base + "/subtitles/ep02-test/fr").text
    page_m = moussa.get(base + "/subtitles/ep02-test/fr").text
    first = awa.post(base + "/subtitles/ep02-test/fr/save", data={"csrf": csrf_a, **form_of(page_a, text_1="Awa")},
                     allow_redirects=False)
    assert first.status_code == 303
    second = moussa.post(base + "/subtitles/ep02-test/fr/save",
                         data={"csrf": csrf_m, **form_of(page_m, text_1="Moussa")})
    assert second.status_code == 409
    said = html.unescape(second.text)
    assert "modifié depuis que vous l'avez ouvert (modifié par editor" in said
    assert "Rien n'a été enregistré" in said and "Recharger la page" in said
    assert "Moussa" in said.split("Vos changements non enregistrés")[1]  # their text is not lost
    assert files.read_srt(path)[0].text == "Awa"

    # The same race with both requests in flight at once: exactly one wins.
    page = awa.get(base + "/subtitles/ep02-test/fr").text
    data = [{"csrf": csrf_a, **form_of(page, text_1="Awa 2")}, {"csrf": csrf_m, **form_of(page, text_1="Moussa 2")}]
    with ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(lambda i: (awa, moussa)[i].post(base + "/subtitles/ep02-test/fr/save", data=data[i],
                                                                 allow_redirects=False).status_code, (0, 1)))
    assert codes == [303, 409]
    assert files.read_srt(path)[0].text in ("Awa 2", "Moussa 2")


def test_roles_that_may_not_change_a_track_get_403(studio):
    project, base = studio
    path = srt(project, "ep01-test", "fr")
    before = path.read_bytes()
    for role in ("evaluation", "communication", "translator"):
        s, csrf = signed_in(base, role)
        page = s.get(base + "/subtitles/ep01-test/fr")
        assert page.status_code == 200 and "Enregistrer" not in page.text and "Approuver" not in page.text
        for action in ("save", "approve", "new-version", "lint"):
            r = s.post(base + f"/subtitles/ep01-test/fr/{action}", data={"csrf": csrf, **form_of(page.text)})
            assert r.status_code == 403 and "Accès refusé" in r.text, (role, action)
    translator, csrf = signed_in(base, "translator")
    assert translator.post(base + "/subtitles/ep01-test/bm/approve", data={"csrf": csrf}).status_code == 403
    assert "Enregistrer" not in translator.get(base + "/subtitles/ep01-test/fr").text  # the French: read only
    assert path.read_bytes() == before


def test_approve_records_the_reviewer_for_the_page_and_the_cli(studio):
    project, base = studio
    machine_writes(project, "ep03-test", "fr", FRENCH)  # clean of lint remarks
    s, csrf = signed_in(base, "editor")
    page = s.get(base + "/subtitles/ep03-test/fr").text
    r = s.post(base + "/subtitles/ep03-test/fr/approve", data={"csrf": csrf, "version": VERSION.search(page)[1]})
    assert r.status_code == 200 and "Approuvé." in r.text
    assert re.search(r"approuvé par editor, \d\d/\d\d \d\d:\d\d", r.text)
    row = track_row(project, "ep03-test", "fr")
    assert row.state == "approved" and row.approved_by == "editor"
    out = subprocess.run([sys.executable, "-m", "pipeline", "--config", str(project.config), "subtitles", "status",
                          "ep03-test"], capture_output=True, text=True, env=child_env(), check=True).stdout
    assert re.search(r"ep03-test\s+fr\s+approved .* by editor", out), out


def test_approval_with_lint_remarks_needs_an_explicit_yes(studio):
    project, base = studio
    machine_writes(project, "ep03-test", "bm", [Cue(0.1, 0.3, ("Ka kɛnɛ",))])  # shown too briefly
    s, csrf = signed_in(base, "admin")
    page = s.get(base + "/subtitles/ep03-test/bm").text
    version = VERSION.search(page)[1]
    refused = s.post(base + "/subtitles/ep03-test/bm/approve", data={"csrf": csrf, "version": version})
    assert refused.status_code == 400 and "2 remarque(s) restent" in refused.text  # too short, read too fast
    assert track_row(project, "ep03-test", "bm").state != "approved"
    ok = s.post(base + "/subtitles/ep03-test/bm/approve", data={"csrf": csrf, "version": version, "force": "1"})
    assert ok.status_code == 200 and track_row(project, "ep03-test", "bm").approved_by == "admin"


def test_a_machine_refresh_beside_a_persons_file_is_compared_then_taken_or_dropped(studio):
    project, base = studio
    path = machine_writes(project, "ep03-test", "fr", FRENCH)
    path.write_text(path.read_text(encoding="utf-8").replace("Merci.", "Merci beaucoup."), encoding="utf-8")
    refreshed = [*FRENCH[:2], Cue(2.06, 2.96, ("Merci à vous.",))]
    assert machine_writes(project, "ep03-test", "fr", refreshed).name == "fr.new.srt"
    s, csrf = signed_in(base, "editor")
    page = s.get(base + "/subtitles/ep03-test/fr").text
    assert "Nouvelle version de la machine (fr.new.srt)" in page
    assert re.search(r'<tr class="changed">.*?Merci beaucoup\..*?Merci à vous\.', page, re.S)
    r = s.post(base + "/subtitles/ep03-test/fr/new-version", data={"csrf": csrf, "choice": "keep",
                                                                   "version": VERSION.search(page)[1]})
    assert r.status_code == 200 and "Votre version est gardée" in r.text
    assert not review.new_path(path).exists() and "Merci beaucoup." in path.read_text(encoding="utf-8")

    machine_writes(project, "ep03-test", "fr", refreshed)
    page = s.get(base + "/subtitles/ep03-test/fr").text
    r = s.post(base + "/subtitles/ep03-test/fr/new-version", data={"csrf": csrf, "choice": "take",
                                                                   "version": VERSION.search(page)[1]})
    assert r.status_code == 200 and "La nouvelle version a remplacé la vôtre." in r.text
    assert files.read_srt(path)[2].text == "Merci à vous." and not review.new_path(path).exists()


def test_translator_import_preview_writes_nothing_until_confirmed(studio):
    project, base = studio
    target = srt(project, "ep02-test", "bm")
    s, csrf = signed_in(base, "translator")
    bad = csv_bytes([BAMBARA[0], (*BAMBARA[1][:3], ""), BAMBARA[2]])
    preview = s.post(base + "/subtitles/ep02-test/bm/import", data={"csrf": csrf},
                     files={"file": ("traduction.csv", bad, "text/csv")})
    assert preview.status_code == 200 and "1 problème : rien ne peut être importé" in preview.text
    assert "ligne 3</td><td>la traduction est vide" in preview.text and 'id="confirm"' not in preview.text
    staged = {"csrf": csrf, "upload": TOKEN.search(preview.text)[1]}
    refused = s.post(base + "/subtitles/ep02-test/bm/import/confirm", data=staged)
    assert refused.status_code == 400 and not target.exists()
    assert s.post(base + "/subtitles/ep02-test/bm/import/cancel", data=staged).url.endswith("/subtitles/ep02-test/bm")

    preview = s.post(base + "/subtitles/ep02-test/bm/import", data={"csrf": csrf},
                     files={"file": ("traduction.csv", csv_bytes(BAMBARA), "text/csv")})
    assert preview.status_code == 200 and "3 sous-titres</b> seront importés" in preview.text
    assert '<mark class="letter">ɛɛ</mark>' not in preview.text and '<mark class="letter">ɛ</mark>' in preview.text
    assert not target.exists()  # a preview writes nothing
    token = TOKEN.search(preview.text)[1]
    other, other_csrf = signed_in(base, "editor")  # another person cannot confirm someone's upload
    assert other.post(base + "/subtitles/ep02-test/bm/import/confirm",
                      data={"csrf": other_csrf, "upload": token}).status_code == 404
    done = s.post(base + "/subtitles/ep02-test/bm/import/confirm", data={"csrf": csrf, "upload": token})
    assert done.status_code == 200 and "Fichier importé." in done.text and "importé par translator" in done.text
    assert [c.text for c in files.read_srt(target)] == [row[3] for row in BAMBARA]
    assert track_row(project, "ep02-test", "bm").state == "imported"
    assert not any((project.root / "build" / ".studio-uploads").iterdir())


@pytest.mark.parametrize(("name", "data", "said"), [
    ("traduction.csv", b"n;debut;fin\n" + b"x" * 2_000_001, "est trop volumineux (plus de 2 Mo)"),
    ("traduction.exe", b"MZ\x90\x00", "n'est pas d'un type accepté (.csv, .xlsx, .srt)"),
    ("traduction.xlsx", b"n;debut;fin;bm\n", "ne ressemble pas à un fichier .xlsx"),
    ("traduction.srt", b"\x00\x01\x02binary", "ne ressemble pas à un fichier .srt"),
])
def test_uploads_too_large_or_of_the_wrong_type_are_refused(studio, name, data, said):
    project, base = studio
    s, csrf = signed_in(base, "translator")
    r = s.post(base + "/subtitles/ep01-test/bm/import", data={"csrf": csrf}, files={"file": (name, data)})
    assert r.status_code == 400 and said in html.unescape(r.text)
    uploads = project.root / "build" / ".studio-uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_the_player_gets_the_smallest_rendition_with_range_requests(studio):
    project, base = studio
    s, _ = signed_in(base, "translator")
    page = s.get(base + "/subtitles/ep01-test/bm").text
    src = re.search(r'<video id="player"[^>]* src="([^"]+)"', page)[1]
    assert src == "/media/build/ep01-test/renditions/ep01-test.mobile.mp4"
    size = (project.root / "build" / "ep01-test" / "renditions" / "ep01-test.mobile.mp4").stat().st_size
    r = s.get(base + src, headers={"Range": "bytes=0-1023"})
    assert r.status_code == 206 and len(r.content) == 1024 and r.headers["content-range"] == f"bytes 0-1023/{size}"
    wave = s.get(base + "/subtitles/ep01-test/bm/waveform.png")
    assert wave.status_code == 200 and wave.content.startswith(b"\x89PNG")
    assert len(list((project.root / "build" / ".studio-waveforms").glob("*.png"))) == 1


def test_without_a_rendition_an_editor_can_ask_for_one(studio):
    project, base = studio
    s, csrf = signed_in(base, "editor")
    page = s.get(base + "/subtitles/ep02-test/fr").text
    assert "<video" not in page and "Demander le rendu « mobile »" in page
    r = s.post(base + "/subtitles/ep02-test/fr/render", data={"csrf": csrf})
    assert "Rendu en cours (travail n°" in r.text
    with Store(project.database) as store:
        (job,) = [j for j in jobs.recent(store) if j.target == "ep02-test"]
    assert job.kind == "transcode" and job.options == {"profiles": ["mobile"]} and job.started_by == "editor"
    reader, _ = signed_in(base, "translator")
    assert "Demander le rendu" not in reader.get(base + "/subtitles/ep02-test/fr").text


def test_unknown_tracks_are_not_found(studio):
    _, base = studio
    s, csrf = signed_in(base, "admin")
    for path in ("/subtitles/ep99-nope/fr", "/subtitles/ep01-test/xx", "/subtitles/..%2Fconfig/fr"):
        assert s.get(base + path).status_code == 404
    assert s.post(base + "/subtitles/ep01-test/fr/template", data={"csrf": csrf, "format": "csv"}).status_code == 404
    assert requests.get(base + "/subtitles/ep01-test/fr", allow_redirects=False).status_code == 303


def test_translator_downloads_a_template_and_fills_slots_on_the_page(studio):
    project, base = studio
    s, csrf = signed_in(base, "translator")
    r = s.post(base + "/subtitles/ep03-test/bm/template", data={"csrf": csrf, "format": "xlsx"})
    assert r.status_code == 200 and r.content.startswith(b"PK\x03\x04")
    assert r.headers["content-disposition"] == 'attachment; filename="ep03-test.bm.template.xlsx"'
    assert (project.root / "subtitles" / "ep03-test" / "bm.template.xlsx").read_bytes() == r.content
    assert track_row(project, "ep03-test", "bm").state in ("in translation", "edited", "approved")

    page = s.post(base + "/subtitles/ep04-test/bm/slots", data={"csrf": csrf})
    assert page.status_code == 200 and "Créneaux préparés" in page.text and "à traduire" in page.text
    assert not srt(project, "ep04-test", "bm").exists()  # slots to fill; the file comes with the first save
    slots = files.read_srt(srt(project, "ep04-test", "bm").with_name("bm.template.srt"))
    data = form_of(page.text, slots, text_1="I ni ce")
    saved = s.post(base + "/subtitles/ep04-test/bm/save", data={"csrf": csrf, **data})
    assert saved.status_code == 200 and "Enregistré." in saved.text
    assert files.read_srt(srt(project, "ep04-test", "bm"))[0].text == "I ni ce"


def test_a_long_episodes_track_saves_whole(studio):
    """An hour of speech is ~900 cues, 3 fields each: the form is taken whole."""
    project, base = studio
    many = [Cue(i * 2.0, i * 2.0 + 1.5, (f"Phrase numéro {i}.",)) for i in range(1000)]
    machine_writes(project, "ep04-test", "fr", many)
    s, csrf = signed_in(base, "editor")
    page = s.get(base + "/subtitles/ep04-test/fr").text
    assert page.count('class="cue') >= 1000
    r = s.post(base + "/subtitles/ep04-test/fr/save", data={"csrf": csrf, **form_of(page, many, text_1000="Fin.")},
               allow_redirects=False)
    assert r.status_code == 303
    assert files.read_srt(srt(project, "ep04-test", "fr"))[-1].text == "Fin."
