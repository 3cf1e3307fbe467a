"""[guide] in episode.toml, [package] and [voiceover] in config.toml, and the kit's size arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import ConfigError
from pipeline.kits import sizes
from pipeline.manifest import episode_from_data

ROOT = Path(__file__).resolve().parents[1]
BASE = {"id": "ep01", "number": 1, "master": "m.mp4", "title": {"fr": "T"}, "description": {"fr": "D"}}


def test_the_guide_is_read_from_episode_toml() -> None:
    data = {**BASE, "guide": {"questions": ["Qui a voté ?", " "], "key_messages": ["Chaque voix compte."],
                              "resources": [{"name": "Mairie", "contact": "+223 20 22 00 00", "note": "www.x.ml"}]}}
    guide = episode_from_data(data, Path("/p/ep01/episode.toml")).guide
    assert guide.questions == ("Qui a voté ?",) and guide.key_messages == ("Chaque voix compte.",)
    assert guide.resources[0].contact == "+223 20 22 00 00" and not guide.empty
    assert episode_from_data(dict(BASE), Path("/p/ep01/episode.toml")).guide.empty


def test_guide_mistakes_are_all_reported_with_their_keys() -> None:
    data = {**BASE, "guide": {"questions": ["Voir https://ceni.ml ?"], "resources": [{"contact": "x"}],
                              "messages": ["typo"]}}
    with pytest.raises(ConfigError) as e:
        episode_from_data(data, Path("/p/ep01/episode.toml"))
    text = "\n".join(e.value.problems)
    assert "guide.questions: write the address without http:// or https://" in text
    assert "guide.resources[1].name: is required" in text and "guide.messages: unknown key" in text


def test_package_and_voiceover_sections_have_defaults_and_check_their_values(tmp_path: Path) -> None:
    cfg = load_config(ROOT / "config.toml")
    assert cfg.package.screening_profiles == ("screening-720", "screening-480")
    assert cfg.package.whatsapp_burn == (("fr",), ("bm", "fr")) and cfg.package.whatsapp_max_mb == 16.0
    assert cfg.voiceover.sync == "chirp" and cfg.voiceover.tts_model is None and cfg.voiceover.depth_db == 12.0
    bad = tmp_path / "config.toml"
    bad.write_text('[package]\naudio_profile = "youtube"\n[package.screening]\nprofiles = ["nope"]\n'
                   'burn = ["fr+xx"]\n[package.whatsapp]\nmax_mb = 0\n'
                   '[voiceover]\nsync = "clap"\ndepth_db = 1\nprofiles = ["nope"]\n')
    with pytest.raises(ConfigError) as e:
        load_config(bad)
    text = "\n".join(e.value.problems)
    for expected in ("package.audio_profile: profile 'youtube' is video, expected an audio profile",
                     "package.screening.profiles: 'nope' is not a video profile",
                     "package.screening.burn: expected languages like", "package.whatsapp.max_mb: must be between",
                     "voiceover.sync: must be one of chirp, episode, none", "voiceover.depth_db: must be between",
                     "voiceover.profiles: unknown profile 'nope'"):
        assert expected in text, (expected, text)


def test_the_kit_size_is_said_against_the_key_and_fat32() -> None:
    small = sizes.KitSize(2_345_678_901, 40, 8.0, ("videos/a.mp4", 900_000_000))
    assert small.fits and small.sentence() == ("Le kit pèse 2,35 Go (40 fichiers) : il tient sur une clé USB "
                                               "de 8 Go (environ 7,4 Go utilisables).")
    big = sizes.KitSize(7_600_000_000, 40, 8.0, ("videos/a.mp4", 900_000_000))
    assert not big.fits and "ne tient pas" in big.sentence()
    huge_file = sizes.KitSize(5_000_000_000, 3, 16.0, ("videos/a.mp4", 4_500_000_000))
    assert not huge_file.fits and "exFAT" in huge_file.sentence()
    assert sizes.human_duration(754.4) == "12 min 34 s" and sizes.human_duration(3725) == "1 h 02 min 05 s"
