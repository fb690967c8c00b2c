"""Monte Carlo of every feasible strategy's cost for one profile: sampled inputs, the cost of
each strategy in each simulated future (vectorized over the decomposition of
:mod:`cost_structure`), percentiles and the share of futures in which each is cheapest.
The recommendation in each future is :func:`llmstrategy.decision.recommend.recommend_many`.

**Approximations** (all exact at zero spread, which the tests check against the analysis):
the tokens multiplier scales per-request costs linearly (an API bill is linear in tokens, but a
GPU replica's capacity is not exactly inversely proportional to tokens, a long-context price
tier may switch, whole replicas at the peak are steps, and the request-shape model choice is kept: ≤ 5% of the
horizon total at ×0.7 and ×1.3 in
the tests); the training set's tokens and
the provider's training price are held; the sizing-speed multiplier divides the load of the
fleets the sizing model sized (a slower GPU would also need a smaller batch for a latency
target: held); the model and fleet candidates are those chosen at
the base inputs; inputs are drawn independently (no correlation between, e.g., volume and
cache hit rate).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.decision.cost_structure import GROUPS, BaseInputs, CostModel, PieceTable, cost_model
from llmstrategy.decision.spreads import INPUT_FAMILIES, UncertaintySpec, load_uncertainty
from llmstrategy.economics.context import PricingContext, StrategyCost
from llmstrategy.errors import ComputationError
from llmstrategy.inputs.profile import Profile
from llmstrategy.inputs.strategies import Strategy
from llmstrategy.inputs.workload import workload

FloatArray = NDArray[np.float64]


# --- the vectorized Monte Carlo -------------------------------------------------------------


@dataclass(frozen=True)
class Percentiles:
    """P10, P50 and P90 of a cost over the samples [USD]."""

    p10_usd: float
    p50_usd: float
    p90_usd: float

    def as_dict(self) -> dict[str, float]:
        return {"p10_usd": self.p10_usd, "p50_usd": self.p50_usd, "p90_usd": self.p90_usd}


def _percentiles(by_strategy: Mapping[str, FloatArray]) -> dict[str, Percentiles]:
    if not by_strategy:
        return {}
    p = np.percentile(np.stack(list(by_strategy.values())), [10, 50, 90], axis=1)  # (3, strategies)
    return {s: Percentiles(*map(float, p[:, i])) for i, s in enumerate(by_strategy)}


@dataclass(frozen=True)
class MonteCarlo:
    """Result of :func:`simulate`: per-sample inputs (natural units, see :data:`drivers.INPUT_LABELS`),
    each feasible strategy's month-0 monthly cost and horizon total (upfront + Σ months) per
    sample [USD], the monthly cost in the horizon's last month, their percentiles, and which
    strategy is cheapest over the horizon."""

    samples: int
    seed: int
    strategies: tuple[str, ...]
    inputs: Mapping[str, FloatArray]
    monthly_usd: Mapping[str, FloatArray]
    horizon_total_usd: Mapping[str, FloatArray]
    last_month_usd: Mapping[str, FloatArray]
    monthly_percentiles: Mapping[str, Percentiles]
    horizon_percentiles: Mapping[str, Percentiles]
    cheapest: NDArray[np.str_]
    cheapest_probability: Mapping[str, float]
    infeasible: Mapping[str, tuple[str, ...]]
    model: CostModel = field(repr=False)
    spec: UncertaintySpec = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no per-sample arrays)."""
        return {
            "samples": self.samples,
            "seed": self.seed,
            "strategies": [
                {
                    "strategy": s,
                    "cheapest_probability": self.cheapest_probability[s],
                    "monthly_usd": self.monthly_percentiles[s].as_dict(),
                    "horizon_total_usd": self.horizon_percentiles[s].as_dict(),
                }
                for s in self.strategies
            ],
            "infeasible": {k: list(v) for k, v in self.infeasible.items()},
            "inputs": {
                k: dict(zip(("p10", "p50", "p90"), np.percentile(v, [10, 50, 90]).tolist(), strict=True))
                for k, v in self.inputs.items()
            },
            "distributions": [
                {
                    "input": s.name,
                    "distribution": s.distribution,
                    "median": s.median,
                    "sigma": s.sigma,
                    "min": s.lower if math.isfinite(s.lower) else None,
                    "max": s.upper if math.isfinite(s.upper) else None,
                    "unit": s.unit,
                    "source": s.source,
                    "as_of": s.as_of,
                }
                for s in self.spec.spreads.values()
            ],
        }


@dataclass(frozen=True)
class _Draws:
    volume: FloatArray
    growth: FloatArray
    tokens: FloatArray
    api: FloatArray
    gpu: FloatArray
    utilization: FloatArray
    retry: FloatArray
    cache: FloatArray
    engineer: FloatArray
    speed: FloatArray  # served speed / the sizing model's prediction (self-hosted fleets)


