"""The real clients (google-api-python-client, requests) against the emulator over HTTP."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from publish_support import FB_TOKEN, PublishProject, emulator, future, pp, publish_media  # noqa: F401

from pipeline.platforms.base import AuthError, QuotaExceeded, UploadProgress, VideoUpload
from pipeline.platforms.emulator import Emulator
from pipeline.platforms.facebook import Facebook
from pipeline.platforms.youtube import YouTube, next_quota_reset


class Crash(Exception):
    """The process dying right after the ledger recorded some progress."""



def _upload_interrupted(pub, video: VideoUpload, emu: Emulator, offset: int, commit: bool, crash: bool) -> None:
    """Drop the connection at byte `offset`; with `crash`, also kill the 'process' after it and
    resume from the progress one chunk stale (the ledger write that never happened)."""
    emu.faults.drop_at, emu.faults.drop_commits = offset, commit
    seen: list[UploadProgress] = []

    def progress(p: UploadProgress) -> None:
        seen.append(p)
        if crash and p.offset > offset:
            raise Crash
    try:
        pub.upload(video, None, progress)
        assert not crash or not seen or seen[-1].offset <= offset
    except Crash:
        stale = seen[-2] if len(seen) > 1 else seen[-1]
        pub.upload(video, stale, lambda p: None)


@pytest.mark.parametrize("platform", ["youtube", "facebook", "facebook-reel"])
def test_upload_interrupted_at_24_offsets_completes_exactly_once(pp: PublishProject, emulator: Emulator,
                                                                  publish_media, platform: str) -> None:
    video_file = publish_media[0]
    size = video_file.stat().st_size
    assert size > 150_000
    rng = random.Random(5)
    offsets = sorted({0, 1, 32767, 32768, size - 1, *(rng.randrange(size) for _ in range(19))})
    assert len(offsets) >= 20
    emulator.state.fb_chunk_size = 48 * 1024
    pub = YouTube(pp.cfg) if platform == "youtube" else Facebook(pp.cfg)
    data = video_file.read_bytes()
    for i, off in enumerate(offsets):
        video = VideoUpload(f"rel{i}", video_file, f"Titre {i}", "Description", ("Mali",), future(), "public",
                            vertical=platform == "facebook-reel")
        _upload_interrupted(pub, video, emulator, off, commit=i % 2 == 0, crash=i % 3 == 0)
        assert emulator.faults.drop_at is None, f"the fault at {off} never fired"
        if platform == "youtube":
            done = list(emulator.state.yt_videos.values())
            assert len(done) == i + 1, f"offset {off}: {len(done)} videos for {i + 1} uploads"
            sess = next(s for s in emulator.state.yt_sessions.values() if s["video"] == done[-1]["id"])
            assert bytes(sess["data"]) == data
        else:
            done = [v for v in emulator.state.fb_videos.values() if v["finished"]]
            assert len(done) == i + 1, f"offset {off}: {len(done)} finished videos for {i + 1} uploads"
            assert done[-1]["data"] == data and done[-1]["published"] is False
            assert bool(done[-1].get("reel")) == (platform == "facebook-reel")


def test_youtube_schedules_private_with_publish_at(pp: PublishProject, emulator: Emulator, publish_media) -> None:
    when = datetime(2030, 1, 18, 18, 0, tzinfo=ZoneInfo("Africa/Bamako"))
    remote = YouTube(pp.cfg).upload(VideoUpload("r", publish_media[0], "T", "D", (), when, "public"), None,
                                    lambda p: None)
    st = emulator.state.yt_videos[remote.remote_id]["status"]
    assert st["privacyStatus"] == "private" and st["publishAt"] == "2030-01-18T18:00:00Z"
    assert remote.url == f"https://www.youtube.com/watch?v={remote.remote_id}"


def test_youtube_retries_5xx_then_succeeds(pp: PublishProject, emulator: Emulator, publish_media) -> None:
    emulator.faults.fail_next = 3
    YouTube(pp.cfg).upload(VideoUpload("r", publish_media[0], "T", "D", (), future(), "public"), None, lambda p: None)
    assert len(emulator.state.yt_videos) == 1 and emulator.faults.fail_next == 0


def test_youtube_quota_exceeded_defers_to_after_pacific_midnight(pp: PublishProject, emulator: Emulator,
                                                                  publish_media) -> None:
    emulator.faults.quota_left = 100
    with pytest.raises(QuotaExceeded) as exc:
        YouTube(pp.cfg).upload(VideoUpload("r", publish_media[0], "T", "D", (), future(), "public"), None,
                               lambda p: None)
    pacific = exc.value.retry_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert (pacific.hour, pacific.minute) == (0, 5) and exc.value.retry_at > datetime.now(UTC)
    assert exc.value.retry_at - datetime.now(UTC) <= timedelta(hours=24, minutes=5)
    assert not emulator.state.yt_sessions  # refused before any byte was sent


def test_next_quota_reset_across_daylight_saving() -> None:
    winter = next_quota_reset(datetime(2027, 1, 10, 12, 0, tzinfo=UTC))
    summer = next_quota_reset(datetime(2027, 7, 10, 12, 0, tzinfo=UTC))
    assert winter == datetime(2027, 1, 11, 8, 5, tzinfo=UTC) and summer == datetime(2027, 7, 11, 7, 5, tzinfo=UTC)


def test_youtube_expired_token_refreshes_revoked_token_names_login(pp: PublishProject, emulator: Emulator,
                                                                   publish_media) -> None:
    from publish_support import YT_REFRESH, YT_TOKEN

    emulator.state.valid_tokens.discard(YT_TOKEN)  # expired: google-auth refreshes it at the token endpoint
    yt = YouTube(pp.cfg)
    yt.upload(VideoUpload("r", publish_media[0], "T", "D", (), future(), "public"), None, lambda p: None)
    emulator.state.valid_tokens.clear()
    emulator.state.refresh_tokens.pop(YT_REFRESH)  # revoked
    with pytest.raises(AuthError) as exc:
        YouTube(pp.cfg).read_back("yt000001")
    assert "webseries publish login youtube" in exc.value.hint


def test_youtube_bambara_caption_falls_back_when_refused(pp: PublishProject, emulator: Emulator,
                                                         publish_media, tmp_path) -> None:
    yt = YouTube(pp.cfg)
    vid = yt.upload(VideoUpload("r", publish_media[0], "T", "D", (), future(), "public"), None,
                    lambda p: None).remote_id
    srt = tmp_path / "bm.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nI ni ce.\n", encoding="utf-8")
    emulator.faults.refuse_caption_langs = {"bm"}
    result = yt.add_caption(vid, "bm", srt)
    cap = emulator.state.yt_captions[result.split(":")[0]]["snippet"]
    assert cap["language"] == "und" and cap["name"] == "Bamanankan"
    assert yt.find_caption(vid, "bm") == result  # found again by name: never attached twice


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_facebook_throttling_slows_down_and_retries(pp: PublishProject, emulator: Emulator, publish_media,
                                                    code: int) -> None:
    emulator.faults.throttle_next, emulator.faults.throttle_code = 2, code
    fb = Facebook(pp.cfg)
    fb.upload(VideoUpload("r", publish_media[0], "T", "D", (), future(), "public"), None, lambda p: None)
    assert emulator.faults.throttle_next == 0
    assert sum(v["finished"] for v in emulator.state.fb_videos.values()) == 1


def test_facebook_throttled_for_good_defers(pp: PublishProject, emulator: Emulator, publish_media) -> None:
    emulator.faults.throttle_next = 100
    with pytest.raises(QuotaExceeded):
        Facebook(pp.cfg).upload(VideoUpload("r", publish_media[0], "T", "D", (), future(), "public"), None,
                                lambda p: None)


def test_facebook_schedule_and_expired_token(pp: PublishProject, emulator: Emulator, publish_media) -> None:
    when = future(3)
    fb = Facebook(pp.cfg)
    remote = fb.upload(VideoUpload("r", publish_media[0], "T", "D", ("Construisons Ensemble",), when, "public"),
                       None, lambda p: None)
    v = emulator.state.fb_videos[remote.remote_id]
    assert v["published"] is False and v["scheduled_publish_time"] == int(when.timestamp())
    assert "#ConstruisonsEnsemble" in v["description"]
    assert remote.url == f"https://www.facebook.com/424242/videos/{remote.remote_id}/"
    emulator.state.valid_tokens.discard(FB_TOKEN)
    with pytest.raises(AuthError) as exc:
        fb.read_back(remote.remote_id)
    assert "webseries publish login facebook" in exc.value.hint


def test_facebook_refuses_a_time_under_ten_minutes(pp: PublishProject, emulator: Emulator, publish_media) -> None:
    from pipeline.platforms.base import PlatformError

    with pytest.raises(PlatformError, match="scheduled publish time"):
        Facebook(pp.cfg).upload(VideoUpload("r", publish_media[0], "T", "D", (),
                                            datetime.now(UTC) + timedelta(minutes=5), "public"), None, lambda p: None)
