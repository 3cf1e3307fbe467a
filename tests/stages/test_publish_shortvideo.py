"""TikTok and Instagram Reels (issue 16): posted at the release time by the scheduler, exactly once,
through the real protocols against the emulator; check's limits; TikTok's tokens; metrics for both."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from publish_support import PublishProject, emulator, publish_media, publish_project  # noqa: F401

from pipeline import ledger
from pipeline.media import ffmpeg
from pipeline.media.synth import make_test_video
from pipeline.platforms.emulator import Emulator
from pipeline.platforms.emulator.instagram import link_account
from pipeline.platforms.tiktok_auth import TikTokTokens, save_tokens
from pipeline.releases import calendars, check
from pipeline.stages import publish
from pipeline.store import Store

ROOT = Path(__file__).resolve().parents[2]
TT_TOKEN, TT_REFRESH = "act.emu-SECRET-tiktok-access-5e1d", "rft.emu-SECRET-tiktok-refresh-90ab"
IG_USER = "17841400000000001"
EP = "ep01-vote"


@pytest.fixture(scope="session")
def vertical_media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A ~250 KB 360x640 clip (several 32 KiB TikTok chunks) and a thumbnail."""
    folder = tmp_path_factory.mktemp("vertical")
    video = make_test_video(folder / "clip.mp4", size="360x640", duration=2.0,
                            codec=["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "900k", "-pix_fmt", "yuv420p"])
    thumb = folder / "thumb.jpg"
    ffmpeg.run_args(["-y", "-f", "lavfi", "-i", "testsrc2=s=1280x720", "-frames:v", "1", str(thumb)])
    return video, thumb


def _tokens(pp: PublishProject, expires_in: timedelta = timedelta(hours=20)) -> None:
    now = datetime.now(UTC)
    save_tokens(pp.home / "tiktok-token.json", TikTokTokens(TT_TOKEN, TT_REFRESH, now + expires_in,
                                                            now + timedelta(days=300), "emu-open-id",
                                                            ("user.info.basic", "video.publish", "video.list"),
                                                            "emu-client-secret"))


@pytest.fixture
def sv(tmp_path: Path, publish_media, vertical_media, emulator: Emulator) -> PublishProject:
    extra = f"""
[publish.tiktok]
client_key = "emu-client-key"
token_file = "{tmp_path / 'home' / 'tiktok-token.json'}"
chunk_kib = 32
audited = true

[publish.instagram]
ig_user_id = ""
"""
    pp = publish_project(tmp_path, publish_media, emulator.url, extra=extra)
    text = pp.project.config_path.read_text(encoding="utf-8")
    pp.project.config_path.write_text(text.replace("[publish.tiktok]", f'[publish.tiktok]\napi_root = "{emulator.url}"\n'
                                                   f'auth_url = "{emulator.url}/v2/auth/authorize/"')
                                      .replace("[publish.instagram]", f'[publish.instagram]\nupload_root = "{emulator.url}"'),
                                      encoding="utf-8")
    _tokens(pp)
    emulator.state.valid_tokens.add(TT_TOKEN)
    emulator.state.refresh_tokens[TT_REFRESH] = TT_TOKEN
    emulator.state.tt_min_chunk = 32 * 1024
    link_account(emulator, "424242", IG_USER)
    pp.add_ready_episode(EP, 1, publish_media, langs=())
    return pp


def _clips(pp: PublishProject, media, n: int) -> list[str]:
    ids = [f"{EP}-clip{i}" for i in range(1, n + 1)]
    for clip in ids:
        pp.add_asset_files(clip, media, langs=())
    return ids


def _calendar(pp: PublishProject, assets: list[str], at: datetime, platforms=("tiktok", "instagram"),
              extra: str | dict[str, str] = "") -> Path:
    local = at.astimezone(pp.cfg.project.zone).replace(tzinfo=None, microsecond=0)
    lines = ["[defaults]", f"platforms = {json.dumps(list(platforms))}", "subtitles = []",
             '[defaults.tiktok]', 'tags = ["Construisons Ensemble", "AJCAD Mali"]', ""]
    for a in assets:
        lines += ["[[release]]", f'asset = "{a}"', f"at = {local.isoformat()}",
                  extra.get(a, "") if isinstance(extra, dict) else extra, ""]
    return pp.write_calendar("short.toml", "\n".join(lines))


def _posted(emu: Emulator) -> tuple[list[dict], list[dict]]:
    tt = [p for p in emu.state.tt_posts.values() if p["status"] == "PUBLISH_COMPLETE"]
    ig = [o for o in emu.state.ig_media.values() if o["kind"] == "reel"]
    return tt, ig


def test_drops_at_20_offsets_post_each_clip_exactly_once(sv: PublishProject, emulator: Emulator,
                                                         vertical_media) -> None:
    clips = _clips(sv, vertical_media, 20)
    _calendar(sv, clips, datetime.now(UTC) - timedelta(seconds=30))   # the time has come
    size = vertical_media[0].stat().st_size
    offsets = [size * k // 21 for k in range(1, 21)]
    cfg = sv.cfg
    with Store(cfg.project.database) as store:
        releases = publish.load_checked(cfg, store, None)
        assert [r.id for r in releases] == clips
        pubs = publish.default_publishers(cfg)
        for i, (rel, offset) in enumerate(zip(releases, offsets, strict=True)):
            emulator.state.clock_offset += 11          # TikTok: 6 init a minute per token
            emulator.faults.drop_commits = i % 2 == 0  # the chunk kept (only the answer lost), or lost with it
            for platform in ("tiktok", "instagram"):
                emulator.faults.drop_at = offset
                out = publish.publish_one(cfg, store, rel, platform, pubs)
                assert out.state == "published", out
                assert emulator.faults.drop_at is None, f"{platform} never reached byte {offset}"
                again = publish.publish_one(cfg, store, rel, platform, pubs)   # a rerun sends nothing
                assert again.state == "published"
    tt, ig = _posted(emulator)
    data = vertical_media[0].read_bytes()
    assert len(tt) == 20 and all(bytes(p["data"]) == data for p in tt)
    assert len(emulator.state.tt_posts) == 20                      # no second init after a drop
    assert len(ig) == 20 and all(o["size"] == size for o in ig)
    containers = [o for o in emulator.state.ig_media.values() if o["kind"] == "container"]
    assert len(containers) == 20 and all(bytes(c["data"]) == data for c in containers)
    assert all("#ConstruisonsEnsemble #AJCADMali" in p["title"] for p in tt)


def _states(db: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(db, timeout=30) as con:
        return con.execute("SELECT state, platform, upload_offset FROM releases").fetchall()


def test_scheduler_posts_at_the_time_once_even_when_killed_and_restarted(sv: PublishProject, emulator: Emulator,
                                                                         vertical_media) -> None:
    clips = _clips(sv, vertical_media, 1)
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
    _calendar(sv, clips, at)
    emulator.faults.delay = 0.04   # slow enough to be killed in the middle of an upload
    cmd = [sys.executable, "-m", "pipeline", "--config", str(sv.project.config_path), "publish", "run", "--until-idle"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, cwd=sv.project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    db = sv.cfg.project.database
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        states = _states(db) if db.exists() else []
        assert datetime.now(UTC) >= at or not emulator.state.tt_posts, "posted before its time"
        if any(s == "uploading" and o > 0 for s, _, o in states):
            break
        time.sleep(0.02)
    else:
        proc.kill()
        pytest.fail(f"never saw an upload halfway (exit {proc.poll()}): {_states(db) if db.exists() else []} "
                    f"{proc.communicate()}")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    emulator.faults.delay = 0
    done = subprocess.run(cmd, env=env, cwd=sv.project.root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert {(s, p) for s, p, _ in _states(db)} == {("published", "tiktok"), ("published", "instagram")}
    tt, ig = _posted(emulator)
    assert len(tt) == 1 and len(ig) == 1 and len(emulator.state.tt_posts) == 1
    assert min(p["created"] for p in emulator.state.tt_posts.values()) >= at.timestamp() - 0.5
    assert bytes(tt[0]["data"]) == vertical_media[0].read_bytes()


def test_check_refuses_a_16_9_episode_on_tiktok_and_a_caption_over_the_limit(sv: PublishProject, vertical_media,
                                                                            capsys) -> None:
    cal = _calendar(sv, [EP], datetime.now(UTC) + timedelta(days=2), platforms=("tiktok",))
    code, out, err = sv.run("publish", "check", str(cal), capsys=capsys)
    assert code != 0 and "tiktok gets vertical videos only, and this one is 640x360 (landscape)" in err
    assert "Traceback" not in err
    clip = _clips(sv, vertical_media, 1)[0]
    long = "x" * 2300
    cal = _calendar(sv, [clip], datetime.now(UTC) + timedelta(days=2), platforms=("instagram",),
                    extra=f'[release.instagram]\ndescription = "{long}"')
    code, out, err = sv.run("publish", "check", str(cal), capsys=capsys)
    assert code != 0 and "instagram caption (title + description + hashtags) has" in err and "(at most 2200)" in err


def test_check_says_this_computer_must_be_on_and_that_an_unaudited_app_posts_privately(
        sv: PublishProject, vertical_media, capsys) -> None:
    clips = _clips(sv, vertical_media, 1)
    at = datetime(2027, 1, 15, 18, 0, tzinfo=sv.cfg.project.zone)
    cal = _calendar(sv, clips, at)
    text = sv.project.config_path.read_text(encoding="utf-8").replace("audited = true", "audited = false")
    sv.project.config_path.write_text(text, encoding="utf-8")
    code, out, err = sv.run("publish", "check", str(cal), capsys=capsys)
    assert code == 0, err
    assert "this computer must be on at 18:00" in out
    assert "not audited by TikTok yet, so TikTok accepts private (SELF_ONLY) posts only" in out


def test_an_unaudited_app_refusal_is_one_clear_error(sv: PublishProject, emulator: Emulator, vertical_media,
                                                      capsys) -> None:
    emulator.faults.tiktok_unaudited = True
    _calendar(sv, _clips(sv, vertical_media, 1), datetime.now(UTC) - timedelta(seconds=5), platforms=("tiktok",))
    code, out, err = sv.run("publish", "upload", capsys=capsys)
    assert code != 0 and "Traceback" not in out + err
    errors = [x for x in err.splitlines() if x.startswith("error:")]
    assert len(errors) == 1 and "app not audited: only private (SELF_ONLY) posts are accepted" in errors[0]
    assert not [p for p in emulator.state.tt_posts.values()]   # refused at init: nothing was sent


def test_an_expired_tiktok_token_is_refreshed_without_the_user(sv: PublishProject, emulator: Emulator,
                                                                vertical_media, capsys) -> None:
    _tokens(sv, expires_in=timedelta(hours=-1))   # expired an hour ago
    emulator.state.valid_tokens.discard(TT_TOKEN)
    _calendar(sv, _clips(sv, vertical_media, 1), datetime.now(UTC) - timedelta(seconds=5), platforms=("tiktok",))
    code, out, err = sv.run("publish", "upload", capsys=capsys)
    assert code == 0, err
    saved = json.loads((sv.home / "tiktok-token.json").read_text())
    assert saved["access_token"] != TT_TOKEN and saved["access_token"] in emulator.state.valid_tokens
    assert datetime.fromisoformat(saved["expires_at"]) > datetime.now(UTC) + timedelta(hours=23)
    assert oct((sv.home / "tiktok-token.json").stat().st_mode & 0o777) == "0o600"
    assert len(_posted(emulator)[0]) == 1
    assert TT_REFRESH not in out + err and saved["access_token"] not in out + err


def test_metrics_pulled_for_tiktok_and_instagram_missing_is_not_zero(sv: PublishProject, emulator: Emulator,
                                                                      vertical_media, capsys) -> None:
    clips = _clips(sv, vertical_media, 2)
    _calendar(sv, clips, datetime.now(UTC) - timedelta(seconds=5),
              extra={clips[1]: '[release.tiktok]\nprivacy = "private"'})
    code, out, err = sv.run("publish", "upload", capsys=capsys)
    assert code == 0, out + err
    public = next(p for p in emulator.state.tt_posts.values() if p["privacy"] == "PUBLIC_TO_EVERYONE")
    public["stats"] = {"view_count": 812, "like_count": 95, "comment_count": 0, "share_count": 14}
    code, out, err = sv.run("metrics", "pull", capsys=capsys)
    assert code == 0, err
    with Store(sv.cfg.project.database) as store:
        rows = store.db.execute("SELECT platform, release_id, metric, value, missing_reason FROM metric_samples "
                                "WHERE platform IN ('tiktok', 'instagram')").fetchall()
    got = {(p, r, m): (v, why) for p, r, m, v, why in rows}
    assert got[("tiktok", clips[0], "views")] == (812, "") and got[("tiktok", clips[0], "comments")] == (0, "")
    value, why = got[("tiktok", clips[1], "views")]
    assert value is None and "SELF_ONLY" in why          # private: missing, never 0
    assert got[("instagram", clips[0], "views")][0] == 310 and got[("instagram", clips[1], "saves")][0] == 12
    assert got[("instagram", clips[0], "reach")][0] == 240


def test_before_its_time_a_move_only_moves_our_job(sv: PublishProject, emulator: Emulator, vertical_media) -> None:
    clips = _clips(sv, vertical_media, 1)
    _calendar(sv, clips, datetime.now(UTC) + timedelta(hours=3))
    cfg = sv.cfg
    with Store(cfg.project.database) as store:
        rel = publish.load_checked(cfg, store, None)[0]
        out = publish.publish_one(cfg, store, rel, "tiktok", publish.default_publishers(cfg))
        assert out.state == "planned" and "this computer must be on then" in out.detail
        later = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
        moved = publish.move(cfg, store, rel.id, later, publish.default_publishers(cfg))
        assert {o.state for o in moved} == {"planned"}
        entry = ledger.get(store, rel.id, "tiktok")
        assert entry is not None and publish.upload_time(cfg, entry, datetime.now(UTC)) == later
        result = check(cfg, store, calendars(cfg, None))
        assert result.problems == []
    assert _posted(emulator) == ([], []) and not emulator.state.tt_posts


def test_demo_posts_the_clip_to_all_four_platforms(sv: PublishProject, vertical_media, capsys) -> None:
    _clips(sv, vertical_media, 1)
    code, out, err = sv.run("publish", "demo", EP, capsys=capsys)
    assert code == 0, err
    assert "2 YouTube video(s)" in out and "2 Facebook video(s)" in out
    assert "tiktok v_pub_file~" in out and "PUBLISH_COMPLETE, PUBLIC_TO_EVERYONE" in out
    assert "instagram 18" in out and "Reel published" in out
    assert f"{EP}-clip1-now" in out and out.count(" published ") >= 2


def test_login_tiktok_with_pkce_on_a_local_redirect_saves_tokens_0600(sv: PublishProject, emulator: Emulator) -> None:
    import requests

    from pipeline.config import load_config
    from pipeline.platforms.tiktok_auth import login_tiktok

    text = sv.project.config_path.read_text(encoding="utf-8").replace("audited = true", "audited = false")
    sv.project.config_path.write_text(text, encoding="utf-8")
    said: list[str] = []
    browser = []   # the browser: TikTok's consent page, then the redirect to our local server
    path = login_tiktok(load_config(sv.project.config_path), open_url=lambda url: browser.append(
        requests.get(url, timeout=10)), say=said.append, ask_secret=lambda prompt: "emu-client-secret")
    assert browser[0].status_code == 200 and "fermer cette fenêtre" in browser[0].text
    assert "code_challenge_method=S256" in said[0] and any("SELF_ONLY" in s for s in said)
    saved = json.loads(path.read_text())
    assert saved["access_token"] in emulator.state.valid_tokens and saved["refresh_token"]
    assert oct(path.stat().st_mode & 0o777) == "0o600" and "emu-client-secret" not in " ".join(said)


def test_rate_limit_defers_and_spam_risk_is_one_clear_error(sv: PublishProject, emulator: Emulator,
                                                            vertical_media) -> None:
    clips = _clips(sv, vertical_media, 2)
    _calendar(sv, clips, datetime.now(UTC) - timedelta(seconds=5))
    emulator.state.extra["tt_init_times"] = {TT_TOKEN: [emulator.now()] * 6}   # 6 posts started this minute
    emulator.faults.spam_risk_next = 1                                          # Instagram's daily limit
    cfg = sv.cfg
    with Store(cfg.project.database) as store:
        rels = publish.load_checked(cfg, store, None)
        pubs = publish.default_publishers(cfg)
        tt = publish.publish_one(cfg, store, rels[0], "tiktok", pubs)
        assert tt.state == "deferred" and "rate limited" in tt.detail
        entry = ledger.get(store, rels[0].id, "tiktok")
        assert entry is not None and entry.retry_at and entry.retry_at > datetime.now(UTC)
        ig = publish.publish_one(cfg, store, rels[0], "instagram", pubs)
        assert ig.state == "failed"
        assert "instagram: reel container refused: code 9/2207042" in ig.detail
        emulator.state.extra["tt_init_times"] = {}
        emulator.state.clock_offset += 120
        assert publish.publish_one(cfg, store, rels[1], "instagram", pubs).state == "published"
    assert len(_posted(emulator)[1]) == 1 and not emulator.state.tt_posts


def test_after_posting_a_move_is_refused_and_a_new_caption_waits_for_nobody(sv: PublishProject, emulator: Emulator,
                                                                              vertical_media) -> None:
    from pipeline.stages.publish_sync import pending_changes

    clips = _clips(sv, vertical_media, 1)
    at = datetime.now(UTC) - timedelta(seconds=5)
    _calendar(sv, clips, at, platforms=("tiktok",))
    cfg = sv.cfg
    with Store(cfg.project.database) as store:
        rel = publish.load_checked(cfg, store, None)[0]
        assert publish.publish_one(cfg, store, rel, "tiktok", publish.default_publishers(cfg)).state == "published"
        _calendar(sv, clips, at, platforms=("tiktok",), extra='[release.tiktok]\ndescription = "Nouveau texte"')
        changed = check(cfg, store, calendars(cfg, None)).releases[0]
        entry = ledger.get(store, rel.id, "tiktok")
        assert entry is not None and pending_changes(cfg, store, changed, "tiktok", entry) == []
        with pytest.raises(Exception, match="already public on tiktok"):
            publish.move(cfg, store, rel.id, datetime.now(UTC) + timedelta(days=1), publish.default_publishers(cfg))
    assert len(emulator.state.tt_posts) == 1
