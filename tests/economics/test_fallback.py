"""Availability and a fallback provider (issue 16): each deployment's availability, the
fallback priced in below the profile's target, its arithmetic, and the honest refusals."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from conftest import DATA, make_profile

from llmstrategy.economics.api import api_monthly_usd, api_price
from llmstrategy.economics.context import pricing_context, request_shape
from llmstrategy.economics.fallback import api_host, provider_availability
from llmstrategy.economics.hosted import api_model_problem
from llmstrategy.economics.price import price
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.strategies import strategy

DAY = date(2026, 11, 29)
TEAM = {"ml_engineers": 2, "infra_engineers": 2}


@pytest.fixture(scope="module")
def cat():
    return load_catalog(DATA)


def ctx_for(cat, **changes):
    return pricing_context(make_profile(**changes), cat, on_date=DAY)


def test_without_a_target_availability_is_reported_and_nothing_is_added(cat):
    sc = price(strategy("api"), ctx_for(cat), [1e6])
    provider = api_host(cat.models[sc.models["api"]])
    assert sc.details["availability"] == pytest.approx(provider_availability(provider, ctx_for(cat)))
    assert not any(k.startswith("fallback") for k in sc.monthly_components_usd)
    assert price(strategy("self_host"), ctx_for(cat, team=TEAM), [1e6]).details["availability"] == pytest.approx(
        cat.value("availability.self_host")
    )


def test_a_target_above_one_provider_prices_a_fallback_of_another_provider(cat):
    ctx = ctx_for(cat, availability_target=0.999)
    req = np.array([1e6, 3e6])
    plain, sc = price(strategy("api"), ctx_for(cat), req), price(strategy("api"), ctx, req)
    a = plain.details["availability"]
    assert a < 0.999 and sc.feasible
    fb = cat.models[sc.details["fallback_model"]]
    assert api_host(fb) != api_host(cat.models[sc.models["api"]])
    a_fb = provider_availability(api_host(fb), ctx)
    assert sc.details["availability"] == pytest.approx(1 - (1 - a) * (1 - a_fb))
    assert sc.details["availability"] >= 0.999
    shape = request_shape(strategy("api"), ctx)
    expected = api_monthly_usd(req * (1 - a), api_price(fb, shape, batch=False), shape)
    np.testing.assert_allclose(sc.monthly_components_usd["fallback_api"], expected)
    upkeep = cat.value("availability.fallback_upkeep_engineer_fraction") * ctx.engineer_monthly_usd
    np.testing.assert_allclose(sc.monthly_components_usd["fallback_upkeep"], upkeep)
    np.testing.assert_allclose(sc.monthly_usd - plain.monthly_usd, expected + upkeep)
    assert sc.upfront_usd - plain.upfront_usd == pytest.approx(
        cat.value("availability.fallback_setup_engineer_months") * ctx.engineer_monthly_usd
    )


def test_a_target_no_pair_of_providers_reaches_rules_the_strategy_out(cat):
    sc = price(strategy("api"), ctx_for(cat, availability_target=0.99999), [1e6])
    assert not sc.feasible and "even with" in sc.reasons[0] and "99.999 %" in sc.reasons[0]


def test_data_that_may_not_leave_gets_no_hosted_fallback(cat):
    ctx = ctx_for(cat, data_may_leave=False, team=TEAM, availability_target=0.9995)
    sc = price(strategy("self_host"), ctx, [1e6])
    assert not sc.feasible and "hosted fallback" in sc.reasons[0]


def test_the_hybrid_carries_its_own_fallback(cat):
    sc = price(strategy("hybrid"), ctx_for(cat, team=TEAM), [1e6])
    share = sc.details["frontier_share"]
    fleet = cat.value("availability.self_host")
    api = provider_availability(cat.models[sc.models["frontier"]].provider, ctx_for(cat))
    own = 1 - (1 - fleet) * (1 - api)
    assert sc.details["availability"] == pytest.approx(share * api + (1 - share) * own)
    assert sc.details["availability"] > fleet


def test_availability_is_a_criterion_weighted_up_by_a_target():
    from llmstrategy.decision.ratings import derive_weights, load_ratings

    r = load_ratings(DATA)
    plain = derive_weights(make_profile(), r).values["availability"]
    asked = derive_weights(make_profile(availability_target=0.999), r).values["availability"]
    assert 0 < plain < asked


def test_the_host_answers_the_call_not_the_maker(cat):
    """An open-weight model priced at a hosting provider depends on that host: its prefix."""
    assert api_host(cat.models["llama-3.1-70b"]) == "DeepInfra"  # deepinfra/meta-llama/…
    assert api_host(cat.models["qwen3-30b-a3b"]) == "Nebius"
    assert api_host(cat.models["gpt-oss-120b"]) == "Groq"  # an OpenAI model, not OpenAI's API
    assert api_host(cat.models["gpt-5.5"]) == "OpenAI"  # first-party key, no prefix
    assert api_host(cat.models["claude-opus-4"]) == "AWS Bedrock"  # anthropic.claude-…-v1:0
    assert api_host(cat.models["gemini-3-flash"]) == "Google"


def test_a_fallback_never_runs_at_the_primary_s_host(cat):
    """A simple classifier's primary is priced at DeepInfra; another maker's model at DeepInfra
    also qualifies (what a by-maker rule would have taken), yet the fallback runs elsewhere."""
    changes = {"task_complexity": "low", "task_type": "classification"}
    sc = price(strategy("api"), ctx_for(cat, **changes), [1e6])
    primary = cat.models[sc.models["api"]]
    host = api_host(primary)
    assert host == "DeepInfra"
    ctx = ctx_for(cat, availability_target=0.999, **changes)
    same_host_other_maker = [
        m
        for m in cat.models.values()
        if api_host(m) == host
        and m.provider != primary.provider
        and m.has_api_price
        and api_model_problem(m, strategy("api"), ctx) is None
    ]
    assert same_host_other_maker  # e.g. Qwen or Mistral at DeepInfra
    with_fb = price(strategy("api"), ctx, [1e6])
    fb = cat.models[with_fb.details["fallback_model"]]
    assert api_host(fb) != host
    assert with_fb.details["providers"] == [host, api_host(fb)]
