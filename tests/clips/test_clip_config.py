"""[clips] in config.toml: defaults, and every problem reported with its key."""

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_project_config_has_clip_defaults():
    c = load_config(ROOT / "config.toml").clips
    assert (c.count, c.min_seconds, c.max_seconds, c.trailer_seconds) == (3, 15.0, 60.0, (45.0, 60.0))
    assert "citoyen" in c.keywords and c.loudness_profile == "youtube"


def test_bad_clip_settings_are_all_reported(tmp_path):
    text = (ROOT / "config.toml").read_text()
    bad = text[:text.index("[clips]")] + (
        '[clips]\nmin_seconds = 30\nmax_seconds = 20\ntrailer_seconds = [60, 45]\n'
        'loudness_profile = "cinema"\npreset = "turbo"\ncolour = "red"\n')
    (tmp_path / "config.toml").write_text(bad)
    with pytest.raises(ConfigError) as exc:
        load_config(tmp_path / "config.toml")
    text = "\n".join(exc.value.problems)
    for key in ("clips.max_seconds", "clips.trailer_seconds", "clips.loudness_profile", "clips.preset",
                "clips.colour"):
        assert key in text, key
