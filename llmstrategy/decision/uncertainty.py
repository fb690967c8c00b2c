"""Monte Carlo of every feasible strategy's cost for one profile, and what drives the choice.

Glossary (units in brackets): ``x`` is the volume in requests/month before cache and retries
(month m of sample i carries ``x₀ · volume_i · (1 + growth_i)^m``); multipliers are relative
to the deterministic analysis (1 = the profile's and the catalog's values).

**Decomposition** (:func:`decompose`). A strategy is priced once by :func:`pricing.price` at
volumes (0, r, 2r). Every monthly component but the GPU fleet is affine in ``x`` (checked,
as :func:`breakeven.affine_part` does), and is put in one driver group by name:

* ``api_*`` (hosted-model bills): × API price multiplier; the slope also × tokens multiplier
  × billable ratio ``(1−c)(1+r) / ((1−c₀)(1+r₀))`` (c cache hit rate, r retry rate);
* ``rag_query_embedding``: slope × ``(1−c)/(1−c₀)`` (cached requests are not embedded);
* ``operations_staff``, ``rag_upkeep`` and every upfront ``*_setup``: × engineer-cost multiplier;
* anything else (vector store, corpus embedding, provider retraining, labeling): held.

The fleet is the min over the strategy's :class:`pricing.GpuPiece` s, kept as a table:
``usd_per_replica_month`` × GPU price multiplier; ``replicas_per_request_month`` × tokens
multiplier × billable ratio, and × (base / sampled utilization) on demand (reserved fleets pay
the peak: utilization does not apply). A self-hosted fine-tuned model's retraining (the piece's
fixed cost) splits into the training run (GPU-hours: × GPU price) and the relabeling (held),
and the upfront training run is that of the piece serving month 0 in each sample, as the
pricer does. Pieces that another piece beats at every volume and every multiplier are pruned
(same kind; lower-or-equal ``c``, ``c·q`` on demand or ``q`` reserved, and fixed costs).

**Approximations** (all exact at zero spread, which the tests check against the analysis):
the tokens multiplier scales per-request costs linearly (an API bill is linear in tokens, but a
GPU replica's capacity is not exactly inversely proportional to tokens, a long-context price
tier may switch, and the request-shape model choice is kept: ≤ 3% of the horizon total at ×0.7 and ×1.3 in
the tests); the training set's tokens and
the provider's training price are held; the model and fleet candidates are those chosen at
the base inputs; inputs are drawn independently (no correlation between, e.g., volume and
cache hit rate).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llmstrategy.economics.breakeven import Affine
from llmstrategy.economics.finetune import fine_tune_inputs, retraining_usd_per_month
from llmstrategy.economics.fleet import self_host_settings
from llmstrategy.economics.price import PricingContext, StrategyCost, price, priced_strategies
from llmstrategy.errors import CatalogError, ComputationError
from llmstrategy.inputs.profile import Profile
from llmstrategy.inputs.strategies import STRATEGIES, Strategy
from llmstrategy.inputs.workload import tokens_per_request, workload

FloatArray = NDArray[np.float64]
UNCERTAINTY_FILE = "uncertainty.yaml"
#: Inputs in draw order (row k of the standard-normal draw feeds input k) and their family.
INPUT_FAMILIES: dict[str, Literal["lognormal", "normal"]] = {
    "volume": "lognormal",
    "monthly_growth": "normal",
    "tokens_per_request": "lognormal",
    "api_price": "lognormal",
    "gpu_price": "lognormal",
    "gpu_utilization": "normal",
    "retry_rate": "normal",
    "cache_hit_rate": "normal",
    "engineer_cost": "lognormal",
}
#: Where a bounded input may live at all: [low, high] (a file's min/max must stay inside).
DOMAINS = {
    "monthly_growth": (-0.99, 10.0),
    "gpu_utilization": (0.01, 1.0),
    "retry_rate": (0.0, 0.99),
    "cache_hit_rate": (0.0, 0.99),
}
ENGINEER_COMPONENTS = frozenset({"operations_staff", "rag_upkeep"})
CACHE_ONLY_COMPONENTS = frozenset({"rag_query_embedding"})
GROUPS = ("fixed", "engineer", "api", "cache")


# --- the distributions (data/uncertainty.yaml) -------------------------------------------


@dataclass(frozen=True)
class Spread:
    """One uncertain input. ``lognormal``: value = base × median × exp(sigma·Z), ``sigma`` the
    standard deviation of ln(multiplier); ``normal``: value = clip(base + sigma·Z, lower, upper)
    with the bounds widened to hold the base, ``sigma`` in the input's unit."""

    name: str
    distribution: Literal["lognormal", "normal"]
    sigma: float
    median: float = 1.0
    lower: float = -math.inf
    upper: float = math.inf
    unit: str = ""
    source: str = ""
    as_of: str = ""

    def draw(self, base: float, z: FloatArray) -> FloatArray:
        if self.distribution == "lognormal":
            return base * self.median * np.exp(self.sigma * z)
        return np.clip(base + self.sigma * z, min(self.lower, base), max(self.upper, base))


