"""Break-even exactness, monotonicity of every strategy's cost in volume, the month-by-month
fleet, and the seed-001 cost-tier check."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, make_profile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmstrategy.economics.analysis import analysis_to_dict, analyze, cost_curves
from llmstrategy.economics.breakeven import Affine, break_even, solve
from llmstrategy.economics.context import GpuPiece, pricing_context
from llmstrategy.economics.price import price
from llmstrategy.economics.seedcheck import seed_check
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.profile import load_profile
from llmstrategy.inputs.strategies import strategy
from llmstrategy.inputs.workload import requests_for_tokens

DAY = date(2026, 11, 23)
PROFILES = sorted((DATA / "profiles").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(DATA)


def piece(c: float, q: float, *, reserved: bool = False, fixed: float = 0.0) -> GpuPiece:
    return GpuPiece("m", "g", 1, 1, c, q, reserved, fixed)


# --- the solver on hand-computed cases ------------------------------------------------


def test_on_demand_break_even_in_the_flat_part():
    # api = 2R; other = 100 + 50·max(1, R/100): 150 up to R = 100, then 100 + R/2.
    # 2R ≥ 150 at R = 75, and beyond the knee 100 + R/2 ≤ 2R holds: R* = 75.
    assert solve(Affine(0, 2), Affine(100, 0), (piece(50, 0.01),)) == pytest.approx(75)


def test_on_demand_break_even_on_the_linear_part():
    # api = 10 + 1·R; other = 40·max(1, R/20) = 2R above R = 20: never below the API
    # at the margin (2 > 1), so no break-even.
    assert solve(Affine(10, 1), Affine(0, 0), (piece(40, 0.05),)) is None
    # other = 0.5R above the knee (c·q = 0.5 < 1): 1 + ... flat 40 ≤ 10 + R from R = 30;
    # knee at 80; beyond it 0.5R ≤ 10 + R always: R* = 30.
    assert solve(Affine(10, 1), Affine(0, 0), (piece(40, 1 / 80),)) == pytest.approx(30)


def test_reserved_steps_hand_computed():
    # steps of 100 requests at $100 each; api = 1.5R. In step k (R in [100(k−1), 100k])
    # self ≤ api from R = 66.7k: k = 1 → [66.7, 100], k = 2 → [133.3, 200], k ≥ 3 fully.
    # The union's unbounded part starts at 133.3 (66.7-100 is followed by a gap).
    r = solve(Affine(0, 1.5), Affine(0, 0), (piece(100, 0.01, reserved=True),))
    assert r == pytest.approx(200 / 1.5)
    cost = piece(100, 0.01, reserved=True).monthly_usd
    assert cost(np.array([r * 0.999]))[0] > 1.5 * r * 0.999  # just below: the API is cheaper
    assert cost(np.array([r * 1.001]))[0] <= 1.5 * r * 1.001


def test_reserved_floor_of_provisioned_units_hand_computed():
    # provisioned units: a floor of m = 3 steps of 100 requests at $100 each, so $300 up to
    # R = 300, then $100 a step; api = 1.5R. The floor is inside from R = 200 and every later
    # step k (R in [100(k−1), 100k], cost 100k ≤ 1.5·100(k−1) for k ≥ 3) is inside: R* = 200.
    p = GpuPiece("m", "g", 0, 0, 100, 0.01, True, 0.0, min_replicas=3)
    r = solve(Affine(0, 1.5), Affine(0, 0), (p,))
    assert r == pytest.approx(200)
    assert p.monthly_usd(np.array([199.0]))[0] > 1.5 * 199
    assert all(p.monthly_usd(np.array([x]))[0] <= 1.5 * x for x in (200.0, 250.0, 300.0, 301.0, 1000.0))


def test_union_of_pieces_and_fixed_costs():
    # piece A alone has no tail (marginal 2 > 1); piece B (fixed 50) takes over:
    # 50 + 10·max(1, R/100) ≤ R from R = 60; B's tail starts there.
    a, b = piece(1, 2.0), piece(10, 0.01, fixed=50)
    assert solve(Affine(0, 1), Affine(0, 0), (a, b)) == pytest.approx(60)
    assert solve(Affine(0, 1), Affine(0, 0), (a,)) is None


def test_always_cheaper_gives_zero():
    assert solve(Affine(1000, 1), Affine(0, 0), (piece(10, 0.001),)) == 0


# --- exactness on the real engine -------------------------------------------------------


@pytest.mark.parametrize("pricing", ["on_demand", "reserved"])
@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_break_even_is_exact_on_every_example(catalog, path: Path, pricing: str):
    p = load_profile(path)
    p = p.with_updates(assumptions=p.assumptions.model_copy(update={"gpu_pricing": pricing}))
    ctx = pricing_context(p, catalog, on_date=DAY)
    be = break_even(ctx)
    finite = [x for x in be["pairs"] if x["monthly_tokens"]]
    assert be["reason"]["api_vs_self_host"]
    for pair in finite:
        v = pair["monthly_tokens"]
        for factor, cheaper in ((1 - 1e-6, "api"), (1 + 1e-6, "other"), (3.0, "other"), (100.0, "other")):
            req = requests_for_tokens(p, [v * factor])
            api_usd = price(strategy(pair["api"]), ctx, req).monthly_usd[0]
            other_usd = price(strategy(pair["other"]), ctx, req).monthly_usd[0]
            if cheaper == "api":
                assert api_usd < other_usd, (pair, factor)
            else:
                assert other_usd <= api_usd * (1 + 1e-9), (pair, factor)
    for x in be["pairs"]:
        if x["monthly_tokens"] is None:
            assert "per 1M" in x["reason"] or "not feasible" in x["reason"]


def test_break_even_null_with_reason_when_it_never_happens(catalog):
    """GPUs at ten times today's prices: the hybrid's fleet never pays for itself (at today's
    specialist prices, with L4s at $0.49 an hour, it would at about 7e11 tokens a month)."""
    p = make_profile(requests_per_day=5000)
    ctx = pricing_context(p, catalog.with_price_multipliers(gpu=10.0), on_date=DAY)
    be = break_even(ctx)
    assert be["api_vs_hybrid_monthly_tokens"] is None
    assert "never" in be["reason"]["api_vs_hybrid"]


def test_month_reached_follows_growth(catalog):
    p = make_profile(requests_per_day=20000, monthly_growth=0.5, horizon_months=24)
    ctx = pricing_context(p, catalog, on_date=DAY)
    be = break_even(ctx)
    v = be["api_vs_self_host_monthly_tokens"]
    m = be["month_reached"]["api_vs_self_host"]
    assert v is not None and m is not None
    v0 = be["profile_monthly_tokens"]
    assert v0 * 1.5 ** (m - 1) < v <= v0 * 1.5**m


# --- monotonicity ------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rpd=st.floats(10, 1e6),
    inp=st.integers(50, 8000),
    out=st.integers(0, 2000),
    latency=st.sampled_from(["interactive", "batch"]),
    pricing=st.sampled_from(["on_demand", "reserved"]),
    cache=st.floats(0, 0.9),
    complexity=st.sampled_from(["low", "medium", "high"]),
)
def test_more_volume_never_lowers_any_monthly_cost(catalog, rpd, inp, out, latency, pricing, cache, complexity):
    p = make_profile(
        requests_per_day=rpd,
        input_tokens_per_request=inp,
        output_tokens_per_request=out,
        latency=latency,
        cache_hit_rate=cache,
        task_complexity=complexity,
        labeled_examples=1000,
        assumptions={"gpu_pricing": pricing},
    )
    ctx = pricing_context(p, catalog, on_date=DAY)
    grid = np.logspace(4, 13, 200)
    for sid, usd in cost_curves(ctx, grid).items():
        ok = np.isfinite(usd)
        if ok.any():
            assert ok.all(), sid  # feasibility does not depend on volume
            d = np.diff(usd)
            assert (d >= -1e-9 * usd[1:]).all(), (sid, float(d.min()))


# --- the month-by-month fleet -----------------------------------------------------------


def test_fleet_by_month_follows_growth(catalog):
    p = make_profile(requests_per_day=2_000_000, monthly_growth=0.3, horizon_months=12)
    d = analysis_to_dict(analyze(p, catalog, on_date=DAY))
    sh = next(c for c in d["costs"] if c["id"] == "self_host")
    months = sh["fleet_by_month"]
    assert [m["month"] for m in months] == list(range(12))
    gpu_cost = [m["gpu_monthly_usd"] for m in months]
    assert gpu_cost == sorted(gpu_cost) and gpu_cost[-1] > gpu_cost[0]
    assert sh["monthly_components_usd"]["gpu_fleet"] == pytest.approx(months[0]["gpu_monthly_usd"])
    assert sh["gpus"] == months[0]["gpus"]
    assert d["break_even"]["profile_monthly_tokens"] == pytest.approx(d["workload"]["tokens_per_month"])


# --- seed 001's cost tiers -----------------------------------------------------------------


def test_seed_table_is_reproduced_under_its_own_assumptions(catalog):
    sc = seed_check(catalog)
    assert [r["tier"] for r in sc.rows] == ["Light", "Medium", "Heavy", "Very Heavy", "Enterprise"]
    for r in sc.rows:
        assert r["reproduced_api_usd"] == pytest.approx(r["seed_api_usd"], rel=0.01)
        assert r["reproduced_self_host_usd"] == pytest.approx(r["seed_self_host_usd"], rel=0.01)
        assert r["reproduced_verdict"] == r["seed_verdict"]


def test_seed_tiers_from_first_principles(catalog):
    sc = seed_check(catalog)
    gpt4o = catalog.models["gpt-4o"]
    blended = (1500 * gpt4o.input_usd_per_mtok + 500 * gpt4o.output_usd_per_mtok) / 2000
    for r in sc.rows:
        assert r["engine_api_usd"] == pytest.approx(r["monthly_tokens"] * blended / 1e6)
        assert r["engine_self_host_usd"] > r["engine_gpu_fleet_usd"]  # staff the seed leaves out
    gpus = [r["engine_gpus"] for r in sc.rows]
    assert gpus == sorted(gpus) and gpus[0] >= 1
    assert sc.break_even_monthly_tokens is not None and sc.break_even_monthly_tokens > 1e9
    text = " ".join(sc.explanation)
    assert f"{blended / gpt4o.input_usd_per_mtok:.2f}×" in text
    assert math.isfinite(sc.break_even_monthly_tokens)


def test_routing_inside_the_own_cloud_gets_no_break_even_and_says_why(catalog):
    """Two reservations whose step costs add are not what the closed form solves: the pair says so
    instead of solving one table and ignoring the other; the affine part leaves both tables out."""
    from llmstrategy.economics.breakeven import TWO_TABLES, affine_part, break_even_pair

    case = DATA.parent / "tests" / "cases" / "profiles" / "regulated_own_cloud_routing_hard_chat.yaml"
    p = load_profile(case).with_updates(requests_per_day=100_000)
    ctx = pricing_context(p, catalog, on_date=date(2026, 11, 29))
    r = 100_000 * 365 / 12
    routed = price(strategy("routed"), ctx, np.array([0.0, r, 2 * r]))
    assert routed.feasible and routed.extra_pieces, routed.reasons
    aff = affine_part(routed, r)  # the spill-over, staff and router: affine; both reservations left out
    affine_only = sum(v for k, v in routed.monthly_components_usd.items() if k not in routed.all_piece_components)
    assert aff.intercept_usd + aff.slope_usd_per_request * r == pytest.approx(float(affine_only[1]))
    be = break_even_pair(ctx, strategy("api"), strategy("routed"))
    assert be.monthly_tokens is None and be.reason == TWO_TABLES
    assert {x["other"] for x in break_even(ctx)["pairs"]}.isdisjoint({"routed", "routed+rag"})
