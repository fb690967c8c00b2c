"""Routing with a fine-tuned small model between hosted APIs (``routed+fine_tune``,
``routed+rag+fine_tune``): the large model untuned, what ``api`` uses; the small one what provider
fine-tuning (:mod:`provider_finetune`) tunes for the easy requests at one complexity level less.
Composed from the two pricers, with the router of :mod:`routing`."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.context import PricingContext, StrategyCost, add_rag, infeasible, request_shape
from llmstrategy.economics.hosted import expected_ttft_ms, price_api
from llmstrategy.economics.provider_finetune import price_api_fine_tune
from llmstrategy.economics.quality import quality_need
from llmstrategy.economics.routing import (
    FINE_TUNE_DETAILS,
    part_name,
    part_piece_tables,
    route_settings,
    router_latency_problem,
    router_monthly_usd,
    share_context,
    small_need_profile,
    untuned,
)
from llmstrategy.inputs.strategies import Deployment, Strategy

#: the tuned small model's components named as the routed total names them (tokens: ``api_*``)
SMALL_NAMES = {"api_inference": "api_small_model"}


def price_routed_fine_tuned(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``routed+fine_tune`` between hosted APIs: the large model is what ``api`` (untuned) uses for
    ``strong_share`` of the requests; the small one what provider fine-tuning
    (:func:`price_api_fine_tune`) tunes for the rest at one complexity level less (lowered by the
    uplift there), with its training, labeling, retraining and set-up; plus the router. Retrieval
    is counted once, for all requests."""
    p, s = ctx.profile, route_settings(ctx)
    lower = quality_need(p, ctx.catalog, level=small_need_profile(p))
    large = price_api(untuned(strategy, Deployment.API), share_context(ctx, s.strong_share), req * s.strong_share)
    if not large.feasible:
        return infeasible(strategy, req, "; ".join(large.reasons))
    tuned = Strategy(Deployment.API, strategy.adaptation)
    sctx = share_context(ctx, 1.0 - s.strong_share, lower)
    a = sctx.profile.assumptions.model_copy(update={"api_model": None})  # the named model is the large one
    sctx = replace(sctx, profile=sctx.profile.model_copy(update={"assumptions": a}))
    small = price_api_fine_tune(tuned, sctx, req * (1.0 - s.strong_share))
    if not small.feasible:
        return infeasible(strategy, req, "no fine-tuned small model: " + "; ".join(small.reasons))
    big, little = ctx.catalog.models[large.models["api"]], ctx.catalog.models[small.models["api"]]
    i = int(np.argmax(req))
    tokens = small.monthly_components_usd.get("api_inference")  # None: a dedicated endpoint of the provider
    if (
        tokens is not None
        and req[i] > 0
        and tokens[i] / (1.0 - s.strong_share) >= (large.monthly_components_usd["api_inference"][i] / s.strong_share)
    ):
        return infeasible(strategy, req, f"nothing to route: a tuned {little.id} costs as much a request as {big.id}")
    ttft = {"large": expected_ttft_ms(big, strategy, ctx), "small": expected_ttft_ms(little, tuned, ctx)}
    late = router_latency_problem(max(ttft.values()) + s.router_latency_ms, s, p)
    if late:
        return infeasible(strategy, req, late)
    monthly: dict[str, NDArray[np.float64]] = {}
    upfront = {"router_setup": float(ctx.catalog.value("routing.setup_engineer_months")) * ctx.engineer_monthly_usd}
    add_rag(strategy, ctx, req, monthly, upfront)  # retrieval once, for all requests
    rag = set(monthly) | set(upfront)
    monthly["api_large_model"] = large.monthly_components_usd["api_inference"]
    for k, v in small.monthly_components_usd.items():
        if k not in rag:
            monthly[part_name("small", k) if k in small.piece_components else SMALL_NAMES.get(k, k)] = v
    monthly["router"] = router_monthly_usd(req, request_shape(strategy, ctx).input_tokens, s)
    upfront.update({k: v for k, v in small.upfront_components_usd.items() if k not in rag})
    retrieval = float(ctx.catalog.value("quality.retrieval_latency_ms")) if strategy.uses_rag else 0.0
    d = small.details
    tables = part_piece_tables((("small", small, 1.0 - s.strong_share),))
    return StrategyCost(
        strategy,
        req,
        monthly,
        upfront,
        {"small": little.id, "frontier": big.id},
        {
            "deployment_kind": "hosted_api",
            "model_hosts": {
                "small": f"hosted API ({d['fine_tune_provider']}, fine-tuned)",
                "frontier": f"hosted API ({big.provider})",
            },
            "model_choice": f"large: {large.details['model_choice']}; small: {d['model_choice']}",
            **{k: d[k] for k in FINE_TUNE_DETAILS if k in d},
            "small_fine_tuned": True,
            "frontier_share": s.strong_share,
            "quality_retained": s.quality_retained,
            "routing_source": s.source,
            "router_latency_ms": s.router_latency_ms,
            "input_tokens_per_request": large.details["input_tokens_per_request"],
            "output_tokens_per_request": large.details["output_tokens_per_request"],
            "small_input_tokens_per_request": d["input_tokens_per_request"],
            "time_to_first_token_ms": s.strong_share * ttft["large"]
            + (1 - s.strong_share) * ttft["small"]
            - retrieval
            + s.router_latency_ms,
        },
        gpu_pieces=tables[0][0] if tables else (),
        piece_components=tables[0][1] if tables else (),
    )
