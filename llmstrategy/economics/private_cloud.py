"""Private deployments in the team's own cloud tenancy (``private_cloud``), of two kinds: a vendor's model on
provisioned throughput (Azure provisioned throughput units, Bedrock provisioned throughput, Vertex AI generative AI
scale units), billed per unit-hour whether used or not; or a managed endpoint of an open-weight model
(:mod:`managed_endpoint`: SageMaker, Azure ML), billed per instance-hour. :func:`price_private_cloud` takes the kind
that costs less at today's volume (a managed endpoint only for a team with an ML engineer, or that can hire one: the
model is theirs to choose, evaluate and upgrade) and names the other in its details.

Sizing, as the vendors document it (Microsoft's PTU sizing guide): tokens per minute at the peak = billable requests
per minute at the peak × (input tokens + output weight × output tokens, hidden reasoning included); units =
max(minimum, step × ⌈TPM / (TPM per unit × step)⌉). Monthly cost = units × USD per unit-hour × 730. Each (offering,
model) is a step-priced piece (a "replica" is one step of units, with the minimum as its floor), so the Monte Carlo
reprices it like a reserved fleet. The commitment taken is the cheapest one no longer than the horizon; an offer with
no published price is left out (rows stay in the data, marked blank).

Spill-over (:mod:`spillover`): where the vendor sends traffic above the reservation to pay-as-you-go
(``spillover_to_paygo``), the reservation may cover only a share c* of the peak, the newsvendor level of the hourly
load shape (``data/load_shape.csv``) rescaled to the profile's ``peak_to_average``, at the list prices (price
what-ifs re-bill it without re-sizing it); the piece is the peak's scaled by c*, with the vendor's minimum and steps.
The tokens above c* × the peak (an upper bound, as whole units reserve at least that) are billed at the model's API
prices in ``models.csv`` (its vendor's standard deployment) as ``api_spillover`` (printed in the same column as a
hosted API's tokens, which they are), a per-token component the Monte Carlo moves with the API price. Reservation and
spill-over are chosen against the peak reservation once, at the profile's volume today, and kept along the curve.

Fine-tuned models (``fine_tune``, ``rag_fine_tune``) are served where a row allows it (``fine_tuned_allowed``) and
the vendor publishes a training price (``data/finetune_offers.csv``, ``serving`` = ``provisioned``, ``provider`` =
the row's vendor): training, labeling, retraining and set-up as for provider fine-tuning, the prompt shortened and
the quality needed lowered by the uplift; the same sizing, on the peak (no source says tuned deployments spill over).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import ApiPrice, RequestShape, api_monthly_usd, api_price, billable_requests
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
    expected_ttft_ms,
    latency_problem,
    lifecycle_problem,
    quality_problem,
    tuned_choice_pool,
)
from llmstrategy.economics.managed_endpoint import managed_endpoint_cost
from llmstrategy.economics.spillover import SpillPlan, rescaled_load, spill_plan, spilled_share
from llmstrategy.inputs.catalog import ModelSpec
from llmstrategy.inputs.finetune_offers import FineTuneOffer
from llmstrategy.inputs.provisioned import ProvisionedOffer
from llmstrategy.inputs.strategies import Strategy
from llmstrategy.inputs.workload import DAYS_PER_MONTH, HOURS_PER_MONTH, workload

MINUTES_PER_MONTH = DAYS_PER_MONTH * 24 * 60
#: a commitment's length [months], to compare with the horizon
COMMITMENT_MONTHS = {
    "hourly": 0.0,
    "none": 0.0,
    "weekly": 0.25,
    "monthly": 1.0,
    "1_month": 1.0,
    "3_months": 3.0,
    "6_months": 6.0,
    "yearly": 12.0,
}


def units_needed(tokens_per_minute: float, offer: ProvisionedOffer) -> int:
    """max(minimum, step × ⌈TPM / (TPM per unit × step)⌉) [units]."""
    assert offer.input_tokens_per_minute_per_unit is not None
    step = offer.unit_step or 1
    raw = tokens_per_minute / offer.input_tokens_per_minute_per_unit
    return max(offer.min_units or step, step * math.ceil(raw / step - 1e-12))


def offers_for(ctx: PricingContext) -> list[ProvisionedOffer]:
    """One row per (vendor, offering, model): the cheapest priced commitment no longer than the horizon."""
    best: dict[tuple[str, str, str], ProvisionedOffer] = {}
    for o in ctx.catalog.provisioned:
        months = COMMITMENT_MONTHS.get(o.commitment)
        if not o.priced or months is None or months > ctx.profile.horizon_months:
            continue
        key = (o.vendor, o.offering, o.model_id)
        if key not in best or (o.usd_per_unit_hour or 0) < (best[key].usd_per_unit_hour or 0):
            best[key] = o
    return list(best.values())


def price_private_cloud(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """The cheaper kind at the profile's volume today: provisioned throughput or a managed
    endpoint (see the module docstring); both infeasible gives both kinds' reasons."""
    prov = price_provisioned(strategy, ctx, req)
    team = ctx.profile.team
    if team.ml_engineers <= 0 and not team.can_hire:
        endpoint = infeasible(strategy, req, "a managed endpoint of an open model needs an ML engineer to run it")
    else:
        endpoint = managed_endpoint_cost(strategy, ctx, req)
    if not (prov.feasible or endpoint.feasible):
        return infeasible(strategy, req, *prov.reasons, *(f"managed endpoint: {r}" for r in endpoint.reasons))
    # the kind is chosen once, at the profile's own volume, so the curve is one kind's at every volume
    today = np.array([workload(ctx.profile).requests_per_month])

    def cost_today(c: StrategyCost) -> float:
        again = (price_provisioned if c is prov else managed_endpoint_cost)(strategy, ctx, today)
        return float(again.monthly_usd[0])

    kinds = sorted((c for c in (prov, endpoint) if c.feasible), key=lambda c: (cost_today(c), c is endpoint))
    best, other = kinds[0], (kinds[1] if len(kinds) > 1 else None)
    kind = "managed_endpoint" if best is endpoint else "provisioned_throughput"
    details: dict[str, Any] = {**best.details, "deployment_kind": kind}
    if other is not None:
        details["alternative"] = {
            "deployment_kind": "provisioned_throughput" if other is prov else "managed_endpoint",
            "models": dict(other.models),
            "monthly_usd": cost_today(other),
        }
    return replace(best, details=details)


