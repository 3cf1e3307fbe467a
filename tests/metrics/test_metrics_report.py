"""The evaluators' report: opens in headless Chromium with every chart drawn; its totals are the CSV's."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from metrics_support import assets, emulator, metrics_project, mp, seed  # noqa: F401
from publish_support import PublishProject, trust_tokens

from pipeline.platforms.emulator import analytics as ea
from pipeline.platforms.emulator import running
from pipeline.store import Store

CHARTS = ("vues-temps", "temps", "achevement-youtube", "achevement-facebook", "engagement", "age-genre", "pays",
          "appareils", "contribution", "commentaires")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PLATFORM = {"YouTube": "youtube", "Facebook": "facebook", "Ensemble (additionnable)": "ensemble"}


class _Totals(HTMLParser):
    """The totals table's rows: first cells' text, then each numeric cell's data-key and data-value."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.rows: list[dict] = []
        self.text: list[str] = []
        self.cell: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "table":
            self.inside = a.get("id") == "totaux"
        elif self.inside and tag == "tr":
            self.rows.append({"text": [], "values": {}})
        elif self.inside and tag == "td":
            self.cell = a
            self.text = []

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif tag == "td" and self.cell is not None:
            if "data-key" in self.cell:
                self.rows[-1]["values"][self.cell["data-key"]] = _f(self.cell["data-value"])
            else:
                self.rows[-1]["text"].append("".join(self.text))
            self.cell = None


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[PublishProject, Path]:
    """One season pulled twice and its report (plain CSV), shared by this module's tests."""
    with running() as emulator:
        trust_tokens(emulator)
        pp = metrics_project(tmp_path_factory.mktemp("report"), emulator.url)
        seed(pp, emulator, assets(3))
        assert pp.run("metrics", "pull")[0] == 0
        ea.state(emulator).advance()
        assert pp.run("metrics", "pull")[0] == 0
    out = pp.project.root / "rapport"
    assert pp.run("metrics", "report", "--out", str(out), "--csv-format", "plain")[0] == 0
    return pp, out


@pytest.fixture
def report(built: tuple[PublishProject, Path]) -> Path:
    return built[1]


def _f(v: str) -> float | None:
    return None if v == "" else float(v)


