"""Self-hosted, hybrid and fine-tuned strategies priced on the fleets of :mod:`fleet`.

Self-host: the fleet's GPU cost, plus operations (``ops_engineer_fraction`` ×
``engineer_monthly_usd``) and a set-up (``setup_engineer_months``). Hybrid: a share of requests
to the hosted frontier model, the rest self-hosted on a model that needs one complexity level
less. Fine-tuning: training, labeling and retraining (:mod:`costs_finetune`), a shorter prompt,
and a lower quality need.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import RequestShape, api_monthly_usd, api_price, billable_requests
from llmstrategy.economics.context import (
    PricingContext,
    StrategyCost,
    add_rag,
    context_needed,
    fine_tune_shape,
    infeasible,
    request_shape,
)
from llmstrategy.economics.finetune import (
    fine_tune_details,
    fine_tune_inputs,
    fine_tune_upfront_usd,
    retraining_usd_per_month,
    training_run_usd,
)
from llmstrategy.economics.fleet import FleetPlan, best_fleet, fleet_details
from llmstrategy.economics.hosted import accepted_task_usd, frontier_model, tuned_choice_pool
from llmstrategy.economics.quality import quality_need
from llmstrategy.economics.routing import LEVEL_BELOW, route_settings, router_monthly_usd
from llmstrategy.economics.serving import (
    SelfHostSettings,
    self_host_settings,
    serving_setup,
    training_usd_per_gpu_hour,
)
from llmstrategy.inputs.catalog import GpuSpec, ModelSpec
from llmstrategy.inputs.profile import Profile
from llmstrategy.inputs.strategies import Strategy
from llmstrategy.inputs.workload import DAYS_PER_MONTH, SECONDS_PER_DAY, workload


def peak_capacity(
    plan: FleetPlan, served_per_month: float, ctx: PricingContext, s: SelfHostSettings
) -> dict[str, float]:
    """The month-0 fleet at the peak: peak request rate [req/s] = served requests per month ×
    peak_to_average / seconds per month; replicas that carry it (reserved: the fleet less its
    spares; on demand: scaled up to ⌈peak / (capacity × (1 − headroom))⌉) and their capacity;
    load / capacity ≤ 1 − headroom by construction."""
    f = plan.first
    cap = f.sizing.requests_per_second
    setup = serving_setup(RequestShape(0.0, 0.0), ctx, s)
    peak = served_per_month * ctx.profile.peak_to_average / (DAYS_PER_MONTH * SECONDS_PER_DAY)
    if s.gpu_pricing == "reserved":
        carrying = float(plan.replicas[0]) - setup.spare_replicas
    else:
        carrying = max(1.0, math.ceil(peak / (cap * (1.0 - setup.peak_headroom)) - 1e-9))
    return {
        "peak_requests_per_second": peak,
        "peak_replicas": carrying + setup.spare_replicas,
        "spare_replicas": setup.spare_replicas,
        "peak_capacity_requests_per_second": carrying * cap,
        "peak_load_to_capacity": peak / (carrying * cap) if cap > 0 else math.inf,
    }


def engineers_to_hire(p: Profile) -> int:
    """Engineers self-hosting lacks: one ML engineer and one infrastructure engineer at least
    (seed 001: a self-hosted build needs an ML + infra team) [headcount]."""
    return int(p.team.ml_engineers <= 0) + int(p.team.infra_engineers <= 0)


def hire_months(ctx: PricingContext) -> float:
    """Months to hire (``team.hire_months`` or ``hiring.months``)."""
    t = ctx.profile.team
    return float(t.hire_months if t.hire_months is not None else ctx.catalog.value("hiring.months"))


def hire_usd_per_engineer(ctx: PricingContext) -> float:
    """One-off cost of hiring one engineer [USD] (``team.hire_usd_per_engineer`` or ``hiring.usd_per_engineer``)."""
    t = ctx.profile.team
    return float(
        t.hire_usd_per_engineer if t.hire_usd_per_engineer is not None else ctx.catalog.value("hiring.usd_per_engineer")
    )


def price_self_host(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``self_host`` with any adaptation."""
    return _price_fleet(strategy, ctx, req, frontier_share=0.0)