@dataclass(frozen=True)
class UncertaintySpec:
    """Every uncertain input's :class:`Spread`, keyed as :data:`INPUT_FAMILIES`."""

    spreads: Mapping[str, Spread]
    path: str = ""

    def scaled(self, factor: float) -> UncertaintySpec:
        """Every spread × ``factor``; ``scaled(0)`` is the deterministic analysis (medians 1)."""
        return UncertaintySpec(
            {
                k: replace(s, sigma=s.sigma * factor, median=s.median if factor else 1.0)
                for k, s in self.spreads.items()
            },
            self.path,
        )

    def with_spread(self, name: str, **changes: Any) -> UncertaintySpec:
        return UncertaintySpec({**self.spreads, name: replace(self.spreads[name], **changes)}, self.path)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    distribution: Literal["lognormal", "normal"]
    median: float | None = Field(None, gt=0)
    sigma: float | None = Field(None, ge=0, le=5)
    sd: float | None = Field(None, ge=0)
    min: float | None = None
    max: float | None = None
    unit: str = Field(min_length=1)
    source: str = Field(min_length=1)
    as_of: date


def _spread(name: str, raw: Any, path: str) -> Spread:
    try:
        e = _Entry.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join([name, *(str(p) for p in first["loc"])])
        raise CatalogError(f"{first['msg']} (got {first.get('input')!r:.60})", path=path, field=loc) from None
    fam = INPUT_FAMILIES[name]
    if e.distribution != fam:
        raise CatalogError(f"expected distribution '{fam}'", path=path, field=f"{name}.distribution")
    need = ("median", "sigma") if fam == "lognormal" else ("sd", "min", "max")
    banned = ("sd", "min", "max") if fam == "lognormal" else ("median", "sigma")
    for f in need:
        if getattr(e, f) is None:
            raise CatalogError(f"'{f}' is required for a {fam} input", path=path, field=f"{name}.{f}")
    for f in banned:
        if getattr(e, f) is not None:
            raise CatalogError(f"'{f}' does not apply to a {fam} input", path=path, field=f"{name}.{f}")
    unit, source, as_of = e.unit, e.source, e.as_of.isoformat()
    if fam == "lognormal":
        return Spread(
            name, fam, float(e.sigma or 0.0), median=float(e.median or 1.0), unit=unit, source=source, as_of=as_of
        )
    lo, hi = float(e.min or 0.0), float(e.max or 0.0)
    d_lo, d_hi = DOMAINS[name]
    if not d_lo <= lo <= hi <= d_hi:
        raise CatalogError(f"expected {d_lo} ≤ min ≤ max ≤ {d_hi} (got {lo}, {hi})", path=path, field=f"{name}.min")
    return Spread(name, fam, float(e.sd or 0.0), lower=lo, upper=hi, unit=unit, source=source, as_of=as_of)


def load_uncertainty(data_dir: str | Path) -> UncertaintySpec:
    """Read ``<data_dir>/uncertainty.yaml``; a bad file is a one-line :class:`CatalogError`."""
    path = Path(data_dir) / UNCERTAINTY_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise CatalogError("uncertainty file not found", path=str(path)) from None
    return _load_cached(str(path), mtime)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> UncertaintySpec:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise CatalogError(f"invalid YAML: {getattr(err, 'problem', None) or err}", path=path) from None
    if not isinstance(data, dict):
        raise CatalogError("expected a mapping of uncertain inputs", path=path)
    unknown = [str(k) for k in data if k not in INPUT_FAMILIES]
    if unknown:
        raise CatalogError(f"unknown input; expected one of: {', '.join(INPUT_FAMILIES)}", path=path, field=unknown[0])
    missing = [k for k in INPUT_FAMILIES if k not in data]
    if missing:
        raise CatalogError("required input is missing", path=path, field=missing[0])
    return UncertaintySpec({k: _spread(k, data[k], path) for k in INPUT_FAMILIES}, path)


# --- decomposition of one strategy's cost -------------------------------------------------


@dataclass(frozen=True)
class PieceTable:
    """A strategy's GPU pieces after pruning, as arrays (one entry per piece) at base inputs.

    Cost at x = G·(c·replicas + fixed_gpu) + fixed_other, the min over pieces; G the GPU price
    multiplier. ``training_run_usd`` is the upfront training if that piece serves month 0."""

    usd_per_replica_month: FloatArray
    replicas_per_request_month: FloatArray
    fixed_gpu_usd_per_month: FloatArray
    fixed_other_usd_per_month: FloatArray
    training_run_usd: FloatArray
    reserved: bool
    pieces_before_pruning: int


