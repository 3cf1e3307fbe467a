"""The studio over real HTTP: who may do what, CSRF, sessions, rate limits, safe files, escaping."""

from __future__ import annotations

import http.client
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from pipeline.web.app import all_routes
from pipeline.web.registry import ALL
from tests.studio_support import (CSRF, PASSWORD, StudioProject, login, make_studio_project, studio_in_thread,
                                  tiny_master)

__all__ = ["tiny_master"]


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory, tiny_master: Path) -> tuple[StudioProject, str]:
    project = make_studio_project(tmp_path_factory.mktemp("studio") / "project", tiny_master)
    ep = project.episode_file("ep01-test")
    ep.write_text(ep.read_text().replace('fr = "Titre ep01-test"', 'fr = "Vote <script>alert(1)</script> & co"'))
    outside = tmp_path_factory.mktemp("outside") / "secret.mp4"
    outside.write_bytes(b"not for the studio")
    (ep.parent / "link-out.mp4").symlink_to(outside)
    (ep.parent / ".master.partial-1.mp4").write_bytes(b"half-written")
    with studio_in_thread(project.config) as base:
        yield project, base


@pytest.fixture(scope="module")
def translator_cookie(studio) -> str:
    return cookie_of(login(studio[1], "translator")[0])


def raw_get(base: str, path: str, cookie: str = "", headers: dict | None = None) -> tuple[int, dict, bytes]:
    """GET exactly this path (requests would normalise ../ away before sending)."""
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    if cookie:
        conn.putheader("Cookie", cookie)
    for k, v in (headers or {}).items():
        conn.putheader(k, v)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), body


def cookie_of(s: requests.Session) -> str:
    return "; ".join(f"{k}={v}" for k, v in s.cookies.items())


