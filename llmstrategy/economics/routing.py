"""Routing between a small and a large model (seed 003: "smaller for routing, larger for final
answers"; seed 002: "use the smallest model that works").

A router reads each request and sends a share ``s`` of them to the large model, the rest to a
small one. By default ``s`` and the quality kept are RouteLLM's published operating points for
the benchmark the task resembles (``data/assumptions.yaml`` → ``routing``); a profile's
``routing:`` block replaces them with its own measurement. The routed blend's expected pass
rate is ``max(small alone, quality_retained × large alone)``: a router never does worse than
sending everything to the small model. Routing runs wherever the profile lets the models run
(:func:`llmstrategy.economics.price.price_routing` dispatches): between hosted APIs when the data
may leave (:func:`price_routed`), inside the team's own cloud tenancy when it may only go there
(:func:`price_routed_own_cloud`: two private deployments, whose reservations' piece tables add, so
the Monte Carlo reprices each as its own cheapest piece); the self-hosted hybrid (:mod:`selfhost`)
is the same split with the small model on your own GPUs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import ApiPrice, api_monthly_usd, api_price, choose_api_model
from llmstrategy.economics.context import (
    GpuPiece,
    PricingContext,
    StrategyCost,
    add_rag,
    context_needed,
    infeasible,
    request_shape,
)
from llmstrategy.economics.hosted import api_model_problem, expected_ttft_ms, select_api_model
from llmstrategy.economics.quality import QualityNeed, quality_need
from llmstrategy.inputs.profile import Profile
from llmstrategy.inputs.strategies import Adaptation, Deployment, Strategy

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
#: a part's components named as the routed total names them without its side: staff (one group for
#: the Monte Carlo) and the tuned small model's retraining (:mod:`cost_structure` reads that name)
UNPREFIXED = frozenset({"operations_staff", "retraining"})
#: what the tuned small model's pricer says about its tuning, carried to the routed total
FINE_TUNE_DETAILS = (
    "fine_tune_provider",
    "training_usd",
    "labeling_usd",
    "retraining_usd_per_month",
    "training_tokens",
)


def untuned(strategy: Strategy, deployment: Deployment) -> Strategy:
    """``strategy``'s adaptation without fine-tuning, on ``deployment``: the large model of a blend is not tuned."""
    return Strategy(deployment, Adaptation.RAG if strategy.uses_rag else Adaptation.PROMPTING)


def part_name(side: str, name: str) -> str:
    return name if name in UNPREFIXED else f"{side}_{name}"


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


def runs_in_own_cloud(p: Profile) -> bool:
    """Routing runs inside the team's own cloud tenancy: the data may not go to a third party,
    but may go to the organisation's own cloud (``data_may_leave: false``, ``own_cloud_allowed: true``)."""
    return not p.data_may_leave and p.own_cloud_allowed


def router_latency_problem(first_token_ms: float, s: RouteSettings, p: Profile) -> str | None:
    """Why a routed pair misses the latency target: the slower model's first token [ms] plus the
    router's own latency above ``latency_slo_ms``; None when it meets it (or none is set)."""
    if p.latency_slo_ms is None or first_token_ms <= p.latency_slo_ms:
        return None
    return (
        f"first token after ~{first_token_ms:,.0f} ms with the router's {s.router_latency_ms:,.0f} ms, above the "
        f"{p.latency_slo_ms:,.0f} ms target"
    )


