"""metrics pull: the real clients (google-api-python-client, requests) against the emulator."""

from __future__ import annotations

import json
import sqlite3

from metrics_support import assets, emulator, mp, seed  # noqa: F401

from pipeline import scheduler
from pipeline.metrics.facebook_source import FacebookMetrics
from pipeline.metrics.youtube_source import YouTubeMetrics
from pipeline.platforms.emulator import analytics as ea
from pipeline.platforms.emulator import Emulator
from pipeline.stages import metrics
from pipeline.store import Store


def _rows(db, pull_id: int) -> list[tuple]:  # noqa: ANN001
    return db.execute("SELECT platform, release_id, metric, dimension, dimension_value, value, missing_reason "
                      "FROM metric_samples WHERE pull_id=? ORDER BY 1,2,3,4,5", (pull_id,)).fetchall()


def _http_requests(emu: Emulator) -> int:
    return len([r for r in emu.state.requests if not r[1].startswith("/_emulator")])


def test_pull_twice_stores_both_snapshots(mp, emulator: Emulator) -> None:
    seed(mp, emulator, assets(2))
    with Store(mp.cfg.project.database) as store:
        first = metrics.pull(mp.cfg, store)
        before = _rows(store.db, first.pull_id)
        ea.state(emulator).advance()              # time passes: today's figures grow
        second = metrics.pull(mp.cfg, store)
        assert second.pull_id != first.pull_id
        assert _rows(store.db, first.pull_id) == before, "the first snapshot was changed"
        after = _rows(store.db, second.pull_id)
        stamps = store.db.execute("SELECT DISTINCT pulled_at FROM metric_samples").fetchall()
    assert len(stamps) == 2 and len(before) == len(after) > 100
    views1 = {r[1]: r[5] for r in before if r[0] == "youtube" and r[2] == "public_views"}
    views2 = {r[1]: r[5] for r in after if r[0] == "youtube" and r[2] == "public_views"}
    grown = [k for k in views1 if views1[k] is not None and views2[k] > views1[k]]
    assert grown, "no counter grew between the two pulls"
    fb1 = {r[1]: r[5] for r in before if r[0] == "facebook" and r[2] == "views" and r[3] == "total"}
    fb2 = {r[1]: r[5] for r in after if r[0] == "facebook" and r[2] == "views" and r[3] == "total"}
    assert any(v is not None and fb2[k] > v for k, v in fb1.items())
    reels = {k: v for k, v in fb2.items() if "-clip" in k}
    assert reels and any(v for v in reels.values()), "Reels are measured (blue_reels_play_count)"


def test_request_count_constant_from_5_to_50_videos(mp, emulator: Emulator) -> None:
    seed(mp, emulator, assets(2))                  # 5 videos on each platform
    with Store(mp.cfg.project.database) as store:
        n0 = _http_requests(emulator)
        small = metrics.pull(mp.cfg, store)
        n_small = _http_requests(emulator) - n0
        seed(mp, emulator, [f"x{i:02d}" for i in range(45)])   # now 50 on each
        assert len(metrics.posted_videos(store)) == 100
        n1 = _http_requests(emulator)
        large = metrics.pull(mp.cfg, store)
        n_large = _http_requests(emulator) - n1
    assert large.videos == {"youtube": 50, "facebook": 50}
    # 5 Analytics queries; videos.list, channels.list and one page of comment threads; 2 Graph batches
    # (insights, comments)
    assert n_small == n_large == 10, (n_small, n_large)
    assert small.requests == large.requests == {"youtube-analytics": 5, "youtube-data": 3, "facebook-graph": 2}
    plan = {**YouTubeMetrics.planned_requests(50), **FacebookMetrics.planned_requests(50)}
    assert plan == {**large.requests, "facebook-graph": 1}   # Facebook's plan is insights alone
    assert ea.state(emulator).requests["video_insights"] == 55   # every video asked, inside the batches


