"""Viewers' comments: read with the metrics pull through the real clients, stored without names,
questions found in French and Bambara, the unanswered ones listed for the communications team."""

from __future__ import annotations

import json
import stat
from collections import Counter

import pytest
from metrics_support import assets, emulator, mp, seed  # noqa: F401

from pipeline.errors import PipelineError
from pipeline.metrics import comments, feedback
from pipeline.metrics.evaluation import compute
from pipeline.platforms.emulator import Emulator
from pipeline.platforms.emulator import comments as ec
from pipeline.stages import metrics
from pipeline.store import Store

# (text, language, question) as a person reading them would label them
KNOWN = (
    ("Pourquoi les femmes votent-elles moins que les hommes ?", "fr", True),
    ("Comment obtenir la carte d'électeur à Sikasso", "fr", True),
    ("Est-ce que les jeunes de 17 ans peuvent voter", "fr", True),
    ("Peut-on voter sans carte NINA", "fr", True),
    ("Qui peut être candidat aux élections communales", "fr", True),
    ("Quand commence le prochain épisode", "fr", True),
    ("Merci AJCAD, très belle vidéo sur la citoyenneté.", "fr", False),
    ("Quand les femmes votent, le pays avance.", "fr", False),
    ("Que Dieu bénisse le Mali", "fr", False),
    ("Bravo aux jeunes de la mairie de Ségou", "fr", False),
    ("Sugandili bɛ kɛ tuma jumɛn", "bm", True),
    ("Mun na kamalenw tɛ taa meri la", "bm", True),
    ("Yala musow bɛ se ka sugandili kɛ", "bm", True),
    ("Kalata bɛ sɔrɔ min", "bm", True),
    ("I ka kɛnɛ wa", "bm", True),
    ("I ni ce, a ka di kosɛbɛ ! Musow ka kan ka sugandili kɛ.", "bm", False),
    ("Aw ni ce, an bɛ episode nata makɔnɔ.", "bm", False),
    ("Barika la, baara ɲuman don", "bm", False),
    ("👍👍👍", "other", False),
)


def test_language_and_questions_on_a_known_set() -> None:
    got = [(t, feedback.language(t), feedback.is_question(t)) for t, _, _ in KNOWN]
    assert got == list(KNOWN)


def _quiet(emu: Emulator, *videos: str) -> None:
    """These videos get only the test's own comments (the emulator generates none for them)."""
    ec.state(emu).generated.update(videos)


def _requests(emu: Emulator) -> Counter:
    return Counter(path for _, path in emu.state.requests
                   if path.startswith(("/youtube/v3/commentThreads", "/youtube/v3/comments", "/youtube/v3/channels")))


def test_comment_requests_constant_from_5_to_50_videos(mp, emulator: Emulator) -> None:  # noqa: ANN001
    seed(mp, emulator, assets(2))                                      # 5 videos a platform
    with Store(mp.cfg.project.database) as store:
        small = metrics.pull(mp.cfg, store)
        n_small = _requests(emulator)
        seed(mp, emulator, [f"x{i:02d}" for i in range(45)])          # 50 a platform, a handful of comments each
        emulator.state.requests.clear()
        large = metrics.pull(mp.cfg, store)
        n_large = _requests(emulator)
        stored = comments.load(store)
    threads = {v: ec.threads(emulator, v) for v in (*emulator.state.yt_videos, *emulator.state.fb_videos)}
    assert sum(len(t) for t in threads.values()) > 30, "a season of 50 videos has comments"
    assert n_small == n_large == {"/youtube/v3/channels": 1, "/youtube/v3/commentThreads": 1}
    assert small.requests == large.requests == {"youtube-analytics": 5, "youtube-data": 3, "facebook-graph": 2}
    # everything the platforms show was read: YouTube leaves held-for-review threads out, Graph shows them hidden
    expected = sum(1 + len(t["replies"]) for v, ts in threads.items() for t in ts
                   if v in emulator.state.fb_videos or not t["hidden"])
    assert len(stored) == expected == sum(large.comments.values())
    assert {s.comment.platform for s in stored} == {"youtube", "facebook"}


