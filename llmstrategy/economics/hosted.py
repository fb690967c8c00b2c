"""Hosted-API pricers: ``api`` with prompting or RAG (:func:`price_api`), provider
fine-tuning (:func:`price_api_fine_tune`), and every API model priced for one workload
(:func:`api_model_costs`, the model shortlist)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import api_monthly_usd, api_price, choose_api_model, per_1k_requests_usd
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
    provider_training_usd,
    retraining_usd_per_month,
)
from llmstrategy.inputs.catalog import ModelSpec
from llmstrategy.inputs.strategies import Adaptation, Deployment, Strategy


def select_api_model(strategy: Strategy, ctx: PricingContext) -> tuple[ModelSpec | None, str]:
    """The profile's ``assumptions.api_model`` if given (checked against the window), else
    :func:`costs_api.choose_api_model` for this strategy's request shape."""
    shape = request_shape(strategy, ctx)
    need = context_needed(strategy, ctx)
    named = ctx.profile.assumptions.api_model
    if named is not None:
        m = ctx.catalog.models[named]
        if m.context_window_tokens < need:
            return (
                None,
                f"{named}'s window ({m.context_window_tokens:,} tokens) is smaller than the {need:,.0f} tokens needed",
            )
        return m, "named in the profile (assumptions.api_model)"
    choice = choose_api_model(
        ctx.catalog.models.values(),
        shape,
        quality_needed=ctx.quality_needed,
        batch=ctx.batch,
        context_tokens=need,
        on_date=ctx.on_date,
        reasoning_tokens_per_output_token=ctx.reasoning_tokens_per_output_token,
    )
    return choice.model, choice.reason


