"""The Bambara voice-over: ducking measured on the stems, the version as an asset, the script."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLE, Project, make_project
from offline_support import EP, as_wav, narration, offline_project, pcm, rms_db, short_master  # noqa: F401

from pipeline import paths, releases, versions
from pipeline.media import ffmpeg, voiceover as vo_media
from pipeline.voiceover import sync

DEPTH = 12.0
RELEASE = 0.8
ATTACK = 0.15
TOLERANCE_DB = 0.05  # the gain is exact where it is flat; astats prints levels to 0.01 dB
EXACT = 2e-5         # where nobody speaks the gain is 1.0 at 1 kHz, resampled by ffmpeg to 48 kHz: 1 +- 1e-5
VOICE = [(22.0, "I ni ce. Kalata ye an bɛɛ ta ye."), (48.5, "An ka taa mɛri la ni an ka kalata karti ye.")]


@pytest.fixture(scope="module")
def sample_mix(tmp_path_factory: pytest.TempPathFactory, sample_master: Path) -> tuple[Project, dict, Path]:
    """The sample episode (72 s: speech, music, silence) with a narration over its music and its speech."""
    root = tmp_path_factory.mktemp("voiceover")
    project = make_project(root / "project", sample_master,
                           f'[voiceover]\ndepth_db = {DEPTH}\nrelease = {RELEASE}\nattack = {ATTACK}\n'
                           'profiles = ["radio"]\n')
    rec = narration(root / "narrateur.wav", VOICE, lead=1.7, total=80.0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = project.run("voiceover", "mix", SAMPLE, "--lang", "bm", str(rec), "--stems", "--json")[0]
    assert code == 0
    return project, json.loads(out.getvalue()), as_wav(sample_master, root / "original.wav")


def test_the_recording_is_lined_up_by_the_guides_chirp(sample_mix) -> None:  # noqa: ANN001
    _project, result, _master = sample_mix
    assert result["sync"] == "chirp"
    assert abs(result["start"] - (1.7 + sync.PREROLL)) < 0.002  # 2 ms: well under a frame
    first, second = result["voice"]
    assert abs(first[0] - 22.0) < 0.15 and abs(second[0] - 48.5) < 0.15


def test_the_original_is_ducked_by_the_depth_under_the_voice_and_untouched_elsewhere(sample_mix) -> None:  # noqa: ANN001
    _project, result, master = sample_mix
    bed, voice = map(Path, result["stems"])
    spans = result["voice"]
    for a, b in spans:  # inside each stretch of voice, away from the ramps
        under = rms_db(master, a + 0.1, b - 0.1) - rms_db(bed, a + 0.1, b - 0.1)
        assert under >= DEPTH - TOLERANCE_DB, (a, b, under)
        assert under <= DEPTH + TOLERANCE_DB
    quiet = [(2.0, 18.0), (spans[0][1] + RELEASE + 0.05, spans[1][0] - ATTACK - 0.05),
             (spans[1][1] + RELEASE + 0.05, 71.0)]
    for a, b in quiet:  # music, silence and the original speech where the narrator says nothing
        assert abs(rms_db(master, a, b) - rms_db(bed, a, b)) <= TOLERANCE_DB, (a, b)
    original, ducked = pcm(master), pcm(bed)
    for a, b in quiet:  # sample for sample: multiplied by 1.0
        s = slice(round(a * 48000), round(b * 48000))
        assert np.max(np.abs(original[s] - ducked[s])) < EXACT


def test_the_voice_is_as_loud_as_the_programme_and_the_version_is_a_radio_rendition(sample_mix) -> None:  # noqa: ANN001
    project, result, master = sample_mix
    voice_stem = Path(result["stems"][1])
    programme, _ = ffmpeg.ebur128(master)
    spoken, _ = ffmpeg.ebur128(voice_stem)
    assert abs(spoken - programme) < 1.0
    radio = Path(result["renditions"]["radio"])
    assert radio == paths.rendition_path(project.cfg, f"{SAMPLE}-bm", "radio", "m4a").resolve()
    loudness, _ = ffmpeg.ebur128(radio)
    assert abs(loudness + 23.0) < 1.0
    assert abs(ffmpeg.probe(radio).duration - 72.0) < 0.1


def test_a_second_mix_of_the_same_recording_does_nothing(sample_mix, capsys) -> None:  # noqa: ANN001
    project, result, _master = sample_mix
    before = versions.master_path(project.cfg, result["asset"]).stat().st_mtime_ns
    rec = Path(versions.read_record(project.cfg, result["asset"]).voice_file)
    code, out, _ = project.run("voiceover", "mix", SAMPLE, "--lang", "bm", str(rec), "--stems", "--json", capsys=capsys)
    assert code == 0 and json.loads(out)["skipped"] is True
    assert versions.master_path(project.cfg, result["asset"]).stat().st_mtime_ns == before


# ------------------------------------------------------------------ the version as an asset

@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory, sample_master: Path, short_master: Path) -> tuple[Project, Path]:  # noqa: F811
    root = tmp_path_factory.mktemp("voiceover-short")
    project = offline_project(root / "project", sample_master, short_master,
                              '[voiceover]\nprofiles = ["youtube", "facebook"]\n')
    return project, root


def test_the_bambara_version_renders_and_passes_publish_check_like_an_episode(short, capsys) -> None:  # noqa: ANN001
    project, root = short
    rec = narration(root / "voix.wav", [(0.6, "I ni ce bɛɛ ye."), (2.9, "Kalata ye an bɛɛ ta ye.")], 0.9, 12.0)
    code, out, err = project.run("voiceover", "mix", EP, "--lang", "bm", str(rec), capsys=capsys)
    assert code == 0, err
    asset = f"{EP}-bm"
    assert f'asset = "{asset}"' in out
    cfg = project.cfg
    for profile in ("youtube", "facebook"):
        info = ffmpeg.probe(paths.rendition_path(cfg, asset, profile))
        assert info.has_video and info.has_audio and abs(info.duration - 6.0) < 0.1
    assert paths.thumbnail_path(cfg, asset).is_file()
    at = (datetime.now(UTC) + timedelta(days=20)).astimezone().replace(tzinfo=None, microsecond=0)
    cal = project.root / "schedules" / "bambara.toml"
    cal.write_text(f'[[release]]\nasset = "{asset}"\nat = {at.isoformat()}\nsubtitles = ["fr", "bm"]\n',
                   encoding="utf-8")
    code, out, err = project.run("publish", "check", str(cal), capsys=capsys)
    assert code == 0, err
    assert asset in out and "every file and subtitle ready" in out
    (release,) = releases.load_calendar(cfg, cal)
    assert release.kind == "episode" and release.target("youtube").title == "Voter, c'est choisir (en bambara)"
    code, out, err = project.run("transcode", asset, "--profile", "audio", "--json", capsys=capsys)
    assert code == 0, err
    assert json.loads(out)[0]["path"].endswith(f"{asset}.audio.ogg")
    code, out, err = project.run("package", "radio", EP, "--json", capsys=capsys)  # packs carry the version
    assert code == 0, err
    files = {Path(f["path"]).name: Path(f["path"]) for f in json.loads(out)["files"]}
    assert f"{EP}.version-bambara.radio.m4a" in files
    assert "bambara (voix off)" in files[f"{EP}.fiche-programme.txt"].read_text(encoding="utf-8")


def _bad(project: Project, root: Path, capsys, name: str, *extra: str) -> str:  # noqa: ANN001
    code, _, err = project.run("voiceover", "mix", EP, "--lang", "bm", str(root / name), *extra, capsys=capsys)
    last = err.strip().splitlines()[-2:]
    assert code == 2 and last[0].startswith("error: ") and last[1].startswith("hint: ") and "Traceback" not in err, err
    assert versions.read_record(project.cfg, f"{EP}-bm") is None
    return err


def test_bad_recordings_are_refused_with_a_clear_error_and_nothing_made(tmp_path: Path, sample_master: Path,
                                                                       short_master: Path, capsys) -> None:  # noqa: F811, ANN001
    project = offline_project(tmp_path / "project", sample_master, short_master)
    rate = vo_media.MIX_RATE
    vo_media.write_wav(tmp_path / "muet.wav", np.zeros(rate * 5, np.float32), rate)
    narration(tmp_path / "sature.wav", [(0.5, "Kalata ye an bɛɛ ta ye.")], 0.5, 10.0, voice_filter="volume=30dB")
    narration(tmp_path / "long.wav", [(3.5, "Kalata ye an bɛɛ ta ye. An ka taa mɛri la ni an ka karti ye.")],
              0.5, 16.0)
    narration(tmp_path / "sans-bip.wav", [(0.5, "Kalata ye an bɛɛ ta ye.")], 0.5, 10.0, chirp=False)
    (tmp_path / "texte.wav").write_text("ceci n'est pas un son")
    assert "muet.wav is silent" in _bad(project, tmp_path, capsys, "muet.wav", "--sync", "none")
    assert "sature.wav is clipped" in _bad(project, tmp_path, capsys, "sature.wav")
    err = _bad(project, tmp_path, capsys, "long.wav")
    assert "past the end of the episode" in err and "episode 00:06.0" in err
    assert "sync sound (bip) was not found" in _bad(project, tmp_path, capsys, "sans-bip.wav")
    assert "texte.wav is not a readable sound file" in _bad(project, tmp_path, capsys, "texte.wav")
    assert "not found" in _bad(project, tmp_path, capsys, "absent.wav")
    cfg = project.cfg
    assert not versions.master_path(cfg, f"{EP}-bm").exists()
    assert not list(versions.folder(cfg, f"{EP}-bm").glob("*.mkv"))
    assert not list(versions.folder(cfg, f"{EP}-bm").glob(".*"))  # no temporary folder left


# ------------------------------------------------------------------ the narrator's script

def test_the_script_has_the_timed_bambara_the_french_beside_and_a_guide_video_with_the_chirp(short, capsys) -> None:  # noqa: ANN001
    project, _root = short
    code, out, err = project.run("voiceover", "script", EP, "--lang", "bm", "--json", capsys=capsys)
    assert code == 0, err
    result = json.loads(out)
    html = Path(result["script"]).read_text(encoding="utf-8")
    assert "Aw ni ce bɛɛ ye." in html and "Bonjour à toutes et à tous." in html
    assert "00:00.5" in html and "00:02.8" in html and "@media print" in html and "BROUILLON" not in html
    guide = Path(result["guide"])
    info = ffmpeg.probe(guide)
    assert abs(info.duration - (sync.PREROLL + 6.0)) < 0.1
    (sound,) = vo_media.decode(guide, [vo_media.Pcm(guide.with_suffix(".f32"), sync.RATE, 1)])
    start, match = sync.start_from_chirp(np.asarray(sound))
    assert match.found and abs(start - sync.PREROLL) < 0.03  # the guide's episode starts where the chirp says


def test_the_script_needs_approved_subtitles_unless_asked_for_a_draft(tmp_path: Path, sample_master: Path,
                                                                     short_master: Path, capsys) -> None:  # noqa: F811, ANN001
    project = offline_project(tmp_path / "project", sample_master, short_master)
    (project.root / "subtitles" / EP / "bm.srt").write_text("1\n00:00:00,500 --> 00:00:02,000\nAw ni ce.\n",
                                                            encoding="utf-8")
    code, _, err = project.run("voiceover", "script", EP, "--lang", "bm", "--no-guide", capsys=capsys)
    assert code == 2 and "not approved (edited)" in err and "--draft" in err
    code, out, err = project.run("voiceover", "script", EP, "--lang", "bm", "--no-guide", "--draft", "--json",
                                 capsys=capsys)
    assert code == 0, err
    assert "BROUILLON" in Path(json.loads(out)["script"]).read_text(encoding="utf-8")