@dataclass(frozen=True)
class Option:
    """One (offering, model) that can serve the task: the reservation that covers the peak and,
    where the vendor spills over, a smaller one with the share of tokens that spills."""

    offer: ProvisionedOffer
    model: ModelSpec
    tokens: float  # per served request, output counted at the vendor's weight [input tokens]
    peak: GpuPiece
    training: FineTuneOffer | None = None
    plan: SpillPlan | None = None
    below_peak: GpuPiece | None = None
    paygo: ApiPrice | None = None


def tuned_training(ctx: PricingContext) -> dict[tuple[str, str], FineTuneOffer]:
    """(vendor, model) → the cheapest training offer of a vendor that serves the tuned model on its
    provisioned capacity (``serving`` = ``provisioned``, open to new customers)."""
    closed = set(ctx.catalog.value("fine_tune.closed_providers"))
    out: dict[tuple[str, str], FineTuneOffer] = {}
    for o in ctx.catalog.finetune_offers:
        if o.serving != "provisioned" or not o.accepts_new_customers or o.provider in closed:
            continue
        key = (o.provider, o.model_id)
        if key not in out or o.training_usd_per_mtok < out[key].training_usd_per_mtok:
            out[key] = o
    return out


@lru_cache(maxsize=64)
def _rescaled(hours: tuple[float, ...], peak_to_average: float) -> NDArray[np.float64] | None:
    return rescaled_load(hours, peak_to_average)


