"""Self-hosted fleets: every qualifying model × GPU × layout sized by :mod:`sizing` (once,
memoized); the model that costs least per accepted task at the profile's own volume, then the
cheapest of its GPUs and layouts at each monthly volume, vectorized over options × volumes.

Per month: GPU cost = GPUs × 730 h (365/12 × 24) × USD per GPU-hour, where GPUs = replicas ×
GPUs per replica; ``reserved`` pays for the peak all month at the reserved price (or on-demand ×
(1 − ``reserved_discount``) where none is published); ``on_demand`` pays for the average load
divided by ``gpu_utilization``, never below one replica. The load is the served requests:
requests × (1 − cache_hit_rate) × (1 + retry_rate) (× the self-hosted share for a hybrid).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import RequestShape
from llmstrategy.economics.context import (
    GpuPiece,
    PricingContext,
)
from llmstrategy.economics.hosted import quality_problem
from llmstrategy.economics.quality import QualityNeed
from llmstrategy.economics.serving import (
    ServingSetup,
    layout_pieces,
    market_gpus,
    self_host_settings,
    serving_setup,
    usd_per_gpu_hour,
    with_hidden_reasoning,
)
from llmstrategy.economics.sizing import ReplicaSizing
from llmstrategy.inputs.catalog import GpuSpec, ModelSpec
from llmstrategy.inputs.workload import HOURS_PER_MONTH


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
    choice: NDArray[np.int64]  # (the per-GPU cost of an option includes the operations staff per GPU)
    replicas: NDArray[np.float64]
    gpus: NDArray[np.float64]
    monthly_usd: NDArray[np.float64]  # GPU cost of the chosen option [USD/month]
    fixed_usd_per_month: NDArray[np.float64]  # the chosen option's fixed cost (e.g. retraining)
    undominated: NDArray[np.bool_]  # options that are the cheapest at some volume, possibly
    ops_usd_per_gpu_hour: float = 0.0  # the staff part of each option's per-GPU-hour cost

    @property
    def gpu_only_monthly_usd(self) -> NDArray[np.float64]:
        """The chosen fleet's GPU rent alone [USD/month] (``monthly_usd`` less the staff per GPU)."""
        return self.monthly_usd - self.gpus * self.ops_usd_per_gpu_hour * HOURS_PER_MONTH

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
                    "gpu_monthly_usd": float(self.gpu_only_monthly_usd[i]),
                }
            )
        return out


def candidate_models(ctx: PricingContext, need: QualityNeed, context_tokens: float) -> list[ModelSpec] | str:
    named = ctx.profile.assumptions.self_host_model
    if named is not None:
        m = ctx.catalog.models[named]
        if not m.can_self_host:
            return f"{named} has no open weights or no architecture in the catalog"
        if m.self_host_window_tokens < context_tokens:
            return (
                f"{named}'s window ({m.self_host_window_tokens:,}) is smaller than the "
                f"{context_tokens:,.0f} tokens needed"
            )
        return [m]
    pool = [
        m
        for m in ctx.catalog.models.values()
        if m.can_self_host and m.self_host_window_tokens >= context_tokens and quality_problem(m, ctx, need) is None
    ]
    if not pool:
        return f"no open-weight catalog model meets {need.describe()} with a {context_tokens:,.0f}-token window"
    return sorted(pool, key=lambda m: m.id)


