"""Routing between a small and a large model (issue 16): the published default split, the
profile's own split, the blended pass rate, the priced components and the hard limits."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from conftest import DATA, make_profile

from llmstrategy.economics.context import StrategyCost, pricing_context
from llmstrategy.economics.hosted import expected_ttft_ms
from llmstrategy.economics.price import price
from llmstrategy.economics.routing import TASK_ROUTING_CLASS, blended_pass_rate, route_settings
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.strategies import strategy

DAY = date(2026, 11, 29)
HARD = {"task_complexity": "high", "requests_per_day": 20_000, "input_tokens_per_request": 1500}


@pytest.fixture(scope="module")
def cat():
    return load_catalog(DATA)


def ctx_for(cat, **changes):
    return pricing_context(make_profile(**changes), cat, on_date=DAY)


@pytest.mark.parametrize(
    ("task", "key"),
    [("chat", "open_ended"), ("summarization", "open_ended"), ("extraction", "knowledge"), ("coding", "reasoning")],
)
def test_the_default_split_is_routellms_for_the_benchmark_the_task_resembles(cat, task, key):
    s = route_settings(ctx_for(cat, task_type=task))
    assert TASK_ROUTING_CLASS[task] == key
    assert s.strong_share == pytest.approx(cat.value(f"routing.strong_share_{key}"))
    assert s.quality_retained == pytest.approx(0.95)
    assert s.source.startswith("RouteLLM")
    assert cat.value("routing.strong_share_open_ended") < cat.value("routing.strong_share_knowledge")


def test_the_profiles_split_wins_and_the_hybrid_share_wins_over_both(cat):
    ctx = ctx_for(cat, routing={"strong_share": 0.3, "quality_retained": 1.0})
    s = route_settings(ctx)
    assert (s.strong_share, s.quality_retained, s.source) == (0.3, 1.0, "profile")
    assert route_settings(ctx, strong_share=0.5).strong_share == 0.5


def test_blended_pass_rate_never_below_the_small_model_and_exact_at_the_ends():
    assert blended_pass_rate(0.6, 0.9, 0.95, 0.3) == pytest.approx(0.855)
    assert blended_pass_rate(0.88, 0.9, 0.95, 0.3) == pytest.approx(0.88)  # the small one alone is better
    assert blended_pass_rate(0.6, 0.9, 0.95, 0.0) == 0.6
    assert blended_pass_rate(0.6, 0.9, 0.95, 1.0) == 0.9


def test_routed_prices_the_large_share_the_small_share_and_the_router(cat):
    split = {"strong_share": 0.3, "quality_retained": 1.0}
    ctx = ctx_for(cat, **HARD, routing=split, assumptions={"api_model": "claude-opus-4.7"})
    req = np.array([1e6, 2e6])
    routed, single = price(strategy("routed"), ctx, req), price(strategy("api"), ctx, req)
    assert routed.feasible and routed.models["frontier"] == "claude-opus-4.7"
    small = routed.models["small"]
    assert small != "claude-opus-4.7"
    m = routed.monthly_components_usd
    np.testing.assert_allclose(m["api_large_model"], 0.3 * single.monthly_components_usd["api_inference"])
    np.testing.assert_allclose(m["router"], req * 1500 * cat.value("routing.router_usd_per_mtok") / 1e6)
    assert (m["api_small_model"] < 0.7 * single.monthly_components_usd["api_inference"]).all()
    assert routed.monthly_usd[0] < single.monthly_usd[0]
    assert routed.upfront_components_usd["router_setup"] == pytest.approx(
        cat.value("routing.setup_engineer_months") * ctx.engineer_monthly_usd
    )
    assert routed.details["time_to_first_token_ms"] > cat.value("routing.router_latency_ms")


def test_nothing_to_route_when_the_large_model_is_already_the_cheapest_that_qualifies(cat):
    sc = price(strategy("routed"), ctx_for(cat, task_complexity="low"), [1e6])
    assert not sc.feasible and "nothing to route" in sc.reasons[0]


def test_routing_with_fine_tuning_says_why_when_no_provider_tunes_a_small_model(cat):
    from dataclasses import replace

    closed = replace(cat, finetune_offers=tuple(o for o in cat.finetune_offers if o.provider == "OpenAI"))
    ctx = pricing_context(make_profile(**HARD, labeled_examples=5000), closed, on_date=DAY)
    sc = price(strategy("routed+fine_tune"), ctx, [1e6])
    assert not sc.feasible and sc.reasons[0].startswith("no fine-tuned small model: "), sc.reasons
    assert "accepts no new customers" in sc.reasons[0]


def test_routing_with_a_provider_tuned_small_model_adds_the_two_pricers_parts(cat):
    """The large part is ``api`` (untuned) at its share; the small part is what ``api+fine_tune``
    tunes at one level less for the rest, with its training, labeling, retraining and set-up."""
    from dataclasses import replace

    from llmstrategy.economics.hosted import price_api
    from llmstrategy.economics.provider_finetune import price_api_fine_tune
    from llmstrategy.economics.quality import quality_need
    from llmstrategy.economics.routing import share_context

    split = {"strong_share": 0.3, "quality_retained": 1.0}
    # no provider serves a tuned model per token to a new customer today (data/README_finetune.md):
    # a serverless offer for gpt-4.1-mini, open to new customers, stands in for one
    base = next(o for o in cat.finetune_offers if o.model_id == "gpt-4.1-mini")
    offer = base.model_copy(update={"provider": "Serverless tuner", "accepts_new_customers": True})
    cat = replace(cat, finetune_offers=(*cat.finetune_offers, offer))
    ctx = ctx_for(
        cat,
        **HARD,
        routing=split,
        labeled_examples=5000,
        horizon_months=1,  # gpt-4.1-mini retires on 2027-01-14
        assumptions={"api_model": "claude-opus-4.7"},
    )
    req = np.array([1e6, 2e6])
    sc = price(strategy("routed+fine_tune"), ctx, req)
    assert sc.feasible, sc.reasons
    large = price_api(strategy("api"), share_context(ctx, 0.3), req * 0.3)
    low = quality_need(ctx.profile, cat, level="medium")
    sctx = share_context(ctx, 0.7, low)
    sctx = replace(sctx, profile=sctx.profile.with_updates(assumptions={"api_model": None}))
    small = price_api_fine_tune(strategy("api+fine_tune"), sctx, req * 0.7)
    m, u = sc.monthly_components_usd, sc.upfront_components_usd
    np.testing.assert_allclose(m["api_large_model"], large.monthly_components_usd["api_inference"])
    np.testing.assert_allclose(m["retraining"], small.monthly_components_usd["retraining"])
    assert sc.models == {"small": small.models["api"], "frontier": "claude-opus-4.7"}
    for k in ("training", "labeling", "fine_tune_setup"):
        assert u[k] == pytest.approx(small.upfront_components_usd[k])
    assert u["labeling"] == 0  # 5,000 labeled examples: nothing to label
    assert sc.details["fine_tune_provider"] == small.details["fine_tune_provider"]
    total = sum(large.monthly_components_usd.values()) + sum(small.monthly_components_usd.values())
    np.testing.assert_allclose(sc.monthly_usd, total + m["router"])


def test_the_router_counts_against_the_latency_target(cat):
    ctx = ctx_for(cat, **HARD, assumptions={"api_model": "claude-opus-4.7"})
    sc = price(strategy("routed"), ctx, [1e6])
    assert sc.feasible
    slowest = max(expected_ttft_ms(cat.models[m], strategy("routed"), ctx) for m in sc.models.values())
    # both models meet the target on their own; the router's 100 ms tips it over
    slo = slowest + cat.value("routing.router_latency_ms") / 2
    tight = ctx_for(cat, **HARD, assumptions={"api_model": "claude-opus-4.7"}, latency_slo_ms=slo)
    out = price(strategy("routed"), tight, [1e6])
    assert not out.feasible and "router" in out.reasons[0], out.reasons


def test_routing_inside_the_own_cloud_prices_each_share_as_its_own_private_deployment(cat):
    """Data that may only go to the own cloud: each model is the private deployment the own cloud
    would run for its share of the requests (the small one at one complexity level less), a
    reservation's minimum kept per part; the router and the set-up once."""
    from llmstrategy.economics.routing import price_routed_own_cloud, runs_in_own_cloud

    seen = []

    def part(st, c, r):  # a reservation of 3,000 a month minimum, 0.01 a request above 200k requests
        seen.append((c.quality.level, c.profile.requests_per_day, float(r[0])))
        model = "big" if c.quality.level == "high" else "little"
        cost = np.maximum(3000.0, 0.01 * r)
        return StrategyCost(
            st,
            r,
            {"provisioned_capacity": cost},
            {"private_cloud_setup": 1.0},
            {"private_cloud": model},
            {
                "deployment_kind": "provisioned_throughput",
                "vendor": "Azure",
                "offering": "ptu",
                "units": 15,
                "time_to_first_token_ms": 500.0,
            },
        )

    prof = dict(HARD, data_may_leave=False, own_cloud_allowed=True, data_sensitivity="regulated")
    ctx = ctx_for(cat, **prof)
    assert runs_in_own_cloud(ctx.profile) and not runs_in_own_cloud(ctx_for(cat, **HARD).profile)
    req = np.array([1e5, 1e6])
    sc = price_routed_own_cloud(strategy("routed"), ctx, req, part)
    s = route_settings(ctx)
    assert sc.feasible and sc.models == {"small": "little", "frontier": "big"}
    (lv_l, day_l, r_l), (lv_s, day_s, r_s) = seen
    assert (lv_l, lv_s) == ("high", "medium")
    assert day_l == pytest.approx(20_000 * s.strong_share) and day_s == pytest.approx(20_000 * (1 - s.strong_share))
    assert (r_l, r_s) == pytest.approx((1e5 * s.strong_share, 1e5 * (1 - s.strong_share)))
    m = sc.monthly_components_usd
    assert m["large_provisioned_capacity"] == pytest.approx(np.maximum(3000, 0.01 * req * s.strong_share))
    assert m["small_provisioned_capacity"] == pytest.approx(np.maximum(3000, 0.01 * req * (1 - s.strong_share)))
    assert m["router"] == pytest.approx(req * 1500 * cat.value("routing.router_usd_per_mtok") / 1e6)
    assert float(sc.monthly_usd[0]) > 6000  # two minimums at low volume: dearer than one reservation
    assert set(sc.upfront_components_usd) == {"private_cloud_setup", "router_setup"}
    d = sc.details
    assert d["deployment_kind"] == "routed_own_cloud" and d["frontier_share"] == s.strong_share
    assert all(h.startswith("your cloud: provisioned throughput") for h in d["model_hosts"].values())
    assert d["large_model"]["model"] == "big" and d["small_model"]["units"] == 15
    assert d["time_to_first_token_ms"] == pytest.approx(500 + s.router_latency_ms)