def _with_spill(opt: Option, ctx: PricingContext, shape: RequestShape, load: NDArray[np.float64]) -> Option:
    """The option with its newsvendor reservation, if that is below the peak. Sized at the list
    prices (a what-if's or a Monte Carlo sample's price multipliers re-bill it, as they re-bill the
    model chosen at the base inputs)."""
    o, m = opt.offer, opt.model
    assert o.input_tokens_per_minute_per_unit is not None and o.usd_per_unit_hour is not None
    api_x, gpu_x = ctx.catalog.price_multipliers
    price = api_price(m, shape, batch=False, reasoning_tokens_per_output_token=ctx.reasoning_tokens_per_output_token)
    plan = spill_plan(
        load,
        usd_per_unit_hour=o.usd_per_unit_hour / gpu_x,
        tokens_per_unit_hour=60.0 * o.input_tokens_per_minute_per_unit,
        paygo_usd_per_token=price.request_usd(shape) / opt.tokens / api_x,
    )
    if plan.spilled_share <= 0.0:
        return opt
    return replace(opt, plan=plan, below_peak=opt.peak.scaled(plan.reserved_share_of_peak), paygo=price)


def _spill_usd(opt: Option, ctx: PricingContext, shape: RequestShape, req: NDArray[np.float64]) -> NDArray[np.float64]:
    """Spilled share × the pay-as-you-go bill of every served request [USD/month]."""
    assert opt.plan is not None and opt.paygo is not None
    p = ctx.profile
    bill = api_monthly_usd(req, opt.paygo, shape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate)
    return opt.plan.spilled_share * bill


def _today_usd(opt: Option, ctx: PricingContext, shape: RequestShape, retrain: float) -> tuple[float, bool]:
    """(monthly cost today at the list prices [USD], spills) of the option's cheaper way: the peak
    reservation, or the one below it + spill-over."""
    api_x, gpu_x = ctx.catalog.price_multipliers
    today = np.array([workload(ctx.profile).requests_per_month])
    peak = float(opt.peak.monthly_usd(today)[0]) / gpu_x + retrain
    if opt.below_peak is None:
        return peak, False
    below = float(opt.below_peak.monthly_usd(today)[0]) / gpu_x
    spill = below + float(_spill_usd(opt, ctx, shape, today)[0]) / api_x + retrain
    return (spill, True) if spill < peak else (peak, False)


