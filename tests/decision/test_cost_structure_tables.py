"""A cost made of two piece tables whose costs add (routing inside your own cloud: the large
model's reservation beside the small one's): decomposed table by table, each component in its own
group, and repriced exactly by the Monte Carlo."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest
from conftest import DATA, make_profile

from llmstrategy.decision.cost_structure import BaseInputs, CostModel, decompose
from llmstrategy.decision.montecarlo import monte_carlo
from llmstrategy.decision.spreads import load_uncertainty
from llmstrategy.economics.context import GpuPiece, PricingContext, StrategyCost, pricing_context
from llmstrategy.errors import ComputationError
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.strategies import strategy

R = 100_000.0  # requests/month at month 0
#: the large share's provisioned units: 5 units a step at $1,105 a step, a 3-step minimum (15 units)
LARGE = GpuPiece("big", "ptu", 0, 0, 1105.0, 4e-5, True, min_replicas=3.0)
#: the small share's endpoint: a cheap instance that carries little, a dear one that carries more
SMALL = (
    GpuPiece("little", "g6", 1, 1, 900.0, 3e-5, True),
    GpuPiece("little", "a100", 1, 1, 2700.0, 5e-6, True),
)
SPILL_USD_PER_REQUEST = 0.002  # the large reservation's spill-over, billed pay-as-you-go
STAFF_USD = 7700.0  # the endpoint's operations share
ROUTER_USD_PER_REQUEST = 3e-5


@lru_cache(maxsize=1)
def ctx() -> PricingContext:
    return pricing_context(make_profile(), load_catalog(DATA))


def components(x: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "large_provisioned_capacity": LARGE.monthly_usd(x),
        "large_api_inference": SPILL_USD_PER_REQUEST * x,
        "small_managed_endpoint_instances": np.min([p.monthly_usd(x) for p in SMALL], axis=0),
        "operations_staff": np.full_like(x, STAFF_USD),
        "router": ROUTER_USD_PER_REQUEST * x,
    }


def routed_cost(x: np.ndarray) -> StrategyCost:
    return StrategyCost(
        strategy("routed"),
        x,
        components(x),
        {"private_cloud_setup": 20_000.0, "router_setup": 7_700.0},
        {"small": "little", "frontier": "big"},
        {"deployment_kind": "routed_own_cloud"},
        gpu_pieces=(LARGE,),
        piece_components=("large_provisioned_capacity",),
        extra_pieces=((SMALL, ("small_managed_endpoint_instances",)),),
    )


def test_each_table_is_decomposed_into_its_own_group():
    sc = routed_cost(np.array([0.0, R, 2 * R]))
    assert sc.all_piece_components == {"large_provisioned_capacity", "small_managed_endpoint_instances"}
    cs = decompose(sc, ctx())
    g = cs.component_groups
    assert g["large_provisioned_capacity"] == "gpu_pieces"
    assert g["small_managed_endpoint_instances"] == "gpu_pieces_2"
    assert g["large_api_inference"] == "api"  # a part's prefix is read through: spill-over moves with API prices
    assert g["operations_staff"] == "engineer" and g["router"] == "tokens"
    assert g["private_cloud_setup"] == g["router_setup"] == "engineer"
    assert cs.pieces is not None and cs.pieces.min_replicas is not None and cs.pieces.min_replicas[0] == 3.0
    (small,) = cs.extra_pieces
    assert small.usd_per_replica_month.tolist() == [900.0, 2700.0]  # neither beats the other everywhere
    assert len(cs.piece_tables) == 2
    assert cs.monthly["api"].slope_usd_per_request == pytest.approx(SPILL_USD_PER_REQUEST)
    assert cs.monthly["engineer"].intercept_usd == pytest.approx(STAFF_USD)
    assert cs.monthly["tokens"].slope_usd_per_request == pytest.approx(ROUTER_USD_PER_REQUEST)  # reads every prompt


def test_a_table_left_affine_would_not_decompose():
    """Without its table the small endpoint's step cost is taken as affine, and refused."""
    sc = replace(routed_cost(np.array([0.0, R, 2 * R])), extra_pieces=())
    with pytest.raises(ComputationError, match="small_managed_endpoint_instances"):
        decompose(sc, ctx())


def test_a_further_table_with_its_own_retraining_is_refused():
    sc = routed_cost(np.array([0.0, R, 2 * R]))
    x = sc.requests_per_month
    tuned = replace(
        sc,
        monthly_components_usd={**sc.monthly_components_usd, "small_retraining": np.full_like(x, 10.0)},
        extra_pieces=((SMALL, ("small_managed_endpoint_instances", "small_retraining")),),
    )
    with pytest.raises(ComputationError, match="retraining"):
        decompose(tuned, ctx())


def test_the_monte_carlo_adds_the_tables_each_the_cheapest_of_its_pieces():
    """Volume alone varies (wide, so both the large reservation's minimum and its steps, and both
    small instance types, are reached): each sample's month equals the components priced there."""
    cs = decompose(routed_cost(np.array([0.0, R, 2 * R])), ctx())
    base = BaseInputs(R, 1000.0, 0.0, 0.7, 0.0, 0.0, 15_400.0, 3)
    spec = load_uncertainty(DATA).scaled(0.0).with_spread("volume", sigma=1.2)
    mc = monte_carlo(CostModel(base, {"routed": cs}, {}), spec, samples=400, seed=4)
    x = mc.inputs["tokens_per_month"] / base.tokens_per_request
    want = sum(components(x).values())
    np.testing.assert_allclose(mc.monthly_usd["routed"], want, rtol=1e-9)
    np.testing.assert_allclose(mc.horizon_total_usd["routed"], 27_700.0 + 3 * want, rtol=1e-9)
    large_floor = x * LARGE.replicas_per_request_month <= 3.0
    picks_dear = SMALL[1].monthly_usd(x) < SMALL[0].monthly_usd(x)
    assert large_floor.any() and (~large_floor).any() and picks_dear.any() and (~picks_dear).any()
