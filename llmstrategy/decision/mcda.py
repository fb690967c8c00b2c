"""Multi-criteria decision analysis on an alternatives × criteria matrix (pure numpy).

Glossary: ``matrix`` is ``(alternatives, criteria)`` of raw criterion values; ``weights`` is
``(criteria,)``, non-negative, summing to 1 (``weights_2d`` is ``(samples, criteria)``, one weight
vector per row); ``benefit`` is ``(criteria,)`` bool, True when more is better. Scores are in
[0, 1], higher is better; the top alternative is the first one with the highest score (lower index
wins ties), the same rule as :func:`ranks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmstrategy.errors import ComputationError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
Method = Literal["topsis", "weighted_sum"]

#: Dirichlet smoothing added to every concentration parameter in :func:`win_shares`.
DIRICHLET_SMOOTHING = 1e-3
#: Grid points over w_j in [0, 1] for TOPSIS stability intervals, and the bisection tolerance.
TOPSIS_GRID_POINTS = 2001
TOPSIS_BOUNDARY_TOL = 1e-6


def _matrix(matrix: ArrayLike) -> FloatArray:
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2:
        raise ComputationError(f"decision matrix must be 2-D (alternatives × criteria), got shape {x.shape}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ComputationError(
            f"decision matrix is empty (shape {x.shape}): need at least 1 alternative and 1 criterion"
        )
    if not np.all(np.isfinite(x)):
        raise ComputationError("decision matrix contains NaN or inf: fill in every alternative's criterion values")
    return x


def _benefit(benefit: ArrayLike, n_criteria: int) -> BoolArray:
    b = np.asarray(benefit)
    if b.shape != (n_criteria,):
        raise ComputationError(f"benefit must have shape ({n_criteria},) (one per criterion), got {b.shape}")
    if b.dtype != np.bool_:
        raise ComputationError(f"benefit must be booleans (True = more is better), got dtype {b.dtype}")
    return b


def _weights_2d(weights: ArrayLike, n_criteria: int, *, name: str = "weights") -> FloatArray:
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] != n_criteria:
        raise ComputationError(
            f"{name} must have {n_criteria} value(s) per row (one per criterion), got shape {w.shape}"
        )
    if not np.all(np.isfinite(w)):
        raise ComputationError(f"{name} contain NaN or inf")
    if np.any(w < 0):
        raise ComputationError(f"{name} must be non-negative, got minimum {w.min():g}")
    sums = w.sum(axis=1)
    bad = ~np.isclose(sums, 1.0, rtol=1e-9, atol=0.0)
    if np.any(bad):
        raise ComputationError(f"{name} must sum to 1, but they sum to {float(sums[np.argmax(bad)])!r}")
    return w


def validate(matrix: ArrayLike, weights: ArrayLike, benefit: ArrayLike) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Check a decision problem and return ``(matrix, weights, benefit)`` as float64/bool arrays.

    Raises :class:`ComputationError` for an empty or non-2-D matrix, NaN/inf, shapes that do not
    match the number of criteria, negative weights, or weights whose sum differs from 1 by more
    than 1e-9 (relative).
    """
    x = _matrix(matrix)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (x.shape[1],):
        raise ComputationError(f"weights must have shape ({x.shape[1]},) (one per criterion), got {w.shape}")
    w = _weights_2d(w[None, :], x.shape[1])[0]
    return x, w, _benefit(benefit, x.shape[1])


def minmax_normalize(matrix: ArrayLike, benefit: ArrayLike) -> FloatArray:
    """Each column to [0, 1], 1 = best: ``(x - min)/(max - min)`` (benefit), ``(max - x)/(max - min)``
    (cost); a constant column is 1.0 everywhere."""
    x = _matrix(matrix)
    b = _benefit(benefit, x.shape[1])
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    n = np.where(b, x - lo, hi - x) / safe
    return np.where(span > 0, n, 1.0)