def test_routing_inside_the_own_cloud_needs_two_different_models(cat):
    from llmstrategy.economics.routing import price_routed_own_cloud

    def same(st, c, r):
        return StrategyCost(st, r, {"provisioned_capacity": r * 0 + 100.0}, {}, {"private_cloud": "m"}, {})

    ctx = ctx_for(cat, data_may_leave=False, own_cloud_allowed=True, data_sensitivity="regulated")
    out = price_routed_own_cloud(strategy("routed"), ctx, np.array([1e5]), same)
    assert not out.feasible and "nothing to route" in out.reasons[0]


OWN_CLOUD_CASE = DATA.parent / "tests" / "cases" / "profiles" / "regulated_own_cloud_routing_hard_chat.yaml"


def own_cloud_ctx(cat, **changes):
    from llmstrategy.inputs.profile import load_profile

    return pricing_context(load_profile(OWN_CLOUD_CASE).with_updates(**changes), cat, on_date=DAY)


def test_routed_is_priced_inside_the_own_cloud_when_the_data_may_only_go_there(cat):
    """The dispatch: data that may go only to the team's own cloud routes between two private
    deployments; each part's pieces, scaled to all requests, are a table whose cheapest piece is
    that part's capacity component at every volume (what the Monte Carlo and the cost structure
    reprice), the large part's first."""
    ctx = own_cloud_ctx(cat, requests_per_day=100_000)  # the bank's assistant at five times its volume
    r = 100_000 * 365 / 12
    req = np.array([0.0, 0.3 * r, r, 2.0 * r, 7.0 * r])
    sc = price(strategy("routed"), ctx, req)
    assert sc.feasible, sc.reasons
    assert sc.details["deployment_kind"] == "routed_own_cloud"
    assert sc.piece_components[0].startswith("large_") and sc.extra_pieces
    assert all(name.startswith("small_") for _, names in sc.extra_pieces for name in names)
    assert {p.model_id for p in sc.gpu_pieces} == {sc.models["frontier"]}
    for pieces, names in sc.piece_tables:
        cheapest = np.min([p.fixed_usd_per_month + p.monthly_usd(req) for p in pieces], axis=0)
        np.testing.assert_allclose(cheapest, sum(sc.monthly_components_usd[n] for n in names), rtol=1e-12)
    on_its_own = {n for _, names in sc.piece_tables for n in names}
    assert on_its_own == {n for n in sc.monthly_components_usd if n.endswith(("_capacity", "_instances"))}


