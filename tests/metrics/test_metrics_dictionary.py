"""The metric dictionary covers every metric the sources store, in both languages."""

from __future__ import annotations

from pipeline.metrics.dictionary import FACEBOOK_INSIGHTS, METRICS, YOUTUBE_ANALYTICS, YOUTUBE_STATISTICS


def test_every_stored_metric_is_defined_for_its_platform() -> None:
    for key, _ in YOUTUBE_ANALYTICS.values():
        assert "youtube" in METRICS[key].platforms, key
    for key in YOUTUBE_STATISTICS.values():
        assert "youtube" in METRICS[key].platforms, key
    for key, _ in FACEBOOK_INSIGHTS.values():
        assert key is None or "facebook" in METRICS[key].platforms, key
    for key in ("comments", "shares", "viewer_percentage"):
        assert METRICS[key].platforms


def test_definitions_in_french_and_english_and_summability() -> None:
    for m in METRICS.values():
        assert m.label_fr and m.label_en and m.unit in ("count", "minutes", "seconds", "percent")
        for d in m.platforms.values():
            assert d.fr and d.en and d.source
    assert "3 secondes" in METRICS["views"].platforms["facebook"].fr
    assert not METRICS["views"].summable and METRICS["watch_minutes"].summable
    assert not any(METRICS[k].summable for k in ("avg_view_seconds", "avg_view_percentage", "engagement_rate"))