def test_html_totals_equal_the_csv(report: Path) -> None:
    parser = _Totals()
    parser.feed((report / "rapport.html").read_text(encoding="utf-8"))
    html = {}
    for row in parser.rows:
        if not row["text"]:
            continue
        platform, name, asset = row["text"][:3]
        scope = "video" if asset else "all" if PLATFORM[platform] == "ensemble" else "platform"
        for metric, value in row["values"].items():
            html[(scope, PLATFORM[platform], asset or "*", metric)] = value
    with open(report / "totaux.csv", encoding="utf-8") as fh:   # plain: the machine format, unchanged
        totals = {(r["scope"], r["platform"], r["asset"], r["metric"]): _f(r["value"]) for r in csv.DictReader(fh)}
    assert html == totals and len(html) > 50
    # and from the tidy dataset itself: each platform's latest pull, whole-period values
    with open(report / "donnees.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["pulled_at"] for r in rows}.__len__() == 2, "both snapshots are exported"
    last = {p: max(r["pulled_at"] for r in rows if r["platform"] == p) for p in ("youtube", "facebook")}
    sums: dict[tuple[str, str], float] = defaultdict(float)
    checked = 0
    for r in rows:
        if r["pulled_at"] != last[r["platform"]] or r["dimension"] != "total" or r["asset"] == "*":
            continue
        if r["metric"] in ("views", "watch_minutes", "likes", "comments", "shares", "public_views"):
            assert html[("video", r["platform"], r["asset"], r["metric"])] == _f(r["value"]), r
            sums[(r["platform"], r["metric"])] += float(r["value"] or 0)
            checked += 1
    assert checked > 30
    for (platform, metric), total in sums.items():
        assert html[("platform", platform, "*", metric)] == pytest.approx(total)
    both = html[("all", "ensemble", "*", "watch_minutes")]
    assert both == pytest.approx(sums[("youtube", "watch_minutes")] + sums[("facebook", "watch_minutes")])
    assert html[("all", "ensemble", "*", "views")] is None, "views are not summed across platforms"


def test_demographics_with_the_views_they_imply(report: Path) -> None:
    """YouTube gives shares of signed-in viewers only: the report says so and shows the views they imply."""
    with open(report / "totaux.csv", encoding="utf-8") as fh:
        yt = sum(float(r["value"]) for r in csv.DictReader(fh)
                 if r["scope"] == "video" and r["platform"] == "youtube" and r["metric"] == "views" and r["value"])
    with open(report / "age-genre.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 14 and sum(float(r["percent"]) for r in rows) == pytest.approx(100, abs=0.5)
    for r in rows:
        assert float(r["estimated_views"]) == round(float(r["percent"]) * yt / 100)
    html = (report / "rapport.html").read_text(encoding="utf-8")
    assert "spectateurs connectés" in html and "Vues correspondantes (estimation)" in html


def test_report_shows_definitions_and_pull_date(report: Path) -> None:
    html = (report / "rapport.html").read_text(encoding="utf-8")
    assert 'lang="fr"' in html and "Données extraites le" in html and "<details open>" in html
    assert "au moins 3 secondes" in html          # Facebook's definition of a view, next to the numbers
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_episode_filter(built: tuple[PublishProject, Path], capsys) -> None:  # noqa: ANN001
    pp = built[0]
    out = pp.project.root / "ep02"
    assert pp.run("metrics", "report", "--out", str(out), "--episode", "ep02", capsys=capsys)[0] == 0
    with open(out / "donnees.csv", encoding="utf-8-sig") as fh:   # French by default: ';' and French headers
        assert {r["Épisode"] for r in csv.DictReader(fh, delimiter=";")} <= {"ep02", "*"}


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install --no-install-recommends chromium)")
def test_report_renders_every_chart_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    from PIL import Image

    url = (report / "rapport.html").as_uri()
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True, timeout=90, check=True).stdout
    for chart in CHARTS:
        m = re.search(rf'<figure class="chart" data-chart="{chart}">(.*?)</figure>', dom, re.S)
        assert m, f"chart {chart} missing from the rendered page"
        marks = len(re.findall(r'class="mark"', m.group(1)))
        assert "<svg" in m.group(1) and marks > 0, f"chart {chart} has no drawn mark"
    png = tmp_path / "shot.png"
    subprocess.run([*base, f"--screenshot={png}", "--window-size=1280,9000", url], capture_output=True,
                   timeout=90, check=True)
    img = Image.open(png).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours and len(colours) > 50, "the screenshot is blank"
    counts = {c: n for n, c in colours}

    def near(rgb: tuple[int, int, int]) -> int:
        return sum(n for c, n in counts.items() if sum(abs(a - b) for a, b in zip(c, rgb, strict=True)) < 24)
    # YouTube red, Facebook blue (bars), women pink (age chart), country/device blue, clips orange (contribution)
    for name, rgb in (("youtube", (0xc4, 0x30, 0x2b)), ("facebook", (0x18, 0x77, 0xf2)), ("femmes", (0xd3, 0x54, 0x90)),
                      ("hbar", (0x1f, 0x6f, 0xb2)), ("extraits", (0xe0, 0x8e, 0x0b))):
        assert near(rgb) > 500, f"{name} marks not painted in the screenshot"


def test_demo_writes_a_report_and_leaves_the_project_database_alone(mp, capsys) -> None:  # noqa: ANN001
    out = mp.project.root / "demo-report"
    code, stdout, err = mp.run("metrics", "demo", "--out", str(out), capsys=capsys)
    assert code == 0, err
    assert "pull 2:" in stdout and (out / "rapport.html").is_file() and (out / "donnees.csv").is_file()
    assert "projections: 9 rows imported" in stdout and "survey: 240 responses" in stdout, stdout
    html = (out / "rapport.html").read_text(encoding="utf-8")
    for section in ("indicateurs", "audience", "retours", "hors-ligne", "enquete", "definitions"):
        assert f'<section id="{section}">' in html, section
    for table in ("commentaires", "questions", "projections", "participants", "diffusions", "enquete-scores",
                  "enquete-questions", "enquete-groupes"):
        assert f'data-table="{table}"' in html, table
    assert "Voter, c&#x27;est choisir" in html and "test t de Welch" in html
    with Store(mp.cfg.project.database) as store:
        for table in ("metric_samples", "comments", "field_records", "survey_responses"):
            assert store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
