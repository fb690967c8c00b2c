"""Private deployments in your own cloud: provisioned-throughput sizing against Microsoft's own
worked examples, pricing, hard constraints and the decision path's choice (issue 16)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
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


def _no_spillover(cat):
    """The catalog with every offer sized on the peak (no vendor spills over)."""
    return replace(cat, provisioned=tuple(o.model_copy(update={"spillover_to_paygo": False}) for o in cat.provisioned))


def test_private_cloud_prices_units_times_the_hourly_rate(cat):
    p = make_profile(requests_per_day=50_000, peak_to_average=2, data_may_leave=False, own_cloud_allowed=True)
    ctx = pricing_context(p, _no_spillover(cat), on_date=DAY)
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


# --- spill-over above the reservation and fine-tuned models (issue 16) ----------------------------

NO_TEAM = {"ml_engineers": 0, "infra_engineers": 0, "can_hire": False}


def _bursty(**changes):
    """Regulated, your own cloud allowed, no ML team, bursty (peak 3 × the average), 20,000 requests a
    day of 1,000 + 500 tokens."""
    base = dict(
        requests_per_day=20_000,
        peak_to_average=3,
        data_may_leave=False,
        own_cloud_allowed=True,
        data_sensitivity="regulated",
        team=NO_TEAM,
    )
    return make_profile(**{**base, **changes})


def test_a_bursty_load_reserves_less_than_its_peak_and_spills_the_rest(cat):
    """Expected before the engine ran, from the CSV rows: gpt-5.4 on Azure Global PTU, yearly term
    ($0.30274 a PTU-hour, 2,400 input tokens a minute per PTU, output weight 6, 15 PTU minimum in
    steps of 5). 608,333 requests a month × (1,000 + 6 × 500) = 4,000 weighted tokens, × 3 at the peak
    / 43,800 minutes = 166,667 tokens a minute → 69.4 PTU → 70 PTU = $15,470 a month on the peak.
    Pay-as-you-go gpt-5.4 ($2.50/$15) costs $0.010 a request = $2.5e-6 a weighted token, so a PTU's
    144,000 tokens an hour are worth $0.36 against its $0.30 price: f* = 0.84, reserve the load exceeded
    in 84 % of the hours, about a tenth of the peak (7 PTU) → the 15-PTU minimum ($3,315); the tokens
    above a tenth of the peak, roughly 70 %, spill ($6,083 × 0.7 ≈ $4,300): about $7,600 a month, half
    the $15,470 of the peak reservation. (The 15 PTU hold 0.216 of the peak, so the real spill is lower,
    about 46 %: the spill priced is an upper bound, linear in volume.)"""
    ctx = pricing_context(_bursty(), cat, on_date=DAY)
    req = 20_000 * 365 / 12
    sc = price(strategy("private_cloud"), ctx, [req])
    d, c = sc.details, sc.monthly_components_usd
    assert sc.models["private_cloud"] == "gpt-5.4" and (d["offering"], d["commitment"]) == (
        "azure_ptu_global",
        "yearly",
    )
    assert d["units"] == 15
    assert c["provisioned_capacity"][0] == pytest.approx(15 * 0.30274 * 730)
    assert d["reserved_share_of_peak"] == pytest.approx(15 * 2400 / 166_666.667, rel=1e-6)
    assert d["spillover"]["exceed_share"] == pytest.approx(0.30274 / 0.36)
    assert 0.08 < d["spillover"]["newsvendor_share_of_peak"] < 0.12
    assert 0.6 < d["spilled_token_share"] < 0.8
    # what the 15 PTU (0.216 of the peak) would really spill: less, as expected above
    assert 0.4 < d["spilled_token_share_at_these_units"] < 0.5
    # spill = share × the pay-as-you-go bill of every request
    assert c["api_spillover"][0] == pytest.approx(d["spilled_token_share"] * req * (1000 * 2.5 + 500 * 15) / 1e6)
    assert 7_000 < sc.monthly_usd[0] < 8_300
    # the peak reservation of the same profile, for comparison
    peak = price(strategy("private_cloud"), pricing_context(_bursty(), _no_spillover(cat), on_date=DAY), [req])
    assert peak.monthly_usd[0] == pytest.approx(70 * 0.30274 * 730)
    assert sc.monthly_usd[0] < 0.55 * peak.monthly_usd[0]
    # above the reservation by design, but carried: reserved + spill-over hold the peak
    assert d["peak_load_to_reserved_capacity"] > 1 and d["peak_load_to_capacity"] <= 1.0
    assert d["spillover"]["newsvendor_share_of_peak"] < d["reserved_share_of_peak"]
    assert "peak load / (reserved + spill-over) ≤ 1" in d["spillover"]["note"]


def test_price_what_ifs_re_bill_the_reservation_without_re_sizing_it(cat):
    req = 20_000 * 365 / 12
    base = price(strategy("private_cloud"), pricing_context(_bursty(), cat, on_date=DAY), [req])
    dear = cat.with_price_multipliers(api=2.0, gpu=0.5)
    sc = price(strategy("private_cloud"), pricing_context(_bursty(), dear, on_date=DAY), [req])
    assert sc.details["spilled_token_share"] == base.details["spilled_token_share"]
    c, b = sc.monthly_components_usd, base.monthly_components_usd
    assert c["api_spillover"][0] == pytest.approx(2 * b["api_spillover"][0])
    assert c["provisioned_capacity"][0] == pytest.approx(0.5 * b["provisioned_capacity"][0])


def test_the_spill_is_linear_in_volume_and_the_reservation_keeps_its_steps(cat):
    ctx = pricing_context(_bursty(), cat, on_date=DAY)
    req = 20_000 * 365 / 12
    vols = np.array([0.0, req, 2 * req, 10 * req])
    sc = price(strategy("private_cloud"), ctx, vols)
    spill = sc.monthly_components_usd["api_spillover"]
    assert spill[0] == 0 and spill[2] == pytest.approx(2 * spill[1]) and spill[3] == pytest.approx(10 * spill[1])
    (piece,) = sc.gpu_pieces
    units = piece.replicas(vols) * 5
    c_star = sc.details["spillover"]["newsvendor_share_of_peak"]
    assert units[0] == units[1] == 15  # the vendor's minimum
    # c* of a 10 × peak (694 PTU), in steps of 5
    assert units[3] == 5 * np.ceil(c_star * 10 * 166_666.667 / 2400 / 5 - 1e-9)


def test_the_monte_carlo_moves_the_spill_with_the_api_price(cat):
    from llmstrategy.decision.cost_structure import decompose

    ctx = pricing_context(_bursty(), cat, on_date=DAY)
    req = 20_000 * 365 / 12
    sc = price(strategy("private_cloud"), ctx, np.array([0.0, req, 2 * req]))
    cs = decompose(sc, ctx)
    assert cs.component_groups["api_spillover"] == "api"
    assert cs.component_groups["provisioned_capacity"] == "gpu_pieces"
    assert cs.monthly["api"].slope_usd_per_request == pytest.approx(sc.monthly_components_usd["api_spillover"][1] / req)
    assert cs.pieces is not None and cs.pieces.min_replicas is not None and cs.pieces.min_replicas[0] == 3


def test_only_offers_that_spill_over_reserve_less_than_the_peak(cat):
    ctx = pricing_context(_bursty(), _no_spillover(cat), on_date=DAY)
    sc = price(strategy("private_cloud"), ctx, [20_000 * 365 / 12])
    assert "api_spillover" not in sc.monthly_components_usd
    assert sc.details["reserved_share_of_peak"] == 1.0 and sc.details["peak_load_to_capacity"] <= 1.0
    assert "does not send traffic above the reservation" in sc.details["spillover"]


def test_a_spilling_reservation_is_recommended_and_not_under_sized(cat):
    a, d = evaluate(_bursty(), cat, on_date=DAY, samples=200, with_sensitivity=False)
    assert d.strategy_id == "private_cloud"
    details = a.cost("private_cloud").details
    assert details["spilled_token_share"] > 0 and details["peak_load_to_capacity"] <= 1.0


def test_fine_tuned_models_are_served_on_regional_ptu_where_azure_allows_it(cat):
    """Expected before the engine ran: Azure serves tuned gpt-4o-mini, gpt-4o (North Central US) and
    gpt-4.1 (Sweden Central) on Regional PTU only, hourly ($2.00, $2.20 in Sweden). The tuned prompt is
    700 + 4 × 500 = 2,700 weighted tokens → 112,500 tokens a minute at the peak → 3 PTU of gpt-4o-mini,
    below its 25-PTU minimum: 25 × $2 × 730 = $36,500 a month. Training 1,000 examples × 1,500 tokens ×
    3 epochs = 4.5M tokens × $3.30/1M (regional) = $14.85; retraining ($14.85 + 20 % × 1,000 × $2
    relabeling) / 3 months = $138.28 a month. The models retire on 2027-01-14, so only a one-month
    horizon can carry them."""
    p = _bursty(labeled_examples=1_000, horizon_months=1)
    ctx = pricing_context(p, cat, on_date=DAY)
    sc = price(strategy("private_cloud+fine_tune"), ctx, [20_000 * 365 / 12])
    assert sc.feasible, sc.reasons
    d, c, u = sc.details, sc.monthly_components_usd, sc.upfront_components_usd
    assert sc.models["private_cloud"] == "gpt-4o-mini" and d["offering"] == "azure_ptu_regional"
    assert d["units"] == 25 and c["provisioned_capacity"][0] == pytest.approx(36_500)
    assert u["training"] == pytest.approx(14.85) and c["retraining"][0] == pytest.approx((14.85 + 400) / 3)
    assert u["labeling"] == 0 and u["fine_tune_setup"] > 0 and u["private_cloud_setup"] > 0
    assert d["peak_tokens_per_minute"] == pytest.approx(112_500)
    assert "api_spillover" not in c and "sized on the peak" in d["spillover"]
    assert d["fine_tune_provider"] == "Azure"
    # with retrieval too
    rag = price(strategy("private_cloud+rag+fine_tune"), ctx, [20_000 * 365 / 12])
    assert rag.feasible and "rag_vector_store" in rag.monthly_components_usd


def test_fine_tuned_provisioned_models_say_why_they_cannot_serve(cat):
    sc = price(
        strategy("private_cloud+fine_tune"), pricing_context(_bursty(labeled_examples=1_000), cat, on_date=DAY), [1e6]
    )
    assert not sc.feasible and "retires on 2027-01-14" in sc.reasons[0]
    sc = price(strategy("private_cloud+fine_tune"), pricing_context(_bursty(horizon_months=1), cat, on_date=DAY), [1e6])
    assert not sc.feasible and "labeled examples" in sc.reasons[0]
    # a vendor with no published training price (Bedrock) or no tuned serving is named, not priced
    no_price = replace(cat, finetune_offers=tuple(o for o in cat.finetune_offers if o.serving != "provisioned"))
    p = _bursty(labeled_examples=1_000, horizon_months=1)
    sc = price(strategy("private_cloud+fine_tune"), pricing_context(p, no_price, on_date=DAY), [1e6])
    assert not sc.feasible and "publishes no price to fine-tune it" in sc.reasons[0]


def test_provisioned_only_training_offers_are_not_api_offers(cat):
    only = replace(cat, finetune_offers=tuple(o for o in cat.finetune_offers if o.serving == "provisioned"))
    assert only.finetune_offers and all(o.provider == "Azure" for o in only.finetune_offers)
    p = make_profile(labeled_examples=1_000, horizon_months=1)
    sc = price(strategy("api+fine_tune"), pricing_context(p, only, on_date=DAY), [1e6])
    assert not sc.feasible and "Azure" not in " ".join(sc.reasons)


def _choice(sc):
    return (
        dict(sc.models),
        sc.details["offering"],
        sc.details["commitment"],
        sc.details.get("spilled_token_share", 0) > 0,
    )


def test_the_monte_carlo_equals_pricing_each_sample_of_a_spilling_reservation(cat):
    """Volume, growth, retries, cache and prices sampled wide: the vectorized Monte Carlo (the
    reservation a step-priced piece × the GPU price, the spill per token × the API price) equals
    pricing each sample, because the reserved share depends only on the shape and the list prices.
    Where a sample's volume moves the offer chosen at today's volume (the Monte Carlo holds the base
    choice), the sample is not compared."""
    from llmstrategy.decision.cost_structure import cost_model
    from llmstrategy.decision.montecarlo import monte_carlo, sample_profile
    from llmstrategy.decision.spreads import load_uncertainty
    from llmstrategy.inputs.workload import monthly_volumes, workload

    p = _bursty()
    sids = ["private_cloud", "private_cloud+rag"]
    vols = monthly_volumes(workload(p).requests_per_month, p.monthly_growth, p.horizon_months)
    base = {sid: _choice(price(strategy(sid), pricing_context(p, cat, on_date=DAY), vols)) for sid in sids}
    model = cost_model(pricing_context(p, cat, on_date=DAY), sids)
    wide = load_uncertainty(DATA).scaled(1.5).with_spread("tokens_per_request", sigma=0.0)
    mc = monte_carlo(model, wide, samples=12, seed=5)
    checked = dict.fromkeys(sids, 0)
    for i in range(mc.samples):
        ps = sample_profile(p, mc, i)
        x = mc.inputs
        priced = cat.with_price_multipliers(
            api=float(x["api_price_multiplier"][i]), gpu=float(x["gpu_price_multiplier"][i])
        )
        ctx = pricing_context(ps, priced, on_date=DAY)
        vols = monthly_volumes(workload(ps).requests_per_month, ps.monthly_growth, ps.horizon_months)
        for sid in sids:
            sc = price(strategy(sid), ctx, vols)
            if _choice(sc) != base[sid]:
                continue
            checked[sid] += 1
            assert mc.monthly_usd[sid][i] == pytest.approx(float(sc.monthly_usd[0]), rel=1e-9), (sid, i)
            want = sc.upfront_usd + float(sc.monthly_usd.sum())
            assert mc.horizon_total_usd[sid][i] == pytest.approx(want, rel=1e-9), (sid, i)
    # the API and GPU prices move in every sample, and the reservation is not re-sized for them
    assert all(n >= mc.samples // 2 for n in checked.values()), checked
