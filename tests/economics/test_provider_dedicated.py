"""Tuned models on a provider's dedicated endpoint (issue 15, fine-tuning providers): Together AI
serves a tuned model only on GPUs reserved for one customer, billed per GPU-hour
(``data/dedicated_endpoints.csv``). The bill against a hand computation, the smallest deployment,
the choice by cost per accepted task (not the cheapest endpoint), and one-line errors in the file."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, make_profile

from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.hosted import expected_pass_rate
from llmstrategy.economics.price import price
from llmstrategy.economics.provider_finetune import price_api_fine_tune
from llmstrategy.economics.sizing import SizingParams, size_replica
from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.dedicated_endpoints import dedicated_on, load_dedicated_endpoints
from llmstrategy.inputs.strategies import strategy
from llmstrategy.inputs.workload import HOURS_PER_MONTH, workload

DAY = date(2026, 11, 30)
FT = strategy("api+fine_tune")
# systematic format failures on an extraction task, 30k requests a day (tests/cases format_failures_10k_labels)
PROFILE = {
    "task_type": "extraction",
    "requests_per_day": 30_000,
    "input_tokens_per_request": 1500,
    "output_tokens_per_request": 250,
    "latency": "batch",
    "task_complexity": "medium",
    "needs_consistent_format": True,
    "systematic_failures": True,
    "labeled_examples": 10_000,
    "stage": "validated",
}


@pytest.fixture(scope="module")
def cat():
    return load_catalog(DATA)


def _only(cat, *model_ids: str, provider: str = "Together AI"):
    offers = tuple(o for o in cat.finetune_offers if o.provider == provider and o.model_id in model_ids)
    assert offers, (provider, model_ids)
    return replace(cat, finetune_offers=offers)


def test_the_bill_is_whole_replicas_of_gpus_at_the_hourly_rate(cat):
    one = _only(cat, "gemma-3-27b")
    ctx = pricing_context(make_profile(**PROFILE), one, on_date=DAY)
    sc = price_api_fine_tune(FT, ctx, np.array([workload(ctx.profile).requests_per_month]))
    assert sc.feasible, sc.reasons
    assert "api_inference" not in sc.monthly_components_usd  # no per-token serving
    rate = next(d.usd_per_gpu_hour for d in dedicated_on(one.dedicated, DAY) if d.gpu_id == sc.details["gpu"])
    gpus, replicas = sc.details["gpus_per_replica"], sc.details["replicas"]
    assert replicas == int(replicas) >= 1
    assert sc.details["usd_per_replica_month"] == pytest.approx(gpus * rate * HOURS_PER_MONTH)
    assert sc.monthly_components_usd["tuned_model_endpoint"][0] == pytest.approx(
        replicas * gpus * rate * HOURS_PER_MONTH
    )
    # 30k requests a day of 1,750 tokens on a 27B model: one H100 ($5.49 × 730 = $4,007.70)
    assert sc.details["gpu"] == "h100-sxm" and replicas * gpus == 1
    assert sc.details["serving"] == "dedicated" and sc.details["fine_tune_provider"] == "Together AI"
    # the latency is the sized replica's, not the shared API's default for an unmeasured model
    assert 0 < sc.details["time_to_first_token_ms"] < float(one.value("quality.unmeasured_api_ttft_ms"))


def test_a_replica_below_the_smallest_deployment_pays_for_it(cat):
    one = _only(cat, "gemma-3-27b")
    two = replace(one, dedicated=tuple(d.model_copy(update={"min_gpus": 2}) for d in one.dedicated))
    req = np.array([900_000.0])
    a = price_api_fine_tune(FT, pricing_context(make_profile(**PROFILE), one, on_date=DAY), req)
    b = price_api_fine_tune(FT, pricing_context(make_profile(**PROFILE), two, on_date=DAY), req)
    assert a.details["gpus_per_replica"] == 1
    assert b.monthly_components_usd["tuned_model_endpoint"][0] == pytest.approx(
        2 * a.monthly_components_usd["tuned_model_endpoint"][0]
    )


def test_without_an_hourly_rate_the_dedicated_offer_is_refused_with_the_reason(cat):
    none = replace(_only(cat, "gemma-3-27b"), dedicated=())
    sc = price_api_fine_tune(FT, pricing_context(make_profile(**PROFILE), none, on_date=DAY), np.array([9e5]))
    assert not sc.feasible
    assert "dedicated capacity only (no USD per GPU-hour in the data)" in "; ".join(sc.reasons)


def test_the_offer_is_chosen_by_cost_per_accepted_task_not_by_the_cheapest_endpoint(cat):
    """A person fixing each failed task ($40) makes the model that passes more tasks worth its
    dearer endpoint; without review, where a failed task is retried until it passes (failures not
    systematic), the cheaper one wins. The rule: bill at today's volume ÷ requests ÷ pass rate (or
    + misses × review), the least wins."""
    ids = ("gemma-3-27b", "qwen2.5-72b")
    both = _only(cat, *ids)
    picks = {}
    for review in (None, 40.0):
        prof = make_profile(**{**PROFILE, "systematic_failures": False}, human_review_usd_per_task=review)
        ctx = pricing_context(prof, both, on_date=DAY)
        req = np.array([workload(prof).requests_per_month])
        alone = {}
        for mid in ids:
            sc = price_api_fine_tune(FT, pricing_context(prof, _only(cat, mid), on_date=DAY), req)
            assert sc.feasible, (mid, sc.reasons)
            per_request = float(sc.monthly_usd[0]) / req[0]  # endpoint + retraining
            lowered = ctx.quality.lowered(float(ctx.catalog.value("fine_tune.quality_uplift")))
            passed = expected_pass_rate(ctx.catalog.models[mid], ctx, lowered)
            alone[mid] = per_request + (1 - passed) * review if review else per_request / passed
        picks[review] = price_api_fine_tune(FT, ctx, req).models["api"]
        assert picks[review] == min(alone, key=lambda k: alone[k]), alone
    assert picks[None] != picks[40.0], picks  # the rule, not the cheapest endpoint, decides
    # systematic failures and no review: a retry does not fix a failed task, so the cheaper model
    # more than quality.fine_tune_max_pass_loss below the other is not taken
    ctx = pricing_context(make_profile(**PROFILE), both, on_date=DAY)
    lowered = ctx.quality.lowered(float(ctx.catalog.value("fine_tune.quality_uplift")))
    rates = {m: expected_pass_rate(ctx.catalog.models[m], ctx, lowered) for m in ids}
    assert abs(rates[ids[0]] - rates[ids[1]]) > float(ctx.catalog.value("quality.fine_tune_max_pass_loss"))
    req = np.array([workload(make_profile(**PROFILE)).requests_per_month])
    assert price_api_fine_tune(FT, ctx, req).models["api"] == max(rates, key=lambda k: rates[k])


def test_file_errors_name_the_line_and_the_field(tmp_path: Path, cat):
    header = "provider,gpu_id,usd_per_gpu_hour,min_gpus,valid_from,source,as_of\n"
    bad = {
        "gpu_id": "Together AI,h900,5.49,1,2026-07-13,s,2026-07-13\n",
        "usd_per_gpu_hour": "Together AI,h100-sxm,-1,1,2026-07-13,s,2026-07-13\n",
        "as_of": "Together AI,h100-sxm,5.49,1,2026-07-13,s,yesterday\n",
        "valid_from": "Together AI,h100-sxm,5.49,1,2026-08-01,s,2026-07-13\n",  # valid from after it was read
    }
    for field, row in bad.items():
        f = tmp_path / f"{field}.csv"
        f.write_text(header + row)
        with pytest.raises(CatalogError) as err:
            load_dedicated_endpoints(f, cat.gpus)
        text = str(err.value)
        assert field in text and f.name in text and "\n" not in text, text
    dup = tmp_path / "dup.csv"
    dup.write_text(header + "Together AI,h100-sxm,5.49,1,2026-07-13,s,2026-07-13\n" * 2)
    with pytest.raises(CatalogError, match="duplicate"):
        load_dedicated_endpoints(dup, cat.gpus)


@pytest.mark.parametrize(
    ("day", "usd_per_gpu_hour"),
    [(date(2026, 6, 20), 6.49), (date(2026, 7, 10), 5.40), (date(2026, 11, 30), 5.49)],
)
def test_the_endpoint_is_priced_as_it_was_on_the_analysis_date(cat, day, usd_per_gpu_hour):
    """Together's published H100 rate moved twice in 2026 (data/dedicated_endpoints.csv, each row
    from the earliest source showing it): an analysis as of a date bills the rate then."""
    one = _only(cat, "gemma-3-27b")
    one = replace(one, dedicated=tuple(d for d in one.dedicated if d.gpu_id == "h100-sxm"))
    ctx = pricing_context(make_profile(**PROFILE), one, on_date=day)
    sc = price_api_fine_tune(FT, ctx, np.array([workload(ctx.profile).requests_per_month]))
    assert sc.feasible, sc.reasons
    assert sc.details["usd_per_replica_month"] == pytest.approx(usd_per_gpu_hour * HOURS_PER_MONTH)


def test_before_its_first_published_rate_a_provider_has_no_endpoint(cat):
    ctx = pricing_context(make_profile(**PROFILE), _only(cat, "gemma-3-27b"), on_date=date(2026, 6, 1))
    sc = price_api_fine_tune(FT, ctx, np.array([9e5]))
    assert not sc.feasible and "no USD per GPU-hour in the data" in "; ".join(sc.reasons)


def _with_round_trips(cat, remote_ms: float, in_region_ms: float):
    d = dict(cat.defaults)
    for key, ms in (
        ("self_host.network_round_trip_remote_ms", remote_ms),
        ("self_host.network_round_trip_in_region_ms", in_region_ms),
    ):
        d[key] = replace(d[key], value=ms)
    return replace(cat, defaults=d)


def test_the_providers_gpus_are_a_network_round_trip_away_and_your_own_fleet_is_not(cat):
    """A hosted API's measured time to first token includes its network path (Artificial Analysis
    times from the request sent); a sized one does not, so the engine adds the round trip: one
    between two regions to a provider's GPUs, one within a region to a fleet beside the application."""
    one = _only(cat, "gemma-3-27b")
    remote, in_region = (
        float(cat.value("self_host.network_round_trip_remote_ms")),
        float(cat.value("self_host.network_round_trip_in_region_ms")),
    )
    assert remote > in_region > 0

    def ttft(c, strat, profile):
        ctx = pricing_context(make_profile(**profile), c, on_date=DAY)
        sc = price(strat, ctx, np.array([workload(ctx.profile).requests_per_month]))
        assert sc.feasible, sc.reasons
        return float(sc.details["time_to_first_token_ms"])

    tuned = ttft(one, FT, PROFILE) - ttft(_with_round_trips(one, 0.0, 0.0), FT, PROFILE)
    assert tuned == pytest.approx(remote)
    own = {**PROFILE, "assumptions": {"self_host_model": "gemma-3-27b"}}
    sh = strategy("self_host")
    fleet = ttft(one, sh, own) - ttft(_with_round_trips(one, 0.0, 0.0), sh, own)
    assert fleet == pytest.approx(in_region)