def weighted_sum_many(matrix: ArrayLike, weights_2d: ArrayLike, benefit: ArrayLike) -> FloatArray:
    """Weighted sum per weight row: ``S[s, i] = Σ_j W[s, j] · N[i, j]``, N = :func:`minmax_normalize`.

    Returns ``(samples, alternatives)`` in [0, 1].
    """
    x = _matrix(matrix)
    n = minmax_normalize(x, benefit)
    w = _weights_2d(weights_2d, x.shape[1], name="weights_2d")
    return np.clip(np.einsum("sj,ij->si", w, n), 0.0, 1.0)


def weighted_sum(matrix: ArrayLike, weights: ArrayLike, benefit: ArrayLike) -> FloatArray:
    """Weighted sum ``S_i = Σ_j w_j · N_ij`` with N = :func:`minmax_normalize`; shape ``(alternatives,)``."""
    x, w, b = validate(matrix, weights, benefit)
    return weighted_sum_many(x, w[None, :], b)[0]


def _vector_normalize(x: FloatArray) -> FloatArray:
    norm = np.sqrt(np.sum(x**2, axis=0))
    return np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)


def topsis_many(matrix: ArrayLike, weights_2d: ArrayLike, benefit: ArrayLike) -> FloatArray:
    """TOPSIS relative closeness per weight row; returns ``(samples, alternatives)`` in [0, 1].

    ``r_ij = x_ij / sqrt(Σ_i x_ij²)`` (an all-zero column stays 0), ``v = w_j · r_ij``; ideal
    ``r⁺_j`` = max over alternatives (benefit) or min (cost), anti-ideal ``r⁻_j`` the other end.
    Since w ≥ 0, ``d±_i = sqrt(Σ_j w_j² (r_ij - r±_j)²)`` and closeness ``C_i = d⁻_i / (d⁺_i + d⁻_i)``.
    When ``d⁺_i + d⁻_i = 0`` (every alternative identical on the weighted criteria) ``C_i = 1``.
    """
    x = _matrix(matrix)
    b = _benefit(benefit, x.shape[1])
    w = _weights_2d(weights_2d, x.shape[1], name="weights_2d")
    r = _vector_normalize(x)
    best = np.where(b, r.max(axis=0), r.min(axis=0))
    worst = np.where(b, r.min(axis=0), r.max(axis=0))
    w2 = w**2
    d_plus = np.sqrt(np.einsum("sj,ij->si", w2, (r - best) ** 2))
    d_minus = np.sqrt(np.einsum("sj,ij->si", w2, (r - worst) ** 2))
    total = d_plus + d_minus
    return np.divide(d_minus, total, out=np.ones_like(total), where=total > 0)


