"""One strategy's cost decomposed into driver groups, so that the Monte Carlo can re-price
it under sampled inputs without calling the pricers again.

**Decomposition** (:func:`decompose`). A strategy is priced once by :func:`pricing.price` at
volumes (0, r, 2r). Every monthly component but the GPU fleet is affine in ``x`` (checked,
as :func:`breakeven.affine_part` does), and is put in one driver group by name:

* ``api_*`` (hosted-model bills, a private reservation's spill-over billed pay-as-you-go
  included): × API price multiplier; the slope also × tokens multiplier
  × billable ratio ``(1−c)(1+r) / ((1−c₀)(1+r₀))`` (c cache hit rate, r retry rate);
* ``rag_query_embedding``: slope × ``(1−c)/(1−c₀)`` (cached requests are not embedded);
* ``router`` (it reads every request's prompt, cached or not): slope × tokens multiplier;
* ``operations_staff``, ``rag_upkeep`` and every upfront ``*_setup``: × engineer-cost multiplier;
* anything else (vector store, corpus embedding, provider retraining, labeling): held.

The fleet is the min over the strategy's :class:`pricing.GpuPiece` s, kept as a table:
``usd_per_replica_month`` × GPU price multiplier; ``replicas_per_request_month`` × tokens
multiplier × billable ratio, and × (base / sampled utilization) on demand (reserved fleets pay
the peak: utilization does not apply; a reservation below the peak that spills over keeps its share
of the peak, as its spilled share of the tokens is kept), and ÷ the sizing-speed multiplier for pieces
whose capacity the sizing model gives (not provisioned units, whose throughput the vendor publishes).
A self-hosted fine-tuned model's retraining (the piece's
fixed cost) splits into the training run (GPU-hours: × GPU price) and the relabeling (held),
and the upfront training run is that of the piece serving month 0 in each sample, as the
pricer does. Pieces that another piece beats at every volume and every multiplier are pruned
(same kind; lower-or-equal ``c``, ``c·q`` on demand or ``q`` reserved, and fixed costs).

A cost may carry more than one table (:attr:`StrategyCost.extra_pieces`: routing between two
private deployments, each the cheapest of its own pieces): each is decomposed the same way, its
components go to its own group (``gpu_pieces``, ``gpu_pieces_2``, …), and the costs add. A part's
components carry its side as a prefix (``large_api_inference``), which is read through for the
group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.breakeven import Affine
from llmstrategy.economics.context import GpuPiece, PricingContext, StrategyCost
from llmstrategy.economics.finetune import fine_tune_inputs, retraining_usd_per_month
from llmstrategy.economics.price import price, priced_strategies
from llmstrategy.economics.serving import self_host_settings
from llmstrategy.errors import ComputationError
from llmstrategy.inputs.strategies import STRATEGIES, Strategy
from llmstrategy.inputs.workload import tokens_per_request, workload

FloatArray = NDArray[np.float64]
ENGINEER_COMPONENTS = frozenset({"operations_staff", "rag_upkeep"})
CACHE_ONLY_COMPONENTS = frozenset({"rag_query_embedding"})
TOKEN_ONLY_COMPONENTS = frozenset({"router"})
GROUPS = ("fixed", "engineer", "api", "cache", "tokens")
#: prefixes naming the part of a routed cost a component belongs to (grouped as the unprefixed name)
PART_PREFIXES = ("large_", "small_")


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
    staff_usd_per_replica_month: FloatArray | None = None  # part of usd_per_replica_month (× engineer cost)
    spare_replicas: float = 0.0  # always-on replicas beyond the load (same for every piece)
    min_replicas: FloatArray | None = None  # each piece's floor (None: 1)
    sized: NDArray[np.bool_] | None = None  # pieces whose capacity the sizing model gives (None: all)


@dataclass(frozen=True)
class CostStructure:
    """One strategy's cost as driver groups (see the module docstring).

    ``monthly`` maps a group of :data:`GROUPS` to its intercept [USD/month] and slope [USD per
    request]; ``upfront_usd`` maps "fixed" and "engineer" to one-off USD; ``component_groups``
    says where each priced component went (``gpu_pieces`` for the fleet, ``gpu_pieces_2`` … for
    the further tables of ``extra_pieces``, whose costs add to the first's)."""

    strategy_id: str
    monthly: Mapping[str, Affine]
    upfront_usd: Mapping[str, float]
    pieces: PieceTable | None
    component_groups: Mapping[str, str]
    extra_pieces: tuple[PieceTable, ...] = ()

    @property
    def piece_tables(self) -> tuple[PieceTable, ...]:
        """Every piece table whose cost adds to the affine groups: :attr:`pieces`, then the extra ones."""
        return (*(() if self.pieces is None else (self.pieces,)), *self.extra_pieces)


def _affine(arr: FloatArray, x: FloatArray, where: str) -> Affine:
    lo, hi = int(np.argmin(x)), int(np.argmax(x))
    b = float(arr[hi] - arr[lo]) / float(x[hi] - x[lo])
    a = float(arr[lo]) - b * float(x[lo])
    if not np.allclose(arr, a + b * x, rtol=1e-9, atol=1e-6):
        raise ComputationError(f"{where} is not affine in volume; the Monte Carlo cannot decompose it")
    return Affine(a, b)


def _monthly_group(name: str) -> str:
    for prefix in PART_PREFIXES:
        if name.startswith(prefix):
            name = name.removeprefix(prefix)  # a routed part's component groups as the part's own
            break
    if name.startswith("api_") or name == "fallback_api":  # every hosted model's token bill
        return "api"
    if name in ENGINEER_COMPONENTS:
        return "engineer"
    if name in CACHE_ONLY_COMPONENTS:
        return "cache"
    if name in TOKEN_ONLY_COMPONENTS:
        return "tokens"
    return "fixed"


def _undominated(
    c: FloatArray, v: FloatArray, fg: FloatArray, fo: FloatArray, extra: tuple[FloatArray, ...] = ()
) -> NDArray[np.bool_]:
    """Pieces no other piece beats (≤ on every column, strictly < on one, or equal and earlier).
    ``extra`` columns join the comparison (the GPU and staff parts of a piece with staff)."""
    parts = [c, v, fg, fo, *extra]
    cols = np.stack(parts)  # (columns, P)
    le = np.all(cols[:, :, None] <= cols[:, None, :], axis=0)  # le[j, i]: j ≤ i everywhere
    lt = np.any(cols[:, :, None] < cols[:, None, :], axis=0)
    n = c.size
    earlier = np.arange(n)[:, None] < np.arange(n)[None, :]
    beaten = le & (lt | earlier)
    np.fill_diagonal(beaten, False)
    return ~beaten.any(axis=0)


def _piece_table(sid: str, ps: tuple[GpuPiece, ...], components: tuple[str, ...], ctx: PricingContext) -> PieceTable:
    kinds = {p.reserved for p in ps}
    if len(kinds) != 1:
        raise ComputationError(f"{sid}: mixes reserved and on-demand GPU pieces")
    reserved = kinds.pop()
    c = np.array([p.usd_per_replica_month for p in ps])
    cs = np.array([p.staff_usd_per_replica_month for p in ps])
    q = np.array([p.replicas_per_request_month for p in ps])
    fixed = np.array([p.fixed_usd_per_month for p in ps])
    if "retraining" in components:  # self-hosted fine-tuning: training GPU-hours + relabeling
        ft = fine_tune_inputs(ctx.profile, ctx.catalog)
        fo = np.full_like(fixed, retraining_usd_per_month(ft, 0.0))
        fg = np.maximum(fixed - fo, 0.0)
        training = fg * ft.retrain_every_months
    else:
        fg, fo, training = np.zeros_like(fixed), fixed, np.zeros_like(fixed)
    # with staff per replica, the GPU part (× GPU price) and the staff part (× engineer cost) are
    # compared apart, alone and per request: a sufficient condition for every pair of multipliers
    extra: tuple[FloatArray, ...] = (c - cs, cs, (c - cs) * q, cs * q) if cs.any() else ()
    if any(p.min_replicas != 1.0 for p in ps):
        extra = (*extra, np.array([p.min_replicas for p in ps]) * c)
    sized = np.array([p.sized_by_model for p in ps])
    if sized.any() and not sized.all():  # the sizing-speed multiplier moves one kind only: no cross-kind pruning
        v = q if reserved else c * q
        extra = (*extra, v * sized, v * ~sized)
    keep = _undominated(c, q if reserved else c * q, fg, fo, extra)
    staff = cs[keep] if cs.any() else None
    spares = {p.spare_replicas for p in ps}
    if len(spares) != 1:
        raise ComputationError(f"{sid}: GPU pieces with different spare replicas")
    spare = spares.pop()
    floor = np.array([p.min_replicas for p in ps])
    floors = floor[keep] if np.any(floor != 1.0) else None
    return PieceTable(
        c[keep], q[keep], fg[keep], fo[keep], training[keep], reserved, len(ps), staff, spare, floors, sized[keep]
    )


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
    table_group = {
        name: "gpu_pieces" if k == 0 else f"gpu_pieces_{k + 1}"
        for k, (_, names) in enumerate(((sc.gpu_pieces, sc.piece_components), *sc.extra_pieces))
        for name in names
    }
    for name, arr in sc.monthly_components_usd.items():
        if name in table_group:
            groups[name] = table_group[name]
            continue
        g = groups[name] = _monthly_group(name)
        aff = _affine(np.asarray(arr, dtype=float), x, f"{sid}: component '{name}'")
        sums[g][0] += aff.intercept_usd
        sums[g][1] += aff.slope_usd_per_request
    pieces = _piece_table(sid, sc.gpu_pieces, sc.piece_components, ctx) if sc.gpu_pieces else None
    extra = []
    for ps, names in sc.extra_pieces:
        if any(n.endswith("retraining") for n in names):
            raise ComputationError(f"{sid}: a further piece table with its own retraining is not decomposed")
        if ps:
            extra.append(_piece_table(sid, ps, names, ctx))
    upfront = {"fixed": 0.0, "engineer": 0.0}
    for name, usd in sc.upfront_components_usd.items():
        if name == "training" and pieces is not None and "retraining" in sc.piece_components:
            groups[name] = "gpu_pieces"  # the month-0 piece's training run
            continue
        g = groups[name] = "engineer" if name.endswith("_setup") else "fixed"
        upfront[g] += float(usd)
    return CostStructure(sid, {g: Affine(a, b) for g, (a, b) in sums.items()}, upfront, pieces, groups, tuple(extra))


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