@dataclass(frozen=True)
class CostStructure:
    """One strategy's cost as driver groups (see the module docstring).

    ``monthly`` maps a group of :data:`GROUPS` to its intercept [USD/month] and slope [USD per
    request]; ``upfront_usd`` maps "fixed" and "engineer" to one-off USD; ``component_groups``
    says where each priced component went (``gpu_pieces`` for the fleet)."""

    strategy_id: str
    monthly: Mapping[str, Affine]
    upfront_usd: Mapping[str, float]
    pieces: PieceTable | None
    component_groups: Mapping[str, str]


def _affine(arr: FloatArray, x: FloatArray, where: str) -> Affine:
    lo, hi = int(np.argmin(x)), int(np.argmax(x))
    b = float(arr[hi] - arr[lo]) / float(x[hi] - x[lo])
    a = float(arr[lo]) - b * float(x[lo])
    if not np.allclose(arr, a + b * x, rtol=1e-9, atol=1e-6):
        raise ComputationError(f"{where} is not affine in volume; the Monte Carlo cannot decompose it")
    return Affine(a, b)


def _monthly_group(name: str) -> str:
    if name.startswith("api_"):
        return "api"
    if name in ENGINEER_COMPONENTS:
        return "engineer"
    if name in CACHE_ONLY_COMPONENTS:
        return "cache"
    return "fixed"


def _undominated(c: FloatArray, v: FloatArray, fg: FloatArray, fo: FloatArray) -> NDArray[np.bool_]:
    """Pieces no other piece beats (≤ on every column, strictly < on one, or equal and earlier)."""
    cols = np.stack([c, v, fg, fo])  # (4, P)
    le = np.all(cols[:, :, None] <= cols[:, None, :], axis=0)  # le[j, i]: j ≤ i everywhere
    lt = np.any(cols[:, :, None] < cols[:, None, :], axis=0)
    n = c.size
    earlier = np.arange(n)[:, None] < np.arange(n)[None, :]
    beaten = le & (lt | earlier)
    np.fill_diagonal(beaten, False)
    return ~beaten.any(axis=0)


def _piece_table(sc: StrategyCost, ctx: PricingContext) -> PieceTable:
    ps = sc.gpu_pieces
    kinds = {p.reserved for p in ps}
    if len(kinds) != 1:
        raise ComputationError(f"{sc.strategy.id}: mixes reserved and on-demand GPU pieces")
    reserved = kinds.pop()
    c = np.array([p.usd_per_replica_month for p in ps])
    q = np.array([p.replicas_per_request_month for p in ps])
    fixed = np.array([p.fixed_usd_per_month for p in ps])
    if "retraining" in sc.piece_components:  # self-hosted fine-tuning: training GPU-hours + relabeling
        ft = fine_tune_inputs(ctx.profile, ctx.catalog)
        fo = np.full_like(fixed, retraining_usd_per_month(ft, 0.0))
        fg = np.maximum(fixed - fo, 0.0)
        training = fg * ft.retrain_every_months
    else:
        fg, fo, training = np.zeros_like(fixed), fixed, np.zeros_like(fixed)
    keep = _undominated(c, q if reserved else c * q, fg, fo)
    return PieceTable(c[keep], q[keep], fg[keep], fo[keep], training[keep], reserved, len(ps))


def decompose(sc: StrategyCost, ctx: PricingContext) -> CostStructure:
    """Driver groups of a feasible strategy's cost, from a :class:`StrategyCost` priced at two
    or more distinct volumes (e.g. 0, r, 2r); raises if a component is not affine."""
    sid = sc.strategy.id
    if not sc.feasible:
        raise ComputationError(f"{sid} is not feasible: " + "; ".join(sc.reasons))
    x = np.asarray(sc.requests_per_month, dtype=float)
    if x.size < 2 or float(np.ptp(x)) <= 0:
        raise ComputationError(f"{sid}: decomposing needs the cost at two distinct volumes")
    sums = {g: [0.0, 0.0] for g in GROUPS}
    groups: dict[str, str] = {}
    for name, arr in sc.monthly_components_usd.items():
        if name in sc.piece_components:
            groups[name] = "gpu_pieces"
            continue
        g = groups[name] = _monthly_group(name)
        aff = _affine(np.asarray(arr, dtype=float), x, f"{sid}: component '{name}'")
        sums[g][0] += aff.intercept_usd
        sums[g][1] += aff.slope_usd_per_request
    pieces = _piece_table(sc, ctx) if sc.gpu_pieces else None
    upfront = {"fixed": 0.0, "engineer": 0.0}
    for name, usd in sc.upfront_components_usd.items():
        if name == "training" and pieces is not None and "retraining" in sc.piece_components:
            groups[name] = "gpu_pieces"  # the month-0 piece's training run
            continue
        g = groups[name] = "engineer" if name.endswith("_setup") else "fixed"
        upfront[g] += float(usd)
    return CostStructure(sid, {g: Affine(a, b) for g, (a, b) in sums.items()}, upfront, pieces, groups)


