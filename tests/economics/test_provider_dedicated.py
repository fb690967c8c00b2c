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
from llmstrategy.economics.provider_finetune import price_api_fine_tune
from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.dedicated_endpoints import load_dedicated_endpoints
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
    rate = next(d.usd_per_gpu_hour for d in one.dedicated if d.gpu_id == sc.details["gpu"])
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
    dearer endpoint; without review the cheaper one wins. The rule: bill at today's volume ÷
    requests ÷ pass rate (or + misses × review), the least wins."""
    ids = ("gemma-3-27b", "qwen2.5-72b")
    both = _only(cat, *ids)
    picks = {}
    for review in (None, 40.0):
        prof = make_profile(**PROFILE, human_review_usd_per_task=review)
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


def test_file_errors_name_the_line_and_the_field(tmp_path: Path, cat):
    header = "provider,gpu_id,usd_per_gpu_hour,min_gpus,source,as_of\n"
    bad = {
        "gpu_id": "Together AI,h900,5.49,1,s,2026-07-13\n",
        "usd_per_gpu_hour": "Together AI,h100-sxm,-1,1,s,2026-07-13\n",
        "as_of": "Together AI,h100-sxm,5.49,1,s,yesterday\n",
    }
    for field, row in bad.items():
        f = tmp_path / f"{field}.csv"
        f.write_text(header + row)
        with pytest.raises(CatalogError) as err:
            load_dedicated_endpoints(f, cat.gpus)
        text = str(err.value)
        assert field in text and f.name in text and "\n" not in text, text
    dup = tmp_path / "dup.csv"
    dup.write_text(header + "Together AI,h100-sxm,5.49,1,s,2026-07-13\n" * 2)
    with pytest.raises(CatalogError, match="duplicate"):
        load_dedicated_endpoints(dup, cat.gpus)