def _draw(base: BaseInputs, spec: UncertaintySpec, samples: int, seed: int) -> _Draws:
    z = np.random.default_rng(seed).standard_normal((len(INPUT_FAMILIES), samples))
    bases = {
        "volume": 1.0,
        "monthly_growth": base.monthly_growth,
        "tokens_per_request": 1.0,
        "api_price": 1.0,
        "gpu_price": 1.0,
        "gpu_utilization": base.gpu_utilization,
        "retry_rate": base.retry_rate,
        "cache_hit_rate": base.cache_hit_rate,
        "engineer_cost": 1.0,
        "sizing_speed": 1.0,
    }
    v = [spec.spreads[k].draw(bases[k], z[i]) for i, k in enumerate(INPUT_FAMILIES)]
    return _Draws(*v)


def _replicas_into(out: FloatArray, kx: FloatArray, t: PieceTable, j: int, speed: FloatArray) -> None:
    """Piece ``j``'s replicas at each sample × month, written into ``out``: max(floor, q·x / s) on
    demand or max(floor, ⌈q·x / s⌉) reserved, plus the spares; s the sizing-speed multiplier for a
    piece the sizing model sized (1 for provisioned units)."""
    np.multiply(kx, t.replicas_per_request_month[j], out=out)
    if t.sized is None or t.sized[j]:
        out /= speed[:, None]
    if t.reserved:
        np.subtract(out, 1e-9, out=out)
        np.ceil(out, out=out)
    np.maximum(out, 1.0 if t.min_replicas is None else t.min_replicas[j], out=out)
    if t.spare_replicas:
        out += t.spare_replicas


