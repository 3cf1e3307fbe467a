"""Pre/post surveys from KoboToolbox: scores, confidence intervals, the test of the difference and the
disaggregation match values computed here independently (scipy's own t-tests, plain arithmetic)."""

from __future__ import annotations

import random
import statistics
from pathlib import Path

import pytest
from conftest import Project, make_project
from openpyxl import Workbook
from scipy import stats as sps

from pipeline.metrics import survey
from pipeline.metrics.evaluation import compute
from pipeline.platforms.accounts import write_token_file
from pipeline.platforms.emulator import kobo as ek
from pipeline.platforms.emulator import running
from pipeline.store import Store

MAPPING = """
[metrics.survey]
wave = "vague"
sex = "sexe"
age = "age"
region = "region"
min_cell = 8
{extra}
[metrics.survey.questions]
q1 = "18"
q2 = "b"
q3 = ["mairie", "la mairie"]
q4 = "a c"
"""
HEADER = ["start", "identification/nom", "identification/telephone", "vague", "identification/sexe",
          "identification/age", "identification/region", "connaissances/q1", "connaissances/q2", "connaissances/q3",
          "connaissances/q4", "_id", "_uuid", "_submission_time"]


def _answers(rng: random.Random, p: float) -> list[str]:
    return [rng.choice(["18"] if rng.random() < p else ["16", "21"]), "b" if rng.random() < p else "c",
            rng.choice(["mairie", "La Mairie"]) if rng.random() < p else "préfecture",
            rng.choice(["a c", "c a"]) if rng.random() < p else "a"]


def _rows(n_pre: int = 60, n_post: int = 70) -> list[list[object]]:
    rng = random.Random(42)
    rows = []
    for wave, n, p in (("avant", n_pre, 0.4), ("après", n_post, 0.65)):
        for i in range(n):
            region = "Kidal" if i % 20 == 0 else ("Ségou", "Sikasso", "Bamako")[i % 3]
            rows.append(["2026-10-01T09:00", f"Personne {wave} {i}", f"+223 7{i:07d}", wave, rng.choice(["f", "m"]),
                         rng.choice([15, 17, 18, 24, 30, 35, 36, 50]), region, *_answers(rng, p), 1000 + len(rows),
                         f"uuid-{wave}-{i}", "2026-10-02T10:00:00"])
    return rows


