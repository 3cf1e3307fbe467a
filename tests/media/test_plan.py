"""Pure rendition decisions: sizes, rates, size-capped bitrates, loudness settings."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import PipelineError
from pipeline.media import plan
from pipeline.models import Loudness
from pipeline.profiles import DEFAULT_PROFILES

WHATSAPP = DEFAULT_PROFILES["whatsapp"]


@given(st.integers(16, 7680), st.integers(16, 4320), st.sampled_from([240, 360, 480, 720, 1080]))
def test_short_side_fit_is_even_never_upscales_and_keeps_the_shape(w, h, short):
    ow, oh = plan.fit_short_side(w, h, short)
    assert ow % 2 == 0 and oh % 2 == 0
    assert min(ow, oh) <= max(short, 2) + 1 and ow <= w + 1 and oh <= h + 1
    if min(w, h) >= 64:
        assert abs(ow / oh - w / h) / (w / h) < 0.05


@given(st.integers(64, 4000), st.integers(64, 4000))
def test_canvas_fits_stay_inside_or_cover(w, h):
    fw, fh = plan.fit_inside(w, h, 1080, 1920)
    assert fw <= 1080 and fh <= 1920 and (fw == 1080 or fh == 1920 or abs(fw - 1080) <= 2 or abs(fh - 1920) <= 2)
    cw, ch = plan.cover(w, h, 1080, 1920)
    assert cw >= 1080 and ch >= 1920


@pytest.mark.parametrize("fps, expected", [(29.97002997, Fraction(30000, 1001)), (29.87, Fraction(30000, 1001)),
                                           (25.0, Fraction(25)), (59.94, Fraction(60000, 1001)),
                                           (12.0, Fraction(12)), (0, Fraction(25))])
def test_output_rate_snaps_phone_rates_to_standard_ones(fps, expected):
    assert plan.output_rate(fps) == expected


@pytest.mark.parametrize("fps, shown", [(30000 / 1001, "29.97"), (24000 / 1001, "23.976"), (60000 / 1001, "59.94"),
                                         (25.0, "25"), (30.0, "30"), (15.0, "15")])
def test_frame_rates_are_shown_as_editors_write_them_not_rounded(fps, shown):
    assert plan.rate_text(fps) == shown
    assert plan.rate_text(float(plan.output_rate(fps))) == shown  # the constant rate a rendition gets


@pytest.mark.parametrize("rate, cap, expected", [(Fraction(50), 30, Fraction(25)), (Fraction(60000, 1001), 30,
                         Fraction(30000, 1001)), (Fraction(25), 30, Fraction(25)), (Fraction(30), 25, Fraction(25)), (Fraction(60), 25, Fraction(25))])
def test_capped_rate_halves_high_rates(rate, cap, expected):
    assert plan.capped_rate(rate, cap) == expected


def test_youtube_gop_is_half_the_frame_rate():
    assert plan.gop_frames(Fraction(25), 0.5) == 12
    assert plan.gop_frames(Fraction(30000, 1001), 0.5) == 14
    assert plan.gop_frames(Fraction(60), 0.5) == 30


@given(st.floats(5, 25 * 60))
def test_whatsapp_budget_always_fits_under_16_mb(duration):
    """Any episode up to 25 min: the VBV bound (maxrate x (duration + 1 s)) plus audio stays under the cap."""
    video, audio = plan.size_capped_bitrates(WHATSAPP, duration)
    worst_case_bytes = (video * (duration + 1) + audio * duration) * 1000 / 8
    assert worst_case_bytes <= 16e6 * plan.CONTAINER_MARGIN
    assert video <= WHATSAPP.maxrate_kbps and audio >= 32


def test_whatsapp_resolution_drops_with_the_budget():
    assert plan.size_capped_short_side(WHATSAPP, plan.size_capped_bitrates(WHATSAPP, 60)[0]) == 480
    assert plan.size_capped_short_side(WHATSAPP, plan.size_capped_bitrates(WHATSAPP, 5 * 60)[0]) == 360
    assert plan.size_capped_short_side(WHATSAPP, plan.size_capped_bitrates(WHATSAPP, 15 * 60)[0]) == 240


def test_too_long_for_whatsapp_says_how_long_a_clip_may_be():
    with pytest.raises(PipelineError) as err:
        plan.size_capped_bitrates(WHATSAPP, 40 * 60)
    assert "cannot fit in 16 MB" in err.value.message and "clips" in err.value.hint


def test_lra_target_is_raised_to_keep_the_gain_linear():
    wide = Loudness(integrated=-20, true_peak=-8, lra=14.2, threshold=-30)
    assert plan.loudnorm_options(DEFAULT_PROFILES["youtube"], wide, keep_lra=True)["LRA"] >= 14.2
    assert plan.loudnorm_options(DEFAULT_PROFILES["youtube"], wide, keep_lra=False)["LRA"] == 11.0
    assert plan.is_silent(Loudness(float("-inf"), float("-inf"), 0, -70))

