"""API cost formulas against hand-computed values."""

from datetime import date

import numpy as np
import pytest
from conftest import make_profile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmstrategy.economics.analysis import analyze
from llmstrategy.economics.api import (
    RequestShape,
    api_monthly_usd,
    api_price,
    billable_requests,
    choose_api_model,
    per_1k_requests_usd,
)
from llmstrategy.inputs.workload import DAYS_PER_MONTH, workload

DAY = date(2026, 11, 23)


def test_workload_hand_computed():
    p = make_profile(
        requests_per_day=1000, input_tokens_per_request=1000, output_tokens_per_request=500, peak_to_average=3
    )
    w = workload(p)
    assert pytest.approx(30.416666666) == DAYS_PER_MONTH
    assert w.requests_per_month == pytest.approx(1000 * 365 / 12)
    assert w.tokens_per_month == pytest.approx(1000 * 365 / 12 * 1500)
    assert w.average_requests_per_second == pytest.approx(1000 / 86400)
    assert w.peak_requests_per_second == pytest.approx(3000 / 86400)


def test_api_monthly_cost_hand_computed(tiny_catalog):
    # 30,416.67 requests × 0.8 (cache) × 1.1 (retries) = 26,766.67 billable requests;
    # each (1000 × $2.50 + 500 × $10) / 1e6 = $0.0075 → $200.75 a month.
    big = tiny_catalog.models["big"]
    shape = RequestShape(1000, 500)
    price = api_price(big, shape, batch=False)
    assert price.request_usd(shape) == pytest.approx(0.0075)
    req = 1000 * 365 / 12
    assert billable_requests(req, 0.2, 0.1) == pytest.approx(req * 0.88)
    assert api_monthly_usd(req, price, shape, cache_hit_rate=0.2, retry_rate=0.1) == pytest.approx(200.75)
    assert per_1k_requests_usd(200.75, req) == pytest.approx(200.75 / req * 1000)


def test_batch_and_long_context_tiers(tiny_catalog):
    m = tiny_catalog.models["longctx"]
    short, long_ = RequestShape(100_000, 1000), RequestShape(250_000, 1000)
    assert api_price(m, short, batch=False).tier == "standard"
    p = api_price(m, long_, batch=False)
    # the whole request pays the long tier once the prompt is above 200K tokens
    assert (p.input_usd_per_mtok, p.output_usd_per_mtok, p.tier) == (2.5, 15, "long_context")
    assert p.request_usd(long_) == pytest.approx((250_000 * 2.5 + 1000 * 15) / 1e6)
    b = api_price(m, long_, batch=True)
    assert b.tier == "batch+long_context"
    assert b.input_usd_per_mtok == pytest.approx(2.5 * 0.625 / 1.25)
    assert api_price(tiny_catalog.models["big"], short, batch=True).input_usd_per_mtok == 1.25


def test_choose_api_model_is_cheapest_that_qualifies(tiny_catalog):
    models = tiny_catalog.models.values()
    shape = RequestShape(1000, 500)
    # quality 60 → 'small' (63) is the cheapest that qualifies; 'retired' is cheaper but retired
    assert choose_api_model(models, shape, quality_needed=60, batch=False, on_date=DAY).model.id == "small"
    # quality 70 → 'longctx' (80): (1000 × 1.25 + 500 × 10)/1e6 = $0.00625 beats 'big' (73) at $0.0075
    c = choose_api_model(models, shape, quality_needed=70, batch=False, on_date=DAY)
    assert c.model.id == "longctx" and "cheapest per request of 2" in c.reason
    # a 300K context rules out every 128K model
    assert (
        choose_api_model(models, shape, quality_needed=0, batch=False, context_tokens=300_000, on_date=DAY).model.id
        == "longctx"
    )
    none = choose_api_model(models, shape, quality_needed=99, batch=False, on_date=DAY)
    assert none.model is None and "reaches quality 99" in none.reason


def test_analyze_api_and_rag(tiny_catalog):
    p = make_profile(
        cache_hit_rate=0.2,
        retry_rate=0.1,
        assumptions={"api_model": "big"},
        rag={"corpus_tokens": 1_000_000, "retrieved_tokens_per_request": 2000, "corpus_refreshes_per_month": 2},
    )
    a = analyze(p, tiny_catalog, on_date=DAY)
    api, rag = a.cost("api"), a.cost("api+rag")
    assert api.monthly_usd == pytest.approx(200.75)
    assert api.upfront_usd == 0
    assert api.horizon_total_usd == pytest.approx(200.75 * 12)
    # RAG: 2,000 more input tokens a request → (3000 × 2.5 + 500 × 10)/1e6 = $0.0125 a request
    req = 1000 * 365 / 12
    inference = req * 0.8 * 1.1 * 0.0125
    query_emb = req * 0.8 * 50 * 0.02 / 1e6
    corpus_emb = 1_000_000 * 2 * 0.02 / 1e6
    gb = 1_000_000 / 512 * (1536 * 4 + 1024) / 1e9
    store = 50 + gb * 0.33
    upkeep = 0.1 * 15430
    assert rag.monthly_components_usd["api_inference"] == pytest.approx(inference)
    assert rag.monthly_usd == pytest.approx(inference + query_emb + corpus_emb + store + upkeep)
    assert rag.upfront_usd == pytest.approx(1.0 * 15430 + 1_000_000 * 0.02 / 1e6)