def test_anonymous_is_sent_to_the_login_page(studio):
    _, base = studio
    for path in ("/episodes", "/jobs", "/media/episodes/ep01-test/master.mp4", "/"):
        r = requests.get(base + path, allow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    r = requests.post(base + "/episodes/ep01-test/jobs/transcode", allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = requests.get(base + "/jobs/table", headers={"HX-Request": "true"}, allow_redirects=False)
    assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/login")
    page = requests.get(base + "/episodes")
    assert page.url.endswith("/login?next=/episodes") and "Connexion au studio" in page.text


def test_login_sets_a_protected_cookie_and_logout_ends_the_session(studio):
    _, base = studio
    s, csrf = login(base, "editor")
    set_cookie = s.post(base + "/login", data={}, allow_redirects=False)  # refused: no login token
    assert set_cookie.status_code == 403
    fresh = requests.Session()
    page = fresh.get(base + "/login")
    r = fresh.post(base + "/login", data={"csrf": CSRF.search(page.text)[1], "name": "editor",
                                          "password": PASSWORD.format(role="editor")}, allow_redirects=False)
    header = r.headers["set-cookie"]
    assert "studio_session=" in header and "HttpOnly" in header and "SameSite=lax" in header.replace("Lax", "lax")
    assert "Secure" not in header  # plain http on this machine; https sets it
    old = cookie_of(s)
    assert requests.get(base + "/episodes", headers={"Cookie": old}, allow_redirects=False).status_code == 200
    s.post(base + "/logout", data={"csrf": csrf})
    after = requests.get(base + "/episodes", headers={"Cookie": old}, allow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


def test_wrong_password_is_refused_in_french(studio):
    _, base = studio
    s = requests.Session()
    page = s.get(base + "/login")
    r = s.post(base + "/login", data={"csrf": CSRF.search(page.text)[1], "name": "translator", "password": "faux"})
    assert r.status_code == 401 and "Nom ou mot de passe incorrect." in r.text


def test_post_without_or_with_a_wrong_csrf_token_is_refused(studio):
    project, base = studio
    s, csrf = login(base, "admin")
    before = project.episode_file("ep01-test").read_text()
    for data in ({}, {"csrf": "forged"}):
        r = s.post(base + "/episodes/ep01-test/edit", data={**data, "number": "7"}, allow_redirects=False)
        assert r.status_code == 403 and "jeton de sécurité" in r.text
    r = s.post(base + "/episodes/ep01-test/jobs/transcode", headers={"X-CSRF-Token": "forged"}, allow_redirects=False)
    assert r.status_code == 403
    assert project.episode_file("ep01-test").read_text() == before
    assert "ep01-test" not in s.get(base + "/jobs/table").text  # no job was started


def _fill(path: str) -> str:
    values = {"episode": "ep99-nope", "job_id": "999999", "area": "build", "path": "nope.jpg", "lang": "fr"}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m[1]], path)


def test_every_route_checks_every_role(studio):
    """Each registered route x each role: a role the route does not declare gets 403, the others never do."""
    _, base = studio
    routes = [r for r in all_routes() if not r.public]
    routes.sort(key=lambda r: r.path == "/logout")  # last: it ends the session
    assert {r.path for r in routes} >= {"/episodes", "/jobs", "/episodes/{episode}/jobs/transcode"}
    checked = 0
    for role in sorted(ALL):
        s, csrf = login(base, role)
        for r in routes:
            for method in r.methods:
                resp = s.request(method, base + _fill(r.path), data={"csrf": csrf} if method == "POST" else None,
                                 allow_redirects=False)
                where = f"{method} {r.path} as {role}"
                if role in r.roles:
                    assert resp.status_code != 403, where
                    assert not resp.headers.get("location", "").startswith("/login?next="), where
                else:
                    assert resp.status_code == 403, where
                    assert "Accès refusé" in resp.text, where
                checked += 1
    assert checked >= 5 * 12


def test_a_route_must_name_its_roles():
    from pipeline.web.registry import route

    with pytest.raises(ValueError, match="roles must be some of"):
        route("/somewhere")(lambda ctx: None)
    with pytest.raises(ValueError, match="roles must be some of"):
        route("/somewhere", roles=("editor", "superuser"))(lambda ctx: None)


def test_forbidden_actions_by_role(studio):
    """A translator or an evaluator cannot render, edit or cancel; communication can make clips, not render."""
    project, base = studio
    for role in ("translator", "evaluation", "communication"):
        s, csrf = login(base, role)
        assert s.post(base + "/episodes/ep01-test/jobs/transcode", data={"csrf": csrf}).status_code == 403
        assert s.post(base + "/episodes/ep01-test/edit", data={"csrf": csrf, "number": "5"}).status_code == 403
        assert s.get(base + "/episodes/new").status_code == 403
        page = s.get(base + "/episodes").text
        assert "Rendre" not in page and "Nouvel épisode" not in page
    assert "number = 1" in project.episode_file("ep01-test").read_text()


def test_user_text_is_escaped(studio):
    _, base = studio
    s, _ = login(base, "evaluation")
    page = s.get(base + "/episodes").text
    assert "<script>alert(1)</script>" not in page
    assert "Vote &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


def test_security_headers(studio):
    _, base = studio
    for r in (requests.get(base + "/login"), requests.get(base + "/static/studio.css")):
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
    page = requests.get(base + "/login").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"
    assert " on" + "click=" not in page and "style=" not in page


@pytest.mark.parametrize("path", [
    "/media/episodes/../config.toml",
    "/media/episodes/..%2Fconfig.toml",
    "/media/episodes/%2e%2e/%2e%2e/etc/passwd",
    "/media/episodes/ep01-test/..%2F..%2Fconfig.toml",
    "/media/episodes/ep01-test/%2e%2e%2f%2e%2e%2fbuild%2fpipeline.sqlite3",
    "/media/build/%2Fetc%2Fpasswd",
    "/media/episodes/ep01-test/link-out.mp4",
    "/media/episodes/ep01-test/.master.partial-1.mp4",
    "/media/episodes/ep01-test/episode.toml",
    "/media/nowhere/ep01-test/master.mp4",
    "/media/preview/episodes/../config.toml",
    "/media/episodes/ep01-test/master.mp4%00.jpg",
])
def test_media_never_leaves_the_project_folders(studio, translator_cookie, path):
    _, base = studio
    status, _, body = raw_get(base, path, translator_cookie)
    assert status == 404, (path, status)
    assert b"not for the studio" not in body and b"[project]" not in body


def test_media_serves_video_with_range_requests(studio, translator_cookie):
    project, base = studio
    size = (project.root / "episodes" / "ep01-test" / "master.mp4").stat().st_size
    status, headers, body = raw_get(base, "/media/episodes/ep01-test/master.mp4", translator_cookie,
                                    {"Range": "bytes=100-199"})
    assert status == 206 and len(body) == 100
    assert headers["content-range"] == f"bytes 100-199/{size}" and headers["content-type"] == "video/mp4"
    status, headers, body = raw_get(base, "/media/episodes/ep01-test/master.mp4", translator_cookie)
    assert status == 200 and len(body) == size and headers["accept-ranges"] == "bytes"


def test_oversized_post_is_refused_before_it_is_read(studio):
    _, base = studio
    s, _ = login(base, "admin")
    assert raw_post_length(base, "/episodes/new", cookie_of(s), 10**10) == 413


def raw_post_length(base: str, path: str, cookie: str, length: int) -> int:
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.putrequest("POST", path)
    conn.putheader("Cookie", cookie)
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Content-Length", str(length))
    conn.endheaders()
    conn.send(b"csrf=x")
    status = conn.getresponse().status
    conn.close()
    return status


def test_login_attempts_are_rate_limited(tmp_path: Path, tiny_master: Path):
    project = make_studio_project(tmp_path / "p", tiny_master,
                                  studio="login_failures_per_user = 3\nlogin_failures_per_address = 6")
    with studio_in_thread(project.config) as base:
        def attempt(name: str, password: str) -> requests.Response:
            s = requests.Session()
            page = s.get(base + "/login")
            return s.post(base + "/login", data={"csrf": CSRF.search(page.text)[1], "name": name,
                                                 "password": password})
        for _ in range(3):
            assert attempt("editor", "mauvais").status_code == 401
        blocked = attempt("editor", PASSWORD.format(role="editor"))  # right password, too late
        assert blocked.status_code == 429
        assert "Trop de tentatives de connexion pour ce compte. Réessayez dans 15 minutes" in blocked.text
        assert attempt("admin", PASSWORD.format(role="admin")).status_code == 200  # other accounts unaffected
        for name in ("x1", "x2", "x3"):
            attempt(name, "mauvais")
        by_address = attempt("admin", PASSWORD.format(role="admin"))
        assert by_address.status_code == 429 and "pour cette machine" in by_address.text
    assert os.path.exists(project.database)