def price_provisioned(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """Provisioned throughput of a vendor's model, tuned or not (see the module docstring)."""
    p = ctx.profile
    ft = fine_tune_inputs(p, ctx.catalog) if strategy.uses_fine_tune else None
    if ft is not None and ft.labeled_examples <= 0:
        return infeasible(strategy, req, "fine-tuning needs labeled examples (labeled_examples is 0)")
    shape = fine_tune_shape(strategy, ctx)
    need = None if ft is None else ctx.quality.lowered(ft.quality_uplift)
    need_ctx = max(context_needed(strategy, ctx), shape.context_tokens)
    trainers = tuned_training(ctx) if ft is not None else {}
    load, load_name = None, ""
    if ft is None and ctx.catalog.load_shape is not None:
        load_name, hours = ctx.catalog.load_shape.for_task(p.task_type)
        load = _rescaled(hours, p.peak_to_average)
    reasons: list[str] = []
    untuned = 0  # offers that serve no tuned model, counted rather than listed
    options: list[Option] = []
    served_per_request = (1.0 - p.cache_hit_rate) * (1.0 + p.retry_rate)
    for o in offers_for(ctx):
        m = ctx.catalog.models[o.model_id]
        train = trainers.get((o.vendor, m.id))
        if ft is not None and not o.fine_tuned_allowed:
            untuned += 1
            continue
        why = (
            (None if ft is None or train else f"{o.vendor} publishes no price to fine-tune it")
            or ("window too small" if m.context_window_tokens < need_ctx else None)
            or quality_problem(m, ctx, need)
            or latency_problem(m, strategy, ctx)
            or lifecycle_problem(m, ctx)
        )
        if why:
            reasons.append(f"{o.offering} {m.id}: {why}")
            continue
        assert o.input_tokens_per_minute_per_unit is not None and o.output_token_weight is not None
        r = ctx.reasoning_tokens_per_output_token if m.reasoning_by_default else 0.0
        tokens = shape.input_tokens + o.output_token_weight * shape.output_tokens * (1.0 + r)
        step = o.unit_step or 1
        # replicas (steps of units) per request-month: peak tokens per minute over one step's capacity
        q = (
            served_per_request
            * p.peak_to_average
            * tokens
            / (MINUTES_PER_MONTH * o.input_tokens_per_minute_per_unit * step)
        )
        piece = GpuPiece(
            model_id=m.id,
            gpu_id=o.offering,
            tensor_parallel=0,
            pipeline_stages=0,
            usd_per_replica_month=step * float(o.usd_per_unit_hour or 0.0) * HOURS_PER_MONTH,
            replicas_per_request_month=q,
            reserved=True,
            min_replicas=(o.min_units or step) / step,
        )
        opt = Option(o, m, tokens, piece, train)
        if load is not None and o.spillover_to_paygo and m.has_api_price:
            opt = _with_spill(opt, ctx, shape, load)
        options.append(opt)
    if not options:
        if untuned:
            reasons.append(f"{untuned} other offers serve no tuned model (fine_tuned_allowed)")
        what = "can be fine-tuned and meets the task" if ft is not None else "meets the task"
        why = "; ".join(reasons[:3]) or "no priced provisioned-throughput offer (data/provisioned_throughput.csv)"
        return infeasible(strategy, req, f"no provisioned model in your cloud {what}: {why}")

    def training_usd(opt: Option) -> float:
        if ft is None or opt.training is None:
            return 0.0
        return max(provider_training_usd(ft, opt.training.training_usd_per_mtok), opt.training.min_training_usd or 0.0)

    def retrain_usd(opt: Option) -> float:
        return 0.0 if ft is None else retraining_usd_per_month(ft, training_usd(opt))

    keep = tuned_choice_pool([o.model for o in options], ctx, need) if need is not None else None  # a tuned model
    options = [o for o in options if keep is None or o.model.id in keep]
    ranked = sorted(options, key=lambda o: (_today_usd(o, ctx, shape, retrain_usd(o))[0], o.offer.offering, o.model.id))
    best = ranked[0]
    spills = _today_usd(best, ctx, shape, retrain_usd(best))[1]
    monthly: dict[str, NDArray[np.float64]] = {}
    if spills:
        assert best.below_peak is not None and best.plan is not None and best.paygo is not None
        pieces: tuple[GpuPiece, ...] = (best.below_peak,)
        monthly["provisioned_capacity"] = best.below_peak.monthly_usd(req)
        monthly["api_spillover"] = _spill_usd(best, ctx, shape, req)
        chosen, piece = best, best.below_peak
    elif ft is not None:
        pieces = (best.peak,)
        monthly["provisioned_capacity"] = best.peak.monthly_usd(req)
        chosen, piece = best, best.peak
    else:  # the peak reservation: the cheapest offer at each volume, today's named (ties: ranked's order)
        pieces = tuple(o.peak for o in ranked)
        monthly["provisioned_capacity"] = np.stack([pc.monthly_usd(req) for pc in pieces]).min(axis=0)
        chosen = best
        piece = chosen.peak
    offer, tokens = chosen.offer, chosen.tokens
    upfront = {
        "private_cloud_setup": float(ctx.catalog.value("private_cloud.setup_engineer_months"))
        * ctx.engineer_monthly_usd
    }
    if ft is not None:
        monthly["retraining"] = np.full_like(req, retrain_usd(best))
        upfront.update(
            training=training_usd(best),
            labeling=labeling_usd(ft),
            fine_tune_setup=ft.setup_engineer_months * ctx.engineer_monthly_usd,
        )
    add_rag(strategy, ctx, req, monthly, upfront)
    peak_tpm = (
        float(billable_requests(req[:1], p.cache_hit_rate, p.retry_rate)[0])
        * p.peak_to_average
        * tokens
        / (MINUTES_PER_MONTH)
    )
    step = offer.unit_step or 1
    units = round(float(piece.replicas(req[:1])[0]) * step)
    reserved_tpm = units * float(offer.input_tokens_per_minute_per_unit or 1.0)
    details: dict[str, Any] = {
        "deployment_kind": "provisioned_throughput",
        "model_choice": f"cheapest of {len(options)} provisioned offers that meet "
        f"{(need or ctx.quality).describe()}, the latency target and the horizon"
        + (" (the task's need less the fine-tuning uplift), with a published training price" if ft else ""),
        "vendor": offer.vendor,
        "offering": offer.offering,
        "commitment": offer.commitment,
        "usd_per_unit_hour": offer.usd_per_unit_hour,
        "units": units,
        "peak_tokens_per_minute": peak_tpm,
        # what carries the peak: the reservation, and above it the pay-as-you-go deployment
        "peak_load_to_capacity": min(peak_tpm / reserved_tpm, 1.0) if spills else peak_tpm / reserved_tpm,
        "peak_load_to_reserved_capacity": peak_tpm / reserved_tpm,
        "reserved_share_of_peak": min(reserved_tpm / peak_tpm, 1.0) if peak_tpm > 0 else 1.0,
        "spilled_token_share": chosen.plan.spilled_share if spills and chosen.plan else 0.0,
        # what the whole units reserved at this volume would spill (the share priced is an upper bound)
        "spilled_token_share_at_these_units": spilled_share(load, reserved_tpm / peak_tpm)
        if spills and load is not None and peak_tpm > 0
        else 0.0,
        "spillover": _spill_note(chosen, spills, ft is not None, load, load_name),
        "input_tokens_per_request": shape.input_tokens,
        "output_tokens_per_request": shape.output_tokens,
        "time_to_first_token_ms": expected_ttft_ms(ctx.catalog.models[offer.model_id], strategy, ctx)
        - (float(ctx.catalog.value("quality.retrieval_latency_ms")) if strategy.uses_rag else 0.0),
    }
    if ft is not None and best.training is not None:
        details.update(
            fine_tune_provider=best.training.provider,
            training_usd=upfront["training"],
            labeling_usd=upfront["labeling"],
            retraining_usd_per_month=retrain_usd(best),
            training_tokens=ft.training_tokens,
        )
    return StrategyCost(
        strategy,
        req,
        monthly,
        upfront,
        {"private_cloud": offer.model_id},
        details,
        gpu_pieces=pieces,
        piece_components=("provisioned_capacity",),
    )


def _spill_note(
    opt: Option, spills: bool, tuned: bool, load: NDArray[np.float64] | None, load_name: str
) -> dict[str, Any] | str:
    """What the details say about spill-over: its figures, or why there is none."""
    if spills and opt.plan is not None and opt.paygo is not None:
        return {
            "to": f"a pay-as-you-go (standard) deployment of {opt.model.id} at its API price in models.csv",
            "input_usd_per_mtok": opt.paygo.input_usd_per_mtok,
            "output_usd_per_mtok": opt.paygo.output_usd_per_mtok,
            "newsvendor_share_of_peak": opt.plan.reserved_share_of_peak,
            "exceed_share": opt.plan.exceed_share,
            "spilled_share_basis": "the tokens above the newsvendor share of the peak; the vendor's whole units "
            "(minimum, steps) reserve at least that much, so the spilled share is an upper bound",
            "load_shape": f"{load_name} service, data/load_shape.csv, rescaled to the profile's peak_to_average",
            "note": "the reservation covers part of the peak by design: the pay-as-you-go deployment takes the "
            "load above it, so peak load / (reserved + spill-over) ≤ 1 (peak_load_to_capacity)",
        }
    if tuned:
        return "none: a fine-tuned deployment is sized on the peak (no source says it spills over)"
    if not opt.offer.spillover_to_paygo:
        return f"none: {opt.offer.offering} does not send traffic above the reservation to pay-as-you-go"
    if load is None:
        return "none: no hourly load shape for this peak_to_average (data/load_shape.csv); sized on the peak"
    if opt.plan is None:
        return "none: the vendor's minimum deployment already covers the peak"
    return "none: reserving the peak costs less today than a smaller reservation and spill-over"