def test_growth_horizon_total(tiny_catalog):
    p = make_profile(monthly_growth=0.1, horizon_months=3, assumptions={"api_model": "big"})
    c = analyze(p, tiny_catalog, on_date=DAY).cost("api")
    m0 = 1000 * 365 / 12 * 0.0075
    assert c.horizon_total_usd == pytest.approx(m0 * (1 + 1.1 + 1.21))
    assert np.allclose(c.monthly_usd_by_month, [m0, m0 * 1.1, m0 * 1.21])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    v1=st.floats(1, 1e9),
    factor=st.floats(1, 1e3),
    cache=st.floats(0, 0.99),
    retry=st.floats(0, 0.99),
    inp=st.integers(1, 200_000),
    out=st.integers(0, 50_000),
)
def test_more_volume_never_costs_less(tiny_catalog, v1, factor, cache, retry, inp, out):
    shape = RequestShape(inp, out)
    for m in ("big", "small", "longctx"):
        price = api_price(tiny_catalog.models[m], shape, batch=False)
        lo = api_monthly_usd(v1, price, shape, cache_hit_rate=cache, retry_rate=retry)
        hi = api_monthly_usd(v1 * factor, price, shape, cache_hit_rate=cache, retry_rate=retry)
        assert hi >= lo >= 0


def test_reasoning_models_bill_their_hidden_tokens_as_output():
    from conftest import DATA

    from llmstrategy.economics.api import RequestShape, api_price
    from llmstrategy.inputs.catalog import load_catalog

    cat = load_catalog(DATA)
    shape = RequestShape(1000, 200)
    oss = cat.models["gpt-oss-20b"]  # reasons by default
    assert oss.reasoning_by_default
    plain = api_price(oss, shape, batch=False).request_usd(shape)
    billed = api_price(oss, shape, batch=False, reasoning_tokens_per_output_token=3).request_usd(shape)
    # hand-computed: 1,000 × in + 200 × (1 + 3) × out, per 1e6
    want = (1000 * oss.input_usd_per_mtok + 800 * oss.output_usd_per_mtok) / 1e6
    assert billed == pytest.approx(want) and billed > plain
    gpt4o = cat.models["gpt-4o"]  # does not reason: the setting changes nothing
    assert api_price(gpt4o, shape, batch=False, reasoning_tokens_per_output_token=3).request_usd(
        shape
    ) == pytest.approx(api_price(gpt4o, shape, batch=False).request_usd(shape))


def test_self_hosted_reasoning_model_needs_more_gpus_for_its_hidden_tokens():
    from datetime import date

    from conftest import DATA, make_profile

    from llmstrategy.economics.context import pricing_context
    from llmstrategy.economics.price import price
    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.strategies import strategy

    cat = load_catalog(DATA)
    gpus = {}
    for r in (0.0, 3.0):
        p = make_profile(
            requests_per_day=2_000_000,
            latency="batch",  # no first-token target: the hidden tokens cost GPUs only
            assumptions={"self_host_model": "gpt-oss-20b", "gpu": "h100-sxm", "reasoning_tokens_per_output_token": r},
        )
        ctx = pricing_context(p, cat, on_date=date(2026, 11, 23))
        sc = price(strategy("self_host"), ctx, [2_000_000 * 365 / 12])
        gpus[r] = sc.details["gpus"]
    assert gpus[3.0] > gpus[0.0] * 1.5


def test_a_self_hosted_reasoning_model_decodes_its_hidden_reasoning_before_the_first_token():
    from datetime import date

    from conftest import DATA, make_profile

    from llmstrategy.economics.context import pricing_context
    from llmstrategy.economics.price import price
    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.strategies import strategy

    cat = load_catalog(DATA)
    ttft = {}
    for r in (0.0, 3.0):
        p = make_profile(
            latency="interactive",
            latency_slo_ms=600_000,
            assumptions={"self_host_model": "gpt-oss-20b", "gpu": "h100-sxm", "reasoning_tokens_per_output_token": r},
        )
        sc = price(strategy("self_host"), pricing_context(p, cat, on_date=date(2026, 11, 23)), [1e6])
        ttft[r] = sc.details["time_to_first_token_ms"]
        tpot = sc.details["time_per_output_token_ms"]
    # 3 hidden tokens per output token are decoded before the first visible one
    hidden = 3.0 * p.output_tokens_per_request
    assert ttft[3.0] - ttft[0.0] == pytest.approx(hidden * tpot, rel=0.35)
    tight = make_profile(
        latency="interactive",
        latency_slo_ms=1_000,
        assumptions={"self_host_model": "gpt-oss-20b", "gpu": "h100-sxm", "reasoning_tokens_per_output_token": 3.0},
    )
    sc = price(strategy("self_host"), pricing_context(tight, cat, on_date=date(2026, 11, 23)), [1e6])
    assert not sc.feasible and "time to first token" in sc.reasons[0]
