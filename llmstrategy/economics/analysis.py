"""The whole analysis of one profile: workload, every priceable strategy's costs,
horizon totals and cost curves. Pure: same inputs, same result.

``horizon_total_usd`` = upfront + Σₘ monthly cost at month m's volume, where month m
carries ``requests_per_month × (1 + monthly_growth)^m`` for m = 0 … horizon − 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmstrategy.economics.api import per_1k_requests_usd
from llmstrategy.economics.breakeven import break_even
from llmstrategy.economics.context import PricingContext, StrategyCost, pricing_context
from llmstrategy.economics.price import price, priced_strategies
from llmstrategy.inputs.catalog import Catalog
from llmstrategy.inputs.profile import Profile
from llmstrategy.inputs.strategies import Strategy
from llmstrategy.inputs.workload import Workload, monthly_volumes, requests_for_tokens, workload


@dataclass(frozen=True)
class CostSummary:
    """One strategy's costs for this profile (month 0 unless stated) [USD]."""

    strategy: Strategy
    feasible: bool
    reasons: tuple[str, ...]
    monthly_usd: float
    upfront_usd: float
    per_1k_requests_usd: float
    horizon_total_usd: float
    monthly_usd_by_month: NDArray[np.float64]
    monthly_components_usd: Mapping[str, float]
    upfront_components_usd: Mapping[str, float]
    models: Mapping[str, str]
    details: Mapping[str, Any]


@dataclass(frozen=True)
class Analysis:
    """Everything computed for one profile; ``to_dict`` gives the JSON contract."""

    profile: Profile
    workload: Workload
    context: PricingContext
    costs: tuple[CostSummary, ...]
    on_date: date
    extras: Mapping[str, Any] = field(default_factory=dict)
    priced: Mapping[str, StrategyCost] = field(default_factory=dict, repr=False)  # at the horizon's volumes

    def cost(self, strategy_id: str) -> CostSummary:
        for c in self.costs:
            if c.strategy.id == strategy_id:
                return c
        raise KeyError(strategy_id)


def summarize(sc: StrategyCost, horizon_req: NDArray[np.float64]) -> CostSummary:
    """Reduce a cost evaluated at each month of the horizon to a :class:`CostSummary`."""
    if not sc.feasible:
        nan = float("nan")
        return CostSummary(
            sc.strategy,
            False,
            sc.reasons,
            nan,
            nan,
            nan,
            nan,
            np.full_like(horizon_req, np.nan),
            {},
            {},
            dict(sc.models),
            dict(sc.details),
        )
    by_month = sc.monthly_usd
    month0 = float(by_month[0])
    return CostSummary(
        strategy=sc.strategy,
        feasible=True,
        reasons=(),
        monthly_usd=month0,
        upfront_usd=sc.upfront_usd,
        per_1k_requests_usd=float(per_1k_requests_usd(month0, horizon_req[0])),
        horizon_total_usd=float(sc.upfront_usd + by_month.sum()),
        monthly_usd_by_month=by_month,
        monthly_components_usd={k: float(v[0]) for k, v in sc.monthly_components_usd.items()},
        upfront_components_usd=dict(sc.upfront_components_usd),
        models=dict(sc.models),
        details=_month_details(sc.details),
    )


def _month_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """Pricer details, with the per-volume fleet renamed for the horizon (volume i = month i)."""
    out = dict(details)
    if "fleet_by_volume" in out:
        out["fleet_by_month"] = [{"month": i, **row} for i, row in enumerate(out.pop("fleet_by_volume"))]
    return out


def analyze(profile: Profile, catalog: Catalog, *, on_date: date | None = None) -> Analysis:
    """Price every strategy the engine knows for ``profile`` over its horizon."""
    ctx = pricing_context(profile, catalog, on_date=on_date)
    wl = workload(profile)
    horizon_req = monthly_volumes(wl.requests_per_month, profile.monthly_growth, profile.horizon_months)
    priced = {s.id: price(s, ctx, horizon_req) for s in priced_strategies()}
    costs = tuple(summarize(sc, horizon_req) for sc in priced.values())
    extras = {"break_even": break_even(ctx)}
    return Analysis(
        profile=profile, workload=wl, context=ctx, costs=costs, on_date=ctx.on_date, extras=extras, priced=priced
    )


def cost_curves(
    ctx: PricingContext, tokens_per_month: ArrayLike, strategies: Sequence[Strategy] | None = None
) -> dict[str, NDArray[np.float64]]:
    """Monthly cost [USD] of each strategy at each monthly token volume (input + output,
    before cache and retries), at this profile's request shape. NaN where infeasible."""
    req = requests_for_tokens(ctx.profile, tokens_per_month)
    return {s.id: price(s, ctx, req).monthly_usd for s in (strategies or priced_strategies())}


def default_volume_grid(wl: Workload, points: int = 61) -> NDArray[np.float64]:
    """A log-spaced grid of monthly token volumes from 1e6 to 1e13, widened to hold
    1/100 × and 100 × the profile's own volume."""
    lo = min(1e6, wl.tokens_per_month / 100)
    hi = max(1e13, wl.tokens_per_month * 100)
    return np.logspace(math.log10(max(lo, 1.0)), math.log10(hi), points)


def _num(x: float) -> float | None:
    """JSON-safe number: NaN and ±inf become null."""
    return float(x) if math.isfinite(x) else None


def _clean(obj: Any) -> Any:
    if isinstance(obj, float | np.floating):
        return _num(float(obj))
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.ndarray):
        return [_clean(v) for v in obj.tolist()]
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def cost_to_dict(c: CostSummary) -> dict[str, Any]:
    d: dict[str, Any] = {
        **c.strategy.as_dict(),
        "feasible": c.feasible,
        "infeasible_reasons": list(c.reasons),
        "monthly_usd": c.monthly_usd,
        "upfront_usd": c.upfront_usd,
        "per_1k_requests_usd": c.per_1k_requests_usd,
        "horizon_total_usd": c.horizon_total_usd,
        "models": dict(c.models),
        "monthly_components_usd": dict(c.monthly_components_usd),
        "upfront_components_usd": dict(c.upfront_components_usd),
        "monthly_usd_by_month": c.monthly_usd_by_month,
    }
    d.update(c.details)
    return _clean(d)


def analysis_to_dict(a: Analysis) -> dict[str, Any]:
    """The JSON contract of ``llmstrategy analyze --json``."""
    out: dict[str, Any] = {
        "as_of": a.on_date.isoformat(),
        "profile": a.profile.model_dump(mode="json"),
        "workload": _clean(a.workload.as_dict()),
        "costs": [cost_to_dict(c) for c in a.costs],
    }
    for k, v in a.extras.items():
        out[k] = _clean(v)
    return out
