"""Private deployments in your own cloud: provisioned-throughput sizing against Microsoft's own
worked examples, pricing, hard constraints and the decision path's choice (issue 16)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import DATA, make_profile

from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.price import price
from llmstrategy.economics.private_cloud import MINUTES_PER_MONTH, units_needed
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.provisioned import ProvisionedOffer
from llmstrategy.inputs.strategies import strategy
from llmstrategy.pipeline import evaluate

DAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def cat():
    return load_catalog(DATA)


def _offer(min_units: int, step: int) -> ProvisionedOffer:
    return ProvisionedOffer(
        vendor="Azure",
        offering="x",
        model_id="gpt-4o",
        commitment="hourly",
        usd_per_unit_hour=1.0,
        min_units=min_units,
        unit_step=step,
        input_tokens_per_minute_per_unit=3400,
        output_token_weight=8,
        source="test",
        as_of=DAY,
    )


@pytest.mark.parametrize(
    ("tokens_per_minute", "min_units", "step", "units"),
    [
        # Microsoft Learn, provisioned-throughput-sizing.md (Data Zone, gpt-5.2: 3,400 input TPM per PTU,
        # output ratio 8, step 5): 1,000 RPM x (200 in + 8 x 20 out) = 360,000 TPM -> 105.88 -> 110 PTU
        (1000 * (200 + 8 * 20), 15, 5, 110),
        # the same with half the prompt cached: 1,000 x (100 + 160) = 260,000 -> 76.47 -> 80 PTU
        (1000 * (100 + 8 * 20), 15, 5, 80),
        # determine-ptu-requirements.md (Regional, step 50): the same workloads give 150 and 100 PTU
        (1000 * (200 + 8 * 20), 50, 50, 150),
        (1000 * (100 + 8 * 20), 50, 50, 100),
        # a small load still pays the minimum deployment
        (1_000, 15, 5, 15),
    ],
)
def test_units_follow_the_vendors_worked_examples(tokens_per_minute, min_units, step, units):
    assert units_needed(tokens_per_minute, _offer(min_units, step)) == units


def test_private_cloud_prices_units_times_the_hourly_rate(cat):
    p = make_profile(requests_per_day=50_000, peak_to_average=2, data_may_leave=False, own_cloud_allowed=True)
    ctx = pricing_context(p, cat, on_date=DAY)
    sc = price(strategy("private_cloud"), ctx, [50_000 * 365 / 12])
    assert sc.feasible, sc.reasons
    d = sc.details
    offer = next(
        o
        for o in cat.provisioned
        if o.offering == d["offering"] and o.model_id == sc.models["private_cloud"] and o.commitment == d["commitment"]
    )
    peak_tpm = 50_000 * 365 / 12 * 2 / MINUTES_PER_MONTH * (1000 + offer.output_token_weight * 500)
    assert d["peak_tokens_per_minute"] == pytest.approx(peak_tpm)
    assert d["units"] == units_needed(peak_tpm, offer)
    assert sc.monthly_components_usd["provisioned_capacity"][0] == pytest.approx(
        d["units"] * offer.usd_per_unit_hour * 730
    )
    assert d["peak_load_to_capacity"] <= 1.0
    assert "private_cloud_setup" in sc.upfront_components_usd


def test_a_policy_that_forbids_even_your_own_cloud_rules_it_out(cat):
    _a, d = evaluate(make_profile(data_may_leave=False), cat, on_date=DAY, samples=200, with_sensitivity=False)
    i = d.scores.index("private_cloud")
    assert not d.scores.feasible[i] and "own_cloud_allowed" in " ".join(d.scores.reasons[i])


def test_no_team_and_own_cloud_allowed_gives_a_private_deployment(cat):
    p = make_profile(
        requests_per_day=20_000,
        data_may_leave=False,
        own_cloud_allowed=True,
        data_sensitivity="regulated",
        team={"ml_engineers": 0, "infra_engineers": 0},
    )
    _a, d = evaluate(p, cat, on_date=DAY, samples=200, with_sensitivity=False)
    assert d.strategy_id is not None and d.strategy_id.startswith("private_cloud")
    step = next(s for s in d.path.steps if s.question.startswith("Your own servers"))
    assert "no ML and infrastructure team" in step.answer


def test_a_strong_team_chooses_between_self_hosting_and_your_cloud_by_cost_and_says_so(cat):
    p = make_profile(
        requests_per_day=2_000_000,
        data_may_leave=False,
        own_cloud_allowed=True,
        data_sensitivity="confidential",
        team={"ml_engineers": 4, "infra_engineers": 4},
    )
    _a, d = evaluate(p, cat, on_date=DAY, samples=200, with_sensitivity=False)
    step = next(s for s in d.path.steps if s.question.startswith("Your own servers"))
    s = d.scores
    pc, sh = (float(s.cost_per_accepted_task_usd[s.index(x)]) for x in ("private_cloud", "self_host"))
    assert "cheaper per accepted task" in step.answer
    assert step.answer.startswith("a private deployment") == (pc <= sh)


def test_the_cheaper_kind_at_todays_volume_is_taken_and_the_other_named(cat):
    team = {"ml_engineers": 1, "infra_engineers": 0}
    for rpd in (2_000, 2_000_000):
        p = make_profile(data_may_leave=False, own_cloud_allowed=True, team=team, requests_per_day=rpd)
        ctx = pricing_context(p, cat, on_date=DAY)
        req = rpd * 365 / 12
        sc = price(strategy("private_cloud"), ctx, [req])
        alt = sc.details["alternative"]
        assert sc.monthly_usd[0] <= alt["monthly_usd"] + 1e-6
        assert {sc.details["deployment_kind"], alt["deployment_kind"]} == {"managed_endpoint", "provisioned_throughput"}
        # the same kind whatever volumes the curve is asked at
        wide = price(strategy("private_cloud"), ctx, [req / 100, req, req * 100])
        assert wide.details["deployment_kind"] == sc.details["deployment_kind"]


def test_a_team_without_an_ml_engineer_gets_no_managed_endpoint(cat):
    p = make_profile(data_may_leave=False, own_cloud_allowed=True, team={"ml_engineers": 0, "infra_engineers": 0})
    sc = price(strategy("private_cloud"), pricing_context(p, cat, on_date=DAY), [1e6])
    assert sc.feasible and sc.details["deployment_kind"] == "provisioned_throughput"
    assert "alternative" not in sc.details