def test_a_target_the_round_trip_pushes_over_refuses_the_layout_with_the_figure():
    cat = load_catalog(DATA)
    m, g = cat.models["llama-3.1-8b"], cat.gpus["h100-sxm"]
    kw = dict(
        input_tokens=1000.0,
        output_tokens=200.0,
        latency="interactive",
        tpot_slo_ms=50.0,
        params=SizingParams.from_catalog(cat),
    )
    near = size_replica(m, g, "fp8", 1, 1, ttft_slo_ms=10_000.0, **kw)
    assert near.fits
    slo = near.time_to_first_token_ms + 10.0
    assert size_replica(m, g, "fp8", 1, 1, ttft_slo_ms=slo, **kw).fits
    far = size_replica(m, g, "fp8", 1, 1, ttft_slo_ms=slo, network_round_trip_ms=31.0, **kw)
    assert not far.fits
    assert far.time_to_first_token_ms == pytest.approx(near.time_to_first_token_ms + 31.0)
    assert f"{far.time_to_first_token_ms:,.0f} ms exceeds the {slo:g} ms target" in far.reason


def test_an_interactive_service_keeps_a_spare_replica_on_the_providers_gpus(cat):
    """A reserved replica that fails serves nothing until it is replaced: an interactive service
    pays one more (N+1), a batch job none."""
    one = _only(cat, "gemma-3-27b")

    def priced(latency: str):
        ctx = pricing_context(make_profile(**{**PROFILE, "latency": latency}), one, on_date=DAY)
        sc = price_api_fine_tune(FT, ctx, np.array([workload(ctx.profile).requests_per_month]))
        assert sc.feasible, sc.reasons
        return sc

    inter, batch = priced("interactive"), priced("batch")
    assert batch.details["spare_replicas"] == 0 and inter.details["spare_replicas"] == 1
    assert inter.details["replicas"] >= 2
    bill = inter.details["replicas"] * inter.details["usd_per_replica_month"]
    assert inter.monthly_components_usd["tuned_model_endpoint"][0] == pytest.approx(bill)
