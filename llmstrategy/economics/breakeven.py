"""Exact break-even between a hosted API and a self-hosted (or hybrid) deployment.

Volume is measured as the issue states it: monthly workload tokens (input + output, before
cache and retries), other profile settings fixed; internally in requests/month R
(tokens = R × tokens per request).

Every monthly component except the GPU fleet is affine in R (API tokens, RAG, staff,
retraining), so ``api(R) = a₁ + b₁R`` and ``self(R) = a₂ + b₂R + min_p G_p(R)`` where each
GPU piece p (model × GPU × layout, :class:`pricing.GpuPiece`) costs
``c·max(1, qR)`` on demand or ``c·max(1, ⌈qR⌉)`` reserved, plus ``c·spare`` (a fixed cost).
With A = a₁ − a₂, B = b₁ − b₂,
self-hosting costs at most the API at R iff some piece has G_p(R) ≤ A + BR. For each piece
that set is a union of intervals solved in closed form (one kink on demand; one interval per
reserved step). The break-even is the left end of the union's unbounded interval: the
smallest volume above which self-hosting is never dearer. No grid is involved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from llmstrategy.economics.context import GpuPiece, PricingContext, StrategyCost
from llmstrategy.economics.price import price
from llmstrategy.errors import ComputationError
from llmstrategy.inputs.strategies import Adaptation, Deployment, Strategy
from llmstrategy.inputs.workload import tokens_per_request, workload

MAX_RESERVED_STEPS = 5_000_000
INF = math.inf
#: why a cost of two reservations (routing inside your own cloud) gets no break-even
TWO_TABLES = (
    "not solved: its cost is two reservations whose step costs add (routing inside your own cloud), and "
    "the closed form here takes one (the cheapest of one set of pieces); compare the two at your volume"
)


@dataclass(frozen=True)
class Affine:
    """``intercept_usd + slope_usd_per_request × R`` [USD/month]."""

    intercept_usd: float
    slope_usd_per_request: float


@dataclass(frozen=True)
class BreakEven:
    """Result for one pair: ``monthly_tokens`` is None when self-hosting never becomes
    (and stays) at most as dear as the API; ``reason`` says why, or what happens there."""

    api: str
    other: str
    monthly_tokens: float | None
    reason: str
    month_reached: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "other": self.other,
            "monthly_tokens": self.monthly_tokens,
            "reason": self.reason,
            "month_reached": self.month_reached,
        }


def affine_part(sc_at: StrategyCost, r_ref: float) -> Affine:
    """Intercept and slope of every component but the piece components, from a cost evaluated at
    volumes (0, r_ref, 2·r_ref); raises if the components are not affine (a modelling bug)."""
    other = np.zeros(3)
    pieces = sc_at.all_piece_components
    for name, arr in sc_at.monthly_components_usd.items():
        if name not in pieces:
            other = other + arr
    a = float(other[0])
    b = float(other[1] - other[0]) / r_ref
    if not math.isclose(float(other[2]), a + 2 * b * r_ref, rel_tol=1e-9, abs_tol=1e-6):
        raise ComputationError(f"{sc_at.strategy.id}: monthly components other than the GPU fleet are not affine")
    return Affine(a, b)


def _le(u: float, v: float, lo: float, hi: float) -> tuple[float, float] | None:
    """The part of [lo, hi] where u + v·R ≤ 0, or None."""
    if v > 0:
        hi = min(hi, -u / v)
    elif v < 0:
        lo = max(lo, -u / v)
    elif u > 0:
        return None
    return (lo, hi) if lo <= hi else None


def _reserved_k_full(p: GpuPiece, a: float, b: float) -> int | None:
    """First reserved step from which every step lies inside the set, or None (``a`` net of
    the piece's fixed cost).

    Step k covers R in [(k−1)/q, k/q] at cost c·k; it lies fully inside when
    c·k ≤ a + b·(k−1)/q, i.e. k·(c − b/q) ≤ a − b/q."""
    c, q = p.usd_per_replica_month, p.replicas_per_request_month
    gap = c - b / q
    if gap < 0:
        return max(1, math.ceil((a - b / q) / gap - 1e-12))
    if gap == 0 and c <= a:
        return 1
    return None


def _one_replica_floor(p: GpuPiece) -> None:
    """The on-demand closed forms assume a floor of one replica; reserved pieces (fleets and
    provisioned units, bought in whole steps) take any whole floor m: c·max(m, ⌈qR⌉)."""
    if p.min_replicas != 1.0 and not (p.reserved and float(p.min_replicas).is_integer() and p.min_replicas >= 1):
        raise ComputationError(f"break-even of {p.model_id}: a piece with a floor of {p.min_replicas:g} replicas")


def _floor_flat(p: GpuPiece, a: float, b: float) -> tuple[float, float] | None:
    """A reserved piece's floor: R in [0, m/q] at cost c·m; the part where c·m ≤ a + b·R."""
    m, q = p.min_replicas, p.replicas_per_request_month
    return _le(p.usd_per_replica_month * m - a, -b, 0.0, m / q)


def piece_tail(p: GpuPiece, a: float, b: float) -> float:
    """Where the piece's own unbounded interval (fixed + GPU cost ≤ a + b·R) starts; inf if none."""
    c, q = p.usd_per_replica_month, p.replicas_per_request_month
    a = a - p.fixed_usd_per_month - p.usd_per_replica_month * p.spare_replicas  # spares: a fixed cost
    _one_replica_floor(p)
    if q <= 0:  # the piece serves no requests (hybrid_frontier_share 1): a flat c
        flat = _le(c - a, -b, 0.0, INF)
        return flat[0] if flat and flat[1] == INF else INF
    if p.reserved:
        k = _reserved_k_full(p, a, b)
        m = p.min_replicas
        if k is None or k - 1 > m:  # steps above the floor decide (or nothing does)
            return INF if k is None else (k - 1) / q
        flat = _floor_flat(p, a, b)  # every step above the floor is inside: join the floor's part
        return flat[0] if flat and flat[1] >= m / q else m / q
    linear = _le(-a, c * q - b, 1.0 / q, INF)
    if linear and linear[1] == INF:
        flat = _le(c - a, -b, 0.0, 1.0 / q)
        # the flat part joins the tail when it reaches the knee
        return flat[0] if flat and flat[1] >= 1.0 / q and linear[0] <= 1.0 / q else linear[0]
    return INF


def piece_intervals(p: GpuPiece, a: float, b: float, upto: float) -> list[tuple[float, float]]:
    """Intervals of R (starting below ``upto``) where ``p``'s fixed + GPU cost ≤ a + b·R."""
    c, q = p.usd_per_replica_month, p.replicas_per_request_month
    a = a - p.fixed_usd_per_month - p.usd_per_replica_month * p.spare_replicas  # spares: a fixed cost
    _one_replica_floor(p)
    out: list[tuple[float, float]] = []
    if q <= 0:  # a flat c, as in piece_tail
        flat = _le(c - a, -b, 0.0, INF)
        return [flat] if flat and flat[0] < upto else []
    if not p.reserved:
        knee = 1.0 / q
        for iv in (_le(c - a, -b, 0.0, knee), _le(-a, c * q - b, knee, INF)):
            if iv and iv[0] < upto:
                out.append(iv)
        return out
    k_full = _reserved_k_full(p, a, b)
    last_k = math.floor(upto * q) + 1
    if k_full is not None:
        last_k = min(last_k, k_full - 1)
    if last_k > MAX_RESERVED_STEPS:
        raise ComputationError(f"break-even needs more than {MAX_RESERVED_STEPS:,} reserved replicas of {p.model_id}")
    m = int(p.min_replicas)
    if m > 1:
        flat = _floor_flat(p, a, b)
        if flat and flat[0] < upto:
            out.append(flat)
    if last_k >= m:
        k = np.arange(m if m == 1 else m + 1, last_k + 1, dtype=float)
        lo, hi = (k - 1) / q, k / q
        if b > 0:
            lo = np.maximum(lo, (c * k - a) / b)
        elif b < 0:
            hi = np.minimum(hi, (c * k - a) / b)
        else:
            keep = c * k <= a
            lo, hi = lo[keep], hi[keep]
        ok = lo <= hi
        out.extend(zip(lo[ok].tolist(), hi[ok].tolist(), strict=True))
    return out


def solve(api: Affine, other: Affine, pieces: tuple[GpuPiece, ...]) -> float | None:
    """Smallest R such that for every R' ≥ R, other(R') ≤ api(R'); None if no such R."""
    a = api.intercept_usd - other.intercept_usd
    b = api.slope_usd_per_request - other.slope_usd_per_request
    if not pieces:  # no GPU fleet: affine against affine
        iv = _le(-a, -b, 0.0, INF)
        return iv[0] if iv and iv[1] == INF else None
    start = min(piece_tail(p, a, b) for p in pieces)
    if start == INF:
        return None
    intervals: list[tuple[float, float]] = [(start, INF)]
    for p in pieces:
        intervals.extend(piece_intervals(p, a, b, start))
    # walk left from the unbounded interval while intervals overlap or touch it
    intervals.sort(key=lambda x: x[1], reverse=True)
    lo = start
    changed = True
    while changed:
        changed = False
        for x_lo, x_hi in intervals:
            if x_lo < lo and x_hi >= lo * (1 - 1e-12) - 1e-12:
                lo = x_lo
                changed = True
    return max(lo, 0.0)


def _strategy(deployment: Deployment, adaptation: Adaptation) -> Strategy:
    return Strategy(deployment, adaptation)


def break_even_pair(ctx: PricingContext, api_s: Strategy, other_s: Strategy) -> BreakEven:
    """The break-even volume between ``api_s`` and a self-hosted or hybrid ``other_s``."""
    p = ctx.profile
    tpr = float(tokens_per_request(p))
    r_ref = max(workload(p).requests_per_month, 1.0)
    vols = np.array([0.0, r_ref, 2 * r_ref])
    api_c, oth_c = price(api_s, ctx, vols), price(other_s, ctx, vols)
    for sc in (api_c, oth_c):
        if not sc.feasible:
            return BreakEven(api_s.id, other_s.id, None, f"{sc.strategy.id} is not feasible: " + "; ".join(sc.reasons))
    if oth_c.extra_pieces:
        return BreakEven(api_s.id, other_s.id, None, TWO_TABLES)
    api_aff, oth_aff = affine_part(api_c, r_ref), affine_part(oth_c, r_ref)
    r_star = solve(api_aff, oth_aff, oth_c.gpu_pieces)
    if r_star is None:
        per_mtok = 1e6 / tpr
        api_m = api_aff.slope_usd_per_request * per_mtok
        fleet_m = min((pc.usd_per_replica_month * pc.replicas_per_request_month for pc in oth_c.gpu_pieces), default=0)
        oth_m = (oth_aff.slope_usd_per_request + fleet_m) * per_mtok
        why = (
            f"at full load {other_s.id} costs ${oth_m:,.3g} per 1M more tokens against {api_s.id}'s ${api_m:,.3g}"
            if oth_m >= api_m
            else f"its fixed costs never pay back (${oth_m:,.3g} vs ${api_m:,.3g} per 1M more tokens)"
        )
        return BreakEven(api_s.id, other_s.id, None, f"{other_s.id} never stays at or below {api_s.id}'s cost: {why}")
    tokens = r_star * tpr
    v0 = workload(p).tokens_per_month
    month = None
    if tokens <= v0:
        month = 0
    elif p.monthly_growth > 0:
        ratio = tokens / v0 if v0 > 0 else INF  # a subnormal v0 (1e-320 requests/day) overflows
        steps = math.log(ratio) / math.log1p(p.monthly_growth) if ratio < INF else INF
        month = math.ceil(steps - 1e-12) if steps < 10_000 else None
    if tokens == 0:
        reason = f"{other_s.id} costs at most {api_s.id} at every volume"
    else:
        reason = f"above {tokens:,.0f} tokens/month {other_s.id} costs at most {api_s.id}"
    return BreakEven(api_s.id, other_s.id, tokens, reason, month)


def break_even(ctx: PricingContext) -> dict[str, Any]:
    """``api`` vs ``self_host``, ``hybrid`` and ``private_cloud`` for every adaptation; the
    headline keys are the prompting pairs (the JSON contract's ``break_even``). Provisioned
    capacity is a piece like a GPU fleet (units of throughput bought in steps), so the same
    exact solution applies. ``routed`` is left out: between hosted APIs it is affine like the
    API (no crossing to report), and inside your own cloud it is two reservations whose costs
    add, which :func:`solve` does not take (:func:`break_even_pair` says so if asked)."""
    pairs = []
    for ad in Adaptation:
        api_s = _strategy(Deployment.API, ad)
        for dep in (Deployment.SELF_HOST, Deployment.HYBRID, Deployment.PRIVATE_CLOUD):
            pairs.append(break_even_pair(ctx, api_s, _strategy(dep, ad)))
    head = {(x.api, x.other): x for x in pairs}
    sh = head[("api", "self_host")]
    hy = head[("api", "hybrid")]
    pc = head[("api", "private_cloud")]
    return {
        "api_vs_self_host_monthly_tokens": sh.monthly_tokens,
        "api_vs_hybrid_monthly_tokens": hy.monthly_tokens,
        "api_vs_private_cloud_monthly_tokens": pc.monthly_tokens,
        "reason": {"api_vs_self_host": sh.reason, "api_vs_hybrid": hy.reason, "api_vs_private_cloud": pc.reason},
        "month_reached": {
            "api_vs_self_host": sh.month_reached,
            "api_vs_hybrid": hy.month_reached,
            "api_vs_private_cloud": pc.month_reached,
        },
        "profile_monthly_tokens": workload(ctx.profile).tokens_per_month,
        "pairs": [x.as_dict() for x in pairs],
    }