# --- the base inputs and the cost model of one profile -------------------------------------


@dataclass(frozen=True)
class BaseInputs:
    """The deterministic analysis's inputs for this profile (month 0)."""

    requests_per_month: float
    tokens_per_request: float
    monthly_growth: float
    gpu_utilization: float
    retry_rate: float
    cache_hit_rate: float
    engineer_monthly_usd: float
    horizon_months: int


@dataclass(frozen=True)
class CostModel:
    """Every requested strategy decomposed (feasible) or with its reasons (infeasible)."""

    base: BaseInputs
    structures: Mapping[str, CostStructure]
    infeasible: Mapping[str, tuple[str, ...]]


def base_inputs(ctx: PricingContext) -> BaseInputs:
    p = ctx.profile
    return BaseInputs(
        requests_per_month=workload(p).requests_per_month,
        tokens_per_request=float(tokens_per_request(p)),
        monthly_growth=p.monthly_growth,
        gpu_utilization=self_host_settings(ctx).gpu_utilization,
        retry_rate=p.retry_rate,
        cache_hit_rate=p.cache_hit_rate,
        engineer_monthly_usd=ctx.engineer_monthly_usd,
        horizon_months=p.horizon_months,
    )


def _strategies(strategies: Sequence[Strategy | str] | None) -> list[Strategy]:
    if strategies is None:
        return priced_strategies()
    by_id = {s.id: s for s in STRATEGIES}
    out = []
    for s in strategies:
        if isinstance(s, str) and s not in by_id:
            raise ComputationError(f"unknown strategy id '{s}'; expected one of: {', '.join(by_id)}")
        out.append(by_id[s] if isinstance(s, str) else s)
    return out


def cost_model(
    ctx: PricingContext,
    strategies: Sequence[Strategy | str] | None = None,
    *,
    priced: Mapping[str, StrategyCost] | None = None,
) -> CostModel:
    """Price each strategy once at (0, r, 2r) requests/month and decompose it. ``priced``
    (strategy id → cost already priced for ``ctx`` at two or more distinct volumes, e.g. the
    analysis's horizon) skips the pricing for those strategies."""
    base = base_inputs(ctx)
    r = max(base.requests_per_month, 1.0)
    vols = np.array([0.0, r, 2.0 * r])
    structures: dict[str, CostStructure] = {}
    infeasible: dict[str, tuple[str, ...]] = {}
    for s in _strategies(strategies):
        sc = (priced or {}).get(s.id)
        if sc is None or float(np.ptp(sc.requests_per_month)) <= 0:
            sc = price(s, ctx, vols)
        if sc.feasible:
            structures[s.id] = decompose(sc, ctx)
        else:
            infeasible[s.id] = sc.reasons
    return CostModel(base, structures, infeasible)


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
    }
    v = [spec.spreads[k].draw(bases[k], z[i]) for i, k in enumerate(INPUT_FAMILIES)]
    return _Draws(*v)


def _pieces_cost(
    t: PieceTable, kx: FloatArray, gpu: FloatArray, best: FloatArray, tmp: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Fleet cost per sample × month [USD/month] (written into ``best``; ``tmp`` is scratch of
    the same shape), and the upfront training run of the piece serving month 0 [USD]."""
    pick0 = np.zeros(kx.shape[0], dtype=np.intp)
    common_other = bool(np.all(t.fixed_other_usd_per_month == t.fixed_other_usd_per_month[0]))
    g = gpu[:, None]
    for j in range(t.usd_per_replica_month.size):
        out = best if j == 0 else tmp
        np.multiply(kx, t.replicas_per_request_month[j], out=out)
        if t.reserved:
            np.subtract(out, 1e-9, out=out)
            np.ceil(out, out=out)
        np.maximum(out, 1.0, out=out)
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


def monte_carlo(model: CostModel, spec: UncertaintySpec, *, samples: int = 10_000, seed: int = 0) -> MonteCarlo:
    """Draw every input at once and evaluate every strategy for every sample and month
    (numpy over samples × months; a Python loop only over strategies and GPU pieces)."""
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
    price_scale = {"fixed": ones, "engineer": d.engineer, "api": d.api, "cache": ones}
    volume_scale = {"fixed": ones, "engineer": d.engineer, "api": d.api * served, "cache": cache_ratio}
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
        if cs.pieces is not None and cs.pieces.usd_per_replica_month.size:
            fleet, training = _pieces_cost(cs.pieces, kx_by_kind[cs.pieces.reserved], d.gpu, best, tmp)
            m0 = m0 + fleet[:, 0]
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
