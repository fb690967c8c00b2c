"""Managed endpoints of open-weight models in your own cloud (issue 16): the instance bill against a
hand computation, the fleet at the peak, the data's sources, exact break-even against the API, and
one-line errors for malformed rows."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, make_profile

from llmstrategy.economics.breakeven import affine_part, solve
from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.managed_endpoint import (
    ENDPOINT_COMPONENTS,
    SECONDS_PER_MONTH,
    endpoint_options,
    managed_endpoint_cost,
)
from llmstrategy.economics.price import price
from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.managed_endpoints import ManagedEndpointOffer, load_managed_endpoints
from llmstrategy.inputs.profile import load_profile
from llmstrategy.inputs.strategies import strategy
from llmstrategy.inputs.workload import requests_for_tokens, tokens_per_request, workload

DAY = date(2026, 11, 29)
PROFILES = sorted((DATA / "profiles").glob("*.yaml"))
HEADER = "vendor,offering,instance_type,region,usd_per_instance_hour,gpu_id,gpus_per_instance,source,as_of\n"
GOOD = "AWS,sagemaker_realtime,ml.g5.12xlarge,us-east-1,7.09,a10g,4,test,2025-01-26\n"


@pytest.fixture(scope="module")
def cat():
    return load_catalog(DATA)


def _only(cat, instance_type: str):
    """The catalog with one managed-endpoint row."""
    return replace(cat, managed_endpoints=tuple(o for o in cat.managed_endpoints if o.instance_type == instance_type))


def _cost(cat, req: float, **profile):
    p = make_profile(data_may_leave=False, own_cloud_allowed=True, **profile)
    ctx = pricing_context(p, cat, on_date=DAY)
    return managed_endpoint_cost(strategy("private_cloud"), ctx, np.array([req], dtype=float)), ctx


# --- the bill -----------------------------------------------------------------------------


def test_the_instance_bill_is_instances_times_the_hourly_price_times_730(cat):
    # ml.g5.12xlarge (4 x A10G) at $7.09 per instance-hour, llama-3.1-8b
    one = _only(cat, "ml.g5.12xlarge")
    req = 200_000 * 365 / 12
    sc, ctx = _cost(one, req, requests_per_day=200_000, assumptions={"self_host_model": "llama-3.1-8b"})
    assert sc.feasible, sc.reasons
    d = sc.details
    assert d["instance_type"] == "ml.g5.12xlarge" and d["usd_per_instance_hour"] == 7.09
    # instances by hand: the peak request rate over one instance's capacity at 80 % load
    (opt,) = [
        o
        for o in endpoint_options(strategy("private_cloud"), ctx)[0]
        if o.sizing.tensor_parallel == d["tensor_parallel"]
    ]
    served = req * (1 - ctx.profile.cache_hit_rate) * (1 + ctx.profile.retry_rate)
    peak_rps = served * ctx.profile.peak_to_average / SECONDS_PER_MONTH
    carrying = max(1, math.ceil(peak_rps / (opt.instance_requests_per_second * (1 - 0.2))))
    instances = carrying + 1  # an interactive service keeps a spare instance (N+1)
    assert d["instances"] == instances and d["spare_instances"] == 1
    assert sc.monthly_components_usd["managed_endpoint_instances"][0] == pytest.approx(7.09 * instances * 730)
    # the team's share of an engineer: self_host.ops_engineer_fraction x engineer cost
    assert sc.monthly_components_usd["operations_staff"][0] == pytest.approx(
        float(cat.value("self_host.ops_engineer_fraction")) * ctx.engineer_monthly_usd
    )
    assert sc.upfront_components_usd["private_cloud_setup"] == pytest.approx(
        float(cat.value("private_cloud.setup_engineer_months")) * ctx.engineer_monthly_usd
    )
    assert d["usd_per_gpu_hour"] == pytest.approx(7.09 / 4)


def test_a_small_load_still_pays_one_instance_all_month(cat):
    one = _only(cat, "ml.g5.xlarge")
    sc, _ = _cost(one, 10.0, requests_per_day=1, latency="batch", assumptions={"self_host_model": "llama-3.1-8b"})
    assert sc.feasible, sc.reasons
    assert sc.details["instances"] == 1 and sc.details["spare_instances"] == 0
    assert sc.monthly_components_usd["managed_endpoint_instances"][0] == pytest.approx(1.4084 * 730)


def test_an_interactive_endpoint_keeps_a_spare_instance_that_carries_no_load(cat):
    """A failed instance serves nothing until the vendor replaces it, so an interactive service runs
    N+1 (AWS Config flags a production SageMaker endpoint of one instance): one more instance billed,
    and the peak load is measured on the instances that carry it."""
    one = _only(cat, "ml.g5.xlarge")
    kw = {"requests_per_day": 1, "assumptions": {"self_host_model": "llama-3.1-8b"}}
    inter, ctx = _cost(one, 10.0, **kw)
    batch, _ = _cost(one, 10.0, latency="batch", **kw)
    assert inter.details["instances"] == batch.details["instances"] + 1 == 2
    assert inter.monthly_components_usd["managed_endpoint_instances"][0] == pytest.approx(2 * 1.4084 * 730)
    (opt,) = [
        o
        for o in endpoint_options(strategy("private_cloud"), ctx)[0]
        if o.sizing.tensor_parallel == inter.details["tensor_parallel"]
    ]
    assert inter.details["peak_capacity_requests_per_second"] == pytest.approx(opt.instance_requests_per_second)


@pytest.mark.parametrize("rpd", [100, 20_000, 500_000, 5_000_000])
def test_the_fleet_covers_the_peak(cat, rpd: int):
    sc, _ = _cost(cat, rpd * 365 / 12, requests_per_day=rpd, peak_to_average=3)
    assert sc.feasible, sc.reasons
    d = sc.details
    assert d["peak_capacity_requests_per_second"] >= d["peak_requests_per_second"]
    assert 0 < d["peak_load_to_capacity"] <= 1 - float(cat.value("self_host.peak_headroom")) + 1e-9
    assert d["gpus"] == d["instances"] * d["gpus_per_instance"]
    # the piece components are the cheapest piece's whole cost at that volume
    pieces = min(p.monthly_usd(np.array([rpd * 365 / 12]))[0] for p in sc.gpu_pieces)
    assert sum(sc.monthly_components_usd[c][0] for c in ENDPOINT_COMPONENTS) == pytest.approx(pieces)


def test_a_model_that_needs_more_gpus_than_an_instance_has_is_left_out(cat):
    one = _only(cat, "ml.g5.xlarge")  # one A10G (24 GB) cannot hold a 70B model
    sc, _ = _cost(one, 1e5, requests_per_day=3_000, assumptions={"self_host_model": "llama-3.3-70b"})
    assert not sc.feasible and "managed-endpoint" in sc.reasons[0]


def test_rag_adds_its_own_components(cat):
    p = make_profile(data_may_leave=False, own_cloud_allowed=True)
    ctx = pricing_context(p, cat, on_date=DAY)
    sc = managed_endpoint_cost(strategy("private_cloud+rag"), ctx, np.array([1e5]))
    assert sc.feasible, sc.reasons
    assert set(sc.monthly_components_usd) > set(ENDPOINT_COMPONENTS)


def test_the_gpu_multiplier_moves_the_instance_price(cat):
    doubled = cat.with_price_multipliers(gpu=2.0)
    by_type = {o.instance_type: o.usd_per_instance_hour for o in cat.managed_endpoints}
    for o in doubled.managed_endpoints:
        assert o.usd_per_instance_hour == pytest.approx(2 * by_type[o.instance_type])


# --- the data -----------------------------------------------------------------------------


def test_every_row_is_sourced_dated_and_names_a_catalog_gpu(cat):
    rows = cat.managed_endpoints
    assert {o.vendor for o in rows} >= {"AWS", "Azure", "Google"}
    for o in rows:
        assert len(o.source) > 40 and o.as_of <= date.today(), o.instance_type
        assert o.gpu_id in cat.gpus and 1 <= o.gpus_per_instance <= cat.gpus[o.gpu_id].max_gpus_per_node
        assert o.usd_per_instance_hour > 0
    # a published price, read as is: SageMaker ml.g5.12xlarge and Azure ND96isr H100 v5
    by_type = {o.instance_type: o for o in rows}
    assert by_type["ml.g5.12xlarge"].usd_per_instance_hour == 7.09
    assert by_type["Standard_ND96isr_H100_v5"].usd_per_gpu_hour == pytest.approx(98.32 / 8)


# --- exact break-even against the hosted API ------------------------------------------------


def _frontier_api(path: Path, cat):
    """An example profile whose API strategy calls a frontier model (gpt-4o): the open models the
    examples pick through an API are cheaper per token than any instance, so no break-even there."""
    p = load_profile(path)
    p = p.with_updates(assumptions=p.assumptions.model_copy(update={"api_model": "gpt-4o"}))
    return p, pricing_context(p, cat, on_date=DAY)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_break_even_against_a_frontier_api_is_exact(cat, path: Path):
    p, ctx = _frontier_api(path, cat)
    api_s, pc_s = strategy("api"), strategy("private_cloud")
    r_ref = max(workload(p).requests_per_month, 1.0)
    vols = np.array([0.0, r_ref, 2 * r_ref])
    api_c, me_c = price(api_s, ctx, vols), managed_endpoint_cost(pc_s, ctx, vols)
    assert api_c.feasible and me_c.feasible, (api_c.reasons, me_c.reasons)
    r_star = solve(affine_part(api_c, r_ref), affine_part(me_c, r_ref), me_c.gpu_pieces)
    assert r_star is not None and r_star > 0
    v = r_star * float(tokens_per_request(p))
    for factor, cheaper in ((1 - 1e-6, "api"), (1 + 1e-6, "endpoint"), (3.0, "endpoint"), (100.0, "endpoint")):
        req = np.asarray(requests_for_tokens(p, [v * factor]), dtype=float)
        api_usd = price(api_s, ctx, req).monthly_usd[0]
        me_usd = managed_endpoint_cost(pc_s, ctx, req).monthly_usd[0]
        if cheaper == "api":
            assert api_usd < me_usd, factor
        else:
            assert me_usd <= api_usd * (1 + 1e-9), factor


def test_an_open_model_through_an_api_never_breaks_even_with_an_endpoint(cat):
    # internal_kb_qa as it is: its API model (an open model at a per-token price) stays cheaper than
    # renting whole instances at every volume, and the solver says so (no break-even)
    p = load_profile(DATA / "profiles" / "internal_kb_qa.yaml")
    ctx = pricing_context(p, cat, on_date=DAY)
    r_ref = max(workload(p).requests_per_month, 1.0)
    vols = np.array([0.0, r_ref, 2 * r_ref])
    api_c = price(strategy("api"), ctx, vols)
    me_c = managed_endpoint_cost(strategy("private_cloud"), ctx, vols)
    assert ctx.catalog.models[api_c.models["api"]].open_weight
    assert solve(affine_part(api_c, r_ref), affine_part(me_c, r_ref), me_c.gpu_pieces) is None


# --- malformed rows -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("AWS,sagemaker_realtime,ml.g5.12xlarge,us-east-1,-7,a10g,4,test,2025-01-26\n", "usd_per_instance_hour", ""),
        ("AWS,sagemaker_realtime,ml.g5.12xlarge,us-east-1,7.09,a10g,0,test,2025-01-26\n", "gpus_per_instance", ""),
        ("AWS,sagemaker_realtime,ml.g5.12xlarge,us-east-1,7.09,tpu-v9,4,test,2025-01-26\n", "gpu_id", "unknown GPU"),
        ("AWS,sagemaker_realtime,ml.g5.12xlarge,us-east-1,7.09,a10g,4,,2025-01-26\n", "source", ""),
        ("AWS,sagemaker_realtime,ml.g5.12xlarge,us-east-1,7.09,a10g,4,test,someday\n", "as_of", ""),
        (GOOD, "instance_type", "duplicate"),
        ("AWS,sagemaker_realtime,ml.huge,us-east-1,7.09,a10g,16,test,2025-01-26\n", "gpus_per_instance", "node holds"),
    ],
)
def test_a_malformed_row_is_a_one_line_error_naming_file_line_and_field(
    tmp_path: Path, cat, row: str, field: str, words: str
):
    f = tmp_path / "managed_endpoints.csv"
    f.write_text(HEADER + GOOD + row)
    with pytest.raises(CatalogError) as e:
        load_managed_endpoints(f, cat.gpus)
    msg = str(e.value)
    assert "\n" not in msg and "managed_endpoints.csv" in msg and "line 3" in msg and f"'{field}'" in msg
    assert words in msg


def test_a_wrong_header_is_refused(tmp_path: Path, cat):
    f = tmp_path / "managed_endpoints.csv"
    f.write_text(HEADER.replace("gpus_per_instance", "gpus") + GOOD)
    with pytest.raises(CatalogError, match="expected the columns"):
        load_managed_endpoints(f, cat.gpus)


def test_a_missing_file_means_no_rows(tmp_path: Path, cat):
    assert load_managed_endpoints(tmp_path / "absent.csv", cat.gpus) == ()
    assert isinstance(load_managed_endpoints(DATA / "managed_endpoints.csv", cat.gpus)[0], ManagedEndpointOffer)