@lru_cache(maxsize=512)
def _option_table(
    pairs: tuple[tuple[ModelSpec, GpuSpec], ...],
    fixed: tuple[float, ...],
    prices: tuple[float, ...],
    setup: ServingSetup,
    reasoning_tokens_per_output_token: float = 0.0,
    staff_usd_per_gpu_hour: float = 0.0,
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
        u = with_hidden_reasoning(setup, m, reasoning_tokens_per_output_token)
        lp = layout_pieces(m, g, price, u, staff_usd_per_gpu_hour)
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
    keep = _undominated(c, q, fx)
    for arr in (c, q, fx, gpr, keep):
        arr.setflags(write=False)  # shared by every caller of the memoized table
    return tuple(options), c, q, fx, gpr, keep


def _undominated(c: NDArray[np.float64], q: NDArray[np.float64], fx: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Options no other option beats at every volume (no cheaper in fixed cost, per-replica cost
    and replicas per request; equal ones: the first)."""
    cols = np.stack([c, q, fx])
    le = np.all(cols[:, :, None] <= cols[:, None, :], axis=0)  # le[j, i]: j ≤ i everywhere
    lt = np.any(cols[:, :, None] < cols[:, None, :], axis=0)
    earlier = np.arange(c.size)[:, None] < np.arange(c.size)[None, :]
    beaten = le & (lt | earlier)
    np.fill_diagonal(beaten, False)
    return ~beaten.any(axis=0)


#: cost per accepted task [USD] of a model whose request costs the given USD (retries or review)
AcceptedUsd = Callable[[ModelSpec, float], float]


def chosen_model(
    options: tuple[FleetOption, ...],
    monthly_usd_today: NDArray[np.float64],
    served_today: float,
    accepted: AcceptedUsd,
    pool: Callable[[list[ModelSpec]], frozenset[str]] | None = None,
) -> ModelSpec:
    """The model whose cheapest fleet at today's volume costs least per accepted task (seed 001:
    track cost per task; the hosted pricer chooses its model the same way): a model a few dollars
    dearer that passes more tasks wins. ``pool`` narrows the models that may be taken (a tuned
    model where retries cannot buy accuracy: :func:`hosted.tuned_choice_pool`). Ties: the cheaper
    fleet, then the catalog order."""
    best: dict[str, tuple[float, ModelSpec]] = {}
    for o, usd in zip(options, monthly_usd_today.tolist(), strict=True):
        if o.model.id not in best or usd < best[o.model.id][0]:
            best[o.model.id] = (usd, o.model)
    if pool is not None:
        keep = pool([m for _, m in best.values()])
        best = {k: v for k, v in best.items() if k in keep}
    per_request = max(served_today, 1e-9)
    ranked = sorted(
        best.values(), key=lambda um: (accepted(um[1], um[0] / per_request), um[0])
    )  # stable: catalog order among equals
    return ranked[0][1]


def best_fleet(
    ctx: PricingContext,
    shape: RequestShape,
    served: NDArray[np.float64],
    need: QualityNeed,
    context_tokens: float,
    fixed_monthly_usd: Callable[[ModelSpec, GpuSpec], float] | None = None,
    *,
    accepted: AcceptedUsd | None = None,
    served_today: float | None = None,
    pool: Callable[[list[ModelSpec]], frozenset[str]] | None = None,
) -> FleetPlan | str:
    """Every qualifying model × GPU × layout (sized once, memoized); at each volume the one
    with the lowest GPU cost plus ``fixed_monthly_usd(model, gpu)`` (e.g. retraining that
    model). With ``accepted`` (and ``served_today``, billable requests a month at the profile's
    own volume), the model is first chosen once, at today's volume, by cost per accepted task
    (:func:`chosen_model`, among ``pool``'s models if given), and only its GPUs and layouts compete
    at each volume: the model does
    not change with the volume array a caller prices (break-even, Monte Carlo), and the fleet
    stays the cheapest of its pieces. One numpy pass over options × volumes."""
    s = self_host_settings(ctx)
    models = candidate_models(ctx, need, context_tokens)
    if isinstance(models, str):
        return models
    gpus = (
        [ctx.catalog.gpus[ctx.profile.assumptions.gpu]]
        if ctx.profile.assumptions.gpu
        else list(ctx.catalog.gpus.values())
    )
    offered = market_gpus(gpus, s)
    if not offered:
        ids = ", ".join(g.id for g in gpus)
        return f"no GPU ({ids}) has an offer in the {s.gpu_market} market (data/gpu_offers.csv)"
    gpus = offered
    reserved = s.gpu_pricing == "reserved"
    pairs = tuple((m, g) for m in models for g in gpus)
    fixed = tuple(fixed_monthly_usd(m, g) if fixed_monthly_usd else 0.0 for m, g in pairs)
    table = _option_table(
        pairs,
        fixed,
        tuple(usd_per_gpu_hour(g, s) for _, g in pairs),
        serving_setup(shape, ctx, s),
        ctx.reasoning_tokens_per_output_token,
        s.ops_usd_per_gpu_hour,
    )
    if isinstance(table, str):
        return table
    options, c, q, fx, per_replica_gpus, keep = table
    spare = serving_setup(shape, ctx, s).spare_replicas

    def replicas(x: NDArray[np.float64]) -> NDArray[np.float64]:
        return (np.maximum(1.0, np.ceil(x - 1e-9)) if reserved else np.maximum(1.0, x)) + spare

    if accepted is not None and served_today is not None and len({o.model.id for o in options}) > 1:
        today = fx + c * replicas(q * served_today)
        m = chosen_model(options, today, served_today, accepted, pool)
        mine = np.array([o.model.id == m.id for o in options])
        mask = np.where(mine, 0.0, np.inf)
        keep = mine & _undominated(np.where(mine, c, np.inf), q, np.where(mine, fx, np.inf))
    else:
        mask = np.zeros_like(c)
    x = q[:, None] * np.asarray(served, dtype=float)[None, :]
    reps = replicas(x)
    cost = fx[:, None] + c[:, None] * reps + mask[:, None]
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
        s.ops_usd_per_gpu_hour,
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
        "operations_usd_per_gpu_hour": plan.ops_usd_per_gpu_hour,
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
