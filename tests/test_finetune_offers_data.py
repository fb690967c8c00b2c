"""The fine-tuning data as published (issue 15): data/finetune_offers.csv against the providers'
published rules (size bands, Vertex's tuned-model price rule, lifecycles), data/dedicated_endpoints.csv
against data/gpus.csv, and data/README_finetune.md's row counts against the files."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from conftest import DATA, make_profile

from llmstrategy.inputs.finetune_offers import FineTuneOffer, load_offers

TODAY = date(2026, 11, 30)
DEDICATED_HEADER = ["provider", "gpu_id", "usd_per_gpu_hour", "min_gpus", "valid_from", "source", "as_of"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def models() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in _rows(DATA / "models.csv")}


@pytest.fixture(scope="module")
def offers(models: dict[str, dict[str, str]]) -> tuple[FineTuneOffer, ...]:
    return load_offers(DATA / "finetune_offers.csv", models)


def test_every_offer_is_dated_no_later_than_today_and_sourced(offers):
    assert offers
    for o in offers:
        assert o.as_of <= TODAY, (o.provider, o.model_id)
        assert len(o.source) > 40, (o.provider, o.model_id)


def test_readme_row_counts_match_the_file(offers):
    text = (DATA / "README_finetune.md").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("Rows: "))
    stated = {p.strip(): int(n) for p, n in re.findall(r"([A-Z][A-Za-z ]+?) (\d+)", line.removeprefix("Rows: "))}
    counted = Counter(o.provider for o in offers)
    assert {p: n for p, n in stated.items() if n} == dict(counted)
    assert all(counted[p] == 0 for p, n in stated.items() if n == 0)


def _band(params_b: float, bands: list[tuple[float, float]]) -> float:
    return next(price for top, price in bands if params_b <= top)


def test_fireworks_lora_prices_follow_the_published_bands_by_total_parameters(offers, models):
    # fireworks.ai/pricing LoRA SFT: up to 16B $0.50, 16.1B-80B $3, 80B-300B $6, above $10
    bands = [(16.0, 0.5), (80.0, 3.0), (300.0, 6.0), (float("inf"), 10.0)]
    rows = [o for o in offers if o.provider == "Fireworks AI"]
    assert {o.model_id for o in rows} >= {"gemma-4-31b", "gemma-4-26b-a4b"}
    for o in rows:
        assert o.method == "lora" and o.serving == "dedicated"
        assert o.training_usd_per_mtok == _band(float(models[o.model_id]["total_params_b"]), bands), o.model_id


def test_together_prices_follow_the_published_bands_up_to_100b(offers, models):
    # together.ai/pricing SFT LoRA | Full: up to 16B 0.48 | 0.54, 17B-69B 1.50 | 1.65, 70-100B 2.90 | 3.20
    bands = {"lora": [(16.0, 0.48), (69.0, 1.5), (100.0, 2.9)], "full": [(16.0, 0.54), (69.0, 1.65), (100.0, 3.2)]}
    rows = [o for o in offers if o.provider == "Together AI" and float(models[o.model_id]["total_params_b"]) <= 100]
    assert "gemma-4-31b" in {o.model_id for o in rows}
    for o in rows:
        params = float(models[o.model_id]["total_params_b"])
        assert o.training_usd_per_mtok == _band(params, bands[o.method]), (o.model_id, o.method)
        assert o.serving in ("dedicated", "download") and not o.serverless_prices


def test_vertex_gemini_3_tuned_price_is_one_and_a_half_times_the_non_global_base(offers, models):
    # Vertex: "starting from Gemini 3, tuned model endpoint prediction price will be 1.5 times of the base
    # model"; the tuned model is served on the us/eu multi-region endpoints, billed at the Non-global
    # price, 10 % above the Global price that models.csv carries
    vertex = [o for o in offers if o.provider == "Google Vertex AI"]
    assert [o.model_id for o in vertex] == ["gemini-3.1-flash-lite"]
    for o in vertex:
        m = models[o.model_id]
        assert o.serverless_prices and o.accepts_new_customers and o.hosting_usd_per_month is None
        assert o.tuned_input_usd_per_mtok == pytest.approx(1.5 * 1.1 * float(m["input_usd_per_mtok"]), rel=1e-12)
        assert o.tuned_output_usd_per_mtok == pytest.approx(1.5 * 1.1 * float(m["output_usd_per_mtok"]), rel=1e-12)
        assert o.training_usd_per_mtok == 3.0


def test_a_tuned_vertex_model_does_not_outlive_its_base(offers, models):
    # "the tuned model shares the same discontinuation date as the base model": no Vertex offer on a base
    # that retires by today (Vertex retired the Gemini 2.5 family on 2026-10-20), and the base has a date
    for o in offers:
        if o.provider == "Google Vertex AI":
            retires = models[o.model_id]["deprecation_date"]
            assert retires and date.fromisoformat(retires) > TODAY, o.model_id
            assert not o.model_id.startswith("gemini-2.5"), o.model_id


def test_only_vertex_serves_a_tuned_model_per_token_to_a_new_customer(offers):
    open_per_token = {(o.provider, o.model_id) for o in offers if o.serverless_prices and o.accepts_new_customers}
    assert open_per_token == {("Google Vertex AI", "gemini-3.1-flash-lite")}


# --- data/dedicated_endpoints.csv -----------------------------------------------------------------


@pytest.fixture(scope="module")
def dedicated() -> list[dict[str, str]]:
    path = DATA / "dedicated_endpoints.csv"
    with path.open(newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == DEDICATED_HEADER
    return _rows(path)


def test_dedicated_rows_name_known_gpus_once_each_with_a_positive_rate(dedicated):
    gpus = {r["id"] for r in _rows(DATA / "gpus.csv")}
    keys = [(r["provider"], r["gpu_id"], r["valid_from"]) for r in dedicated]
    assert len(keys) == len(set(keys))
    for r in dedicated:
        assert r["gpu_id"] in gpus, r
        assert 0 < float(r["usd_per_gpu_hour"]) < 100, r
        assert int(r["min_gpus"]) >= 1, r
        assert len(r["source"]) > 40 and date.fromisoformat(r["as_of"]) <= TODAY, r
        assert date.fromisoformat(r["valid_from"]) <= date.fromisoformat(r["as_of"]), r


def test_dedicated_rates_are_the_published_figures(dedicated):
    latest: dict[tuple[str, str], dict[str, str]] = {}
    for r in dedicated:  # the rate in force today: each (provider, GPU)'s latest valid_from
        if (r["provider"], r["gpu_id"]) not in latest or r["valid_from"] > latest[(r["provider"], r["gpu_id"])][
            "valid_from"
        ]:
            latest[(r["provider"], r["gpu_id"])] = r
    rates = {k: (float(r["usd_per_gpu_hour"]), r["as_of"]) for k, r in latest.items()}
    assert rates == {
        ("Together AI", "h100-sxm"): (5.49, "2026-07-13"),
        ("Together AI", "b200"): (8.99, "2026-07-13"),
        ("Fireworks AI", "h100-sxm"): (8.0, "2026-10-07"),
        ("Fireworks AI", "h200"): (8.0, "2026-10-07"),
        ("Fireworks AI", "b200"): (13.0, "2026-10-07"),
    }


def test_every_dedicated_offer_has_a_rate_for_its_provider(offers, dedicated):
    priced = {r["provider"] for r in dedicated}
    assert {o.provider for o in offers if o.serving == "dedicated"} <= priced


# --- what the new per-token offer does in the engine ------------------------------------------------


@pytest.fixture(scope="module")
def cat():
    from llmstrategy.inputs.catalog import load_catalog

    return load_catalog(DATA)


def _api_fine_tune(cat, **changes):
    from llmstrategy.economics.context import pricing_context
    from llmstrategy.economics.price import price
    from llmstrategy.inputs.strategies import strategy

    ctx = pricing_context(make_profile(labeled_examples=2_000, **changes), cat, on_date=TODAY)
    return price(strategy("api+fine_tune"), ctx, [1e6])


def test_a_horizon_that_ends_before_the_base_retires_tunes_on_vertex(cat):
    # 3 months from 2026-11-30 ends before gemini-3.1-flash-lite retires (2027-05-07): the one open
    # per-token offer serves the tuned model at 1.5 x the Non-global base price
    sc = _api_fine_tune(cat, horizon_months=3, task_complexity="low")
    assert sc.feasible, sc.reasons
    assert sc.models == {"api": "gemini-3.1-flash-lite"}
    assert sc.details["fine_tune_provider"] == "Google Vertex AI"
    assert (sc.details["input_usd_per_mtok"], sc.details["output_usd_per_mtok"]) == pytest.approx((0.4125, 2.475))
    assert sc.upfront_components_usd["training"] == pytest.approx(sc.details["training_tokens"] * 3.0 / 1e6)


def test_a_twelve_month_horizon_outlives_the_base_and_finds_no_offer(cat):
    # the per-token offers alone (the providers' dedicated endpoints priced elsewhere): 12 months
    # from 2026-11-30 outlive gemini-3.1-flash-lite (2027-05-07)
    from dataclasses import replace

    per_token = replace(cat, finetune_offers=tuple(o for o in cat.finetune_offers if o.serving == "serverless"))
    sc = _api_fine_tune(per_token, horizon_months=12, task_complexity="low")
    assert not sc.feasible
    # with them, the tuned model is served on a provider's reserved GPUs instead
    sc = _api_fine_tune(cat, horizon_months=12, task_complexity="low")
    assert sc.feasible and sc.details["serving"] == "dedicated", sc.reasons
