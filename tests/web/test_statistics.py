"""The Statistiques page: the evaluation report live for a simulated season (pulled from the emulator
through the real clients), in a real browser and over HTTP.

Browser: an evaluator sees the indicators and the charts, filters by episode and sees the numbers
change, downloads the workbook and opens it, imports a screenings sheet after its preview.
HTTP: who may read, import and start jobs; viewers' text escaped; bad filters answered in French;
the Word document made by its job; nothing stored from a sheet with a bad row.
Screenshot: statistics.png (README.md shows it; `make screenshots`).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from pipeline.jobs.child import run_job
from pipeline.metrics import fieldwork, frcsv
from pipeline.platforms.accounts import write_token_file
from pipeline.platforms.emulator import running
from pipeline.stages import metrics_demo_data as demo_data
from pipeline.store import Store
from tests.studio_support import login, studio_in_thread, tiny_master
from tests.web.browser_support import shot, sign_in
from tests.web.stats_support import stats_project

__all__ = ["tiny_master"]
VIEWS = "#indicateurs tbody tr:first-child td[data-key=value]"
SCRIPT = "<script>alert(1)</script> Pourquoi ?"


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, tiny_master: Path):
    project = stats_project(tmp_path_factory.mktemp("stats") / "project", tiny_master, season=3)
    with Store(project.database) as store, store.db:
        store.db.execute("UPDATE comments SET text=? WHERE rowid=(SELECT MIN(rowid) FROM comments WHERE question=1 "
                         "AND answered=0 AND parent_id='' AND by_us=0 AND hidden=0)", (SCRIPT,))
    with studio_in_thread(project.config) as base:
        yield project, base


def screenings_csv(rows: list[list[object]]) -> bytes:
    """A field team's sheet as Excel saves it in French (`;`, BOM), the template's own headers."""
    return frcsv.write([c.header for c in fieldwork.SCREENING.columns], rows).encode("utf-8")


def screening(day: str, episodes: str, girls: object = 4) -> list[object]:
    return [day, "Koulikoro", "Kati", "Kati", "Lycée de Kati", episodes, "Awa D.", girls, 3, 10, 8, 2, 1, 0, 0,
            "bambara", "Qui peut voter ?"]


def field_rows(project) -> int:  # noqa: ANN001
    with Store(project.database) as store:
        return store.db.execute("SELECT COUNT(*) FROM field_records WHERE kind='screening'").fetchone()[0]


def test_in_the_browser_an_evaluator_sees_the_indicators_charts_and_filters_by_episode(browser, studio):
    _, base = studio
    page = sign_in(browser, base, "evaluation")
    page.click("nav a:has-text('Statistiques')")
    page.wait_for_url(base + "/statistics")
    expect(page.locator("#indicateurs h2")).to_have_text("Indicateurs du cadre logique")
    expect(page.locator("#indicateurs thead th").nth(4)).to_have_text("Cible")
    expect(page.locator("#indicateurs tbody tr").first).to_contain_text("Vues des vidéos")
    all_views = float(page.locator(VIEWS).get_attribute("data-value"))
    assert all_views > 0
    assert page.locator("figure[data-chart=vues-temps] svg .mark").count() > 0
    assert page.locator("figure.chart").count() >= 8
    expect(page.locator("#questions")).to_contain_text(SCRIPT)   # shown as text, never run
    shot(page, "statistics")

    page.select_option("select[name=episode]", "ep01")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"/statistics\?episode=ep01"))
    expect(page.locator("#selection")).to_contain_text("ep01")
    one = float(page.locator(VIEWS).get_attribute("data-value"))
    assert 0 < one < all_views

    with page.expect_download() as dl:
        page.click("#download-xlsx")
    assert dl.value.suggested_filename == "donnees.xlsx"
    wb = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()), read_only=True)
    assert {"lisez-moi", "indicateurs", "totaux"} <= set(wb.sheetnames)
    sheet = list(wb["indicateurs"].values)
    views = next(r for r in sheet if r[0] == "Vues des vidéos")
    assert views[1] == pytest.approx(one)     # the workbook is this selection's, with the page's figure


def test_in_the_browser_an_evaluator_imports_a_screenings_sheet_after_its_preview(browser, studio, tmp_path):
    project, base = studio
    before = field_rows(project)
    sheet = tmp_path / "projections-kati.csv"
    sheet.write_bytes(screenings_csv([screening("02/11/2026", "1, 2"), screening("03/11/2026", "3", girls=6)]))
    page = sign_in(browser, base, "evaluation")
    page.goto(base + "/statistics#import")
    page.select_option("#import-form select[name=kind]", "screenings")
    page.set_input_files("#import-form input[type=file]", str(sheet))
    page.click("#import-form button[type=submit]")
    expect(page.locator("#summary")).to_contain_text("2 lignes")
    expect(page.locator("#preview tbody tr")).to_have_count(2)
    expect(page.locator("#preview tbody tr").first).to_contain_text("Lycée de Kati")
    assert field_rows(project) == before          # a preview stores nothing
    page.click("#confirm")
    page.wait_for_url(re.compile(r"/statistics\?imported="))
    expect(page.locator("#notice")).to_contain_text("2 ligne(s) ajoutée(s)")
    assert field_rows(project) == before + 2
    with Store(project.database) as store:
        assert store.db.execute("SELECT user, detail FROM audit_log WHERE action='import' ORDER BY at DESC "
                                "LIMIT 1").fetchone() == ("evaluation", "projections-kati.csv : 2 ligne(s), "
                                                                        "2 nouvelle(s)")


def test_who_may_read_import_and_start_jobs(studio):
    _, base = studio
    for role in ("admin", "evaluation", "communication", "editor"):
        s, _ = login(base, role)
        assert s.get(base + "/statistics").status_code == 200, role
        assert s.get(base + "/statistics/questions").status_code == 200, role
    s, _ = login(base, "translator")
    assert s.get(base + "/statistics").status_code == 403
    assert s.get(base + "/statistics/questions").status_code == 403
    assert s.get(base + "/statistics/download?file=donnees.xlsx").status_code == 403
    assert "Statistiques" not in s.get(base + "/episodes").text
    for role in ("communication", "editor", "translator"):
        s, csrf = login(base, role)
        assert s.post(base + "/statistics/import", data={"csrf": csrf, "kind": "screenings"},
                      files={"file": ("a.csv", screenings_csv([screening("02/11/2026", "1")]))}).status_code == 403
        assert s.post(base + "/statistics/kobo", data={"csrf": csrf}).status_code == 403
    s, _ = login(base, "communication")
    page = s.get(base + "/statistics").text
    assert 'id="import-form"' not in page and "/statistics/questions" in page


def test_viewers_text_is_escaped_everywhere(studio):
    _, base = studio
    s, _ = login(base, "communication")
    for path in ("/statistics", "/statistics/questions"):
        page = s.get(base + path).text
        assert "<script>alert(1)" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.replace("&#x27;", "'"), path


@pytest.mark.parametrize("query, message", [
    ("since=2026-13-45", "n'est pas une date"),
    ("since=31/02/2026", "n'est pas une date"),
    ("since=2026-11-20&until=2026-11-01", "est après la date de fin"),
    ("episode=ep99-nope", "Épisode inconnu"),
])
def test_bad_filters_are_answered_in_french(studio, query, message):
    _, base = studio
    s, _ = login(base, "evaluation")
    for path in ("/statistics", "/statistics/questions", "/statistics/download?file=donnees.xlsx"):
        r = s.get(f"{base}{path}{'&' if '?' in path else '?'}{query}")
        assert r.status_code == 400, (path, query)
        assert message in r.text.replace("&#39;", "'").replace("&#x27;", "'"), (path, query)


def test_period_filter_and_unknown_files(studio):
    _, base = studio
    s, _ = login(base, "evaluation")
    future = s.get(base + "/statistics?since=2030-01-01").text   # nothing pulled then; the survey is never filtered
    assert re.search(r'<td class="n" data-key="value" data-value="">', future)
    assert 'data-chart="vues-temps"' not in future and 'data-chart="enquete"' in future
    for name in ("../config.toml", "pipeline.sqlite3", "rapport.pdf", ".xlsx.done"):
        assert s.get(base + "/statistics/download", params={"file": name}).status_code == 404, name
    r = s.get(base + "/statistics/download?file=commentaires.csv&episode=ep02")
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    assert "attachment" in r.headers["content-disposition"]


def test_a_sheet_with_a_bad_row_names_it_and_stores_nothing(studio):
    project, base = studio
    before = field_rows(project)
    s, csrf = login(base, "evaluation")
    bad = screenings_csv([screening("02/11/2026", "1"), screening("03/11/2026", "9"), screening("04/11/2026", "2",
                                                                                                 girls="beaucoup")])
    r = s.post(base + "/statistics/import", data={"csrf": csrf, "kind": "screenings"}, files={"file": ("f.csv", bad)})
    assert r.status_code == 400
    text = r.text.replace("&#34;", '"').replace("&#39;", "'")
    assert "ligne 3" in text and "épisode inconnu « 9 »" in text
    assert "ligne 4" in text and "« beaucoup » n'est pas un nombre" in text
    assert 'id="confirm"' not in text
    assert field_rows(project) == before
    wrong_type = s.post(base + "/statistics/import", data={"csrf": csrf, "kind": "screenings"},
                        files={"file": ("f.xlsx", b"not a workbook")})
    assert wrong_type.status_code == 400 and "ne ressemble pas" in wrong_type.text


def test_the_word_document_is_made_by_a_job(studio):
    project, base = studio
    s, csrf = login(base, "communication")
    page = s.get(base + "/statistics?episode=ep02").text
    assert 'id="prepare-docx"' in page and 'id="download-docx"' not in page
    r = s.post(base + "/statistics/prepare?episode=ep02", data={"csrf": csrf})
    assert r.status_code == 200 and r.url.endswith("episode=ep02&ok=word#telechargements")
    with Store(project.database) as store:
        (job_id,) = store.db.execute("SELECT job_id FROM jobs WHERE kind='report' ORDER BY job_id DESC").fetchone()
    assert run_job(project.config, job_id) == 0            # what the worker's child process runs
    page = s.get(base + "/statistics?episode=ep02").text
    assert 'id="download-docx"' in page
    doc = s.get(base + "/statistics/download?file=rapport.docx&episode=ep02")
    assert doc.status_code == 200 and doc.content.startswith(b"PK")


def test_the_kobo_survey_is_read_by_a_job(studio, tmp_path):
    """The button starts a 'kobo' job; its run reads the form through the API (the emulator's KoboToolbox)."""
    project, base = studio
    with Store(project.database) as store:
        before = store.db.execute("SELECT COUNT(*) FROM survey_responses").fetchone()[0]
    saved = project.config.read_text(encoding="utf-8")
    token = tmp_path / "kobo-token"
    write_token_file(token, "un-jeton-kobo\n")
    with running() as emu:
        demo_data.survey_submissions(emu, n=150)    # the season's, already imported, and more
        asset = f'kobo_asset = "{demo_data.FORM}"'
        project.config.write_text(saved.replace(asset, f'kobo_server = "{emu.url}"\nkobo_token_file = "{token}"\n{asset}'),
                                  encoding="utf-8")
        try:
            s, csrf = login(base, "evaluation")
            r = s.post(base + "/statistics/kobo", data={"csrf": csrf})
            assert r.status_code == 200 and "/jobs" in r.url
            with Store(project.database) as store:
                (job_id,) = store.db.execute("SELECT job_id FROM jobs WHERE kind='kobo'").fetchone()
            assert run_job(project.config, job_id) == 0
        finally:
            project.config.write_text(saved, encoding="utf-8")
    with Store(project.database) as store:
        state, message = store.db.execute("SELECT state, message FROM jobs WHERE job_id=?", (job_id,)).fetchone()
        after = store.db.execute("SELECT COUNT(*) FROM survey_responses").fetchone()[0]
    assert state == "done", message
    read, new, already = map(int, re.fullmatch(r"(\d+) réponses lues .*, (\d+) nouvelles, (\d+) déjà importées .*",
                                                message).groups())
    assert new > 0 and already == before and read == new + already and after == before + new
