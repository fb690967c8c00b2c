"""Self-hosted fleets: every qualifying model × GPU × layout sized by :mod:`sizing` (once,
memoized), and the cheapest of them at each monthly volume, vectorized over options × volumes.

Per month: GPU cost = GPUs × 730 h (365/12 × 24) × USD per GPU-hour, where GPUs = replicas ×
GPUs per replica; ``reserved`` pays for the peak all month at the reserved price (or on-demand ×
(1 − ``reserved_discount``) where none is published); ``on_demand`` pays for the average load
divided by ``gpu_utilization``, never below one replica. The load is the served requests:
requests × (1 − cache_hit_rate) × (1 + retry_rate) (× the self-hosted share for a hybrid).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import RequestShape
from llmstrategy.economics.price import (
    GpuPiece,
    PricingContext,
)
from llmstrategy.economics.sizing import ReplicaSizing, SizingParams, size_all_layouts
from llmstrategy.inputs.catalog import GpuSpec, ModelSpec
from llmstrategy.inputs.workload import DAYS_PER_MONTH, HOURS_PER_MONTH, SECONDS_PER_DAY


@dataclass(frozen=True)
class SelfHostSettings:
    """Resolved self-host assumptions (profile overrides applied)."""

    precision: str
    gpu_pricing: str
    gpu_utilization: float
    tpot_slo_ms: float
    ttft_slo_ms: float
    reserved_discount: float
    ops_engineer_fraction: float
    setup_engineer_months: float
    params: SizingParams


def self_host_settings(ctx: PricingContext) -> SelfHostSettings:
    p, v = ctx.profile, ctx.catalog.value
    a = p.assumptions
    return SelfHostSettings(
        precision=a.precision or str(v("self_host.default_precision")),
        gpu_pricing=a.gpu_pricing or str(v("self_host.default_gpu_pricing")),
        gpu_utilization=a.gpu_utilization or float(v("self_host.default_gpu_utilization")),
        tpot_slo_ms=p.tpot_slo_ms or float(v("self_host.default_tpot_slo_ms")),
        ttft_slo_ms=p.latency_slo_ms or float(v("self_host.default_ttft_slo_ms")),
        reserved_discount=float(v("self_host.reserved_discount")),
        ops_engineer_fraction=float(v("self_host.ops_engineer_fraction")),
        setup_engineer_months=float(v("self_host.setup_engineer_months")),
        params=SizingParams.from_catalog(ctx.catalog),
    )


def usd_per_gpu_hour(gpu: GpuSpec, s: SelfHostSettings) -> float:
    """On-demand price, or the reserved price (on-demand × (1 − discount) if unpublished)."""
    if s.gpu_pricing == "reserved":
        return gpu.reserved_usd_per_gpu_hour or gpu.on_demand_usd_per_gpu_hour * (1.0 - s.reserved_discount)
    return gpu.on_demand_usd_per_gpu_hour


@dataclass(frozen=True)
class Fleet:
    """A self-hosted model on one GPU type: every layout sized, and the fleet per volume."""

    model: ModelSpec
    gpu: GpuSpec
    layouts: tuple[ReplicaSizing, ...]  # every layout tried (fits or not)
    chosen: NDArray[np.int64]  # index into the fitting layouts, per volume
    fitting: tuple[ReplicaSizing, ...]
    pieces: tuple[GpuPiece, ...]  # one per fitting layout
    replicas: NDArray[np.float64]
    gpus: NDArray[np.float64]
    monthly_usd: NDArray[np.float64]
    usd_per_gpu_hour: float


def size_fleet(
    model: ModelSpec,
    gpu: GpuSpec,
    shape: RequestShape,
    served_requests_per_month: NDArray[np.float64],
    ctx: PricingContext,
    s: SelfHostSettings,
) -> Fleet | str:
    """The layout that needs the fewest GPUs at each volume, or the reason no layout fits."""
    layout = _layout_pieces(model, gpu, usd_per_gpu_hour(gpu, s), serving_setup(shape, ctx, s))
    if isinstance(layout, str):
        return layout
    sizings, fitting, pieces, price = layout
    reps = np.stack([pc.replicas(served_requests_per_month) for pc in pieces])
    gpus_by_layout = reps * np.array([[r.gpus_per_replica] for r in fitting], dtype=float)
    chosen = np.argmin(gpus_by_layout, axis=0)  # ties: the first (smallest TP) layout
    cols = np.arange(gpus_by_layout.shape[1])
    gpus = gpus_by_layout[chosen, cols]
    return Fleet(
        model,
        gpu,
        tuple(sizings),
        chosen,
        fitting,
        pieces,
        reps[chosen, cols],
        gpus,
        gpus * HOURS_PER_MONTH * price,
        price,
    )


@dataclass(frozen=True)
class ServingSetup:
    """What sizes a fleet besides the model, the GPU and the volume (hashable: a cache key)."""

    precision: str
    input_tokens: float
    output_tokens: float
    latency: str
    tpot_slo_ms: float
    ttft_slo_ms: float
    params: SizingParams
    reserved: bool
    peak_to_average: float
    gpu_utilization: float


def serving_setup(shape: RequestShape, ctx: PricingContext, s: SelfHostSettings) -> ServingSetup:
    return ServingSetup(
        s.precision,
        float(shape.input_tokens),
        float(shape.output_tokens),
        ctx.profile.latency,
        s.tpot_slo_ms,
        s.ttft_slo_ms,
        s.params,
        s.gpu_pricing == "reserved",
        float(ctx.profile.peak_to_average),
        s.gpu_utilization,
    )


@lru_cache(maxsize=4096)
def _layout_pieces(
    model: ModelSpec, gpu: GpuSpec, price: float, u: ServingSetup
) -> tuple[tuple[ReplicaSizing, ...], tuple[ReplicaSizing, ...], tuple[GpuPiece, ...], float] | str:
    """Every layout sized and its cost piece: independent of volume, so memoized."""
    sizings = size_all_layouts(
        model,
        gpu,
        u.precision,
        input_tokens=u.input_tokens,
        output_tokens=u.output_tokens,
        latency=u.latency,
        tpot_slo_ms=u.tpot_slo_ms,
        ttft_slo_ms=u.ttft_slo_ms,
        params=u.params,
    )
    fitting = tuple(r for r in sizings if r.fits)
    if not fitting:
        return f"{model.id} on {gpu.id} ({u.precision}): " + sizings[-1].reason if sizings else "no layout"
    seconds_per_month = DAYS_PER_MONTH * SECONDS_PER_DAY
    pieces = tuple(
        GpuPiece(
            model_id=model.id,
            gpu_id=gpu.id,
            tensor_parallel=r.tensor_parallel,
            pipeline_stages=r.pipeline_stages,
            usd_per_replica_month=r.gpus_per_replica * HOURS_PER_MONTH * price,
            replicas_per_request_month=(
                u.peak_to_average / (seconds_per_month * r.requests_per_second)
                if u.reserved
                else 1.0 / (seconds_per_month * r.requests_per_second * u.gpu_utilization)
            ),
            reserved=u.reserved,
        )
        for r in fitting
    )
    return tuple(sizings), fitting, pieces, price


@dataclass(frozen=True)
class FleetOption:
    """One way to serve the load: a model on a GPU type in one layout, with its cost piece
    (its ``fixed_usd_per_month`` included) and every layout tried for that model × GPU."""

    model: ModelSpec
    gpu: GpuSpec
    sizing: ReplicaSizing
    layouts: tuple[ReplicaSizing, ...]
    piece: GpuPiece
    usd_per_gpu_hour: float


@dataclass(frozen=True)
class FleetPlan:
    """The cheapest option (model × GPU × layout) at each volume, vectorized over options ×
    volumes: cost = fixed + per-replica cost × replicas (see :class:`pricing.GpuPiece`).

    ``choice[i]`` indexes ``options`` at volume i (ties: the first in model id, catalog GPU and
    layout order, so within one model × GPU the layout with the fewest GPUs). Month 0 (index 0)
    is what the report calls *the* fleet; later months may move to another GPU type or model as
    the volume grows (shown month by month).
    """

    options: tuple[FleetOption, ...]
    choice: NDArray[np.int64]
    replicas: NDArray[np.float64]
    gpus: NDArray[np.float64]
    monthly_usd: NDArray[np.float64]  # GPU cost of the chosen option [USD/month]
    fixed_usd_per_month: NDArray[np.float64]  # the chosen option's fixed cost (e.g. retraining)
    undominated: NDArray[np.bool_]  # options that are the cheapest at some volume, possibly

    @property
    def first(self) -> FleetOption:
        """The option at the first volume (month 0)."""
        return self.options[int(self.choice[0])]

    def pieces(self, served_per_request: float = 1.0) -> tuple[GpuPiece, ...]:
        """The undominated options' pieces, volume per request before cache, retries and
        routing (a dominated piece is never the cheapest, so leaving it out is exact)."""
        return tuple(
            o.piece.scaled(served_per_request) for o, k in zip(self.options, self.undominated, strict=True) if k
        )

    def by_volume(self) -> list[dict[str, Any]]:
        """Model, GPU, layout, replicas, GPUs and GPU cost at each volume."""
        out = []
        for i, c in enumerate(self.choice.tolist()):
            o = self.options[c]
            out.append(
                {
                    "model": o.model.id,
                    "gpu": o.gpu.id,
                    "tensor_parallel": o.sizing.tensor_parallel,
                    "pipeline_stages": o.sizing.pipeline_stages,
                    "replicas": float(self.replicas[i]),
                    "gpus": float(self.gpus[i]),
                    "gpu_monthly_usd": float(self.monthly_usd[i]),
                }
            )
        return out


def candidate_models(ctx: PricingContext, quality_needed: float, context_tokens: float) -> list[ModelSpec] | str:
    named = ctx.profile.assumptions.self_host_model
    if named is not None:
        m = ctx.catalog.models[named]
        if not m.can_self_host:
            return f"{named} has no open weights or no architecture in the catalog"
        if m.context_window_tokens < context_tokens:
            return (
                f"{named}'s window ({m.context_window_tokens:,}) is smaller than the "
                f"{context_tokens:,.0f} tokens needed"
            )
        return [m]
    pool = [
        m
        for m in ctx.catalog.models.values()
        if m.can_self_host
        and m.context_window_tokens >= context_tokens
        and m.quality_score is not None
        and m.quality_score >= quality_needed
    ]
    if not pool:
        return (
            f"no open-weight catalog model reaches quality {quality_needed:g} with a {context_tokens:,.0f}-token window"
        )
    return sorted(pool, key=lambda m: m.id)


@lru_cache(maxsize=512)
def _option_table(
    pairs: tuple[tuple[ModelSpec, GpuSpec], ...],
    fixed: tuple[float, ...],
    prices: tuple[float, ...],
    setup: ServingSetup,
    reasoning_tokens_per_output_token: float = 0.0,
) -> (
    tuple[
        tuple[FleetOption, ...],
        NDArray[np.float64],
        NDArray[np.float64],
        NDArray[np.float64],
        NDArray[np.float64],
        NDArray[np.bool_],
    ]
    | str
):
    """Every option of these model × GPU pairs and its cost-piece columns (per-replica cost,
    replicas per request, fixed cost, GPUs per replica) and which options no other beats at
    every volume (exact: one no cheaper in fixed cost, per-replica cost and replicas per
    request is never the cheapest): independent of volume, so memoized (read-only arrays)."""
    options: list[FleetOption] = []
    reasons: list[str] = []
    for (m, g), fx_mg, price in zip(pairs, fixed, prices, strict=True):
        u = setup
        if m.reasoning_by_default and reasoning_tokens_per_output_token > 0:
            # hidden reasoning tokens are decoded like output tokens (time to the first visible
            # token is not modelled)
            u = replace(setup, output_tokens=setup.output_tokens * (1.0 + reasoning_tokens_per_output_token))
        lp = _layout_pieces(m, g, price, u)
        if isinstance(lp, str):
            reasons.append(lp)
            continue
        sizings, fitting, pieces, _ = lp
        options.extend(
            FleetOption(m, g, r, sizings, pc.scaled(1.0, fx_mg) if fx_mg else pc, price)
            for r, pc in zip(fitting, pieces, strict=True)
        )
    if not options:
        return "no catalog GPU configuration serves the model: " + (reasons[0] if reasons else "")
    c = np.array([o.piece.usd_per_replica_month for o in options])
    q = np.array([o.piece.replicas_per_request_month for o in options])
    fx = np.array([o.piece.fixed_usd_per_month for o in options])
    gpr = np.array([o.sizing.gpus_per_replica for o in options], dtype=float)
    cols = np.stack([c, q, fx])
    le = np.all(cols[:, :, None] <= cols[:, None, :], axis=0)  # le[j, i]: j ≤ i everywhere
    lt = np.any(cols[:, :, None] < cols[:, None, :], axis=0)
    earlier = np.arange(c.size)[:, None] < np.arange(c.size)[None, :]
    beaten = le & (lt | earlier)
    np.fill_diagonal(beaten, False)
    keep = ~beaten.any(axis=0)
    for arr in (c, q, fx, gpr, keep):
        arr.setflags(write=False)  # shared by every caller of the memoized table
    return tuple(options), c, q, fx, gpr, keep


def best_fleet(
    ctx: PricingContext,
    shape: RequestShape,
    served: NDArray[np.float64],
    quality_needed: float,
    context_tokens: float,
    fixed_monthly_usd: Callable[[ModelSpec, GpuSpec], float] | None = None,
) -> FleetPlan | str:
    """Every qualifying model × GPU × layout (sized once, memoized); at each volume the one
    with the lowest GPU cost plus ``fixed_monthly_usd(model, gpu)`` (e.g. retraining that
    model). One numpy pass over options × volumes."""
    s = self_host_settings(ctx)
    models = candidate_models(ctx, quality_needed, context_tokens)
    if isinstance(models, str):
        return models
    gpus = (
        [ctx.catalog.gpus[ctx.profile.assumptions.gpu]]
        if ctx.profile.assumptions.gpu
        else list(ctx.catalog.gpus.values())
    )
    reserved = s.gpu_pricing == "reserved"
    pairs = tuple((m, g) for m in models for g in gpus)
    fixed = tuple(fixed_monthly_usd(m, g) if fixed_monthly_usd else 0.0 for m, g in pairs)
    table = _option_table(
        pairs,
        fixed,
        tuple(usd_per_gpu_hour(g, s) for _, g in pairs),
        serving_setup(shape, ctx, s),
        ctx.reasoning_tokens_per_output_token,
    )
    if isinstance(table, str):
        return table
    options, c, q, fx, per_replica_gpus, keep = table
    x = q[:, None] * np.asarray(served, dtype=float)[None, :]
    reps = np.maximum(1.0, np.ceil(x - 1e-9)) if reserved else np.maximum(1.0, x)
    cost = fx[:, None] + c[:, None] * reps
    best = cost.min(axis=0)
    # the first option within a relative tolerance, so float noise does not flip between equals
    choice = np.argmax(cost <= best * (1 + 1e-12) + 1e-9, axis=0)
    cols = np.arange(cost.shape[1])
    chosen_reps = reps[choice, cols]
    return FleetPlan(
        tuple(options),
        choice,
        chosen_reps,
        chosen_reps * per_replica_gpus[choice],
        c[choice] * chosen_reps,
        fx[choice],
        keep,
    )


def fleet_details(plan: FleetPlan) -> dict[str, Any]:
    """The month-0 sizing fields of the JSON contract, plus every layout tried and the
    fleet at each volume (``fleet_by_volume``; the analysis calls it ``fleet_by_month``)."""
    f = plan.first
    r = f.sizing
    return {
        "gpu": f.gpu.id,
        "precision": r.precision,
        "tensor_parallel": r.tensor_parallel,
        "pipeline_stages": r.pipeline_stages,
        "replicas": float(plan.replicas[0]),
        "gpus": float(plan.gpus[0]),
        "batch_size": r.batch_size,
        "output_tokens_per_second_per_gpu": r.output_tokens_per_second_per_gpu,
        "time_per_output_token_ms": r.time_per_output_token_ms,
        "time_to_first_token_ms": r.time_to_first_token_ms,
        "usd_per_gpu_hour": f.usd_per_gpu_hour,
        "sizing_alternatives": [
            {
                k: v
                for k, v in x.as_dict().items()
                if k
                in (
                    "tensor_parallel",
                    "pipeline_stages",
                    "fits",
                    "reason",
                    "batch_size",
                    "output_tokens_per_second_per_gpu",
                    "time_per_output_token_ms",
                    "requests_per_second",
                )
            }
            for x in f.layouts
        ],
        "fleet_by_volume": plan.by_volume(),
    }
