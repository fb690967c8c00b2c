"""Provider fine-tuning (``api+fine_tune``, ``api+rag+fine_tune``): a provider tunes a model and
serves it per token.

The offers come from ``data/finetune_offers.csv`` (or, without it, from ``models.csv``'s
fine-tuning columns). An offer qualifies when the provider accepts new customers, serves the
tuned model serverless (dedicated capacity is a private deployment, not an API), the base model
lasts the horizon, holds the window and meets the task's need less the fine-tuning uplift (offers
served on a cloud vendor's provisioned capacity are not API offers: :mod:`private_cloud`). The
cheapest per request wins. Per month: tuned-model tokens, retraining (training run + relabeling
share, spread over the months between runs) and the offer's hosting fee; one-off: the first
training run (at least the offer's minimum), labeling the examples still missing, and set-up.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import api_monthly_usd, api_price
from llmstrategy.economics.context import (
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
from llmstrategy.economics.hosted import lifecycle_problem, quality_problem
from llmstrategy.inputs.catalog import ModelSpec
from llmstrategy.inputs.finetune_offers import FineTuneOffer
from llmstrategy.inputs.strategies import Strategy


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
    """Why an offer cannot serve a new analysis: a closed provider or dedicated-only serving."""
    if not o.accepts_new_customers or o.provider in ctx.catalog.value("fine_tune.closed_providers"):
        return f"{o.provider} fine-tuning accepts no new customers"
    if o.serving == "download":
        return f"{o.provider} tunes {o.model_id} but does not serve it (the tuned weights are a download)"
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

    def request_usd(mo: tuple[ModelSpec, FineTuneOffer]) -> float:
        return api_price(mo[0], shape, batch=False, fine_tuned=True, reasoning_tokens_per_output_token=r).request_usd(
            shape
        )

    model, offer = min(pool, key=lambda mo: (request_usd(mo), mo[1].provider, mo[0].id))
    price = api_price(model, shape, batch=False, fine_tuned=True, reasoning_tokens_per_output_token=r)
    training = max(provider_training_usd(ft, offer.training_usd_per_mtok), offer.min_training_usd or 0.0)
    lab = labeling_usd(ft)
    retrain = retraining_usd_per_month(ft, training)
    monthly: dict[str, NDArray[np.float64]] = {
        "api_inference": api_monthly_usd(req, price, shape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate),
        "retraining": np.full_like(req, retrain),
    }
    if offer.hosting_usd_per_month:
        monthly["tuned_model_hosting"] = np.full_like(req, offer.hosting_usd_per_month)
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
            "model_choice": f"cheapest fine-tuning offer ({offer.provider}, {offer.method}) of a model that meets "
            f"{lowered.describe()} (the task's need less the fine-tuning uplift), of {len(pool)}",
            "fine_tune_provider": offer.provider,
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