def price_api(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``api`` deployment with prompting or RAG (fine-tuning comes with its own pricer)."""
    model, why = select_api_model(strategy, ctx)
    if model is None:
        return infeasible(strategy, req, why)
    shape = request_shape(strategy, ctx)
    price = api_price(
        model, shape, batch=ctx.batch, reasoning_tokens_per_output_token=ctx.reasoning_tokens_per_output_token
    )
    p = ctx.profile
    monthly: dict[str, NDArray[np.float64]] = {
        "api_inference": api_monthly_usd(req, price, shape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate)
    }
    upfront: dict[str, float] = {}
    add_rag(strategy, ctx, req, monthly, upfront)
    return StrategyCost(
        strategy=strategy,
        requests_per_month=req,
        monthly_components_usd=monthly,
        upfront_components_usd=upfront,
        models={"api": model.id},
        details={
            "model_choice": why,
            "price_tier": price.tier,
            "input_usd_per_mtok": price.input_usd_per_mtok,
            "output_usd_per_mtok": price.output_usd_per_mtok,
            "input_tokens_per_request": shape.input_tokens,
            "output_tokens_per_request": shape.output_tokens,
            "reasoning_tokens_per_output_token": price.reasoning_tokens_per_output_token,
        },
    )


def price_api_fine_tune(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``api+fine_tune`` / ``api+rag+fine_tune``: provider fine-tuning of the cheapest
    fine-tunable model that reaches the task's quality less the fine-tuning uplift."""
    p = ctx.profile
    ft = fine_tune_inputs(p, ctx.catalog)
    if ft.labeled_examples <= 0:
        return infeasible(strategy, req, "fine-tuning needs labeled examples (labeled_examples is 0)")
    shape = fine_tune_shape(strategy, ctx)
    need_ctx = max(context_needed(strategy, ctx), shape.context_tokens)
    need_q = ctx.quality_needed - ft.quality_uplift
    pool = [
        m
        for m in ctx.catalog.models.values()
        if m.finetune_training_usd_per_mtok is not None
        and m.finetuned_input_usd_per_mtok is not None
        and m.context_window_tokens >= need_ctx
        and (m.quality_score or 0) >= need_q
        and not (m.deprecation_date and m.deprecation_date <= ctx.on_date)
    ]
    named = p.assumptions.api_model
    if named is not None:
        pool = [m for m in pool if m.id == named]
    if not pool:
        return infeasible(
            strategy,
            req,
            f"no catalog model offers provider fine-tuning at quality ≥ {need_q:g} "
            f"with a window ≥ {need_ctx:,.0f} tokens" + (f" ({named} is not fine-tunable)" if named else ""),
        )
    r = ctx.reasoning_tokens_per_output_token
    model = min(
        pool,
        key=lambda m: (
            api_price(m, shape, batch=False, fine_tuned=True, reasoning_tokens_per_output_token=r).request_usd(shape),
            m.id,
        ),
    )
    price = api_price(model, shape, batch=False, fine_tuned=True, reasoning_tokens_per_output_token=r)
    training = provider_training_usd(ft, float(model.finetune_training_usd_per_mtok or 0))
    lab = labeling_usd(ft)
    retrain = retraining_usd_per_month(ft, training)
    monthly: dict[str, NDArray[np.float64]] = {
        "api_inference": api_monthly_usd(req, price, shape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate),
        "retraining": np.full_like(req, retrain),
    }
    upfront = {
        "training": training,
        "labeling": lab,
        "fine_tune_setup": ft.setup_engineer_months * ctx.engineer_monthly_usd,
    }
    add_rag(strategy, ctx, req, monthly, upfront)
    return StrategyCost(
        strategy,
        req,
        monthly,
        upfront,
        {"api": model.id},
        {
            "model_choice": (
                f"cheapest fine-tunable model with quality ≥ {need_q:g} (task need less the fine-tuning uplift)"
            ),
            "price_tier": price.tier,
            "input_usd_per_mtok": price.input_usd_per_mtok,
            "output_usd_per_mtok": price.output_usd_per_mtok,
            "input_tokens_per_request": shape.input_tokens,
            "output_tokens_per_request": shape.output_tokens,
            "training_usd": training,
            "labeling_usd": lab,
            "retraining_usd_per_month": retrain,
            "training_tokens": ft.training_tokens,
        },
    )



def api_model_costs(ctx: PricingContext, strategy: Strategy | None = None) -> list[dict[str, Any]]:
    """Every catalog model with an API price, priced for this workload under ``strategy``
    (default ``api``): monthly cost and cost per 1,000 requests [USD] at the profile's
    volume, with whether it meets the quality and window the task needs."""
    from llmstrategy.inputs.workload import workload

    s = strategy or Strategy(Deployment.API, Adaptation.PROMPTING)
    shape = request_shape(s, ctx)
    need = context_needed(s, ctx)
    req = workload(ctx.profile).requests_per_month
    p = ctx.profile
    rows = []
    for m in ctx.catalog.models.values():
        if not m.has_api_price:
            continue
        pr = api_price(
            m, shape, batch=ctx.batch, reasoning_tokens_per_output_token=ctx.reasoning_tokens_per_output_token
        )
        monthly = float(api_monthly_usd(req, pr, shape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate))
        problems = []
        if m.context_window_tokens < need:
            problems.append("window too small")
        if m.quality_score is None or m.quality_score < ctx.quality_needed:
            problems.append("quality below need")
        if m.deprecation_date is not None and m.deprecation_date <= ctx.on_date:
            problems.append("retired")
        rows.append(
            {
                "model": m.id,
                "provider": m.provider,
                "open_weight": m.open_weight,
                "quality_score": m.quality_score,
                "context_window_tokens": m.context_window_tokens,
                "input_usd_per_mtok": pr.input_usd_per_mtok,
                "output_usd_per_mtok": pr.output_usd_per_mtok,
                "price_tier": pr.tier,
                "monthly_usd": monthly,
                "per_1k_requests_usd": float(per_1k_requests_usd(monthly, req)),
                "meets_need": not problems,
                "why_not": ", ".join(problems),
                "deprecation_date": m.deprecation_date.isoformat() if m.deprecation_date else None,
            }
        )
    rows.sort(key=lambda r: (r["per_1k_requests_usd"], r["model"]))
    return rows
