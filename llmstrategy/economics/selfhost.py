"""Self-hosted, hybrid and fine-tuned strategies priced on the fleets of :mod:`fleet`.

Self-host: the fleet's GPU cost, plus operations (``ops_engineer_fraction`` ×
``engineer_monthly_usd``) and a set-up (``setup_engineer_months``). Hybrid: a share of requests
to the hosted frontier model, the rest self-hosted on a model that needs one complexity level
less. Fine-tuning: training, labeling and retraining (:mod:`costs_finetune`), a shorter prompt,
and a lower quality need.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import api_monthly_usd, api_price, billable_requests
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
    fine_tune_inputs,
    labeling_usd,
    retraining_usd_per_month,
    self_host_training_gpu_hours,
)
from llmstrategy.economics.fleet import best_fleet, fleet_details
from llmstrategy.economics.serving import self_host_settings
from llmstrategy.inputs.catalog import GpuSpec, ModelSpec
from llmstrategy.inputs.strategies import Strategy

LEVEL_BELOW = {"high": "medium", "medium": "low", "low": "low"}



def price_self_host(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``self_host`` with any adaptation."""
    return _price_fleet(strategy, ctx, req, frontier_share=0.0)


def price_hybrid(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``hybrid``: ``hybrid_frontier_share`` of requests to the hosted frontier model, the rest
    to a self-hosted model that needs one complexity level less (hard cases are routed away)."""
    share = ctx.profile.assumptions.hybrid_frontier_share
    if share is None:
        share = float(ctx.catalog.value("hybrid.default_frontier_share"))
    return _price_fleet(strategy, ctx, req, frontier_share=share)


def _price_fleet(
    strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64], *, frontier_share: float
) -> StrategyCost:
    p, v = ctx.profile, ctx.catalog.value
    s = self_host_settings(ctx)
    ft = fine_tune_inputs(p, ctx.catalog)
    if strategy.uses_fine_tune and ft.labeled_examples <= 0:
        return infeasible(strategy, req, "fine-tuning needs labeled examples (labeled_examples is 0)")
    hybrid = frontier_share > 0 or strategy.deployment.value == "hybrid"
    need_q = ctx.quality_needed
    if hybrid:
        need_q = float(v(f"quality_needed.{LEVEL_BELOW[p.task_complexity]}"))
    if strategy.uses_fine_tune:
        need_q -= ft.quality_uplift
    shape = fine_tune_shape(strategy, ctx)
    need_ctx = max(context_needed(strategy, ctx), shape.context_tokens)
    served = billable_requests(req, p.cache_hit_rate, p.retry_rate) * (1.0 - frontier_share)

    def training_run_usd(m: ModelSpec, g: GpuSpec) -> float:
        return self_host_training_gpu_hours(ft, float(m.total_params_b or 0), g) * g.on_demand_usd_per_gpu_hour

    def retrain(m: ModelSpec, g: GpuSpec) -> float:
        return retraining_usd_per_month(ft, training_run_usd(m, g))

    plan = best_fleet(ctx, shape, served, need_q, need_ctx, retrain if strategy.uses_fine_tune else None)
    if isinstance(plan, str):
        return infeasible(strategy, req, plan)
    fleet = plan.first
    served_per_request = (1.0 - p.cache_hit_rate) * (1.0 + p.retry_rate) * (1.0 - frontier_share)
    monthly: dict[str, NDArray[np.float64]] = {
        "gpu_fleet": plan.monthly_usd,
        "operations_staff": np.full_like(req, s.ops_engineer_fraction * ctx.engineer_monthly_usd),
    }
    upfront: dict[str, float] = {"self_host_setup": s.setup_engineer_months * ctx.engineer_monthly_usd}
    models = {"self_host": fleet.model.id}
    details: dict[str, Any] = {**fleet_details(plan), "quality_needed": need_q}
    if hybrid:
        fid = p.assumptions.frontier_model or str(v("default_frontier_model"))
        frontier = ctx.catalog.models.get(fid)
        if frontier is None or not frontier.has_api_price or frontier.context_window_tokens < need_ctx:
            return infeasible(strategy, req, f"frontier model {fid} has no API price or too small a window")
        fshape = request_shape(strategy, ctx)
        price = api_price(
            frontier, fshape, batch=ctx.batch, reasoning_tokens_per_output_token=ctx.reasoning_tokens_per_output_token
        )
        monthly["api_frontier"] = api_monthly_usd(
            req * frontier_share, price, fshape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate
        )
        upfront["router_setup"] = float(v("hybrid.router_setup_engineer_months")) * ctx.engineer_monthly_usd
        models["frontier"] = fid
        details["frontier_share"] = frontier_share
    piece_components: tuple[str, ...] = ("gpu_fleet",)
    if strategy.uses_fine_tune:
        hours = self_host_training_gpu_hours(ft, float(fleet.model.total_params_b or 0), fleet.gpu)
        training = training_run_usd(fleet.model, fleet.gpu)
        lab = labeling_usd(ft)
        upfront.update(
            training=training, labeling=lab, fine_tune_setup=ft.setup_engineer_months * ctx.engineer_monthly_usd
        )
        monthly["retraining"] = plan.fixed_usd_per_month
        piece_components = ("gpu_fleet", "retraining")
        details.update(
            training_usd=training,
            labeling_usd=lab,
            retraining_usd_per_month=float(plan.fixed_usd_per_month[0]),
            training_gpu_hours=hours,
            training_tokens=ft.training_tokens,
        )
    add_rag(strategy, ctx, req, monthly, upfront)
    pieces = plan.pieces(served_per_request)
    return StrategyCost(
        strategy, req, monthly, upfront, models, details, gpu_pieces=pieces, piece_components=piece_components
    )
