"""The Monte Carlo carries the sizing model's own error: a ``sizing_speed`` multiplier whose
spread is the calibration's (served / predicted speed over data/measurements.csv), applied to
the fleets the sizing model sized and to nothing else."""

from __future__ import annotations

import html as html_module
from dataclasses import fields, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from llmstrategy.decision.cost_structure import CostModel, cost_model
from llmstrategy.decision.montecarlo import _Draws, _pieces_cost, monte_carlo
from llmstrategy.decision.spreads import load_uncertainty
from llmstrategy.economics.analysis import analyze
from llmstrategy.economics.calibration import compare, speed_ratios
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.profile import load_profile

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
CAT = load_catalog(DATA)
#: a bank's advisers' assistant, data only to its own cloud, at 100k requests a day: its private
#: deployment is provisioned throughput (the vendor's figures), its routed small share a managed endpoint
OWN_CLOUD = ROOT / "tests" / "cases" / "profiles" / "regulated_own_cloud_routing_hard_chat.yaml"


def _speeds() -> np.ndarray:
    return np.array(speed_ratios(compare(CAT)))


def test_the_spread_is_the_calibrations():
    s = load_uncertainty(DATA).spreads["sizing_speed"]
    ln = np.log(_speeds())
    assert len(ln) >= 40
    assert s.median == pytest.approx(float(np.exp(ln.mean())), abs=0.005)
    assert s.sigma == pytest.approx(float(ln.std(ddof=1)), abs=0.005)
    assert s.median < 1.0  # the model has been optimistic on average: the futures say so


@lru_cache(maxsize=4)
def _model(path: Path, requests_per_day: float) -> tuple[CostModel, object]:
    p = load_profile(path).with_updates(requests_per_day=requests_per_day)
    a = analyze(p, CAT)
    return cost_model(a.context), a


def _at(model: CostModel, speed: float):
    spec = load_uncertainty(DATA).scaled(0.0).with_spread("sizing_speed", sigma=0.0, median=speed)
    return monte_carlo(model, spec, samples=3, seed=0)


def _fleet_usd(t, x: float, speed: float) -> float:
    """A piece table's monthly cost at ``x`` requests a month, every other multiplier 1: the
    cheapest piece's c × (max(floor, q·x / s), whole replicas if reserved, + spares) + fixed."""
    need = t.replicas_per_request_month * x / speed
    if t.reserved:
        need = np.ceil(need - 1e-9)
    floor = 1.0 if t.min_replicas is None else t.min_replicas
    replicas = np.maximum(need, floor) + t.spare_replicas
    return float(np.min(t.usd_per_replica_month * replicas + t.fixed_gpu_usd_per_month + t.fixed_other_usd_per_month))


def test_half_the_speed_doubles_the_load_of_sized_fleets_and_nothing_else():
    model, a = _model(DATA / "profiles" / "contract_clause_drafting.yaml", 200_000)
    one, half = _at(model, 1.0), _at(model, 0.5)
    x0 = model.base.requests_per_month
    fleets = 0
    for sid, cs in model.structures.items():
        m1, m05 = one.monthly_usd[sid][0], half.monthly_usd[sid][0]
        assert m1 == pytest.approx(a.cost(sid).monthly_usd, rel=1e-9)  # speed 1 is the analysis
        if not cs.piece_tables:
            assert m05 == m1, sid  # hosted APIs: billed per token, whatever the sizing model says
            continue
        want = sum(_fleet_usd(t, x0, 0.5) - _fleet_usd(t, x0, 1.0) for t in cs.piece_tables)
        assert m05 - m1 == pytest.approx(want, rel=1e-9, abs=1e-6), sid
        fleets += want > 0
    assert fleets >= 4  # self-hosted, private and provider-reserved fleets all grew


def test_provisioned_units_keep_the_vendors_throughput():
    """Routing inside the own cloud: the large share on provisioned throughput (the vendor's
    tokens per minute per unit), the small one on a managed endpoint the sizing model sized."""
    model, a = _model(OWN_CLOUD, 100_000)
    assert a.cost("routed").details["deployment_kind"] == "routed_own_cloud"
    tables = model.structures["routed"].piece_tables
    kinds = [bool(t.sized.any()) if t.sized is not None else True for t in tables]
    assert sorted(kinds) == [False, True]
    x = np.full((2, 3), 1e7)  # requests a month, two samples × three months
    ones = _Draws(*[np.ones(2)] * len(fields(_Draws)))
    halves = replace(ones, speed=np.full(2, 0.5))
    for t, sized in zip(tables, kinds, strict=True):
        cost = [_pieces_cost(t, x, d, np.empty_like(x), np.empty_like(x))[0].copy() for d in (ones, halves)]
        if sized:
            assert np.all(cost[1] > cost[0])
        else:
            np.testing.assert_array_equal(cost[1], cost[0])
    one, half = _at(model, 1.0), _at(model, 0.5)  # at today's volume the small share sits at its floor
    assert half.monthly_usd["routed"][0] >= one.monthly_usd["routed"][0]


def test_every_simulated_input_has_a_plain_name_for_the_drivers():
    from llmstrategy.decision.drivers import INPUT_LABELS, Condition

    model, _ = _model(DATA / "profiles" / "contract_clause_drafting.yaml", 200_000)
    mc = _at(model, 1.0)
    assert set(mc.inputs) == set(INPUT_LABELS)
    words = Condition("sizing_speed_multiplier", None, 0.8).text()
    assert words == "self-hosted speed is at most 0.80× the sizing model's"


def test_the_report_says_what_the_futures_vary_and_on_what_basis():
    from llmstrategy.views.summary_html import SPREAD_NAMES, uncertainty_html

    spec = load_uncertainty(DATA)
    unc = {"horizon_total_usd": {"api": {"p10": 1.0, "p50": 2.0, "p90": 3.0}}, "drivers": []}
    html = uncertainty_html(unc, 12, "api", spec)
    assert all(html_module.escape(name) in html.replace("&#39;", "&#x27;") for name in SPREAD_NAMES.values())
    s = spec.spreads["sizing_speed"]
    assert f"{s.median:.2f}× the analysis" in html and "Calibration of the sizing model" in html
    assert "What the simulated futures vary" not in uncertainty_html(unc, 12, "api")
