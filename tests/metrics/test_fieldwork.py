"""Field teams' sheets: the template they fill, every bad row named (nothing stored), a second import
of the same rows adding nothing, French CSVs from Excel read as well as XLSX."""

from __future__ import annotations

import csv
import stat
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import Project, make_project
from openpyxl import load_workbook

from pipeline.metrics import fieldwork
from pipeline.metrics.evaluation import compute
from pipeline.store import Store


@pytest.fixture
def field(tmp_path: Path) -> Project:
    """A project with episodes 0, 1 and 2 (no media: nothing here decodes it)."""
    master = tmp_path / "media" / "master.mp4"
    master.parent.mkdir()
    master.write_bytes(b"\0" * 16)
    project = make_project(tmp_path / "project", master)
    project.add_episode("ep01-vote", master, number=1)
    project.add_episode("ep02-mairie", master, number=2)
    return project


def _sheet(folder: Path, rows: list[list[object]]) -> Path:
    """A facilitator's file: the template, filled under its headers."""
    xlsx, _ = fieldwork.write_template(fieldwork.SCREENING, folder)
    wb = load_workbook(xlsx)
    ws = wb.worksheets[0]
    for r, row in enumerate(rows, start=2):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    out = folder / "projections-octobre.xlsx"
    wb.save(out)
    return out


GOOD = [datetime(2026, 10, 3), "Ségou", "Ségou", "Pelengana", "École A", "1, 2", "Awa Diallo", 10, 12, 8, 7, 3, 2,
        1, 0, "Bambara", "Pourquoi voter ?"]


def test_template_for_facilitators(field: Project, capsys) -> None:  # noqa: ANN001
    out = field.root / "modeles"
    code, stdout, err = field.run("metrics", "template", "screenings", "--out", str(out), capsys=capsys)
    assert code == 0, err
    xlsx, text = out / "projections-modele.xlsx", out / "projections-modele.csv"
    for f in (xlsx, text):
        assert stat.S_IMODE(f.stat().st_mode) == 0o644
    wb = load_workbook(xlsx)
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers == [c.header for c in fieldwork.SCREENING.columns]
    assert "Filles (moins de 18 ans)" in headers and "Dont personnes déplacées" in headers
    assert wb.worksheets[0].data_validations.dataValidation, "lists and number checks in the sheet"
    help_rows = [r[0].value for r in wb["consignes"].iter_rows(min_row=2)]
    assert any("1 = Titre ep01-vote" in str(v) for v in help_rows), "the episodes by number, with their titles"
    raw = text.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and next(csv.reader([raw.decode("utf-8-sig").splitlines()[0]],
                                                               delimiter=";")) == headers
    before = xlsx.read_bytes()
    assert field.run("metrics", "template", "screenings", "--out", str(out), capsys=capsys)[0] == 0
    assert xlsx.read_bytes() == before and (out / "projections-modele.nouveau.xlsx").is_file()
    assert [p.name for p in fieldwork.write_template(fieldwork.BROADCAST, out)] == ["diffusions-modele.xlsx",
                                                                                    "diffusions-modele.csv"]


def test_three_bad_rows_are_named_and_nothing_is_stored(field: Project, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    bad_date = [*GOOD[:0], "31/02/2026", *GOOD[1:]]
    bad_count = [*GOOD[:8], "douze", *GOOD[9:]]
    too_many = [*GOOD[:13], 500, *GOOD[14:]]                       # 500 persons with disabilities out of 42
    sheet = _sheet(tmp_path, [GOOD, bad_date, GOOD[:5] + ["ép. 2"] + GOOD[6:], bad_count, too_many])
    code, out, err = field.run("metrics", "import", "screenings", str(sheet), capsys=capsys)
    assert code == 2 and "Traceback" not in err
    line = err.splitlines()[0]
    assert "3 ligne(s) à corriger (3, 5, 6)" in line and "rien n'a été importé" in line
    assert "ligne 3 : « Date » : date illisible « 31/02/2026 »" in line
    assert "ligne 5 : « Garçons (moins de 18 ans) » : « douze » n'est pas un nombre entier" in line
    assert "ligne 6 : 500 personnes handicapées pour 42 participants" in line
    assert err.splitlines()[1].startswith("hint: ")
    with Store(field.cfg.project.database) as store:
        assert store.db.execute("SELECT COUNT(*) FROM field_records").fetchone()[0] == 0


def test_unknown_episode_and_missing_column(field: Project, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    sheet = _sheet(tmp_path, [GOOD[:5] + ["7"] + GOOD[6:]])
    code, _, err = field.run("metrics", "import", "screenings", str(sheet), capsys=capsys)
    assert code == 2 and "épisode inconnu « 7 » (épisodes : 0, 1, 2)" in err
    text = tmp_path / "sans-colonne.csv"
    text.write_text("Date;Région\n03/10/2026;Ségou\n", encoding="utf-8")
    code, _, err = field.run("metrics", "import", "screenings", str(text), capsys=capsys)
    assert code == 2 and "colonne(s) absente(s) : Cercle, Commune" in err


def test_imported_twice_counted_once(field: Project, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    other = [datetime(2026, 10, 5), "Sikasso", "Sikasso", "Sikasso", "Maison des jeunes", "2", "Bakary", 5, 5, 5, 5, 5,
             5, 0, 2, "français", ""]
    sheet = _sheet(tmp_path, [GOOD, other])
    assert field.run("metrics", "import", "screenings", str(sheet), capsys=capsys)[0] == 0
    code, out, _ = field.run("metrics", "import", "screenings", str(sheet), capsys=capsys)
    assert code == 0 and "2 row(s) read (XLSX), 0 new, 2 already imported" in out
    with Store(field.cfg.project.database) as store:
        assert store.db.execute("SELECT COUNT(*) FROM field_records").fetchone()[0] == 2
        d = compute(field.cfg, store)
    assert d.offline.participants("participants") == 42 + 30
    assert d.offline.participants("women") == 10 + 8 + 3 + 15 and d.offline.participants("displaced") == 2
    assert d.offline.screenings[0].episodes == ("ep01-vote", "ep02-mairie")


def test_broadcasts_from_a_french_excel_csv(field: Project, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    text = ("Date;Station;Radio ou télévision;Épisode(s);Langue;Auditoire estimé;Source de l'estimation\r\n"
            "12/10/2026;Radio Kledu;Radio;1;bambara;45 000;sondage de la station\r\n"
            "13/10/2026;ORTM;Télévision;ép. 2;français;120000;étude d'audience 2025\r\n")
    f = tmp_path / "diffusions.csv"
    f.write_bytes(text.encode("cp1252"))                     # "CSV (séparateur : point-virgule)" from Excel
    code, out, err = field.run("metrics", "import", "broadcasts", str(f), capsys=capsys)
    assert code == 0, err
    assert "2 row(s) read (Windows-1252), 2 new" in out
    with Store(field.cfg.project.database) as store:
        got = fieldwork.load(store, fieldwork.BROADCAST)
    assert [(b.day, b.medium, b.episodes, b.audience) for b in got] == [
        (date(2026, 10, 12), "radio", ("ep01-vote",), 45000), (date(2026, 10, 13), "télévision", ("ep02-mairie",), 120000)]
    bad = tmp_path / "diffusions-web.csv"
    bad.write_text(text.splitlines()[0] + "\n14/10/2026;Site web;internet;1;bambara;300;compteur\n", encoding="utf-8")
    code, _, err = field.run("metrics", "import", "broadcasts", str(bad), capsys=capsys)
    assert code == 2 and "ligne 2 : « Radio ou télévision » : « internet » n'est pas une des valeurs" in err
