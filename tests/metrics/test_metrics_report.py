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
from metrics_support import assets, emulator, mp, seed  # noqa: F401

from pipeline.platforms.emulator import analytics as ea
from pipeline.platforms.emulator import Emulator
from pipeline.store import Store

CHARTS = ("vues-temps", "temps", "achevement", "engagement", "age-genre", "pays", "appareils", "contribution")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class _Cells(HTMLParser):
    """data-* attributes of the totals table's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "td" and "data-metric" in a:
            self.cells.append(a)


@pytest.fixture
def report(mp, emulator: Emulator, capsys) -> Path:  # noqa: ANN001
    seed(mp, emulator, assets(3))
    assert mp.run("metrics", "pull", capsys=capsys)[0] == 0
    ea.state(emulator).advance()
    assert mp.run("metrics", "pull", capsys=capsys)[0] == 0
    out = mp.project.root / "rapport"
    code, _, err = mp.run("metrics", "report", "--out", str(out), capsys=capsys)
    assert code == 0, err
    return out


def _f(v: str) -> float | None:
    return None if v == "" else float(v)


def test_html_totals_equal_the_csv(report: Path) -> None:
    parser = _Cells()
    parser.feed((report / "rapport.html").read_text(encoding="utf-8"))
    html = {(c["data-scope"], c["data-platform"], c["data-asset"], c["data-metric"]): _f(c["data-value"])
            for c in parser.cells}
    with open(report / "totaux.csv", encoding="utf-8") as fh:
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


def test_report_shows_definitions_and_pull_date(report: Path) -> None:
    html = (report / "rapport.html").read_text(encoding="utf-8")
    assert 'lang="fr"' in html and "Données extraites le" in html
    assert "au moins 3 secondes" in html          # Facebook's definition of a view, next to the numbers
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_episode_filter(mp, report: Path, capsys) -> None:  # noqa: ANN001
    out = mp.project.root / "ep02"
    assert mp.run("metrics", "report", "--out", str(out), "--episode", "ep02", capsys=capsys)[0] == 0
    with open(out / "donnees.csv", encoding="utf-8") as fh:
        assert {r["episode"] for r in csv.DictReader(fh)} <= {"ep02", "*"}


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
    subprocess.run([*base, f"--screenshot={png}", "--window-size=1280,4000", url], capture_output=True,
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
    with Store(mp.cfg.project.database) as store:
        assert store.db.execute("SELECT COUNT(*) FROM metric_samples").fetchone()[0] == 0
