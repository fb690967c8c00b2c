"""Routing between a small and a large model (seed 003: "smaller for routing, larger for final
answers"; seed 002: "use the smallest model that works").

A router reads each request and sends a share ``s`` of them to the large model, the rest to a
small one. By default ``s`` and the quality kept are RouteLLM's published operating points for
the benchmark the task resembles (``data/assumptions.yaml`` → ``routing``); a profile's
``routing:`` block replaces them with its own measurement. The routed blend's expected pass
rate is ``max(small alone, quality_retained × large alone)``: a router never does worse than
sending everything to the small model. :func:`price_routed` prices the hosted-API case; the
self-hosted hybrid (:mod:`selfhost`) is the same split with the small model on your own GPUs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import ApiPrice, api_monthly_usd, api_price, choose_api_model
from llmstrategy.economics.context import (
    PricingContext,
    StrategyCost,
    add_rag,
    context_needed,
    infeasible,
    request_shape,
)
from llmstrategy.economics.hosted import api_model_problem, expected_ttft_ms, select_api_model
from llmstrategy.economics.quality import quality_need
from llmstrategy.inputs.profile import Profile
from llmstrategy.inputs.strategies import Strategy

#: task type → the RouteLLM benchmark it routes like (open-ended chat is MT Bench; knowledge
#: questions with one right answer are MMLU; multi-step work is GSM8K)
TASK_ROUTING_CLASS = {
    "chat": "open_ended",
    "summarization": "open_ended",
    "extraction": "knowledge",
    "classification": "knowledge",
    "reasoning": "reasoning",
    "coding": "reasoning",
    "agentic": "reasoning",
}

#: one complexity level less: what the requests a router keeps on the small model need
LEVEL_BELOW = {"high": "medium", "medium": "low", "low": "low"}


@dataclass(frozen=True)
class RouteSettings:
    """The split and its cost: share to the large model, the blend's quality as a share of the
    large model's, the router's USD per 1M prompt tokens and its latency [ms], and where the
    split comes from (``profile`` or ``RouteLLM <class>``)."""

    strong_share: float
    quality_retained: float
    router_usd_per_mtok: float
    router_latency_ms: float
    source: str


def route_settings(ctx: PricingContext, *, strong_share: float | None = None) -> RouteSettings:
    """The profile's ``routing:`` values, else RouteLLM's operating point for its task type;
    ``strong_share`` (the hybrid's ``assumptions.hybrid_frontier_share``) wins over both."""
    p, v = ctx.profile, ctx.catalog.value
    cls = TASK_ROUTING_CLASS[p.task_type]
    r = p.routing
    share = strong_share if strong_share is not None else (r.strong_share if r is not None else None)
    kept = r.quality_retained if r is not None else None
    source = "profile" if share is not None or kept is not None else f"RouteLLM {cls.replace('_', '-')}"
    return RouteSettings(
        strong_share=float(share if share is not None else v(f"routing.strong_share_{cls}")),
        quality_retained=float(kept if kept is not None else v("routing.quality_retained")),
        router_usd_per_mtok=float(v("routing.router_usd_per_mtok")),
        router_latency_ms=float(v("routing.router_latency_ms")),
        source=source,
    )


def blended_pass_rate(small: float, large: float, quality_retained: float, strong_share: float) -> float:
    """Expected pass rate of the routed blend [share]: max(small, quality_retained × large) for a
    router that splits; the small model's alone at a share of 0, the large one's at 1."""
    if strong_share <= 0:
        return float(small)
    if strong_share >= 1:
        return float(large)
    return float(max(small, quality_retained * large))


def router_monthly_usd(req: NDArray[np.float64], input_tokens: float, s: RouteSettings) -> NDArray[np.float64]:
    """The router reads every request's prompt once: requests × input tokens × USD/1M / 1e6."""
    return req * input_tokens * s.router_usd_per_mtok / 1e6


def small_need_profile(p: Profile) -> str:
    """The complexity the small model must meet (one level below the task's)."""
    return LEVEL_BELOW[p.task_complexity]


def price_routed(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``routed`` with prompting or RAG: the large model is the one the API strategy would use,
    the small one the cheapest per request that meets one complexity level less (and the
    latency target and horizon); both priced at the same request shape, plus the router."""
    if strategy.uses_fine_tune:
        return infeasible(
            strategy,
            req,
            "routing with a fine-tuned small model is not priced yet: price the fine-tuned API "
            "strategy, then route to it with your own measured split (routing: strong_share)",
        )
    large, why = select_api_model(strategy, ctx)
    if large is None:
        return infeasible(strategy, req, why)
    lower = quality_need(ctx.profile, ctx.catalog, level=small_need_profile(ctx.profile))
    shape = request_shape(strategy, ctx)
    rt = ctx.reasoning_tokens_per_output_token
    choice = choose_api_model(
        ctx.catalog.models.values(),
        shape,
        context_tokens=context_needed(strategy, ctx),
        on_date=ctx.on_date,
        qualifies=lambda m: api_model_problem(m, strategy, ctx, need=lower),
        need_text=lower.describe() + " (the easy requests)",
        batch=ctx.batch,
        reasoning_tokens_per_output_token=rt,
    )
    small = choice.model
    large_price = api_price(large, shape, batch=ctx.batch, reasoning_tokens_per_output_token=rt)
    if small is None:
        return infeasible(strategy, req, f"no small model for the easy requests: {choice.reason}")
    small_price = api_price(small, shape, batch=ctx.batch, reasoning_tokens_per_output_token=rt)
    if small.id == large.id or small_price.request_usd(shape) >= large_price.request_usd(shape):
        return infeasible(
            strategy,
            req,
            f"nothing to route: {large.id} is already the cheapest model that meets the easy requests' need",
        )
    s = route_settings(ctx)
    p = ctx.profile
    slowest = max(expected_ttft_ms(small, strategy, ctx), expected_ttft_ms(large, strategy, ctx))
    ttft = slowest + s.router_latency_ms
    if p.latency_slo_ms is not None and ttft > p.latency_slo_ms:
        return infeasible(
            strategy,
            req,
            f"first token after ~{ttft:,.0f} ms with the router's {s.router_latency_ms:,.0f} ms, above the "
            f"{p.latency_slo_ms:,.0f} ms target",
        )

    def cost(share: float, price: ApiPrice) -> NDArray[np.float64]:
        return api_monthly_usd(req * share, price, shape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate)

    monthly: dict[str, NDArray[np.float64]] = {
        "api_large_model": cost(s.strong_share, large_price),
        "api_small_model": cost(1.0 - s.strong_share, small_price),
        "router": router_monthly_usd(req, shape.input_tokens, s),
    }
    upfront = {"router_setup": float(ctx.catalog.value("routing.setup_engineer_months")) * ctx.engineer_monthly_usd}
    add_rag(strategy, ctx, req, monthly, upfront)
    retrieval = float(ctx.catalog.value("quality.retrieval_latency_ms")) if strategy.uses_rag else 0.0
    return StrategyCost(
        strategy=strategy,
        requests_per_month=req,
        monthly_components_usd=monthly,
        upfront_components_usd=upfront,
        models={"small": small.id, "frontier": large.id},
        details={
            "model_choice": f"large: {why}; small: {choice.reason}",
            "frontier_share": s.strong_share,
            "quality_retained": s.quality_retained,
            "routing_source": s.source,
            "router_latency_ms": s.router_latency_ms,
            "input_tokens_per_request": shape.input_tokens,
            "output_tokens_per_request": shape.output_tokens,
            "time_to_first_token_ms": s.strong_share * (expected_ttft_ms(large, strategy, ctx) - retrieval)
            + (1 - s.strong_share) * (expected_ttft_ms(small, strategy, ctx) - retrieval)
            + s.router_latency_ms,
        },
    )
