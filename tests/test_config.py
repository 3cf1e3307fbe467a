from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_project_config_makes_one_1080p_file_for_both_platforms_and_the_rest_on_demand():
    cfg = load_config(ROOT / "config.toml")
    assert cfg.project.timezone == "Africa/Bamako"
    assert set(cfg.transcode.default_profiles) >= {"youtube", "mobile", "mobile-2g", "whatsapp", "audio", "radio"}
    assert not {"facebook", "vertical"} & set(cfg.transcode.default_profiles)  # on demand
    assert {"facebook", "vertical"} <= set(cfg.transcode.profiles)
    assert cfg.transcode.platform_profiles == {"youtube": "youtube", "facebook": "youtube"}


def test_a_platform_can_be_sent_its_own_profile(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[transcode]\ndefault_profiles = ["mobile"]\n'
                   '[transcode.profiles.youtube]\nplatforms = ["youtube"]\n'
                   '[transcode.profiles.facebook]\nplatforms = ["facebook"]\n'
                   '[transcode.profiles.screening]\nbase = "youtube"\n')  # derived: sent nowhere
    t = load_config(cfg).transcode
    assert t.platform_profiles == {"youtube": "youtube", "facebook": "facebook"}
    assert t.profiles["screening"].platforms == ()


def test_a_platform_sent_two_files_or_none_is_a_problem(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[transcode.profiles.facebook]\nplatforms = ["facebook", "tiktok"]\n')
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert [x.split(": ", 1)[1] for x in err.value.problems] == [
        "transcode.profiles.facebook.platforms: unknown platform 'tiktok' (use youtube, facebook)"]
    cfg.write_text('[transcode.profiles.facebook]\nplatforms = ["facebook"]\n')
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert [x.split(": ", 1)[1] for x in err.value.problems] == [
        "transcode.profiles.facebook.platforms: facebook is already sent the 'youtube' file; "
        "remove 'facebook' from one of them"]
    cfg.write_text('[transcode.profiles.youtube]\nplatforms = ["youtube"]\n')
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert len(err.value.problems) == 1
    assert "config.toml: transcode.profiles: no video profile is sent to facebook" in err.value.problems[0]


def test_per_language_settings_come_from_the_subtitles_section(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[subtitles]\naudience = "low-literacy"\n[subtitles.rules.bm]\nmax_line = 36\n'
                   '[subtitles.bambara]\nroute = "speech"\nspeech_model = "/models/bm"\n'
                   'speech_backend = "openai-whisper"\nlanguage_token = "fr"\n')
    s = load_config(cfg).subtitles
    fr, bm = s.rules_for("fr", 0), s.rules_for("bm", 30.0)
    assert fr.french_typography and fr.fps == 25.0 and fr.max_cps == 13.0 and fr.max_line == 42
    assert not bm.french_typography and bm.fps == 30.0 and bm.max_line == 36
    asr_fr, asr_bm = s.asr_settings("fr"), s.asr_settings("bm")
    assert (asr_fr.backend, asr_fr.model, asr_fr.language_token) == ("faster-whisper", "whisper-base", "")
    assert asr_fr.phantom_phrases and not asr_bm.phantom_phrases
    assert (asr_bm.backend, asr_bm.model, asr_bm.language_token) == ("openai-whisper", "/models/bm", "fr")


def test_every_problem_is_reported_at_once_with_its_key(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[project]\ntimezone = "Mars/Olympus"\n'
        '[transcode]\ndefault_profiles = ["youtube", "tiktok"]\n'
        '[transcode.profiles.youtube]\ncrf = "high"\nshort_sid = 720\n'
        '[transcode.profiles.screening]\nloudness = -23\n')
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    text = "\n".join(err.value.problems)
    assert len(err.value.problems) == 5, text
    assert "project.timezone: unknown time zone 'Mars/Olympus'" in text
    assert "transcode.default_profiles: unknown profile 'tiktok'" in text
    assert "transcode.profiles.youtube.crf: expected an integer" in text
    assert "transcode.profiles.youtube.short_sid: unknown key" in text
    assert "transcode.profiles.screening.base: new profile 'screening' must name a base" in text


def test_malformed_toml_names_the_line(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[project\ntimezone = 1\n")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert "not valid TOML" in err.value.message and "line 1" in err.value.message


def test_profile_override_and_derived_profile(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[transcode.profiles.mobile]\ncrf = 30\n'
                   '[transcode.profiles.screening]\nbase = "youtube"\nloudness = -23\n')
    c = load_config(cfg)
    assert c.transcode.profiles["mobile"].crf == 30
    assert c.transcode.profiles["mobile"].short_side == 360  # untouched keys keep defaults
    assert c.transcode.profiles["screening"].loudness == -23
    assert c.transcode.profiles["screening"].short_side == 1080


def test_x264_options_over_a_preset_are_checked(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[transcode.profiles.mobile]\nx264 = "subme=4:ref=2"\n')
    assert load_config(cfg).transcode.profiles["mobile"].x264 == "subme=4:ref=2"
    assert load_config(ROOT / "config.toml").transcode.profiles["youtube"].x264 == ""
    cfg.write_text('[transcode.profiles.mobile]\nx264 = "subme=4:crf"\n')
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert "transcode.profiles.mobile.x264: 'crf' is not key=value with a key among subme, me" in err.value.problems[0]