def _batch_inputs(
    matrices: ArrayLike, weights: ArrayLike, benefit: ArrayLike
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Validate a ``samples × alternatives × criteria`` stack and one weight vector."""
    x = np.asarray(matrices, dtype=float)
    if x.ndim != 3 or 0 in x.shape or not np.isfinite(x).all():
        raise ComputationError("expected a finite, non-empty samples × alternatives × criteria array")
    b = _benefit(benefit, x.shape[2])
    w = _weights_2d(np.atleast_2d(np.asarray(weights, dtype=float)), x.shape[2])[0]
    return x, w, b


def topsis_batch(matrices: ArrayLike, weights: ArrayLike, benefit: ArrayLike) -> FloatArray:
    """TOPSIS closeness of many matrices (``samples × alternatives × criteria``) under one
    weight vector; returns ``(samples, alternatives)``. Same formulas as :func:`topsis_many`,
    vectorized over the matrices (a Monte Carlo of the criteria)."""
    x, w, b = _batch_inputs(matrices, weights, benefit)
    norm = np.sqrt((x**2).sum(axis=1, keepdims=True))
    r = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)
    best = np.where(b, r.max(axis=1), r.min(axis=1))[:, None, :]
    worst = np.where(b, r.min(axis=1), r.max(axis=1))[:, None, :]
    w2 = w**2
    d_plus = np.sqrt(((r - best) ** 2 * w2).sum(axis=2))
    d_minus = np.sqrt(((r - worst) ** 2 * w2).sum(axis=2))
    total = d_plus + d_minus
    return np.divide(d_minus, total, out=np.ones_like(total), where=total > 0)


def weighted_sum_batch(matrices: ArrayLike, weights: ArrayLike, benefit: ArrayLike) -> FloatArray:
    """Weighted sum (min-max per matrix) of many matrices under one weight vector."""
    x, w, b = _batch_inputs(matrices, weights, benefit)
    lo, hi = x.min(axis=1, keepdims=True), x.max(axis=1, keepdims=True)
    span = hi - lo
    up = np.divide(x - lo, span, out=np.ones_like(x), where=span > 0)
    down = np.divide(hi - x, span, out=np.ones_like(x), where=span > 0)
    return (np.where(b, up, down) * w).sum(axis=2)


def topsis(matrix: ArrayLike, weights: ArrayLike, benefit: ArrayLike) -> FloatArray:
    """TOPSIS relative closeness for one weight vector, shape ``(alternatives,)``; see :func:`topsis_many`."""
    x, w, b = validate(matrix, weights, benefit)
    return topsis_many(x, w[None, :], b)[0]


def ranks(scores: ArrayLike) -> IntArray:
    """Rank along the last axis, 1 = highest score; ties go to the lower index first (stable)."""
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim == 0 or s.shape[-1] == 0 or not np.all(np.isfinite(s)):
        raise ComputationError(f"scores must be a non-empty array of finite numbers, got shape {s.shape}")
    order = np.argsort(-s, axis=-1, kind="stable")
    out = np.empty(s.shape, dtype=np.int64)
    positions = np.broadcast_to(np.arange(1, s.shape[-1] + 1, dtype=np.int64), s.shape)
    np.put_along_axis(out, order, positions, axis=-1)
    return out


def _scores_many(method: Method, x: FloatArray, w: FloatArray, b: BoolArray) -> FloatArray:
    if method == "topsis":
        return topsis_many(x, w, b)
    if method == "weighted_sum":
        return weighted_sum_many(x, w, b)
    raise ComputationError(f"unknown MCDA method {method!r}: expected 'topsis' or 'weighted_sum'")


@dataclass(frozen=True)
class StabilityInterval:
    """Range ``[low, high]`` of criterion ``criterion``'s weight over which alternative ``top`` stays first."""

    criterion: int
    weight: float
    low: float
    high: float
    top: int


def _direction(w: FloatArray, j: int) -> FloatArray:
    """The other criteria's weights rescaled to sum to 1 (equal shares if they are all 0); ``u_j = 0``."""
    u = w.copy()
    u[j] = 0.0
    rest = u.sum()
    if rest > 0:
        return u / rest
    u[:] = 1.0 / (len(w) - 1)
    u[j] = 0.0
    return u


def _ws_interval(n: FloatArray, u: FloatArray, j: int, t0: float, top: int) -> tuple[float, float]:
    # S_i(t) = (1 - t)·a_i + t·b_i; the gap to the top, g_i(t) = g_i(t0) + slope_i·(t - t0), must stay ≥ 0.
    a, b = n @ u, n[:, j]
    gap0 = np.maximum(((1 - t0) * a + t0 * b)[top] - ((1 - t0) * a + t0 * b), 0.0)
    slope = (b[top] - b) - (a[top] - a)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = t0 - gap0 / slope
    low = float(np.max(cross[slope > 0], initial=0.0))
    high = float(np.min(cross[slope < 0], initial=1.0))
    return max(low, 0.0), min(high, 1.0)


def _topsis_interval(x: FloatArray, b: BoolArray, u: FloatArray, j: int, t0: float, top: int) -> tuple[float, float]:
    e = np.zeros_like(u)
    e[j] = 1.0

    def is_top(t: FloatArray) -> BoolArray:
        w = (1 - t)[:, None] * u + t[:, None] * e
        return np.argmax(topsis_many(x, w / w.sum(axis=1, keepdims=True), b), axis=1) == top

    grid = np.union1d(np.linspace(0.0, 1.0, TOPSIS_GRID_POINTS), [t0])
    ok = is_top(grid)
    k = int(np.searchsorted(grid, t0))
    ok[k] = True  # the current weight is in by definition
    bounds = []
    for step in (-1, 1):
        i = k
        while 0 <= i + step < len(grid) and ok[i + step]:
            i += step
        if not 0 <= i + step < len(grid):
            bounds.append(float(grid[i]))
            continue
        inside, outside = float(grid[i]), float(grid[i + step])
        while abs(outside - inside) > TOPSIS_BOUNDARY_TOL:
            mid = 0.5 * (inside + outside)
            if is_top(np.array([mid]))[0]:
                inside = mid
            else:
                outside = mid
        bounds.append(inside)
    return bounds[0], bounds[1]


def stability_intervals(
    matrix: ArrayLike, weights: ArrayLike, benefit: ArrayLike, method: Method = "topsis"
) -> list[StabilityInterval]:
    """Per criterion j, the weights ``w_j = t`` over which the current top alternative stays first.

    ``w(t) = t·e_j + (1 - t)·u`` for t in [0, 1], where ``u_k = w_k / Σ_{k'≠j} w_k'`` for k ≠ j
    (``u_k = 1/(n - 1)`` if those weights are all 0) and ``u_j = 0``; ``w(w_j)`` is the current
    weights. The interval is the maximal connected range of t containing ``w_j`` where the top stays
    first (ties at the ends). weighted_sum: exact, as each score is linear in t. TOPSIS: a grid of
    2001 points, each boundary bisected to 1e-6 (excursions narrower than the grid step are missed).
    With a single criterion the weight cannot move: ``[1, 1]``.
    """
    x, w, b = validate(matrix, weights, benefit)
    top = int(np.argmax(_scores_many(method, x, w[None, :], b)[0]))
    out = []
    for j in range(x.shape[1]):
        t0 = float(w[j])
        if x.shape[1] == 1:
            low, high = t0, t0
        elif method == "weighted_sum":
            low, high = _ws_interval(minmax_normalize(x, b), _direction(w, j), j, t0, top)
        else:
            low, high = _topsis_interval(x, b, _direction(w, j), j, t0, top)
        out.append(StabilityInterval(criterion=j, weight=t0, low=min(low, t0), high=max(high, t0), top=top))
    return out


@dataclass(frozen=True, eq=False)
class WinShares:
    """Monte-Carlo result: ``shares`` (alternatives,), the drawn ``weights`` (samples, criteria) and
    each draw's first-ranked alternative ``winners`` (samples,)."""

    shares: FloatArray
    weights: FloatArray
    winners: IntArray


def win_shares_detail(
    matrix: ArrayLike,
    weights: ArrayLike,
    benefit: ArrayLike,
    *,
    samples: int = 2000,
    concentration: float = 50.0,
    rng: np.random.Generator,
    method: Method = "topsis",
) -> WinShares:
    """Draw ``W_s ~ Dirichlet(α)`` with ``α_j = concentration · w_j + 1e-3`` (mean ≈ w; a zero weight
    stays possible but small), score all draws at once, and share out the draws by first-ranked alternative."""
    x, w, b = validate(matrix, weights, benefit)
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 1:
        raise ComputationError(f"samples must be a positive integer, got {samples!r}")
    if not np.isfinite(concentration) or concentration <= 0:
        raise ComputationError(f"concentration must be a positive finite number, got {concentration!r}")
    drawn = rng.dirichlet(concentration * w + DIRICHLET_SMOOTHING, size=int(samples))
    drawn = drawn / drawn.sum(axis=1, keepdims=True)
    winners = np.argmax(_scores_many(method, x, drawn, b), axis=1).astype(np.int64)
    shares = np.bincount(winners, minlength=x.shape[0]) / float(samples)
    return WinShares(shares=shares.astype(np.float64), weights=drawn, winners=winners)


def win_shares(
    matrix: ArrayLike,
    weights: ArrayLike,
    benefit: ArrayLike,
    *,
    samples: int = 2000,
    concentration: float = 50.0,
    rng: np.random.Generator,
    method: Method = "topsis",
) -> FloatArray:
    """Share of Dirichlet weight draws in which each alternative ranks first; see :func:`win_shares_detail`."""
    return win_shares_detail(
        matrix, weights, benefit, samples=samples, concentration=concentration, rng=rng, method=method
    ).shares
