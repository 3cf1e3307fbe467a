"""The Calendrier page against the platforms' emulator: a communications officer moves a release by
dragging it (and with the form), cancels one, and the calendar file (its comments kept) and the
emulated platforms both change; refusals are said in French; the page's rules for each role."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from publish_support import PLAYLIST, publish_media, publish_project, trust_tokens  # noqa: F401

from pipeline import ledger
from pipeline.platforms.emulator import running
from pipeline.stages import publish
from pipeline.store import Store
from pipeline.users import ROLES, add
from tests.studio_support import PASSWORD, login, served, wait_for
from tests.web.browser_support import shot, sign_in

BAMAKO = ZoneInfo("Africa/Bamako")
EP = "ep01-vote"
COMMENT = "# Saison 1 : le plan de l'équipe communication (ce commentaire doit survivre)"
SCRIPT_TITLE = "Vote <script>alert(1)</script> & co"


def _rfc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local(when: datetime) -> str:
    return when.astimezone(BAMAKO).strftime("%Y-%m-%dT%H:%M:%S")


@pytest.fixture(scope="module")
def cal(tmp_path_factory: pytest.TempPathFactory, publish_media) -> Iterator[dict]:  # noqa: F811
    """Two releases uploaded to the emulator (an episode, the trailer), one clip already published
    (as the ledger records it), one account per role, `webseries serve` with its worker."""
    with running() as emu:
        trust_tokens(emu)
        pp = publish_project(tmp_path_factory.mktemp("calendar"), publish_media, emu.url)
        pp.add_ready_episode(EP, 1, publish_media)
        pp.add_asset_files("trailer", publish_media)
        now = datetime.now(UTC).astimezone(BAMAKO)
        when = (now + timedelta(days=12)).replace(hour=18, minute=0, second=0, microsecond=0)
        trailer_at = when + timedelta(days=2)
        calendar = pp.write_calendar("saison1.toml", f"""{COMMENT}
[defaults]
timezone = "Africa/Bamako"
platforms = ["youtube", "facebook"]
subtitles = ["fr"]

[defaults.youtube]
playlist = "{PLAYLIST}"

[[release]]
asset = "{EP}"   # premier épisode
at = {_local(when)}

