"""GPUs priced like with like: a fleet compares GPUs within one market (data/gpu_offers.csv),
and is sized for the peak with whole replicas, headroom and a spare for interactive services."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest
from conftest import DATA, make_profile

from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.price import price
from llmstrategy.economics.serving import self_host_settings, usd_per_gpu_hour
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.gpu_offers import MARKETS
from llmstrategy.inputs.profile import GpuMarket
from llmstrategy.inputs.strategies import strategy

DAY = date(2026, 11, 29)
TEAM = {"ml_engineers": 2, "infra_engineers": 2}


@pytest.fixture(scope="module")
def cat():
    return load_catalog(DATA)


def test_the_profile_markets_are_the_offer_markets():
    assert set(get_args(GpuMarket)) == set(MARKETS)


@pytest.mark.parametrize("market", MARKETS)
def test_every_gpu_option_is_priced_in_the_profiles_market(cat, market):
    ctx = pricing_context(
        make_profile(requests_per_day=3e6, team=TEAM, assumptions={"gpu_market": market}), cat, on_date=DAY
    )
    s = self_host_settings(ctx)
    assert s.gpu_market == market
    sc = price(strategy("self_host"), ctx, [1e8])
    if not any(m == market for _, m in cat.gpu_offers):  # no sourced offer in this market yet
        assert not sc.feasible and market in " ".join(sc.reasons)
        return
    assert sc.feasible
    gpu = sc.details["gpu"]
    assert sc.details["usd_per_gpu_hour"] == pytest.approx(cat.gpu_offers[(gpu, market)])
    for row in sc.details["fleet_by_volume"]:
        assert (row["gpu"], market) in cat.gpu_offers  # never a GPU without an offer in this market
    for g in cat.gpus.values():
        if (g.id, market) in cat.gpu_offers:
            assert usd_per_gpu_hour(g, s) == cat.gpu_offers[(g.id, market)]


def test_the_default_market_is_the_stated_one(cat):
    s = self_host_settings(pricing_context(make_profile(team=TEAM), cat, on_date=DAY))
    assert s.gpu_market == cat.value("self_host.default_gpu_market") == "specialist_on_demand"


def test_a_named_gpu_without_an_offer_in_the_market_is_refused_with_the_reason(cat):
    missing = [g for g in cat.gpus if (g, "specialist_on_demand") not in cat.gpu_offers]
    assert missing, "every GPU has a specialist offer: pick another market for this test"
    p = make_profile(team=TEAM, assumptions={"gpu": missing[0], "gpu_market": "specialist_on_demand"})
    sc = price(strategy("self_host"), pricing_context(p, cat, on_date=DAY), [1e6])
    assert not sc.feasible and "specialist_on_demand" in sc.reasons[0]


@pytest.mark.parametrize("pricing", ["on_demand", "reserved"])
@pytest.mark.parametrize("latency", ["interactive", "batch"])
def test_the_fleet_covers_the_peak_with_headroom_and_a_spare_when_interactive(cat, pricing, latency):
    p = make_profile(
        requests_per_day=5e6,
        peak_to_average=4,
        latency=latency,
        latency_slo_ms=5000,
        team=TEAM,
        assumptions={"gpu_pricing": pricing},
    )
    ctx = pricing_context(p, cat, on_date=DAY)
    sc = price(strategy("self_host"), ctx, [5e6 * 365 / 12])
    d = sc.details
    headroom = float(cat.value("self_host.peak_headroom"))
    assert d["peak_load_to_capacity"] <= 1 - headroom + 1e-9
    assert d["spare_replicas"] == (1 if latency == "interactive" else 0)
    assert d["peak_replicas"] == int(d["peak_replicas"])  # whole replicas at the peak
    if pricing == "reserved":
        assert d["replicas"] == d["peak_replicas"]  # a reserved fleet pays the peak all month


@pytest.mark.parametrize(
    ("market", "pricing"),
    [
        ("hyperscaler_on_demand", "on_demand"),
        ("hyperscaler_on_demand", "reserved"),
        ("specialist_on_demand", "on_demand"),
        ("specialist_on_demand", "reserved"),
        ("commit_1y", "reserved"),
    ],
)
def test_a_self_run_training_job_is_priced_in_the_fleets_market(cat, market, pricing):
    """Training on the fleet's GPU costs that GPU's price in the profile's market, as an on-demand
    job (no reserved discount), not gpus.csv's own figure from another market."""
    assumptions = {"gpu_market": market, "gpu_pricing": pricing}
    p = make_profile(requests_per_day=2e5, team=TEAM, labeled_examples=5000, assumptions=assumptions)
    ctx = pricing_context(p, cat, on_date=DAY)
    sc = price(strategy("self_host+fine_tune"), ctx, [3e6])
    assert sc.feasible, sc.reasons
    g = sc.details["gpu"]
    assert sc.details["training_usd_per_gpu_hour"] == pytest.approx(cat.gpu_offers[(g, market)])
    if pricing == "reserved" and market.endswith("on_demand"):
        assert sc.details["usd_per_gpu_hour"] < sc.details["training_usd_per_gpu_hour"]  # the fleet's discount only