def _export(folder: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    path = folder / "enquete_kobo.xlsx"
    wb.save(path)
    return path


def _project(tmp_path: Path, extra: str = "") -> Project:
    master = tmp_path / "media" / "m.mp4"
    master.parent.mkdir(exist_ok=True)
    master.write_bytes(b"\0")
    return make_project(tmp_path / "project", master, MAPPING.format(extra=extra))


RIGHT = (lambda a: a == "18", lambda a: a == "b", lambda a: a in ("mairie", "la mairie"),
         lambda a: sorted(a.split()) == ["a", "c"])


def _right(row: list[object], i: int) -> bool:
    return RIGHT[i](str(row[7 + i]).strip().lower())


def _score(row: list[object]) -> float:
    """This test's own scoring of a row: 4 questions, 25 points each."""
    return 25.0 * sum(_right(row, i) for i in range(4))


def _ci(values: list[float]) -> tuple[float, float]:
    return sps.t.interval(0.95, len(values) - 1, loc=statistics.mean(values), scale=sps.sem(values))


def test_kobo_export_scores_cis_test_and_disaggregation(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    project = _project(tmp_path)
    rows = _rows()
    path = _export(tmp_path, rows)
    code, out, err = project.run("metrics", "import", "survey", str(path), capsys=capsys)
    assert code == 0, err
    assert "130 responses read (XLSX: 60 before, 70 after), 130 new" in out
    code, out, _ = project.run("metrics", "import", "survey", str(path), capsys=capsys)
    assert "0 new, 130 already imported" in out, "the same export twice: each person counted once"
    with Store(project.cfg.project.database) as store:
        dump = "\n".join(store.db.iterdump())
        res = compute(project.cfg, store).survey
    assert "Personne" not in dump and "+223" not in dump, "names and phone numbers never enter the database"
    pre = [_score(r) for r in rows if r[3] == "avant"]
    post = [_score(r) for r in rows if r[3] == "après"]
    assert (res.n_pre, res.n_post) == (60, 70)
    assert res.pre.mean == pytest.approx(statistics.mean(pre)) and res.post.mean == pytest.approx(statistics.mean(post))
    assert (res.pre.low, res.pre.high) == pytest.approx(_ci(pre))
    assert (res.post.low, res.post.high) == pytest.approx(_ci(post))
    welch = sps.ttest_ind(post, pre, equal_var=False)
    d = res.difference
    assert d.method == "welch" and d.diff == pytest.approx(statistics.mean(post) - statistics.mean(pre))
    assert (d.t, d.p) == pytest.approx((welch.statistic, welch.pvalue))
    assert (d.low, d.high) == pytest.approx(tuple(welch.confidence_interval(0.95)))
    for i, q in enumerate(res.questions):
        right = [sum(_right(r, i) for r in rows if r[3] == wave) for wave in ("avant", "après")]
        assert (q.pre_correct, q.pre_n, q.post_correct, q.post_n) == (right[0], 60, right[1], 70), q.question
    groups = {(g.dimension, g.value): g for g in res.groups}
    for sex in ("f", "m"):
        a = [_score(r) for r in rows if r[3] == "avant" and r[4] == sex]
        b = [_score(r) for r in rows if r[3] == "après" and r[4] == sex]
        g = groups[("sex", sex)]
        assert (g.pre.n, g.post.n) == (len(a), len(b)) and not g.suppressed
        assert g.pre.mean == pytest.approx(statistics.mean(a)) and (g.post.low, g.post.high) == pytest.approx(_ci(b))
        assert g.difference.p == pytest.approx(sps.ttest_ind(b, a, equal_var=False).pvalue)
    young = [_score(r) for r in rows if r[3] == "après" and r[5] < 18]
    assert groups[("age_group", "u18")].post.mean == pytest.approx(statistics.mean(young))
    mid = [_score(r) for r in rows if r[3] == "avant" and 18 <= r[5] <= 35]
    assert groups[("age_group", "18_35")].pre.mean == pytest.approx(statistics.mean(mid))
    kidal = groups[("region", "Kidal")]
    assert kidal.suppressed and kidal.pre.mean is None and kidal.difference is None, "3 and 4 respondents: hidden"
    assert not groups[("region", "Ségou")].suppressed


def test_paired_when_respondent_ids_link_the_waves(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    project = _project(tmp_path, 'respondent = "code"')
    rng = random.Random(7)
    header = [*HEADER[:3], "code", *HEADER[3:]]
    rows = []
    for i in range(40):
        for wave, p in (("pre", 0.35), ("post", 0.6)):
            rows.append(["x", "n", "t", f"R{i:03d}", wave, "f", 20, "Ségou", *_answers(rng, p), i, f"{wave}-{i}", ""])
    rows.append(["x", "n", "t", "R999", "pre", "m", 20, "Ségou", "18", "b", "mairie", "a c", 99, "pre-999", ""])
    assert project.run("metrics", "import", "survey", str(_export(tmp_path, rows, header)), capsys=capsys)[0] == 0
    with Store(project.cfg.project.database) as store:
        d = compute(project.cfg, store).survey.difference
    score = {(r[3], r[4]): _score(r[:3] + r[4:]) for r in rows}
    before = [score[(f"R{i:03d}", "pre")] for i in range(40)]
    after = [score[(f"R{i:03d}", "post")] for i in range(40)]
    ref = sps.ttest_rel(after, before)
    assert d.method == "paired" and d.n_pre == 40, "R999 answered once: not in the pairs"
    assert (d.t, d.p) == pytest.approx((ref.statistic, ref.pvalue))
    assert (d.low, d.high) == pytest.approx(tuple(ref.confidence_interval(0.95)))


def test_bad_waves_named_nothing_imported(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    project = _project(tmp_path)
    rows = _rows(3, 3)
    rows[1][3] = "milieu"
    rows[4][3] = ""
    code, _, err = project.run("metrics", "import", "survey", str(_export(tmp_path, rows)), capsys=capsys)
    assert code == 2 and "2 row(s) unusable, nothing imported: row 3: wave 'milieu'" in err and "row 6:" in err
    code, _, err = project.run("metrics", "import", "survey", str(_export(tmp_path, rows, [h.replace("q4", "qX")
                                                                                            for h in HEADER])),
                               capsys=capsys)
    assert code == 2 and "field(s) missing from the export: q4" in err
    with Store(project.cfg.project.database) as store:
        assert store.db.execute("SELECT COUNT(*) FROM survey_responses").fetchone()[0] == 0


def test_kobo_api_v2_with_a_token_file(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    rows = _rows(30, 30)
    with running() as emu:
        st = ek.state(emu)
        st.token, st.page_max = "kobo-SECRET-token-1234", 25
        ek.add_submissions(emu, "aFormUid", [dict(zip(HEADER, r, strict=True)) for r in rows])
        token = tmp_path / "home" / "kobo-token"
        project = _project(tmp_path, f'kobo_server = "{emu.url}"\nkobo_asset = "aFormUid"\n'
                                     f'kobo_token_file = "{token}"\nkobo_token_env = "WEBSERIES_TEST_KOBO_UNSET"')
        code, _, err = project.run("metrics", "import", "survey", "--kobo", capsys=capsys)
        assert code == 2 and "no KoboToolbox token" in err and "webseries metrics login kobo" in err
        write_token_file(token, "wrong-token\n")
        code, _, err = project.run("metrics", "import", "survey", "--kobo", capsys=capsys)
        assert code == 2 and "KoboToolbox refused the token" in err
        write_token_file(token, st.token + "\n")
        token.chmod(0o644)
        code, _, err = project.run("metrics", "import", "survey", "--kobo", capsys=capsys)
        assert code == 2 and f"chmod 600 {token}" in err
        token.chmod(0o600)
        st.requests = 0
        code, out, err = project.run("metrics", "import", "survey", "--kobo", capsys=capsys)
        assert code == 0, err
        assert "KoboToolbox: 3 request(s)" in out and st.requests == 3, "60 submissions, 25 a page"
        assert "60 responses read (KoboToolbox API v2: 30 before, 30 after), 60 new" in out
        assert st.token not in out + err
    with Store(project.cfg.project.database) as store:
        res = compute(project.cfg, store).survey
    assert res.pre.mean == pytest.approx(statistics.mean(_score(r) for r in rows if r[3] == "avant"))
