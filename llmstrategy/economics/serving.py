"""Serving one model on one GPU type: the self-hosting settings resolved from the profile
(GPU pricing, precision, utilization, latency targets), the price of a GPU-hour, the sizing
of a fleet at one volume, and every replica layout of a model × GPU priced as a
:class:`~llmstrategy.economics.context.GpuPiece` (independent of volume, memoized).

A piece's replicas per request-month are ``peak_to_average / (seconds per month × capacity)``
when reserved (the peak, all month) and ``1 / (seconds per month × capacity × utilization)``
on demand; its monthly price per replica is GPUs per replica × 730 h × USD per GPU-hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import RequestShape
from llmstrategy.economics.context import (
    GpuPiece,
    PricingContext,
)
from llmstrategy.economics.sizing import ReplicaSizing, SizingParams, size_all_layouts
from llmstrategy.errors import ProfileError
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
    ops_usd_per_gpu_hour: float = 0.0  # operations staff that grows with the fleet [USD per GPU-hour]
    gpu_market: str | None = None  # the market GPUs are priced in (None: gpus.csv's own prices)
    market_prices: Mapping[str, float] | None = None  # GPU id → USD per GPU-hour in that market


#: markets whose GPUs are paid every hour whatever the load (a fleet in them is sized as reserved)
PAID_EVERY_HOUR = ("commit_1y", "commit_3y", "owned")


def self_host_settings(ctx: PricingContext) -> SelfHostSettings:
    p, v = ctx.profile, ctx.catalog.value
    a = p.assumptions
    market: str | None = None
    prices: dict[str, float] | None = None
    pricing = a.gpu_pricing or str(v("self_host.default_gpu_pricing"))
    if ctx.catalog.gpu_offers:  # price every GPU in one market: like with like
        market = a.gpu_market or str(v("self_host.default_gpu_market"))
        prices = {g: usd for (g, mk), usd in ctx.catalog.gpu_offers.items() if mk == market}
        if market in PAID_EVERY_HOUR:  # a committed or owned GPU costs the same idle or busy
            if a.gpu_pricing == "on_demand":
                raise ProfileError(
                    f"a {market} GPU is paid every hour of its term, so it cannot scale down off-peak; expected "
                    "gpu_pricing: reserved (or leave it out) with this market",
                    path=p.source_path,
                    field="assumptions.gpu_pricing",
                )
            pricing = "reserved"
    return SelfHostSettings(
        precision=a.precision or str(v("self_host.default_precision")),
        gpu_pricing=pricing,
        gpu_utilization=a.gpu_utilization or float(v("self_host.default_gpu_utilization")),
        tpot_slo_ms=p.tpot_slo_ms or float(v("self_host.default_tpot_slo_ms")),
        ttft_slo_ms=p.latency_slo_ms or float(v("self_host.default_ttft_slo_ms")),
        reserved_discount=float(v("self_host.reserved_discount")),
        ops_engineer_fraction=float(v("self_host.ops_engineer_fraction")),
        setup_engineer_months=float(v("self_host.setup_engineer_months")),
        params=SizingParams.from_catalog(ctx.catalog),
        ops_usd_per_gpu_hour=float(v("self_host.ops_engineers_per_gpu")) * ctx.engineer_monthly_usd / HOURS_PER_MONTH,
        gpu_market=market,
        market_prices=prices,
    )


def usd_per_gpu_hour(gpu: GpuSpec, s: SelfHostSettings) -> float:
    """The GPU's price in the settings' market (``data/gpu_offers.csv``; a committed or owned
    market is already what a reserved fleet pays), else ``gpus.csv``'s; a reserved fleet on an
    on-demand market pays it × (1 − ``reserved_discount``) (or ``gpus.csv``'s reserved price)."""
    if s.market_prices is not None:
        base = s.market_prices[gpu.id]
        on_demand_market = s.gpu_market in ("hyperscaler_on_demand", "specialist_on_demand")
        return base * (1.0 - s.reserved_discount) if s.gpu_pricing == "reserved" and on_demand_market else base
    if s.gpu_pricing == "reserved":
        return gpu.reserved_usd_per_gpu_hour or gpu.on_demand_usd_per_gpu_hour * (1.0 - s.reserved_discount)
    return gpu.on_demand_usd_per_gpu_hour


def training_usd_per_gpu_hour(gpu: GpuSpec, s: SelfHostSettings) -> float:
    """A self-run training job's price per GPU-hour: the GPU's price in the fleet's market, as an
    on-demand job (a reserved fleet's discount is not the run's; a committed or owned market's GPUs
    are the fleet's own), else ``gpus.csv``'s on-demand price: serving and training in one market."""
    if s.market_prices is not None and gpu.id in s.market_prices:
        return s.market_prices[gpu.id]
    return gpu.on_demand_usd_per_gpu_hour


def market_gpus(gpus: list[GpuSpec], s: SelfHostSettings) -> list[GpuSpec]:
    """The GPUs with an offer in the settings' market (all of them without market data)."""
    return gpus if s.market_prices is None else [g for g in gpus if g.id in s.market_prices]


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
    layout = layout_pieces(model, gpu, usd_per_gpu_hour(gpu, s), serving_setup(shape, ctx, s))
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
    hidden_tokens_before_answer: float = 0.0  # a reasoning model's hidden reasoning per request
    peak_headroom: float = 0.0  # share of capacity kept free at the peak
    spare_replicas: float = 0.0  # N+1: replicas beyond the load
    network_round_trip_ms: float = 0.0  # the application's network path to a replica, in its time to first token


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
        peak_headroom=float(ctx.catalog.value("self_host.peak_headroom")),
        spare_replicas=float(ctx.catalog.value("self_host.spare_replicas_interactive"))
        if ctx.profile.latency == "interactive"
        else 0.0,
        network_round_trip_ms=float(ctx.catalog.value("self_host.network_round_trip_in_region_ms")),
    )


