"""Spill-over above a reservation (economics/spillover.py): the load-duration arithmetic against a
hand-computed worked example, the newsvendor level against brute force, and the rescaling of a
measured load shape to a profile's peak-to-average (issue 16)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DATA

from llmstrategy.economics.spillover import (
    newsvendor_share,
    rescaled_load,
    spill_plan,
    spilled_share,
)
from llmstrategy.errors import CatalogError
from llmstrategy.inputs.load_shape import load_load_shape

# Worked example, by hand. Four hours with loads 1, 1, 2, 4 → mean 2 → normalised 0.5, 0.5, 1, 2:
# the busiest hour is 2 × the average, so rescaling to peak_to_average 2 changes nothing.
SHAPE = (1.0, 1.0, 2.0, 4.0)
LOAD = np.array([0.5, 0.5, 1.0, 2.0])


def test_rescaling_keeps_a_shape_whose_peak_is_already_the_profiles():
    assert rescaled_load(SHAPE, 2.0) == pytest.approx(LOAD, abs=1e-9)


def test_spilled_share_by_hand():
    # a reservation of half the peak holds 0.5 × 2 = 1: only the last hour spills, 2 − 1 = 1 of 2
    # (the mean load), so a quarter of the tokens
    assert spilled_share(LOAD, 0.5) == pytest.approx(0.25)
    assert spilled_share(LOAD, 1.0) == 0.0
    assert spilled_share(LOAD, 0.0) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("exceed_share", "share_of_peak"),
    [
        (0.2, 1.0),  # ⌊0.8⌋ = 0: the busiest hour, the whole peak
        (0.3, 0.5),  # ⌊1.2⌋ = 1: the second busiest (1 of 2)
        (0.6, 0.25),  # ⌊2.4⌋ = 2: the third (0.5 of 2)
        (1.0, 0.0),  # a unit costs its tokens' pay-as-you-go price even when busy all month: reserve nothing
        (1.7, 0.0),
    ],
)
def test_newsvendor_level_by_hand(exceed_share, share_of_peak):
    assert newsvendor_share(LOAD, exceed_share) == pytest.approx(share_of_peak)


def test_a_whole_plan_by_hand():
    # a unit serves 100 tokens a minute (6,000 an hour) for $0.30 an hour; pay-as-you-go $1e-4 a token:
    # a unit's tokens cost $0.60 an hour, so f* = 0.30 / 0.60 = 0.5 → the third busiest hour, 0.5 of 2:
    # c* = 0.25 of the peak holds 0.5, and (0 + 0 + 0.5 + 1.5) / 4 / 1 = 0.5 of the tokens spill
    plan = spill_plan(LOAD, usd_per_unit_hour=0.30, tokens_per_unit_hour=6_000, paygo_usd_per_token=1e-4)
    assert plan.exceed_share == pytest.approx(0.5)
    assert plan.reserved_share_of_peak == pytest.approx(0.25)
    assert plan.spilled_share == pytest.approx(0.5)
    # the month at a peak of 1,000 tokens a minute: 500 on average × 43,800 minutes = 21.9M tokens;
    # c* × 10 units = 2.5 → 3 whole units × $0.30 × 730 h = $657, + 0.5 × 21.9M × $1e-4 = $1,095 →
    # $1,752 (the third unit's half is not credited: an upper bound), against 10 units × $0.30 × 730 =
    # $2,190 on the peak
    units = np.ceil(plan.reserved_share_of_peak * 10)
    assert units * 0.30 * 730 + plan.spilled_share * 500 * 43_800 * 1e-4 == pytest.approx(1_752)


def test_a_reservation_dearer_than_its_tokens_reserves_nothing_and_spills_everything():
    plan = spill_plan(LOAD, usd_per_unit_hour=0.70, tokens_per_unit_hour=6_000, paygo_usd_per_token=1e-4)
    assert plan.reserved_share_of_peak == 0.0 and plan.spilled_share == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(5))
def test_the_newsvendor_level_is_the_cheapest_reservation(seed):
    """Continuous capacity, no minimum: cost(c) = c × P × unit price × hours + s(c) × pay-as-you-go;
    the newsvendor level beats every other level on a fine grid."""
    rng = np.random.default_rng(seed)
    load = rescaled_load(tuple(rng.gamma(2.0, 1.0, 168) + 0.05), 3.0)
    assert load is not None
    unit_usd, paygo_usd = rng.uniform(0.1, 0.9), 1.0  # per hour of one unit's throughput

    def cost(c: float) -> float:
        return c * 3.0 * unit_usd + spilled_share(load, c) * paygo_usd

    best = newsvendor_share(load, unit_usd / paygo_usd)
    grid = np.linspace(0, 1, 2001)
    assert cost(best) <= min(cost(c) for c in grid) + 1e-9


def test_rescaled_loads_have_mean_one_the_profiles_peak_and_the_same_order():
    shape = load_load_shape(DATA / "load_shape.csv")
    assert shape is not None
    for hours in (shape.conversation, shape.coding):
        for peak in (1.5, 3.0, 10.0):
            load = rescaled_load(hours, peak)
            assert load is not None
            assert float(np.mean(load)) == pytest.approx(1.0)
            assert float(np.max(load)) == pytest.approx(peak, rel=1e-6)
            assert list(np.argsort(load, kind="stable")) == list(np.argsort(hours, kind="stable"))
        assert np.all(rescaled_load(hours, 1.0) == 1.0)
        # 168 hours cannot hold a busiest hour 500 × the average
        assert rescaled_load(hours, 500.0) is None


def test_the_load_shape_file_is_the_measured_week():
    shape = load_load_shape(DATA / "load_shape.csv")
    assert shape is not None and len(shape.conversation) == len(shape.coding) == 168
    for hours in (shape.conversation, shape.coding):
        assert float(np.mean(hours)) == pytest.approx(1.0, abs=1e-3)
    # the coding service is the burstier one (weekends quiet, sharp daily peaks)
    assert max(shape.coding) > 2.5 > max(shape.conversation) > 1.5
    assert shape.for_task("coding")[0] == "coding" and shape.for_task("chat")[0] == "conversation"


def test_a_load_shape_with_a_missing_hour_is_one_line(tmp_path):
    rows = ["hour,conversation_load,coding_load,source,as_of", "0,1,1,s,2024-05-18", "2,1,1,s,2024-05-18"]
    path = tmp_path / "load_shape.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(CatalogError, match="hours 0, 1, 2"):
        load_load_shape(path)
    assert load_load_shape(tmp_path / "absent.csv") is None


def test_a_nonpositive_hour_or_peak_below_one_is_refused():
    with pytest.raises(ValueError):
        rescaled_load((1.0, 0.0), 2.0)
    with pytest.raises(ValueError):
        rescaled_load((1.0, 2.0), 0.5)
