"""Private deployments in the team's own cloud tenancy (``private_cloud``), of two kinds: a
vendor's model on provisioned throughput (Azure provisioned throughput units, Bedrock provisioned
throughput, Vertex AI generative AI scale units), billed per unit-hour whether used or not; or a
managed endpoint of an open-weight model (:mod:`managed_endpoint`: SageMaker, Azure ML), billed
per instance-hour. :func:`price_private_cloud` takes the kind that costs less at today's volume
(a managed endpoint only for a team with an ML engineer, or that can hire one: the model is
theirs to choose, evaluate and upgrade) and names the other in its details.

Sizing, as the vendors document it (Microsoft's PTU sizing guide): tokens per minute at the
peak = billable requests per minute at the peak × (input tokens + output weight × output
tokens, hidden reasoning included); units = max(minimum, step × ⌈TPM / (TPM per unit × step)⌉).
Monthly cost = units × USD per unit-hour × 730. Each (offering, model) is a step-priced piece
(a "replica" is one step of units, with the minimum as its floor), so the Monte Carlo reprices
it like a reserved fleet. The commitment taken is the cheapest one no longer than the horizon;
an offer with no published price is left out (rows stay in the data, marked blank). Traffic
above the reservation is not spilled to pay-as-you-go (the reservation covers the peak).
Fine-tuned models on provisioned capacity are not priced yet.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import billable_requests
from llmstrategy.economics.context import (
    GpuPiece,
    PricingContext,
    StrategyCost,
    add_rag,
    context_needed,
    infeasible,
    request_shape,
)
from llmstrategy.economics.hosted import expected_ttft_ms, latency_problem, lifecycle_problem, quality_problem
from llmstrategy.economics.managed_endpoint import managed_endpoint_cost
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


def price_provisioned(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """Provisioned throughput of a vendor's model (see the module docstring)."""
    if strategy.uses_fine_tune:
        return infeasible(strategy, req, "fine-tuned models on provisioned capacity are not priced yet")
    p = ctx.profile
    shape = request_shape(strategy, ctx)
    need_ctx = context_needed(strategy, ctx)
    reasons: list[str] = []
    pieces: list[tuple[GpuPiece, ProvisionedOffer, float]] = []
    served_per_request = (1.0 - p.cache_hit_rate) * (1.0 + p.retry_rate)
    for o in offers_for(ctx):
        m = ctx.catalog.models[o.model_id]
        why = (
            ("window too small" if m.context_window_tokens < need_ctx else None)
            or quality_problem(m, ctx)
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
        pieces.append((piece, o, tokens))
    if not pieces:
        why = "; ".join(reasons[:3]) or "no priced provisioned-throughput offer (data/provisioned_throughput.csv)"
        return infeasible(strategy, req, f"no provisioned model in your cloud meets the task: {why}")
    costs = np.stack([pc.monthly_usd(req) for pc, _, _ in pieces])
    first = int(np.argmin(costs[:, 0]))
    piece, offer, tokens = pieces[first]
    monthly: dict[str, NDArray[np.float64]] = {"provisioned_capacity": costs.min(axis=0)}
    upfront = {
        "private_cloud_setup": float(ctx.catalog.value("private_cloud.setup_engineer_months"))
        * ctx.engineer_monthly_usd
    }
    add_rag(strategy, ctx, req, monthly, upfront)
    peak_tpm = (
        float(billable_requests(req[:1], p.cache_hit_rate, p.retry_rate)[0])
        * p.peak_to_average
        * tokens
        / (MINUTES_PER_MONTH)
    )
    units = units_needed(peak_tpm, offer)
    details: dict[str, Any] = {
        "deployment_kind": "provisioned_throughput",
        "model_choice": f"cheapest of {len(pieces)} provisioned offers that meet {ctx.quality.describe()}, the latency "
        "target and the horizon",
        "vendor": offer.vendor,
        "offering": offer.offering,
        "commitment": offer.commitment,
        "usd_per_unit_hour": offer.usd_per_unit_hour,
        "units": units,
        "peak_tokens_per_minute": peak_tpm,
        "peak_load_to_capacity": peak_tpm / (units * float(offer.input_tokens_per_minute_per_unit or 1.0)),
        "input_tokens_per_request": shape.input_tokens,
        "output_tokens_per_request": shape.output_tokens,
        "time_to_first_token_ms": expected_ttft_ms(ctx.catalog.models[offer.model_id], strategy, ctx)
        - (float(ctx.catalog.value("quality.retrieval_latency_ms")) if strategy.uses_rag else 0.0),
    }
    return StrategyCost(
        strategy,
        req,
        monthly,
        upfront,
        {"private_cloud": offer.model_id},
        details,
        gpu_pieces=tuple(pc for pc, _, _ in pieces),
        piece_components=("provisioned_capacity",),
    )
