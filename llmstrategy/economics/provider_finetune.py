"""Provider fine-tuning (``api+fine_tune``, ``api+rag+fine_tune``): a provider tunes a model and
serves it per token, or on a dedicated endpoint of its own billed per GPU-hour.

The offers come from ``data/finetune_offers.csv`` (or, without it, from ``models.csv``'s
fine-tuning columns). An offer qualifies when the provider accepts new customers, serves the
tuned model (per token, or on its own dedicated GPUs priced in ``data/dedicated_endpoints.csv``,
sized like a managed endpoint: whole replicas for the peak, the provider runs them), the base
model lasts the horizon, holds the window and meets the task's need less the fine-tuning uplift
(offers served on a cloud vendor's provisioned capacity in your own account are
:mod:`private_cloud`'s). The least cost per accepted task at the profile's own volume wins
(bill ÷ requests ÷ expected pass rate, as the other pricers choose). Per month: tuned-model
tokens or the endpoint's GPU-hours, retraining (training run + relabeling share, spread over the
months between runs) and the offer's hosting fee; one-off: the first training run (at least the
offer's minimum), labeling the examples still missing, and set-up.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import api_monthly_usd, api_price
from llmstrategy.economics.context import (
    GpuPiece,
    PricingContext,
    StrategyCost,
    add_rag,
    context_needed,
    fine_tune_shape,
    infeasible,
)
from llmstrategy.economics.finetune import (
    fine_tune_inputs,
    labeling_usd,
    provider_training_usd,
    retraining_usd_per_month,
)
from llmstrategy.economics.hosted import (
    accepted_task_usd,
    expected_ttft_ms,
    lifecycle_problem,
    quality_problem,
    tuned_choice_pool,
)
from llmstrategy.economics.managed_endpoint import endpoint_setup
from llmstrategy.economics.serving import layout_pieces, with_hidden_reasoning
from llmstrategy.inputs.catalog import ModelSpec
from llmstrategy.inputs.dedicated_endpoints import dedicated_on
from llmstrategy.inputs.finetune_offers import FineTuneOffer
from llmstrategy.inputs.strategies import Strategy
from llmstrategy.inputs.workload import HOURS_PER_MONTH, workload


def offers(ctx: PricingContext) -> list[FineTuneOffer]:
    """The catalog's offers, or one per model from ``models.csv``'s fine-tuning columns."""
    if ctx.catalog.finetune_offers:
        return list(ctx.catalog.finetune_offers)
    closed = set(ctx.catalog.value("fine_tune.closed_providers"))
    return [
        FineTuneOffer(
            provider=m.provider,
            model_id=m.id,
            method="supervised",
            training_usd_per_mtok=m.finetune_training_usd_per_mtok,
            tuned_input_usd_per_mtok=m.finetuned_input_usd_per_mtok,
            tuned_output_usd_per_mtok=m.finetuned_output_usd_per_mtok,
            serving="serverless",
            accepts_new_customers=m.provider not in closed,
            source=m.source,
            as_of=m.as_of,
        )
        for m in ctx.catalog.models.values()
        if m.finetune_training_usd_per_mtok is not None
        and m.finetuned_input_usd_per_mtok is not None
        and m.finetuned_output_usd_per_mtok is not None
    ]


def offer_problem(o: FineTuneOffer, ctx: PricingContext) -> str | None:
    """Why an offer cannot serve a new analysis: a closed provider, download-only, or dedicated
    serving without a per-GPU-hour price in the data."""
    if not o.accepts_new_customers or o.provider in ctx.catalog.value("fine_tune.closed_providers"):
        return f"{o.provider} fine-tuning accepts no new customers"
    if o.serving == "download":
        return f"{o.provider} tunes {o.model_id} but does not serve it (the tuned weights are a download)"
    if o.serving == "dedicated":
        if any(d.provider == o.provider for d in dedicated_on(ctx.catalog.dedicated, ctx.on_date)):
            return None
        return f"{o.provider} serves a tuned {o.model_id} on dedicated capacity only (no USD per GPU-hour in the data)"
    if not o.serverless_prices:
        return f"{o.provider} serves a tuned {o.model_id} on dedicated capacity only"
    return None


def tuned(m: ModelSpec, o: FineTuneOffer) -> ModelSpec:
    """The base model priced as the offer serves it tuned."""
    return m.model_copy(
        update={
            "finetuned_input_usd_per_mtok": o.tuned_input_usd_per_mtok,
            "finetuned_output_usd_per_mtok": o.tuned_output_usd_per_mtok,
            "finetune_training_usd_per_mtok": o.training_usd_per_mtok,
        }
    )


#: (cost per accepted task, bill, provider, model id, model, offer, endpoint pieces, their TTFTs [ms])
_Choice = tuple[float, float, str, str, ModelSpec, FineTuneOffer, tuple[GpuPiece, ...], tuple[float, ...]]


def price_api_fine_tune(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """See the module docstring."""
    p = ctx.profile
    ft = fine_tune_inputs(p, ctx.catalog)
    if ft.labeled_examples <= 0:
        return infeasible(strategy, req, "fine-tuning needs labeled examples (labeled_examples is 0)")
    shape = fine_tune_shape(strategy, ctx)
    need_ctx = max(context_needed(strategy, ctx), shape.context_tokens)
    lowered = ctx.quality.lowered(ft.quality_uplift)
    named = p.assumptions.api_model
    blocked: list[str] = []
    pool: list[tuple[ModelSpec, FineTuneOffer]] = []
    for o in offers(ctx):
        m = ctx.catalog.models[o.model_id]
        if o.serving == "provisioned" or (named is not None and m.id != named):
            continue
        if m.context_window_tokens < need_ctx or (m.deprecation_date and m.deprecation_date <= ctx.on_date):
            continue
        why = offer_problem(o, ctx) or lifecycle_problem(m, ctx) or quality_problem(m, ctx, lowered)
        if why:
            blocked.append(f"{o.provider} {m.id}: {why}")
            continue
        pool.append((tuned(m, o), o))
    if not pool:
        return infeasible(
            strategy,
            req,
            f"no provider fine-tunes a model that meets {lowered.describe()} with a window ≥ {need_ctx:,.0f} tokens"
            + (f" ({'; '.join(blocked[:2])})" if blocked else ""),
        )
    r = ctx.reasoning_tokens_per_output_token
    training_of = {
        id(o): max(provider_training_usd(ft, o.training_usd_per_mtok), o.min_training_usd or 0.0) for _, o in pool
    }
    lab = labeling_usd(ft)

    def retrain_of(o: FineTuneOffer) -> float:
        return retraining_usd_per_month(ft, training_of[id(o)]) + (o.hosting_usd_per_month or 0.0)

    # each offer's bill at the profile's own volume, then the least cost per accepted task
    # (the hosted and self-hosted pricers choose the same way): a dearer model that passes
    # more tasks wins
    today = np.array([workload(p).requests_per_month])
    choices: list[_Choice] = []
    for m, o in pool:
        pieces: tuple[GpuPiece, ...] = ()
        ttfts: tuple[float, ...] = ()
        if o.serverless_prices:
            pr = api_price(m, shape, batch=False, fine_tuned=True, reasoning_tokens_per_output_token=r)
            usage = api_monthly_usd(today, pr, shape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate)
            bill = float(usage[0])
        else:
            found = dedicated_pieces(m, o, strategy, ctx)
            if isinstance(found, str):
                blocked.append(f"{o.provider} {m.id}: {found}")
                continue
            pieces, ttfts = found
            bill = min(float(pc.monthly_usd(today)[0]) for pc in pieces)
        bill += retrain_of(o)
        per_task = accepted_task_usd(m, bill / max(float(today[0]), 1e-9), ctx, lowered)
        choices.append((per_task, bill, o.provider, m.id, m, o, pieces, ttfts))
    if not choices:
        return infeasible(strategy, req, "no tuned model fits the provider's dedicated GPUs: " + "; ".join(blocked[:2]))
    keep = tuned_choice_pool({c[4].id: c[4] for c in choices}.values(), ctx, lowered)
    _, _, _, _, model, offer, pieces, ttfts = min((c for c in choices if c[3] in keep), key=lambda c: c[:4])
    training = training_of[id(offer)]
    retrain = retraining_usd_per_month(ft, training)
    monthly: dict[str, NDArray[np.float64]] = {}
    details: dict[str, Any] = {"fine_tune_provider": offer.provider, "serving": offer.serving}
    if pieces:
        gpu_bills = np.stack([pc.monthly_usd(req) for pc in pieces])
        monthly["tuned_model_endpoint"] = gpu_bills.min(axis=0)
        at = int(np.argmin([float(pc.monthly_usd(today)[0]) for pc in pieces]))
        best = pieces[at]
        details.update(
            # the replica's own, sized like a managed endpoint's (the shared API's published
            # latency does not apply to GPUs reserved for you)
            time_to_first_token_ms=ttfts[at],
            model_choice=f"least cost per accepted task of {len(choices)} fine-tuning offers ({offer.provider}, "
            f"{offer.method}, dedicated endpoint) of models that meet {lowered.describe()} (the task's need less "
            "the fine-tuning uplift)",
            gpu=best.gpu_id,
            gpus_per_replica=best.tensor_parallel * best.pipeline_stages,
            usd_per_replica_month=best.usd_per_replica_month,
            replicas=float(best.replicas(today)[0]),
            spare_replicas=best.spare_replicas,  # N+1 for an interactive service: a failed replica serves nothing
            team_requirement="none beyond api+fine_tune's: the provider runs the hardware and the serving stack",
        )
    else:
        price = api_price(model, shape, batch=False, fine_tuned=True, reasoning_tokens_per_output_token=r)
        monthly["api_inference"] = api_monthly_usd(
            req, price, shape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate
        )
        details.update(
            model_choice=f"least cost per accepted task of {len(choices)} fine-tuning offers ({offer.provider}, "
            f"{offer.method}) of models that meet {lowered.describe()} (the task's need less the fine-tuning "
            "uplift)",
            price_tier=price.tier,
            time_to_first_token_ms=expected_ttft_ms(model, strategy, ctx),  # the base model's, as served
            input_usd_per_mtok=price.input_usd_per_mtok,
            output_usd_per_mtok=price.output_usd_per_mtok,
        )
    monthly["retraining"] = np.full_like(req, retrain)
    if offer.hosting_usd_per_month:
        monthly["tuned_model_hosting"] = np.full_like(req, offer.hosting_usd_per_month)
    upfront = {
        "training": training,
        "labeling": lab,
        "fine_tune_setup": ft.setup_engineer_months * ctx.engineer_monthly_usd,
    }
    add_rag(strategy, ctx, req, monthly, upfront)
    details.update(
        input_tokens_per_request=shape.input_tokens,
        output_tokens_per_request=shape.output_tokens,
        training_usd=training,
        labeling_usd=lab,
        retraining_usd_per_month=retrain,
        training_tokens=ft.training_tokens,
    )
    return StrategyCost(
        strategy,
        req,
        monthly,
        upfront,
        {"api": model.id},
        details,
        gpu_pieces=pieces,
        piece_components=("tuned_model_endpoint",) if pieces else (),
    )


def dedicated_pieces(
    m: ModelSpec, o: FineTuneOffer, strategy: Strategy, ctx: PricingContext
) -> tuple[tuple[GpuPiece, ...], tuple[float, ...]] | str:
    """Every layout of the tuned model on each of the provider's dedicated GPUs, as a GPU piece
    (volume in requests before cache and retries; a replica with fewer GPUs than the smallest
    deployment is billed at that minimum) with its sized time to first token [ms], or why none
    fits."""
    if not m.can_self_host:
        return "no architecture in the catalog to size the dedicated endpoint"
    p = ctx.profile
    remote_ms = float(ctx.catalog.value("self_host.network_round_trip_remote_ms"))  # the provider's GPUs, elsewhere
    u = replace(endpoint_setup(strategy, ctx), network_round_trip_ms=remote_ms)
    u = with_hidden_reasoning(u, m, ctx.reasoning_tokens_per_output_token)
    served_per_request = (1.0 - p.cache_hit_rate) * (1.0 + p.retry_rate)
    out: list[GpuPiece] = []
    ttft_ms: list[float] = []
    reasons: list[str] = []
    for d in dedicated_on(ctx.catalog.dedicated, ctx.on_date):
        if d.provider != o.provider:
            continue
        lp = layout_pieces(m, ctx.catalog.gpus[d.gpu_id], d.usd_per_gpu_hour, u)
        if isinstance(lp, str):
            reasons.append(lp)
            continue
        for sz, pc in zip(lp[1], lp[2], strict=True):
            piece = pc.scaled(served_per_request)
            if sz.gpus_per_replica < d.min_gpus:
                piece = replace(piece, usd_per_replica_month=d.min_gpus * HOURS_PER_MONTH * d.usd_per_gpu_hour)
            out.append(piece)
            ttft_ms.append(sz.time_to_first_token_ms)
    if not out:
        return "; ".join(reasons) or f"no dedicated GPU of {o.provider} in the data"
    return tuple(out), tuple(ttft_ms)
