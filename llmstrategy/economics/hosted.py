"""Hosted-API pricers: ``api`` with prompting or RAG (:func:`price_api`), provider
fine-tuning (:func:`price_api_fine_tune`), and every API model priced for one workload
(:func:`api_model_costs`, the model shortlist)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import api_monthly_usd, api_price, choose_api_model, per_1k_requests_usd
from llmstrategy.economics.context import (
    PricingContext,
    StrategyCost,
    add_rag,
    context_needed,
    infeasible,
    request_shape,
)
from llmstrategy.economics.quality import (
    QualityNeed,
    meets,
    pass_params,
    proxy_pass_rate,
    quality_gap,
)
from llmstrategy.inputs.catalog import ModelSpec
from llmstrategy.inputs.evals import EvalResult, merge
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
        batch=ctx.batch,
        context_tokens=need,
        on_date=ctx.on_date,
        reasoning_tokens_per_output_token=ctx.reasoning_tokens_per_output_token,
        qualifies=lambda m: api_model_problem(m, strategy, ctx),
        need_text=ctx.quality.describe() + ", the latency target and the horizon",
        accepted_usd=lambda m, usd: accepted_task_usd(m, usd, ctx),
    )
    if choice.model is None:  # only models retiring inside the horizon are left: price a migration
        late = choose_api_model(
            ctx.catalog.models.values(),
            shape,
            batch=ctx.batch,
            context_tokens=need,
            on_date=ctx.on_date,
            reasoning_tokens_per_output_token=ctx.reasoning_tokens_per_output_token,
            qualifies=lambda m: api_model_problem(m, strategy, ctx, lifecycle=False),
            need_text=ctx.quality.describe() + " and the latency target",
            accepted_usd=lambda m, usd: accepted_task_usd(m, usd, ctx),
        )
        if late.model is not None and late.model.deprecation_date is not None:
            return late.model, (
                f"{late.reason}; it retires on {late.model.deprecation_date.isoformat()}, inside the horizon, and "
                "no qualifying model lasts it: plan a migration"
            )
    return choice.model, choice.reason


def expected_pass_rate(m: ModelSpec, ctx: PricingContext, need: QualityNeed | None = None) -> float:
    """The model's expected first-attempt pass rate on this task: the profile's measured pass
    rate, or the proxy from its capability gap to ``need`` (default the task's; a lowered need
    counts fine-tuning's uplift)."""
    ev = measured(ctx).get(m.id)
    if ev is not None:
        return ev.pass_rate
    gap = quality_gap(m, need or ctx.quality, ctx.catalog)
    return proxy_pass_rate(gap if gap is not None else 0.0, pass_params(ctx.catalog))


def accepted_task_usd(m: ModelSpec, request_usd: float, ctx: PricingContext, need: QualityNeed | None = None) -> float:
    """Cost per accepted task of a request costing ``request_usd`` [USD]: retried until it passes
    (request / pass), or, with ``human_review_usd_per_task``, fixed by a person when it fails
    (request + (1 − pass) × review)."""
    p = max(expected_pass_rate(m, ctx, need), 1e-6)
    review = ctx.profile.human_review_usd_per_task
    return request_usd + (1 - p) * review if review is not None else request_usd / p


def retries_cannot_buy_accuracy(ctx: PricingContext) -> bool:
    """Whether a failed task stays failed when retried: systematic failures (seed 003 step 4), or a
    required accuracy that nothing downstream catches."""
    p = ctx.profile
    return p.systematic_failures or (p.required_accuracy is not None and not p.errors_caught_downstream)


def tuned_choice_pool(models: Iterable[ModelSpec], ctx: PricingContext, need: QualityNeed) -> frozenset[str]:
    """The ids a fine-tuned-model choice may take among ``models`` (all qualifying for ``need``, the
    task's need less the uplift): where retries cannot buy accuracy and no person fixes a failed
    task (``human_review_usd_per_task``, which the cost per accepted task then prices), those whose
    expected pass rate is within ``quality.fine_tune_max_pass_loss`` of the best of them (a lower
    cost per accepted task assumes a failed task is retried until it passes); else all."""
    ms = list(models)
    if not ms or not retries_cannot_buy_accuracy(ctx) or ctx.profile.human_review_usd_per_task is not None:
        return frozenset(m.id for m in ms)
    rates = {m.id: expected_pass_rate(m, ctx, need) for m in ms}
    floor = max(rates.values()) - float(ctx.catalog.value("quality.fine_tune_max_pass_loss")) - 1e-12
    return frozenset(k for k, r in rates.items() if r >= floor)


def measured(ctx: PricingContext) -> dict[str, EvalResult]:
    """The profile's own eval results per model (seed 004 step 4: test on real customer data)."""
    return merge(ctx.profile.evals)


def quality_problem(m: ModelSpec, ctx: PricingContext, need: QualityNeed | None = None) -> str | None:
    """Why ``m`` does not meet the task's quality: the profile's measured pass rate below the bar
    (``required_accuracy`` or ``quality.measured_pass_rate_needed``) for a model its evals
    measured, else the capability requirements of :mod:`quality`."""
    ev = measured(ctx).get(m.id)
    if ev is not None:
        bar = ctx.profile.required_accuracy or float(ctx.catalog.value("quality.measured_pass_rate_needed"))
        if ev.pass_rate < bar:
            return f"measured pass rate {ev.pass_rate:.1%} ({ev.passed}/{ev.total}) below {bar:.1%}"
        return None
    return meets(m, need or ctx.quality, ctx.catalog)


def expected_ttft_ms(m: ModelSpec, strategy: Strategy, ctx: PricingContext) -> float:
    """Time to the first answer token of a hosted model [ms]: the profile's measured latency, the
    published median (``data/api_latency.csv``) or the seed's midpoint, plus retrieval under RAG."""
    ev = measured(ctx).get(m.id)
    lat = ctx.catalog.api_latency.get(m.id)
    base = (
        ev.latency_ms
        if ev is not None and ev.latency_ms is not None
        else lat.ttft_ms
        if lat is not None and lat.ttft_ms is not None
        else float(ctx.catalog.value("quality.unmeasured_api_ttft_ms"))
    )
    return base + (float(ctx.catalog.value("quality.retrieval_latency_ms")) if strategy.uses_rag else 0.0)


def latency_problem(m: ModelSpec, strategy: Strategy, ctx: PricingContext) -> str | None:
    """Why a hosted model misses the profile's latency targets: time to first token (plus
    retrieval) above ``latency_slo_ms``, or an output speed below 1000 / ``tpot_slo_ms``."""
    p = ctx.profile
    if p.latency_slo_ms is not None:
        ttft = expected_ttft_ms(m, strategy, ctx)
        if ttft > p.latency_slo_ms:
            return f"first token after ~{ttft:,.0f} ms, above the {p.latency_slo_ms:,.0f} ms target"
    lat = ctx.catalog.api_latency.get(m.id)
    speed = lat.output_tokens_per_second if lat is not None else None
    if p.tpot_slo_ms is not None and speed is not None and speed < 1000.0 / p.tpot_slo_ms:
        return f"{speed:,.0f} tokens/s, below the {1000.0 / p.tpot_slo_ms:,.0f} tokens/s target"
    return None


def lifecycle_problem(m: ModelSpec, ctx: PricingContext) -> str | None:
    """Why ``m`` cannot carry the horizon: it retires before its end."""
    if m.deprecation_date is not None and m.deprecation_date <= ctx.usable_until:
        return f"retires on {m.deprecation_date.isoformat()}, inside the {ctx.profile.horizon_months}-month horizon"
    return None


def api_model_problem(
    m: ModelSpec, strategy: Strategy, ctx: PricingContext, *, lifecycle: bool = True, need: QualityNeed | None = None
) -> str | None:
    """The first reason a hosted model does not fit this task (quality, latency, lifecycle), or None."""
    return (
        quality_problem(m, ctx, need)
        or latency_problem(m, strategy, ctx)
        or (lifecycle_problem(m, ctx) if lifecycle else None)
    )


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
            "time_to_first_token_ms": expected_ttft_ms(model, strategy, ctx)
            - (float(ctx.catalog.value("quality.retrieval_latency_ms")) if strategy.uses_rag else 0.0),
        },
    )


def frontier_model(ctx: PricingContext) -> ModelSpec | None:
    """The hosted model hard cases go to: ``assumptions.frontier_model``, else the catalog's
    ``default_frontier_model`` while it lasts the horizon, else the hosted model ``api`` would
    choose for the whole task (:func:`select_api_model`: the least cost per accepted task among
    those that meet the task's need, latency, window and horizon), as routing chooses its large
    model. Not the best-scoring model whatever its price: a $10/$50 model would make the hybrid
    a straw option that only stretches the matrix's cost scale."""
    named = ctx.profile.assumptions.frontier_model
    if named is not None:
        return ctx.catalog.models.get(named)
    default = ctx.catalog.models.get(str(ctx.catalog.value("default_frontier_model")))
    if default is not None and default.has_api_price and lifecycle_problem(default, ctx) is None:
        return default
    pick, _ = select_api_model(Strategy(Deployment.API, Adaptation.PROMPTING), ctx)
    return pick or default


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