@lru_cache(maxsize=4096)
def with_hidden_reasoning(u: ServingSetup, model: ModelSpec, reasoning_tokens_per_output_token: float) -> ServingSetup:
    """``u`` for a model that reasons by default: its hidden reasoning tokens (output tokens ×
    ``reasoning_tokens_per_output_token``) are decoded like output tokens, before the first visible one."""
    if not model.reasoning_by_default or reasoning_tokens_per_output_token <= 0:
        return u
    hidden = u.output_tokens * reasoning_tokens_per_output_token
    return replace(u, output_tokens=u.output_tokens + hidden, hidden_tokens_before_answer=hidden)


def layout_pieces(
    model: ModelSpec, gpu: GpuSpec, price: float, u: ServingSetup, staff_usd_per_gpu_hour: float = 0.0
) -> tuple[tuple[ReplicaSizing, ...], tuple[ReplicaSizing, ...], tuple[GpuPiece, ...], float] | str:
    """Every layout sized and its cost piece: independent of volume, so memoized. A replica
    costs GPUs × 730 h × (``price`` + ``staff_usd_per_gpu_hour``) a month: the GPU rent and the
    operations staff that grows with the fleet."""
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
        hidden_tokens_before_answer=u.hidden_tokens_before_answer,
        network_round_trip_ms=u.network_round_trip_ms,
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
            usd_per_replica_month=r.gpus_per_replica * HOURS_PER_MONTH * (price + staff_usd_per_gpu_hour),
            replicas_per_request_month=(
                u.peak_to_average / (seconds_per_month * r.requests_per_second * (1.0 - u.peak_headroom))
                if u.reserved
                else 1.0 / (seconds_per_month * r.requests_per_second * u.gpu_utilization)
            ),
            reserved=u.reserved,
            staff_usd_per_replica_month=r.gpus_per_replica * HOURS_PER_MONTH * staff_usd_per_gpu_hour,
            spare_replicas=u.spare_replicas,
        )
        for r in fitting
    )
    return tuple(sizings), fitting, pieces, price
