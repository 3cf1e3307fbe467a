"""The report's files as the evaluator opens them: Word (every section, tables, charts), the workbook
(typed cells, French headers, no formula), French CSVs that round-trip through `csv` with ';' and
decimal commas, plain CSVs for programs, mode 0644, and the page printed to PDF by Chromium with its
data tables in it."""

from __future__ import annotations

import csv
import io
import shutil
import stat
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from metrics_support import assets, metrics_project, seed
from openpyxl import load_workbook
from publish_support import PublishProject, trust_tokens

from pipeline.metrics import fieldwork
from pipeline.metrics.tables import SECTIONS
from pipeline.platforms.emulator import analytics as ea
from pipeline.platforms.emulator import comments as ec
from pipeline.platforms.emulator import running

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FORMULA = '=HYPERLINK("http://x.example","clic") ?'
SURVEY = """
[metrics.survey]
wave = "vague"
min_cell = 2
[metrics.survey.questions]
q1 = "18"

[metrics.indicators.participants]
measure = "screening_participants"
label = "Participants aux projections"
baseline = 10
target = 110
[metrics.indicators.vues]
measure = "views"
target = 100000
[metrics.indicators.gain]
measure = "knowledge_gain"
target = 20
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[PublishProject, Path, Path]:
    """A season pulled twice with comments (one a would-be formula), a screening, a survey; both reports."""
    root = tmp_path_factory.mktemp("files")
    with running() as emu:
        trust_tokens(emu)
        pp = metrics_project(root, emu.url)
        with open(pp.project.config_path, "a", encoding="utf-8") as fh:
            fh.write(SURVEY)
        dummy = root / "media" / "master.mp4"
        pp.project.add_episode("ep01", dummy, number=1, extra="")
        seeded = seed(pp, emu, assets(2))
        yt = next(s.remote_id for s in seeded if s.platform == "youtube" and s.asset == "ep01")
        ec.state(emu).generated.add(yt)
        ec.add_thread(emu, yt, FORMULA, 1)
        ec.add_thread(emu, yt, "Sugandili bɛ kɛ tuma jumɛn", 2)
        assert pp.run("metrics", "pull")[0] == 0
        ea.state(emu).advance()
        assert pp.run("metrics", "pull")[0] == 0
    sheet = root / "projections.csv"
    sheet.write_text(";".join(c.header for c in fieldwork.SCREENING.columns) + "\n"
                     "03/10/2026;Ségou;Ségou;Pelengana;École A;1;Awa;10;12;8;7;3;2;1;0;bambara;=1+1 ?\n", encoding="utf-8")
    assert pp.run("metrics", "import", "screenings", str(sheet))[0] == 0
    export = root / "kobo.csv"
    export.write_text("vague,sexe,age,region,q1\n"    # right: 3 of 6 before (50), 4 of 6 after (66.7)
                      + "".join(f"pre,f,{20 + i},Ségou,{18 if i % 2 else 17}\n" for i in range(6))
                      + "".join(f"post,f,{20 + i},Ségou,{18 if i % 3 else 17}\n" for i in range(6)), encoding="utf-8")
    assert pp.run("metrics", "import", "survey", str(export))[0] == 0
    french, plain = root / "rapport", root / "rapport-plain"
    assert pp.run("metrics", "report", "--out", str(french))[0] == 0
    assert pp.run("metrics", "report", "--out", str(plain), "--csv-format", "plain")[0] == 0
    return pp, french, plain


def test_docx_has_every_section_tables_and_charts(built) -> None:  # noqa: ANN001
    from docx import Document

    doc = Document(str(built[1] / "rapport.docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for _, heading in SECTIONS:
        assert heading in headings, heading
    for title in ("Totaux par vidéo et par plateforme", "Questions sans réponse (à traiter par l'équipe communication)",
                  "Projections communautaires", "Score moyen de connaissances (sur 100) avant et après"):
        assert title in headings, title
    assert len(doc.inline_shapes) >= 10, "the charts, as pictures"
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "Titre ep01 (ep01)" in cells and FORMULA in cells and "Sugandili bɛ kɛ tuma jumɛn" in cells


def test_workbook_one_sheet_per_table_with_typed_cells(built) -> None:  # noqa: ANN001
    wb = load_workbook(built[1] / "donnees.xlsx")
    assert {"lisez-moi", "indicateurs", "totaux", "questions", "projections", "enquete-scores", "donnees"} <= set(
        wb.sheetnames)
    totals = wb["totaux"]
    header = [c.value for c in totals[1]]
    assert header[:4] == ["Plateforme", "Vidéo", "Identifiant", "Vues"]
    views = [r[3] for r in totals.iter_rows(min_row=2, values_only=True)]
    assert views and all(isinstance(v, int | float) for v in views if v is not None) and any(views)
    pulled = [r[0] for r in wb["donnees"].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, datetime) for v in pulled)
    q = wb["questions"]
    texts = [c for row in q.iter_rows(min_row=2) for c in row if c.value == FORMULA]
    assert texts and all(c.data_type == "s" for c in texts), "a comment is text, never a formula"
    assert isinstance(wb["projections"]["A2"].value, datetime) and wb["projections"]["A2"].number_format == "DD/MM/YYYY"


def _french(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: UTF-8 with BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_french_csv_round_trips(built) -> None:  # noqa: ANN001
    out = built[1]
    totals = _french(out / "totaux.csv")
    row = next(r for r in totals if r["Identifiant"] == "ep01" and r["Plateforme"] == "YouTube")
    pct = row["% moyen regardé (YouTube)"]
    assert row["Vidéo"] == "Titre ep01" and "," in pct and "." not in pct and 0 < float(pct.replace(",", ".")) <= 100
    assert int(row["Vues"]) > 0
    for r in totals:                     # every figure reads back as a number once the comma is a point
        for key in ("Vues", "Temps de visionnage (min)", "Engagement (%)"):
            assert r[key] == "" or float(r[key].replace(",", ".")) >= 0
    data = _french(out / "donnees.csv")
    stamp = data[0]["Relevé le"]
    assert datetime.strptime(stamp, "%d/%m/%Y %H:%M"), "local time, French order, no microseconds"
    questions = _french(out / "questions.csv")
    assert {q["Question"] for q in questions} >= {"'" + FORMULA, "Sugandili bɛ kɛ tuma jumɛn"}, "OWASP: a leading '"
    shows = _french(out / "projections.csv")
    assert shows[0]["Questions posées"] == "'=1+1 ?" and shows[0]["Date"] == "03/10/2026"
    scores = _french(out / "enquete-scores.csv")
    assert scores[0]["Vague"] == "Avant" and scores[0]["Score moyen"] == "50" and "," in scores[0]["IC 95 % bas"]
    for f in out.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f.name


def test_indicators_value_target_reached_source_date(built) -> None:  # noqa: ANN001
    from pipeline.config.evaluation import MEASURES
    from pipeline.metrics.indicators import MEASURE

    assert set(MEASURE) == set(MEASURES), "config.toml's measure names and their computations agree"
    rows = {r["Indicateur"]: r for r in _french(built[1] / "indicateurs.csv")}
    assert list(rows) == ["Participants aux projections", "Vues (YouTube + Facebook)", "Gain de connaissances"]
    p = rows["Participants aux projections"]
    assert (p["Valeur"], p["Référence"], p["Cible"], p["% atteint"]) == ("42", "10", "110", "32")
    assert p["Source"] == "fiches des projections importées" and datetime.strptime(p["Données du"], "%d/%m/%Y %H:%M")
    totals = list(csv.DictReader(open(built[2] / "totaux.csv", encoding="utf-8")))
    views = sum(float(t["value"]) for t in totals if t["scope"] == "platform" and t["metric"] == "views")
    v = rows["Vues (YouTube + Facebook)"]
    assert int(v["Valeur"]) == views and float(v["% atteint"].replace(",", ".")) == round(views / 1000, 1)
    g = rows["Gain de connaissances"]
    assert g["Valeur"] == "16,7" and g["% atteint"] == "83,3"          # (66.7 - 50) / 20


def test_plain_csv_keeps_the_machine_format(built) -> None:  # noqa: ANN001
    plain = built[2]
    text = (plain / "donnees.csv").read_text(encoding="utf-8")
    assert not text.startswith("\ufeff") and text.splitlines()[0].startswith("platform,source,release_id,remote_id")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert datetime.fromisoformat(rows[0]["pulled_at"]).utcoffset().total_seconds() == 0
    totals = list(csv.DictReader(open(plain / "totaux.csv", encoding="utf-8")))
    assert set(totals[0]) == {"scope", "platform", "asset", "episode", "kind", "metric", "value", "pulled_at"}
    shows = list(csv.DictReader(open(plain / "projections.csv", encoding="utf-8")))
    assert shows[0]["day"] == date(2026, 10, 3).isoformat() and shows[0]["questions"] == "=1+1 ?"


@pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftotext") is None,
                    reason="needs Debian's chromium and poppler-utils (make setup installs both)")
def test_html_printed_to_pdf_keeps_the_data_tables(built, tmp_path: Path) -> None:  # noqa: ANN001
    pdf = tmp_path / "rapport.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", (built[1] / "rapport.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.count("\f")
    assert pages >= len(SECTIONS), "a page per section at least"
    for needed in ("Indicateurs du cadre logique", "Temps de visionnage par vidéo",
                   "Titre ep01", "Sugandili bɛ kɛ tuma jumɛn", "Pelengana", "Avant", "IC 95 % bas",
                   "Données manquantes au dernier relevé"):
        assert needed in text, needed
    totals = _french(built[1] / "totaux.csv")
    minutes = next(r for r in totals if r["Identifiant"] == "ep01" and r["Plateforme"] == "YouTube")
    shown = f"{int(minutes['Temps de visionnage (min)']):,}".replace(",", " ")   # pdftotext: the thin space a space
    chart_tables = text[text.index("Temps de visionnage par vidéo"):]
    assert shown in chart_tables.replace("\u202f", " "), "a number from a chart's table (a closed <details> drops it)"