def _pieces_cost(
    t: PieceTable, kx: FloatArray, d: _Draws, best: FloatArray, tmp: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Fleet cost per sample × month [USD/month] (written into ``best``; ``tmp`` is scratch of
    the same shape), and the upfront training run of the piece serving month 0 [USD]. A piece's
    per-replica cost is GPU rent × the GPU price multiplier plus staff × the engineer-cost one;
    ``d`` holds each sample's multipliers (GPU price, engineer cost, sizing speed)."""
    pick0 = np.zeros(kx.shape[0], dtype=np.intp)
    if t.staff_usd_per_replica_month is not None:
        return _pieces_cost_with_staff(t, kx, d, best, tmp)
    gpu, speed = d.gpu, d.speed
    common_other = bool(np.all(t.fixed_other_usd_per_month == t.fixed_other_usd_per_month[0]))
    g = gpu[:, None]
    for j in range(t.usd_per_replica_month.size):
        out = best if j == 0 else tmp
        _replicas_into(out, kx, t, j, speed)
        out *= t.usd_per_replica_month[j]
        if t.fixed_gpu_usd_per_month[j]:
            out += t.fixed_gpu_usd_per_month[j]
        if not common_other:
            out *= g
            out += t.fixed_other_usd_per_month[j]
        if j:
            pick0[tmp[:, 0] < best[:, 0]] = j
            np.minimum(best, tmp, out=best)
    if common_other:
        best *= g
        best += t.fixed_other_usd_per_month[0]
    return best, gpu * t.training_run_usd[pick0]


def _pieces_cost_with_staff(
    t: PieceTable, kx: FloatArray, d: _Draws, best: FloatArray, tmp: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """:func:`_pieces_cost` when pieces carry operations staff per replica: cost_j = replicas_j ×
    (GPU part_j × G + staff_j × E) + fixed GPU_j × G + fixed other_j, per sample."""
    assert t.staff_usd_per_replica_month is not None
    pick0 = np.zeros(kx.shape[0], dtype=np.intp)
    gpu, engineer, speed = d.gpu, d.engineer, d.speed
    g = gpu[:, None]
    for j in range(t.usd_per_replica_month.size):
        out = best if j == 0 else tmp
        _replicas_into(out, kx, t, j, speed)
        staff = t.staff_usd_per_replica_month[j]
        out *= ((t.usd_per_replica_month[j] - staff) * gpu + staff * engineer)[:, None]
        out += t.fixed_gpu_usd_per_month[j] * g + t.fixed_other_usd_per_month[j]
        if j:
            pick0[tmp[:, 0] < best[:, 0]] = j
            np.minimum(best, tmp, out=best)
    return best, gpu * t.training_run_usd[pick0]


def monte_carlo(model: CostModel, spec: UncertaintySpec, *, samples: int = 10_000, seed: int = 0) -> MonteCarlo:
    """Draw every input at once and evaluate every strategy for every sample and month
    (numpy over samples × months; a Python loop only over strategies, piece tables and GPU pieces)."""
    if samples < 1:
        raise ComputationError(f"samples must be at least 1 (got {samples})")
    b = model.base
    d = _draw(b, spec, samples, seed)
    months = np.arange(b.horizon_months, dtype=float)
    x = (b.requests_per_month * d.volume)[:, None] * np.power(1.0 + d.growth[:, None], months)
    x0, sum_x = x[:, 0], x.sum(axis=1)
    billable = ((1.0 - d.cache) * (1.0 + d.retry)) / ((1.0 - b.cache_hit_rate) * (1.0 + b.retry_rate))
    cache_ratio = (1.0 - d.cache) / (1.0 - b.cache_hit_rate)
    served = d.tokens * billable
    kx_by_kind = {
        True: served[:, None] * x,
        False: (served * (b.gpu_utilization / d.utilization))[:, None] * x,
    }
    ones = np.ones(samples)
    price_scale = {"fixed": ones, "engineer": d.engineer, "api": d.api, "cache": ones, "tokens": ones}
    volume_scale = {
        "fixed": ones,
        "engineer": d.engineer,
        "api": d.api * served,
        "cache": cache_ratio,
        "tokens": d.tokens,
    }
    monthly: dict[str, FloatArray] = {}
    horizon: dict[str, FloatArray] = {}
    last: dict[str, FloatArray] = {}
    best, tmp = np.empty_like(x), np.empty_like(x)  # scratch, reused by every strategy
    for sid, cs in model.structures.items():
        a, slope = np.zeros(samples), np.zeros(samples)
        for g in GROUPS:
            a += cs.monthly[g].intercept_usd * price_scale[g]
            slope += cs.monthly[g].slope_usd_per_request * volume_scale[g]
        upfront = cs.upfront_usd["fixed"] + cs.upfront_usd["engineer"] * d.engineer
        m0 = a + slope * x0
        m_last = a + slope * x[:, -1]
        total = upfront + b.horizon_months * a + slope * sum_x
        for t in cs.piece_tables:  # each table is the cheapest of its pieces; tables add (two reservations)
            if not t.usd_per_replica_month.size:
                continue
            fleet, training = _pieces_cost(t, kx_by_kind[t.reserved], d, best, tmp)
            m0 = m0 + fleet[:, 0]  # new arrays: ``best`` is scratch the next table overwrites
            m_last = m_last + fleet[:, -1]
            total = total + fleet.sum(axis=1) + training
        monthly[sid], horizon[sid], last[sid] = m0, total, m_last
    ids = tuple(model.structures)
    if ids:
        win = np.argmin(np.stack([horizon[s] for s in ids]), axis=0)
        cheapest = np.asarray(ids)[win]
        counts = np.bincount(win, minlength=len(ids))
    else:
        cheapest, counts = np.full(samples, "", dtype="<U1"), np.zeros(0, dtype=np.intp)
    inputs = {
        "tokens_per_month": b.requests_per_month * d.volume * b.tokens_per_request * d.tokens,
        "monthly_growth": d.growth,
        "tokens_per_request": b.tokens_per_request * d.tokens,
        "api_price_multiplier": d.api,
        "gpu_price_multiplier": d.gpu,
        "gpu_utilization": d.utilization,
        "retry_rate": d.retry,
        "cache_hit_rate": d.cache,
        "engineer_monthly_usd": b.engineer_monthly_usd * d.engineer,
        "sizing_speed_multiplier": d.speed,
    }
    return MonteCarlo(
        samples=samples,
        seed=seed,
        strategies=ids,
        inputs=inputs,
        monthly_usd=monthly,
        horizon_total_usd=horizon,
        last_month_usd=last,
        monthly_percentiles=_percentiles(monthly),
        horizon_percentiles=_percentiles(horizon),
        cheapest=cheapest,
        cheapest_probability={s: float(n) / samples for s, n in zip(ids, counts, strict=True)},
        infeasible=dict(model.infeasible),
        model=model,
        spec=spec,
    )


def simulate(
    ctx: PricingContext,
    *,
    samples: int = 10_000,
    seed: int = 0,
    strategies: Sequence[Strategy | str] | None = None,
    spec: UncertaintySpec | None = None,
    priced: Mapping[str, StrategyCost] | None = None,
) -> MonteCarlo:
    """Seeded Monte Carlo of every feasible strategy's cost for ``ctx``'s profile, with the
    distributions of ``data/uncertainty.yaml`` (through the catalog's data dir) unless ``spec``;
    ``priced`` reuses costs already priced (see :func:`cost_model`)."""
    spec = spec or load_uncertainty(ctx.catalog.data_dir)
    return monte_carlo(cost_model(ctx, strategies, priced=priced), spec, samples=samples, seed=seed)


def sample_profile(profile: Profile, mc: MonteCarlo, i: int) -> Profile:
    """The profile sample ``i`` stands for: its volume (tokens per request held), growth, retry
    and cache rates, GPU utilization and engineer cost. API and GPU price multipliers act on the
    catalog instead (:meth:`catalog.Catalog.with_price_multipliers`). For checking the vectorized
    engine against pricing one sample at a time (tests, ``bench/bench_montecarlo.py``)."""
    x = {k: float(v[i]) for k, v in mc.inputs.items()}
    return profile.with_updates(
        requests_per_day=profile.requests_per_day * x["tokens_per_month"] / workload(profile).tokens_per_month,
        monthly_growth=x["monthly_growth"],
        retry_rate=x["retry_rate"],
        cache_hit_rate=x["cache_hit_rate"],
        assumptions={
            **profile.assumptions.model_dump(),
            "gpu_utilization": x["gpu_utilization"],
            "engineer_monthly_usd": x["engineer_monthly_usd"],
        },
    )