def price_hybrid(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``hybrid``: routing (:mod:`routing`) with the small model self-hosted: a share of requests
    (``assumptions.hybrid_frontier_share``, the profile's ``routing:``, or RouteLLM's operating point
    for the task type) to the hosted frontier model, the rest to a self-hosted model that needs one
    complexity level less (hard cases are routed away)."""
    s = route_settings(ctx, strong_share=ctx.profile.assumptions.hybrid_frontier_share)
    return _price_fleet(strategy, ctx, req, frontier_share=s.strong_share)


def _price_fleet(
    strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64], *, frontier_share: float
) -> StrategyCost:
    p, v = ctx.profile, ctx.catalog.value
    s = self_host_settings(ctx)
    ft = fine_tune_inputs(p, ctx.catalog)
    if strategy.uses_fine_tune and ft.labeled_examples <= 0:
        return infeasible(strategy, req, "fine-tuning needs labeled examples (labeled_examples is 0)")
    hybrid = frontier_share > 0 or strategy.deployment.value == "hybrid"
    need = quality_need(p, ctx.catalog, level=LEVEL_BELOW[p.task_complexity]) if hybrid else ctx.quality
    if strategy.uses_fine_tune:
        need = need.lowered(ft.quality_uplift)
    need_q = need.primary.min_scores[0]
    shape = fine_tune_shape(strategy, ctx)
    need_ctx = max(context_needed(strategy, ctx), shape.context_tokens)
    served = billable_requests(req, p.cache_hit_rate, p.retry_rate) * (1.0 - frontier_share)

    def retrain(m: ModelSpec, g: GpuSpec) -> float:
        run = training_run_usd(ft, float(m.total_params_b or 0), g, training_usd_per_gpu_hour(g, s))
        return retraining_usd_per_month(ft, run)

    today = billable_requests(np.array([workload(p).requests_per_month]), p.cache_hit_rate, p.retry_rate)
    plan = best_fleet(
        ctx,
        shape,
        served,
        need,
        need_ctx,
        retrain if strategy.uses_fine_tune else None,
        accepted=lambda m, usd: accepted_task_usd(m, usd, ctx, need),
        served_today=float(today[0]) * (1.0 - frontier_share),
        pool=(lambda ms: tuned_choice_pool(ms, ctx, need)) if strategy.uses_fine_tune else None,
    )
    if isinstance(plan, str):
        return infeasible(strategy, req, plan)
    fleet = plan.first
    served_per_request = (1.0 - p.cache_hit_rate) * (1.0 + p.retry_rate) * (1.0 - frontier_share)
    monthly: dict[str, NDArray[np.float64]] = {
        "gpu_fleet": plan.gpu_only_monthly_usd,
        "fleet_operations": plan.monthly_usd - plan.gpu_only_monthly_usd,  # staff that grows with the GPUs
        "operations_staff": np.full_like(req, s.ops_engineer_fraction * ctx.engineer_monthly_usd),
    }
    upfront: dict[str, float] = {"self_host_setup": s.setup_engineer_months * ctx.engineer_monthly_usd}
    models = {"self_host": fleet.model.id}
    details: dict[str, Any] = {**fleet_details(plan), "quality_needed": need_q, "gpu_market": s.gpu_market}
    details.update(peak_capacity(plan, served[0], ctx, s))
    hires = engineers_to_hire(p)
    if hires and p.team.can_hire:
        upfront["hiring"] = hires * hire_usd_per_engineer(ctx)
        details.update(engineers_to_hire=hires, hire_months=hire_months(ctx))
    if hybrid:
        frontier = frontier_model(ctx)
        fid = frontier.id if frontier is not None else str(p.assumptions.frontier_model)
        if frontier is None or not frontier.has_api_price or frontier.context_window_tokens < need_ctx:
            return infeasible(strategy, req, f"frontier model {fid} has no API price or too small a window")
        if frontier.id == fleet.model.id:  # as routing says when both parts would run one model
            return infeasible(
                strategy, req, f"nothing to route: {fid} is already the model you would self-host for the easy cases"
            )
        fshape = request_shape(strategy, ctx)
        price = api_price(
            frontier, fshape, batch=ctx.batch, reasoning_tokens_per_output_token=ctx.reasoning_tokens_per_output_token
        )
        monthly["api_frontier"] = api_monthly_usd(
            req * frontier_share, price, fshape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate
        )
        upfront["router_setup"] = float(v("hybrid.router_setup_engineer_months")) * ctx.engineer_monthly_usd
        rs = route_settings(ctx, strong_share=frontier_share)
        monthly["router"] = router_monthly_usd(req, fshape.input_tokens, rs)
        models["frontier"] = fid
        details.update(
            frontier_share=frontier_share,
            quality_retained=rs.quality_retained,
            routing_source=rs.source,
            router_latency_ms=rs.router_latency_ms,
        )
    piece_components: tuple[str, ...] = ("gpu_fleet", "fleet_operations")
    if strategy.uses_fine_tune:
        size_b, g = float(fleet.model.total_params_b or 0), fleet.gpu
        training = fine_tune_details(ft, size_b, g, training_usd_per_gpu_hour(g, s))
        upfront.update(fine_tune_upfront_usd(ft, training["training_usd"], ctx.engineer_monthly_usd))
        monthly["retraining"] = plan.fixed_usd_per_month
        piece_components = ("gpu_fleet", "fleet_operations", "retraining")
        details.update(training)
    add_rag(strategy, ctx, req, monthly, upfront)
    pieces = plan.pieces(served_per_request)
    return StrategyCost(
        strategy, req, monthly, upfront, models, details, gpu_pieces=pieces, piece_components=piece_components
    )