def test_routed_with_fine_tuning_in_the_own_cloud_tunes_the_small_deployment_only(cat):
    """The small part is ``private_cloud+fine_tune`` at its share and level; its table comes first and
    carries the retraining (named as the cost structure reads it); the large part is untuned."""
    from llmstrategy.decision.cost_structure import decompose

    ctx = own_cloud_ctx(cat, labeled_examples=5000, requests_per_day=100_000)
    r = 100_000 * 365 / 12
    req = np.array([0.0, r, 2.0 * r])
    sc = price(strategy("routed+fine_tune"), ctx, req)
    assert sc.feasible, sc.reasons
    assert sc.details["small_fine_tuned"] and "retraining" in sc.monthly_components_usd
    assert not any(n.startswith("large_") for n in sc.piece_components)
    assert all(not n.endswith("retraining") for _, names in sc.extra_pieces for n in names)
    assert {"training", "labeling", "fine_tune_setup", "router_setup"} <= set(sc.upfront_components_usd)
    for pieces, names in sc.piece_tables:
        cheapest = np.min([p.fixed_usd_per_month + p.monthly_usd(req) for p in pieces], axis=0)
        np.testing.assert_allclose(cheapest, sum(sc.monthly_components_usd[n] for n in names), rtol=1e-12)
    decompose(sc, ctx)  # the Monte Carlo can reprice it


def test_routed_between_hosted_apis_when_the_data_may_leave(cat):
    ctx = own_cloud_ctx(cat, requests_per_day=100_000, data_may_leave=True, data_sensitivity="internal")
    sc = price(strategy("routed"), ctx, [3e6])
    assert sc.feasible and sc.details["deployment_kind"] == "hosted_api" and not sc.gpu_pieces