def test_missing_data_is_recorded_and_summarised(mp, emulator: Emulator, capsys) -> None:
    seeded = seed(mp, emulator, assets(3))
    quiet_yt = next(s for s in seeded if s.platform == "youtube" and not ea.quiet(s.remote_id))
    ea.state(emulator).empty.add(quiet_yt.remote_id)        # YouTube has no rows for this one
    ea.state(emulator).fb_deprecated.add("total_video_complete_views")   # Meta error 100 for this metric
    code, out, err = mp.run("metrics", "pull", "--json", capsys=capsys)
    assert code == 0, err
    result = json.loads(out)
    assert any("YouTube Analytics returned no rows" in why for why in result["missing"])
    assert any("metric refused by Meta" in why for why in result["missing"])
    # one batch, a probe batch (one item per metric) and a batch without the refused metric; the comments'
    assert result["requests"]["facebook-graph"] == 3 + 1
    db = sqlite3.connect(mp.cfg.project.database)
    rows = db.execute("SELECT metric, value, missing_reason FROM metric_samples WHERE remote_id=? AND dimension='total' "
                      "AND source='youtube-analytics'", (quiet_yt.remote_id,)).fetchall()
    assert rows and all(v is None and why for _, v, why in rows)
    fb = [s for s in seeded if s.platform == "facebook" and not ea.quiet(s.remote_id)]
    for s in fb:
        got = dict(db.execute("SELECT metric, value FROM metric_samples WHERE remote_id=? AND dimension='total'",
                              (s.remote_id,)).fetchall())
        assert got["views"] > 0, "one refused metric must not lose the others"
        if "-clip" not in s.asset:   # Reels never ask for complete views
            assert got["complete_views"] is None
    hidden = [s for s in seeded if s.platform == "facebook" and ea.quiet(s.remote_id)]
    for s in hidden:
        vals = db.execute("SELECT value, missing_reason FROM metric_samples WHERE remote_id=?", (s.remote_id,)).fetchall()
        assert all(v is None and "no insights" in why for v, why in vals)
    code, out, err = mp.run("metrics", "report", "--out", str(mp.project.root / "rapport"), capsys=capsys)
    assert code == 0, err
    html = (mp.project.root / "rapport" / "rapport.html").read_text(encoding="utf-8")
    assert "Données manquantes" in html and "mesure refusée par Meta" in html
    assert "YouTube Analytics n&#x27;a rien renvoyé" in html or "YouTube Analytics n'a rien renvoyé" in html


def test_analytics_quota_skips_youtube_and_keeps_facebook(tmp_path, emulator: Emulator, capsys) -> None:
    from metrics_support import metrics_project
    pp = metrics_project(tmp_path, emulator.url, extra="analytics_requests_per_day = 7")
    seed(pp, emulator, assets(1))
    assert pp.run("metrics", "pull", capsys=capsys)[0] == 0
    code, out, err = pp.run("metrics", "pull", "--json", capsys=capsys)
    result = json.loads(out)
    assert code == 2 and "analytics_requests_per_day" in result["failed"]["youtube"]
    assert result["requests"] == {"facebook-graph": 2}   # insights and comments
    assert ea.state(emulator).requests["reports"] == 5, "no Analytics query past the ceiling"


def test_user_errors_one_line_and_hint(mp, emulator: Emulator, capsys) -> None:
    code, out, err = mp.run("metrics", "pull", capsys=capsys)
    assert code == 2 and err.startswith("error: no published") and "\nhint: " in err and "Traceback" not in err
    out_dir = mp.project.root / "r"
    code, _, err = mp.run("metrics", "report", "--out", str(out_dir), capsys=capsys)
    assert code == 2 and "metrics pull" in err and not out_dir.exists()
    code, _, err = mp.run("metrics", "report", "--out", str(out_dir), "--since", "2026-02-01", "--until", "2026-01-01",
                          capsys=capsys)
    assert code == 2 and "--since" in err and "hint:" in err
    cfg = mp.project.config_path
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("pull_every_hours = 6", "pull_every_hours = 0"),
                   encoding="utf-8")
    code, _, err = mp.run("metrics", "pull", capsys=capsys)
    assert code == 2 and "metrics.pull_every_hours" in err