def test_replies_pagination_hidden_and_deleted(mp, emulator: Emulator, capsys) -> None:  # noqa: ANN001
    seeded = seed(mp, emulator, ["ep01"])
    yt = next(s.remote_id for s in seeded if s.platform == "youtube")
    fb = next(s.remote_id for s in seeded if s.platform == "facebook")
    _quiet(emulator, yt, fb)
    busy = ec.add_thread(emulator, yt, "Comment voter quand on habite loin du bureau de vote ?", 1,
                         tuple((f"Réponse {i}", i % 5) for i in range(6)) + (("Bonne question, voir l'épisode 2.", -1),))
    ec.add_thread(emulator, yt, "Spam spam spam", 2, hidden=True)          # held for review: not listed
    for i in range(130):                                                   # more than a Graph page (100)
        ec.add_thread(emulator, fb, f"Commentaire numéro {i}", i % 8)
    hidden = ec.add_thread(emulator, fb, "Message masqué par la Page", 3, hidden=True)
    with Store(mp.cfg.project.database) as store:
        first = metrics.pull(mp.cfg, store)
        rows = {s.comment.comment_id: s.comment for s in comments.load(store)}
        assert _requests(emulator)["/youtube/v3/comments"] == 1, "replies beyond the 5 inlined: comments.list"
        top = rows[busy["id"]]
        assert top.answered and top.question and sum(c.parent_id == busy["id"] for c in rows.values()) == 7
        assert first.comments == {"youtube": 8, "facebook": 131}
        assert first.requests["facebook-graph"] == 3, "insights, comments page 1, comments page 2 (cursor)"
        assert rows[f"{fb}_{hidden['id']}"].hidden
        assert not any("Spam" in c.text for c in rows.values())
        ec.delete(emulator, f"{busy['id']}.r0")                            # a viewer deletes a reply
        metrics.pull(mp.cfg, store)
        after = {s.comment.comment_id: s for s in comments.load(store, include_removed=True)}
    assert after[f"{busy['id']}.r0"].removed_at is not None and after[busy["id"]].removed_at is None
    code, out, err = mp.run("metrics", "questions", capsys=capsys)
    assert code == 0 and "Comment voter" not in out, "an answered question is not listed"


def test_questions_answered_share_and_command(mp, emulator: Emulator, capsys) -> None:  # noqa: ANN001
    seeded = seed(mp, emulator, ["ep01", "ep02"])
    vid = {(s.platform, s.asset): s.remote_id for s in seeded}
    _quiet(emulator, *vid.values())
    ec.add_thread(emulator, vid[("youtube", "ep01")], "Pourquoi les femmes votent moins ?", 0,
                  (("Merci ! Voir l'épisode 3.", -1),))                                 # answered by the channel
    ec.add_thread(emulator, vid[("youtube", "ep01")], "Sugandili bɛ kɛ tuma jumɛn", 1,
                  (("Ne aussi n tɛ a dɔn.", 2),))                                       # a viewer replied: not an answer
    ec.add_thread(emulator, vid[("facebook", "ep01")], "Mun na kamalenw tɛ taa meri la", 3,
                  (("I ni ce ! Meri da bɛ yɛlɛ sɔgɔma.", -1),))                          # answered by the Page
    ec.add_thread(emulator, vid[("facebook", "ep01")], "Comment obtenir la carte d'électeur", 4)
    ec.add_thread(emulator, vid[("facebook", "ep01")], "Très belle vidéo, merci.", 5)
    ec.add_thread(emulator, vid[("youtube", "ep02")], "=HYPERLINK(\"http://x.example\",\"clic\")", 6)
    assert mp.run("metrics", "pull", capsys=capsys)[0] == 0
    with Store(mp.cfg.project.database) as store:
        ep01 = comments.viewers(comments.load(store, "ep01"))
        per_episode = {e.episode: e for e in compute(mp.cfg, store).feedback.episodes}
    asks = [c for c in ep01 if c.question]
    assert len(asks) == 4 and sum(c.answered for c in asks) == 2            # answered share: 50 %
    assert {c.lang for c in asks} == {"fr", "bm"}
    got = per_episode["ep01"]
    assert (got.comments, got.questions, got.answered, got.answered_pct) == (6, 4, 2, 50.0)
    assert dict(got.themes) == {"Vote et élections": 3, "Femmes": 1, "Mairie et élus": 1, "Jeunes": 1}
    assert dict(got.languages) == {"fr": 3, "bm": 3}
    code, out, err = mp.run("metrics", "questions", "--episode", "ep01", capsys=capsys)
    assert code == 0, err
    assert "2 question(s) sans réponse" in out and "Sugandili bɛ kɛ tuma jumɛn" in out
    assert "Comment obtenir la carte" in out and "Pourquoi les femmes" not in out and "Mun na" not in out
    code, out, _ = mp.run("metrics", "questions", "--json", capsys=capsys)
    assert {q["text"] for q in json.loads(out)} == {"Sugandili bɛ kɛ tuma jumɛn", "Comment obtenir la carte d'électeur"}


def test_authors_are_salted_hashes_never_names_or_ids(mp, emulator: Emulator) -> None:  # noqa: ANN001
    seed(mp, emulator, assets(1))
    with Store(mp.cfg.project.database) as store:
        metrics.pull(mp.cfg, store)
        keys1 = {r[0]: r[1] for r in store.db.execute("SELECT comment_id, author_key FROM comments")}
        metrics.pull(mp.cfg, store)
        keys2 = {r[0]: r[1] for r in store.db.execute("SELECT comment_id, author_key FROM comments")}
        dump = "\n".join(store.db.iterdump())
    assert keys1 and keys1 == keys2, "the same author keeps the same key from pull to pull"
    assert all(len(k) == 16 for k in keys1.values())
    for name, channel in ec.VIEWERS:
        assert name not in dump and channel not in dump
        assert str(ec.stable_hash(channel) % 10**15) not in dump          # Facebook's profile ids
    salt = mp.home / "comment-salt"
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600
    salt.chmod(0o644)
    with Store(mp.cfg.project.database) as store, pytest.raises(PipelineError, match="salt file") as err:
        metrics.pull(mp.cfg, store)
    assert err.value.hint == f"run `chmod 600 {salt}`"