def price_routed(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``routed`` with prompting or RAG between hosted APIs (:mod:`price` sends a profile whose
    data may only go to its own cloud to :func:`price_routed_own_cloud` instead): the large model
    is the one the API strategy would use, the small one the cheapest per request that meets one
    complexity level less (and the latency target and horizon); both priced at the same request
    shape, plus the router (a fine-tuned small model: :func:`llmstrategy.economics.price.price_routed_fine_tuned`)."""
    if strategy.uses_fine_tune:
        return infeasible(strategy, req, "a fine-tuned small model is priced by price.price_routed_fine_tuned")
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
    late = router_latency_problem(slowest + s.router_latency_ms, s, p)
    if late:
        return infeasible(strategy, req, late)

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
            "deployment_kind": "hosted_api",
            "model_hosts": {"small": f"hosted API ({small.provider})", "frontier": f"hosted API ({large.provider})"},
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


def share_context(ctx: PricingContext, share: float, need: QualityNeed | None = None) -> PricingContext:
    """``ctx`` for the part of the traffic a router sends one way: ``share`` of the requests a day
    (so a pricer that picks its kind at the profile's own volume picks it at this part's), and,
    for the small model, the lowered quality need."""
    p = ctx.profile.model_copy(update={"requests_per_day": ctx.profile.requests_per_day * share})
    q = need if need is not None else ctx.quality
    return replace(ctx, profile=p, need=q, quality_needed=q.primary.min_scores[0])


#: what a part's details say about where and on what it runs
PART_DETAILS = (
    "deployment_kind",
    "vendor",
    "offering",
    "instance_type",
    "commitment",
    "units",
    "instances",
    "peak_load_to_capacity",
    "spilled_token_share",
    "time_to_first_token_ms",
)


#: a private-cloud pricer, ``(strategy, context, requests_per_month) → StrategyCost`` (given by :mod:`price`,
#: which knows every pricer: importing it here would close a loop through the managed endpoints)
PartPricer = Callable[[Strategy, PricingContext, NDArray[np.float64]], StrategyCost]


def price_routed_own_cloud(
    strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64], price_private_cloud: PartPricer
) -> StrategyCost:
    """``routed`` inside the team's own cloud: the large model is what ``private_cloud`` would
    deploy for the large share of the requests (``strong_share`` × volume, the task's need), the
    small one what it would deploy for the rest at one complexity level less; each is its own
    deployment (provisioned units or managed-endpoint instances, minimum units included, so at
    low volume two reservations cost more than one), priced by ``price_private_cloud``; the
    router (an embedding call) runs in the own cloud too. RAG and the private deployment's set-up
    are counted once. Each part's kind and spill-over are chosen at its share of today's volume;
    its pieces, scaled to all requests, are the cost's ``gpu_pieces`` (large) and
    ``extra_pieces`` (small) (:func:`part_piece_tables`). With fine-tuning only the small model is
    tuned (``private_cloud+fine_tune`` at its level, lowered by the uplift there, with its training,
    labeling, retraining and set-up); its table comes first, as the one table that may carry a
    retraining (named ``retraining``, as :mod:`cost_structure` reads it)."""
    p = ctx.profile
    s = route_settings(ctx)
    tuned = strategy.uses_fine_tune
    lower = quality_need(p, ctx.catalog, level=small_need_profile(p))
    large_ctx = share_context(ctx, s.strong_share)
    large = price_private_cloud(untuned(strategy, Deployment.PRIVATE_CLOUD), large_ctx, req * s.strong_share)
    small_ctx = share_context(ctx, 1.0 - s.strong_share, lower)
    pc = Strategy(Deployment.PRIVATE_CLOUD, strategy.adaptation)
    small = price_private_cloud(pc, small_ctx, req * (1.0 - s.strong_share))
    if not large.feasible:
        return infeasible(strategy, req, "no large model in your cloud: " + "; ".join(large.reasons))
    if not small.feasible:
        what = "fine-tuned small model" if tuned else "small model"
        return infeasible(strategy, req, f"no {what} in your cloud for the easy requests: " + "; ".join(small.reasons))
    big, little = large.models["private_cloud"], small.models["private_cloud"]
    if big == little:
        return infeasible(
            strategy,
            req,
            f"nothing to route: {big} is already what your cloud would run for the easy requests",
        )
    retrieval = float(ctx.catalog.value("quality.retrieval_latency_ms")) if strategy.uses_rag else 0.0
    ttft = {k: float(c.details.get("time_to_first_token_ms", 0.0)) for k, c in (("large", large), ("small", small))}
    late = router_latency_problem(max(ttft.values()) + retrieval + s.router_latency_ms, s, p)
    if late:
        return infeasible(strategy, req, late)
    rag_monthly: dict[str, NDArray[np.float64]] = {}
    rag_upfront: dict[str, float] = {}
    add_rag(strategy, ctx, req, rag_monthly, rag_upfront)
    monthly: dict[str, NDArray[np.float64]] = {}
    for side, c in (("large", large), ("small", small)):
        for name, arr in c.monthly_components_usd.items():
            if name in rag_monthly:
                continue  # retrieval is counted once, for all requests, below
            key = part_name(side, name)
            monthly[key] = monthly.get(key, np.zeros_like(req)) + arr
    monthly["router"] = router_monthly_usd(req, request_shape(strategy, ctx).input_tokens, s)
    monthly.update(rag_monthly)
    upfront = {
        "private_cloud_setup": float(ctx.catalog.value("private_cloud.setup_engineer_months"))
        * ctx.engineer_monthly_usd,
        "router_setup": float(ctx.catalog.value("routing.setup_engineer_months")) * ctx.engineer_monthly_usd,
        **rag_upfront,
        **{k: v for k, v in small.upfront_components_usd.items() if k in ("training", "labeling", "fine_tune_setup")},
    }
    shape = request_shape(strategy, ctx)

    def part_details(c: StrategyCost) -> dict[str, Any]:
        out = {k: c.details[k] for k in PART_DETAILS if k in c.details}
        out["model"] = c.models["private_cloud"]
        out["monthly_usd"] = float(c.monthly_usd[0])
        return out

    def host(c: StrategyCost) -> str:
        d = c.details
        what = d.get("instance_type") or d.get("offering", "")
        return f"your cloud: {str(d.get('deployment_kind', '')).replace('_', ' ')} ({d.get('vendor', '')} {what})"

    loads = [float(c.details.get("peak_load_to_capacity", 0.0)) for c in (large, small)]
    details: dict[str, Any] = {
        "deployment_kind": "routed_own_cloud",
        "model_hosts": {"small": host(small), "frontier": host(large)},
        "large_model": part_details(large),
        "small_model": part_details(small),
        "model_choice": f"large: what your cloud would run for {s.strong_share:.0%} of the requests at "
        f"{ctx.quality.describe()}; small: {'fine-tuned, ' if tuned else ''}for the rest at {lower.describe()}",
        **{k: small.details[k] for k in FINE_TUNE_DETAILS if tuned and k in small.details},
        "small_fine_tuned": tuned,
        "frontier_share": s.strong_share,
        "quality_retained": s.quality_retained,
        "routing_source": s.source,
        "router_latency_ms": s.router_latency_ms,
        "input_tokens_per_request": shape.input_tokens,
        "output_tokens_per_request": shape.output_tokens,
        "peak_load_to_capacity": max(loads),
        "time_to_first_token_ms": s.strong_share * ttft["large"]
        + (1 - s.strong_share) * ttft["small"]
        + s.router_latency_ms,
    }
    parts = (("large", large, s.strong_share), ("small", small, 1.0 - s.strong_share))
    tables = part_piece_tables(parts[::-1] if tuned else parts)
    first = tables[0] if tables else ((), ())
    return StrategyCost(
        strategy,
        req,
        monthly,
        upfront,
        {"small": little, "frontier": big},
        details,
        gpu_pieces=first[0],
        piece_components=first[1],
        extra_pieces=tables[1:],
    )


def part_piece_tables(
    parts: tuple[tuple[str, StrategyCost, float], ...],
) -> tuple[tuple[tuple[GpuPiece, ...], tuple[str, ...]], ...]:
    """Each part's (pieces, components) table for the routed total: a part priced at ``share`` of
    the requests has its pieces' replicas per request scaled by ``share`` (volume is then the
    routed strategy's, all requests), and its piece components named as the total names them
    (``large_provisioned_capacity``, ``small_managed_endpoint_instances``; ``retraining`` as is).
    Their costs add: two reservations, each the cheapest of its own pieces."""
    return tuple(
        (tuple(pc.scaled(share) for pc in ps), tuple(part_name(side, n) for n in names))
        for side, c, share in parts
        for ps, names in c.piece_tables
    )
