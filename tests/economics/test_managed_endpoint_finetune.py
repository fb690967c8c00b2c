"""Fine-tuned models on a managed endpoint, Google Vertex AI's prediction nodes, and hiring the ML
engineer an endpoint needs (issue 16): training, labeling and retraining against a hand
computation, the tuned model's lower need and shorter prompt, retraining inside the option choice
and an exact break-even; the Vertex rows against their billing SKUs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from conftest import make_profile

from llmstrategy.economics.breakeven import affine_part, solve
from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.managed_endpoint import (
    ENDPOINT_COMPONENTS,
    FINE_TUNED_COMPONENTS,
    managed_endpoint_cost,
)
from llmstrategy.economics.price import price
from llmstrategy.economics.private_cloud import price_private_cloud
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.strategies import strategy
from llmstrategy.inputs.workload import requests_for_tokens, tokens_per_request

DAY = date(2026, 11, 29)
FT = strategy("private_cloud+fine_tune")
TEAM = {"ml_engineers": 1, "infra_engineers": 0}


@pytest.fixture(scope="module")
def cat():
    from conftest import DATA

    return load_catalog(DATA)


def _only(cat, *instance_types: str):
    return replace(cat, managed_endpoints=tuple(o for o in cat.managed_endpoints if o.instance_type in instance_types))


def _ctx(cat, **profile):
    base = {"data_may_leave": False, "own_cloud_allowed": True, "team": TEAM, **profile}
    return pricing_context(make_profile(**base), cat, on_date=DAY)


# --- the fine-tuned bill ----------------------------------------------------------------------


@pytest.mark.parametrize(("held", "to_label"), [(5_000, 0), (200, 800)])
def test_training_labeling_and_retraining_by_hand(cat, held: int, to_label: int):
    # llama-3.1-8b tuned on ml.g6.2xlarge (one L4, $1.222 an instance-hour)
    one = _only(cat, "ml.g6.2xlarge")
    ctx = _ctx(one, labeled_examples=held, assumptions={"self_host_model": "llama-3.1-8b"})
    sc = managed_endpoint_cost(FT, ctx, np.array([30_000.0]))
    assert sc.feasible, sc.reasons
    v, m, l4 = cat.value, cat.models["llama-3.1-8b"], cat.gpus["l4"]
    examples = max(held, int(v("fine_tune.examples_needed")))
    tokens = examples * (1000 + 500) * float(v("fine_tune.epochs"))
    flops = 6 * float(m.total_params_b) * 1e9 * tokens * float(v("fine_tune.lora_flops_share"))
    hours = flops / (121e12 * float(v("fine_tune.training_compute_efficiency"))) / 3600
    assert l4.bf16_dense_tflops == 121
    run = hours * 1.222  # the instance's own price per GPU-hour
    relabel = float(v("fine_tune.refresh_share")) * examples * float(v("fine_tune.usd_per_labeled_example"))
    up, mo, d = sc.upfront_components_usd, sc.monthly_components_usd, sc.details
    assert d["training_tokens"] == pytest.approx(tokens)
    assert d["training_gpu_hours"] == pytest.approx(hours)
    assert up["training"] == pytest.approx(run) and d["training_usd_per_gpu_hour"] == 1.222
    assert up["labeling"] == pytest.approx(to_label * float(v("fine_tune.usd_per_labeled_example")))
    setup = float(v("fine_tune.setup_engineer_months")) * ctx.engineer_monthly_usd
    assert up["fine_tune_setup"] == pytest.approx(setup)
    assert "private_cloud_setup" in up and "hiring" not in up  # the team has its ML engineer
    assert mo["retraining"][0] == pytest.approx((run + relabel) / float(v("fine_tune.retrain_every_months")))
    assert d["training_instance_type"] == "ml.g6.2xlarge" and "training-instance price" in d["training_price_basis"]
    assert sc.piece_components == FINE_TUNED_COMPONENTS


def test_a_tuned_model_needs_less_and_reads_a_shorter_prompt(cat):
    ctx = _ctx(cat, labeled_examples=2_000)
    plain = managed_endpoint_cost(strategy("private_cloud"), ctx, np.array([1e5]))
    tuned = managed_endpoint_cost(FT, ctx, np.array([1e5]))
    assert plain.feasible and tuned.feasible, (plain.reasons, tuned.reasons)
    uplift = float(cat.value("fine_tune.quality_uplift"))
    assert tuned.details["quality_needed"] == pytest.approx(plain.details["quality_needed"] - uplift)
    cut = float(cat.value("fine_tune.prompt_reduction"))
    assert tuned.details["input_tokens_per_request"] == pytest.approx(1000 * (1 - cut))
    assert plain.details["input_tokens_per_request"] == 1000


def test_fine_tuning_needs_labeled_examples(cat):
    sc = managed_endpoint_cost(FT, _ctx(cat, labeled_examples=0), np.array([1e5]))
    assert not sc.feasible and "labeled examples" in sc.reasons[0]


@pytest.mark.parametrize("rpd", [50, 20_000, 2_000_000])
def test_retraining_takes_part_in_the_choice(cat, rpd: int):
    # the piece components are, at every volume, the cheapest piece's instances + its retraining
    ctx = _ctx(cat, labeled_examples=3_000, requests_per_day=rpd)
    vols = np.array([rpd * 365 / 12, 10 * rpd * 365 / 12])
    sc = managed_endpoint_cost(FT, ctx, vols)
    assert sc.feasible, sc.reasons
    assert all(p.fixed_usd_per_month > 0 for p in sc.gpu_pieces)
    best = np.min([p.fixed_usd_per_month + p.monthly_usd(vols) for p in sc.gpu_pieces], axis=0)
    total = sum(sc.monthly_components_usd[c] for c in FINE_TUNED_COMPONENTS)
    np.testing.assert_allclose(total, best, rtol=1e-12)


def test_break_even_of_a_tuned_endpoint_against_a_frontier_api_is_exact(cat):
    p = make_profile(
        data_may_leave=False,
        own_cloud_allowed=True,
        team=TEAM,
        labeled_examples=2_000,
        assumptions={"api_model": "gpt-4o"},
    )
    ctx = pricing_context(p, cat, on_date=DAY)
    r_ref = 1000 * 365 / 12
    vols = np.array([0.0, r_ref, 2 * r_ref])
    api_c, me_c = price(strategy("api"), ctx, vols), managed_endpoint_cost(FT, ctx, vols)
    assert api_c.feasible and me_c.feasible, (api_c.reasons, me_c.reasons)
    r_star = solve(affine_part(api_c, r_ref), affine_part(me_c, r_ref), me_c.gpu_pieces)
    assert r_star is not None and r_star > 0
    v = r_star * float(tokens_per_request(p))
    for factor, api_cheaper in ((1 - 1e-6, True), (1 + 1e-6, False), (10.0, False)):
        req = np.asarray(requests_for_tokens(p, [v * factor]), dtype=float)
        a, e = price(strategy("api"), ctx, req).monthly_usd[0], managed_endpoint_cost(FT, ctx, req).monthly_usd[0]
        assert (a < e) if api_cheaper else (e <= a * (1 + 1e-9)), factor


def test_the_dispatcher_prices_a_tuned_private_cloud_as_an_endpoint(cat):
    # provisioned throughput has no fine-tuned offer, so the endpoint is the private cloud
    ctx = _ctx(cat, labeled_examples=2_000)
    sc = price_private_cloud(FT, ctx, np.array([3e4]))
    assert sc.feasible and sc.details["deployment_kind"] == "managed_endpoint"
    assert price(strategy("private_cloud+rag+fine_tune"), ctx, np.array([3e4])).feasible


# --- hiring the ML engineer ---------------------------------------------------------------------


@pytest.mark.parametrize(("team", "hires"), [({"ml_engineers": 0, "can_hire": True}, 1), (TEAM, 0)])
def test_a_team_without_an_ml_engineer_pays_for_hiring_one(cat, team, hires: int):
    ctx = _ctx(cat, team={**team, "hire_usd_per_engineer": 25_000, "hire_months": 3})
    sc = managed_endpoint_cost(strategy("private_cloud"), ctx, np.array([1e5]))
    assert sc.feasible, sc.reasons
    assert sc.upfront_components_usd.get("hiring", 0.0) == 25_000 * hires
    assert sc.details.get("hire_months", 0.0) == (3 if hires else 0)


def test_a_team_that_cannot_run_a_model_gets_no_endpoint(cat):
    ctx = _ctx(cat, team={"ml_engineers": 0, "can_hire": False})
    sc = price_private_cloud(strategy("private_cloud"), ctx, np.array([1e5]))
    assert not sc.feasible or sc.details["deployment_kind"] == "provisioned_throughput"
    assert not price_private_cloud(FT, ctx, np.array([1e5])).feasible


# --- Google Vertex AI prediction nodes ------------------------------------------------------------


def test_the_vertex_rows_are_the_billing_skus_summed_over_the_machine(cat):
    rows = {o.instance_type: o for o in cat.managed_endpoints if o.vendor == "Google"}
    assert set(rows) == {"a3-highgpu-1g", "a3-highgpu-8g"}
    gpu, core, ram = 11.2660332, 0.0293227, 0.0025534  # USD per GPU-hour, vCPU-hour, GB-hour (Iowa)
    for name, (gpus, vcpus, gb) in {"a3-highgpu-1g": (1, 26, 234), "a3-highgpu-8g": (8, 208, 1872)}.items():
        o = rows[name]
        assert o.offering == "vertex_online_prediction" and o.region == "us-central1" and o.gpu_id == "h100-sxm"
        assert o.gpus_per_instance == gpus
        assert o.usd_per_instance_hour == pytest.approx(gpus * gpu + vcpus * core + gb * ram, abs=1e-6)
        assert "yshimojo/zenn-articles articles/dws-flex-new-skus.md at commit bfceb8e" in o.source


def test_a_vertex_only_catalog_serves_and_tunes_models(cat):
    vertex = replace(cat, managed_endpoints=tuple(o for o in cat.managed_endpoints if o.vendor == "Google"))
    for model, instance in (("llama-3.1-8b", "a3-highgpu-1g"), ("llama-3.3-70b", None)):
        ctx = _ctx(vertex, labeled_examples=1_000, assumptions={"self_host_model": model})
        for s in (strategy("private_cloud"), FT):
            sc = managed_endpoint_cost(s, ctx, np.array([3e5]))
            assert sc.feasible, sc.reasons
            d = sc.details
            assert d["vendor"] == "Google" and d["usd_per_gpu_hour"] == pytest.approx(12.625919)
            assert instance is None or d["instance_type"] == instance
            assert sc.piece_components == (FINE_TUNED_COMPONENTS if s.uses_fine_tune else ENDPOINT_COMPONENTS)