def test_scheduler_job_pulls_only_when_due(mp, emulator: Emulator) -> None:
    assert "metrics-pull" in {p.id for p in scheduler.PERIODIC}
    assert scheduler.metrics_job(str(mp.project.config_path)) == "nothing published"
    seed(mp, emulator, assets(1))
    assert scheduler.metrics_job(str(mp.project.config_path)) == "pulled"
    assert scheduler.metrics_job(str(mp.project.config_path)) == "not due"   # pull_every_hours = 6
    with Store(mp.cfg.project.database) as store:
        assert len(store.db.execute("SELECT * FROM metric_pulls WHERE finished_at IS NOT NULL").fetchall()) == 1


def test_revoked_token_one_error_no_secret_no_half_pull(mp, emulator: Emulator, capsys) -> None:
    from publish_support import FB_TOKEN, YT_REFRESH, YT_TOKEN

    seed(mp, emulator, assets(1))
    emulator.state.valid_tokens.clear()
    emulator.state.refresh_tokens.clear()
    code, out, err = mp.run("metrics", "pull", capsys=capsys)
    assert code == 2 and err.count("error:") == 1 and "webseries publish login youtube" in err
    for secret in (YT_TOKEN, YT_REFRESH, FB_TOKEN):
        assert secret not in out + err
    with Store(mp.cfg.project.database) as store:
        assert store.db.execute("SELECT COUNT(*) FROM metric_samples").fetchone()[0] == 0
        assert metrics.dataset.last_pull(store) is None   # an unfinished pull is never reported on


def test_after_a_real_publish_run(tmp_path, emulator: Emulator, capsys) -> None:
    """Ledger written by publish itself: scheduled videos are 'not yet published', then measured once out."""
    from datetime import UTC, datetime, timedelta

    from publish_support import future, make_media, publish_project

    media = make_media(tmp_path)
    pp = publish_project(tmp_path, media, emulator.url)
    with open(pp.project.config_path, "a", encoding="utf-8") as fh:
        fh.write(f'\n[metrics]\nyoutube_analytics_root = "{emulator.url}/"\n'
                 f'[metrics.comments]\nsalt_file = "{pp.home / "comment-salt"}"\n')
    pp.add_ready_episode("ep01-vote", 1, media)
    when = future(2)
    pp.write_calendar("s.toml", f'[[release]]\nasset = "ep01-vote"\nat = {when.replace(tzinfo=None):%Y-%m-%dT%H:%M:%S}\n')
    code, _, err = pp.run("publish", "upload", capsys=capsys)
    assert code == 0, err
    with Store(pp.cfg.project.database) as store:
        before = metrics.pull(pp.cfg, store)
        got = store.db.execute("SELECT metric, value, missing_reason FROM metric_samples WHERE pull_id=? "
                               "AND release_id != '*'", (before.pull_id,)).fetchall()
        assert all(v == 0 for m, v, _ in got if v is not None)   # only the public counters, at zero
        assert all("not yet published" in why for _, v, why in got if v is None)
        emulator.state.clock_offset = 5 * 86400          # the platforms publish it and viewers come
        later = datetime.now(UTC) + timedelta(days=5)
        after = metrics.pull(pp.cfg, store, now=later)
    assert after.videos == {"youtube": 1, "facebook": 1}
    quiet = {v for v in (*emulator.state.yt_videos, *emulator.state.fb_videos) if ea.quiet(v)}
    assert after.values > 0 and len(quiet) < 2, (after.values, quiet)


def test_publish_run_process_holds_the_metrics_job(mp, emulator: Emulator) -> None:
    """The same APScheduler process as publishing: its job store has the periodic pull."""
    import threading
    import time

    mp.write_calendar("s.toml", '[[release]]\nasset = "ep00-sample"\nat = 2031-01-10T18:00:00\n')
    stop = threading.Event()
    th = threading.Thread(target=scheduler.run, args=(mp.cfg,), kwargs={"poll": 0.05, "stop": stop}, daemon=True)
    th.start()
    try:
        jobs: list = []
        for _ in range(200):
            time.sleep(0.05)
            try:
                jobs = sqlite3.connect(mp.cfg.project.database).execute("SELECT id FROM scheduler_jobs").fetchall()
            except sqlite3.OperationalError:
                continue
            if ("metrics-pull",) in jobs:
                break
        assert ("metrics-pull",) in jobs, jobs
    finally:
        stop.set()
        th.join(timeout=30)
    assert not th.is_alive()