[[release]]
asset = "trailer"   # la bande-annonce
at = {_local(trailer_at)}
[release.facebook]
title = "Bande-annonce"
""")
        cfg = pp.cfg
        with Store(cfg.project.database) as store:
            publish.publish_all(cfg, store, publish.load_checked(cfg, store, None), publish.default_publishers(cfg))
            for role in ROLES:
                add(store, role, role, PASSWORD.format(role=role))
        out_at = (now - timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
        with calendar.open("a", encoding="utf-8") as fh:
            fh.write(f'\n[[release]]\nid = "clip-fb"\nasset = "{EP}-clip1"\nplatforms = ["facebook"]\n'
                     f'subtitles = []\nat = {_local(out_at)}\n[release.facebook]\ntitle = "{SCRIPT_TITLE}"\n')
        with Store(cfg.project.database) as store:  # published yesterday, as `publish status --refresh` records it
            ledger.plan(store, "clip-fb", "facebook", f"{EP}-clip1", str(calendar), out_at.astimezone(UTC), "", "")
            ledger.update(store, "clip-fb", "facebook", "published", "published", remote_id="998877",
                          url="https://www.facebook.com/424242/videos/998877/")
        with served(pp.project.config_path, "--no-scheduler") as base:
            yield {"emu": emu, "pp": pp, "base": base, "when": when, "trailer_at": trailer_at, "calendar": calendar,
                   "out_at": out_at}


def _yt(emu, title: str) -> dict:  # noqa: ANN001
    return next(v for v in emu.state.yt_videos.values() if v["snippet"]["title"] == title)


def _fb(emu, title: str) -> dict:  # noqa: ANN001
    return next(v for v in emu.state.fb_videos.values() if v.get("finished") and v.get("title") == title)


def test_browser_officer_drags_a_release_and_cancels_another(browser, cal):
    emu, base, when = cal["emu"], cal["base"], cal["when"]
    yt_title = next(v["snippet"]["title"] for v in emu.state.yt_videos.values() if "ande" not in v["snippet"]["title"])
    assert _yt(emu, yt_title)["status"]["publishAt"] == _rfc(when)
    page = sign_in(browser, base, "communication")
    page.click("nav a:has-text('Calendrier')")
    page.goto(f"{base}/calendar?month={when:%Y-%m}")
    chip = page.locator(f"#rel-{EP}")
    assert "YouTube" in chip.inner_text() and "programmée" in chip.inner_text().replace("programmé", "programmée")
    assert page.locator("#rel-trailer").count() == 1
    shot(page, "calendar")
    target = when - timedelta(days=1) if when.day > 1 else when + timedelta(days=1)
    chip.drag_to(page.locator(f"td.day[data-date='{target:%Y-%m-%d}']"))
    page.wait_for_url(re.compile(r"done=move&job=\d+"))
    assert "Diffusion déplacée" in page.inner_text("main") and "travail n°" in page.inner_text("main")
    moved = when.replace(year=target.year, month=target.month, day=target.day)
    wait_for(lambda: _yt(emu, yt_title)["status"].get("publishAt") == _rfc(moved), timeout=60)
    text = cal["calendar"].read_text(encoding="utf-8")
    assert f"at = {_local(moved)}" in text and text.startswith(COMMENT) and "# premier épisode" in text
    wait_for(lambda: [v for v in emu.state.fb_videos.values()
                      if v.get("scheduled_publish_time") == int(moved.timestamp())], timeout=30)
    page.wait_for_selector(f"td.day[data-date='{target:%Y-%m-%d}'] #rel-{EP}", timeout=30_000)  # refreshed itself
    page.click("a:has-text('Vue semaine')")
    page.goto(f"{base}/calendar/week?week={target:%Y-%m-%d}")
    assert page.locator(f"td.day[data-date='{target:%Y-%m-%d}'] #rel-{EP}").count() == 1
    shot(page, "calendar_week")

    # cancel the trailer from its page: private and unscheduled on the emulator
    page.goto(f"{base}/calendar/releases/trailer")
    page.check("input[name=confirm]")
    page.click("button:has-text('Annuler la diffusion')")
    page.wait_for_url(re.compile(r"done=cancel&job=\d+"))
    trailer = next(v for v in emu.state.yt_videos.values() if "ande-annonce" in v["snippet"]["title"])
    wait_for(lambda: trailer["status"]["privacyStatus"] == "private" and "publishAt" not in trailer["status"],
             timeout=60)
    assert "cancel = true" in cal["calendar"].read_text(encoding="utf-8")
    page.wait_for_selector("#actions button:has-text('Rétablir')", timeout=30_000)  # the page refreshed itself
    page.wait_for_selector("p.job.done", timeout=30_000)
    assert "annulé" in page.inner_text("#on-youtube h2") and "private" in page.inner_text("#on-youtube")
    assert "annulé par communication" in page.inner_text("main") or "annulé par communication" in page.content()
    shot(page, "release")
    page.close()


def test_form_move_and_refusals(cal):
    base, when = cal["base"], cal["when"]
    s, csrf = login(base, "communication")
    r = s.post(f"{base}/calendar/releases/{EP}/move", data={"csrf": csrf, "at": "2020-01-06T10:00"})
    assert r.status_code == 400 and "est déjà passé" in r.text and "Rien n'a été modifié" in html.unescape(r.text)
    r = s.post(f"{base}/calendar/releases/clip-fb/move",
               data={"csrf": csrf, "at": f"{when + timedelta(days=3):%Y-%m-%dT%H:%M}"})
    assert r.status_code == 400 and "déjà publiée sur facebook" in r.text, re.sub(r"(?s).*<main>|</main>.*", "",
                                                                                   r.text)
    assert f"at = {_local(cal['out_at'])}" in cal["calendar"].read_text(encoding="utf-8")
    r = s.post(f"{base}/calendar/releases/{EP}/move", data={"at": "2030-01-06T10:00"})
    assert r.status_code == 403
    r = s.post(f"{base}/calendar/releases/{EP}/cancel", data={"csrf": csrf})
    assert r.status_code == 400 and "Cochez la case" in r.text
    r = s.post(f"{base}/calendar/releases/{EP}/cancel", data={"csrf": csrf, "confirm": "1", "delete": "1",
                                                             "word": "SUPPRIMER"})
    assert r.status_code == 403  # deleting is for admins
    assert "cancel" not in cal["calendar"].read_text(encoding="utf-8").split("premier épisode")[1].split("[[")[0]


def test_roles_and_escaping(cal):
    base = cal["base"]
    s, _ = login(base, "translator")
    assert s.get(f"{base}/calendar").status_code == 403
    assert s.get(f"{base}/calendar/releases/{EP}").status_code == 403
    for role in ("editor", "evaluation"):
        s, csrf = login(base, role)
        page = s.get(f"{base}/calendar?month={cal['out_at']:%Y-%m}")
        assert page.status_code == 200 and "clip-fb" in page.text and 'draggable="true"' not in page.text
        assert "Nouvelle diffusion" not in page.text
        r = s.post(f"{base}/calendar/releases/{EP}/move", data={"csrf": csrf, "at": "2030-01-06T10:00"})
        assert r.status_code == 403
    s, _ = login(base, "evaluation")
    page = s.get(f"{base}/calendar/releases/clip-fb").text
    assert "<script>alert(1)</script>" not in page and "Vote &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "publiée" in page
    week = s.get(f"{base}/calendar/week?week={cal['when']:%Y-%m-%d}")
    assert week.status_code == 200 and "semaine du" in week.text
    assert requests.get(f"{base}/calendar", allow_redirects=False).status_code == 303


def test_create_a_release_through_the_form(cal):
    base, when = cal["base"], cal["when"]
    s, csrf = login(base, "communication")
    form = s.get(f"{base}/calendar/new?date={when:%Y-%m-%d}").text
    assert f'value="{when:%Y-%m-%d}T18:00"' in form and "trailer" in form
    data = {"csrf": csrf, "calendar": "saison1", "asset": f"{EP}-clip2", "id": "relance", "platforms": ["facebook"],
            "subtitles": [], "facebook.title": "Rappel <b>vote</b>", "at": "2021-03-01T10:00"}
    r = s.post(f"{base}/calendar/new", data=data)
    assert r.status_code == 400 and "est déjà passé" in r.text and "relance" not in cal["calendar"].read_text()
    r = s.post(f"{base}/calendar/new", data={**data, "at": f"{when + timedelta(days=1):%Y-%m-%d}T12:30"})
    assert r.status_code == 200 and r.url.endswith("done=create"), r.text[-800:]
    text = cal["calendar"].read_text(encoding="utf-8")
    assert text.startswith(COMMENT) and 'id = "relance"' in text and 'title = "Rappel <b>vote</b>"' in text
    page = s.get(f"{base}/calendar/releases/relance").text
    main = re.sub(r"(?s).*<main>|</main>.*", "", page)
    assert "Rappel &lt;b&gt;vote&lt;/b&gt;" in page and "fichier pour facebook absent" in main  # due: upload_lead_days
    r = s.post(f"{base}/calendar/new", data={**data, "at": f"{when + timedelta(days=1):%Y-%m-%d}T12:30"})
    assert r.status_code == 400 and "existe déjà" in r.text
