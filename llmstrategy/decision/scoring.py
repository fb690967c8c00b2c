"""The criteria matrix and its scores: each strategy's 11 criteria (seed 001's ratings composed
per strategy, plus the engine's upfront cost, cost of accepted work and fleet latency), the
hard constraints, weighted sum and TOPSIS (:mod:`mcda`), and the weights' sensitivity.

- Quality: pass rate = clip(at_need + per_point × (model score + uplifts − need), min, max).
- Cost per accepted task = min(cost per request / pass, cost per request + (1 − pass) ×
  frontier cost per request): retried, or escalated to the frontier model, whichever is
  cheaper. The ``monthly_cost`` criterion is that × requests per month.
- Scores only over the feasible strategies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from llmstrategy.decision import mcda
from llmstrategy.decision.ratings import Ratings, Weights, deployment_ratings, derive_weights
from llmstrategy.economics.analysis import Analysis, CostSummary
from llmstrategy.economics.api import api_price
from llmstrategy.economics.context import request_shape, sends_data_to_third_party
from llmstrategy.economics.hosted import frontier_model, measured
from llmstrategy.economics.quality import QualityNeed, quality_gap
from llmstrategy.economics.routing import blended_pass_rate
from llmstrategy.inputs.criteria import CRITERIA, CRITERION_IDS
from llmstrategy.inputs.profile import Profile
from llmstrategy.inputs.strategies import Deployment, Strategy

WEEKS_PER_MONTH = 365 / 12 / 7


def knowledge_need(p: Profile) -> bool:
    """Does the task need knowledge the model lacks or that changes (seed 001: RAG for factual
    Q&A over documents)? Knowledge that changes often, a corpus of the team's documents (a
    ``rag:`` block with a corpus), or reference material stuffed into every prompt. High domain
    specificity alone is jargon and style, a fine-tuning signal, not missing knowledge."""
    return p.knowledge_changes_often or (p.rag is not None and p.rag.corpus_tokens > 0) or p.stuffed_context_tokens > 0


def has_corpus(p: Profile) -> bool:
    """Is there something to retrieve from? (a ``rag:`` block with ``corpus_tokens: 0`` says no)."""
    return p.rag is None or p.rag.corpus_tokens > 0


def _pass(points_gap: float, q: Mapping[str, float]) -> float:
    p = q["pass_rate_at_need"] + q["pass_rate_per_point"] * points_gap
    return float(min(q["pass_rate_max"], max(q["pass_rate_min"], p)))


def pass_rate(c: CostSummary, a: Analysis, q: Mapping[str, float]) -> float:
    """Expected first-attempt acceptance on this task (see module docstring): from the model's
    gap on the capabilities the task needs (:mod:`llmstrategy.economics.quality`), or from the
    profile's own eval of that model when it has one (measured, not capped by the proxy's
    maximum), plus the adaptation's effects. Routed with fine-tuning tunes only the small model:
    the large one is scored untuned, as ``api`` is."""
    p, catalog, s = a.profile, a.context.catalog, c.strategy

    def effects(tuned: bool) -> float:
        up = q["rag_uplift_points"] if s.uses_rag and knowledge_need(p) else 0.0
        if tuned and (p.needs_consistent_format or p.domain_specificity == "high" or p.systematic_failures):
            up += q["fine_tune_uplift_points"]
        if p.systematic_failures and not tuned:
            up -= q["systematic_failure_penalty_points"]
        if p.knowledge_changes_often and not s.uses_rag:
            up -= q["stale_knowledge_penalty_points"]
        return up

    evals = measured(a.context)

    def expected(mid: str | None, need: QualityNeed, uplift: float = effects(s.uses_fine_tune)) -> float:
        ev = evals.get(mid or "")
        if ev is not None:  # measured on the user's own tasks
            return float(min(1.0, max(q["pass_rate_min"], ev.pass_rate + q["pass_rate_per_point"] * uplift)))
        m = catalog.models.get(mid or "")
        gap = quality_gap(m, need, catalog) if m is not None else None
        return _pass((gap if gap is not None else 0.0) + uplift, q)

    if s.deployment in (Deployment.HYBRID, Deployment.ROUTED):  # routing (llmstrategy.economics.routing)
        large_tuned = s.uses_fine_tune and s.deployment is Deployment.HYBRID  # the hybrid's as before
        large = expected(c.models.get("frontier"), a.context.quality, effects(large_tuned))
        small = expected(c.models.get("self_host") or c.models.get("small"), a.context.quality)
        return blended_pass_rate(
            small, large, float(c.details.get("quality_retained", 1.0)), float(c.details.get("frontier_share", 0.0))
        )
    return expected(
        c.models.get("api") or c.models.get("self_host") or c.models.get("private_cloud"), a.context.quality
    )


def cost_per_accepted_task_usd(c: CostSummary, a: Analysis, pass_share: float) -> float:
    """min(per request / pass, per request + (1 − pass) × frontier per request) [USD]; with
    ``human_review_usd_per_task``: per request + (1 − pass) × that (a person fixes each failure)."""
    per_req = c.monthly_usd / a.workload.requests_per_month
    review = a.profile.human_review_usd_per_task
    if review is not None:  # a person fixes the failed tasks: that is what they cost
        return float(per_req + (1 - pass_share) * review)
    retried = per_req / pass_share
    frontier = frontier_model(a.context)
    if frontier is None or not frontier.has_api_price:
        return retried
    shape = request_shape(c.strategy, a.context)
    fprice = api_price(
        frontier,
        shape,
        batch=a.context.batch,
        reasoning_tokens_per_output_token=a.context.reasoning_tokens_per_output_token,
    )
    escalated = per_req + (1 - pass_share) * fprice.request_usd(shape)
    return float(min(retried, escalated))


def criteria_row(c: CostSummary, a: Analysis, r: Ratings) -> dict[str, float]:
    """The 11 criteria for one feasible strategy (units: see ``data/strategies.yaml`` scales)."""
    d = deployment_ratings(r, c.strategy.deployment.value, c.details.get("deployment_kind"))
    ad = r.adaptations[c.strategy.adaptation.value]
    t_d, t_a = float(d["time_to_production"]), float(ad["time_to_production"])
    ttp = max(t_d, t_a) + (0.5 * min(t_d, t_a) if min(t_d, t_a) > 0.5 else 0.0)
    ttp += float(c.details.get("hire_months", 0.0)) * WEEKS_PER_MONTH  # hiring comes first
    maint = max(float(d["maintenance"]), float(ad["maintenance"]))
    if float(d["maintenance"]) > 1 and float(ad["maintenance"]) > 1:
        maint = min(5.0, maint + 1)
    latency = float(d["latency"])
    ttft = c.details.get("time_to_first_token_ms")
    if c.strategy.deployment is Deployment.HYBRID and ttft is not None:
        share = float(c.details.get("frontier_share", 0.0))
        latency = share * float(r.deployments["api"]["latency"]) + (1 - share) * float(ttft)
        latency += float(c.details.get("router_latency_ms", 0.0))
    elif ttft is not None:  # api, routed (share-weighted, router included), self_host, private_cloud
        latency = float(ttft)
    latency += float(ad["latency_added_ms"])
    ps = pass_rate(c, a, r.quality)
    return {
        "time_to_production": ttp,
        "upfront_cost": c.upfront_usd,
        "monthly_cost": cost_per_accepted_task_usd(c, a, ps) * a.workload.requests_per_month,
        "data_privacy": float(d["data_privacy"]),
        "customization": max(float(d["customization"]), float(ad["customization"])),
        "maintenance": maint,
        "latency": latency,
        "team": float(d["team"]) + float(ad["team"]),
        "quality": ps,
        "knowledge_freshness": float(ad["knowledge_freshness"]),
        "hallucination_risk": float(ad["hallucination_risk"]),
        "availability": float(c.details.get("availability", 1.0)),
    }


def hard_constraints(c: CostSummary, p: Profile) -> list[str]:
    """Reasons a strategy is ruled out whatever its score (pricing reasons included)."""
    out = list(c.reasons)
    if c.strategy.uses_rag and p.rag is not None and p.rag.corpus_tokens <= 0:
        out.append("retrieval needs a corpus to retrieve from, and rag.corpus_tokens is 0")
    if c.strategy.deployment is Deployment.PRIVATE_CLOUD and not p.data_may_leave and not p.own_cloud_allowed:
        out.append("data_may_leave is false and own_cloud_allowed is false: not even a deployment in your own cloud")
    if not p.data_may_leave and sends_data_to_third_party(c.strategy, c.details):
        out.append("data_may_leave is false and this strategy sends data to a third-party model")
    if c.strategy.deployment in (Deployment.SELF_HOST, Deployment.HYBRID) and not p.team.can_hire:
        missing = [
            role for role, n in (("ML", p.team.ml_engineers), ("infrastructure", p.team.infra_engineers)) if n <= 0
        ]
        if missing:
            out.append(
                "running your own model needs at least one ML and one infrastructure engineer (seed 001: an ML + "
                f"infra team); this team has no {' and no '.join(missing)} engineer and cannot hire (team.can_hire)"
            )
    return out


@dataclass(frozen=True)
class Scores:
    """The matrix over all strategies; scores only for the feasible ones (NaN otherwise)."""

    strategies: tuple[Strategy, ...]
    feasible: tuple[bool, ...]
    reasons: tuple[tuple[str, ...], ...]
    matrix: np.ndarray  # strategies × criteria (NaN rows when infeasible)
    weights: Weights
    weighted_sum: np.ndarray
    topsis: np.ndarray
    rank: np.ndarray  # 1 = best among feasible; 0 when infeasible
    pass_rate: np.ndarray
    cost_per_accepted_task_usd: np.ndarray

    @property
    def benefit(self) -> np.ndarray:
        return np.array([CRITERIA[c][0] == "benefit" for c in CRITERION_IDS])

    def index(self, sid: str) -> int:
        return [s.id for s in self.strategies].index(sid)

    def ranked(self) -> list[int]:
        """Indices of feasible strategies, best first."""
        idx = [i for i, f in enumerate(self.feasible) if f]
        return sorted(idx, key=lambda i: int(self.rank[i]))


def score(a: Analysis, r: Ratings, *, weights: Weights | None = None) -> Scores:
    """Build the matrix, apply hard constraints, score the feasible strategies."""
    w = weights or derive_weights(a.profile, r)
    strategies, feasible, reasons, rows = [], [], [], []
    nan_row = [math.nan] * len(CRITERION_IDS)
    for c in a.costs:
        why = hard_constraints(c, a.profile)
        strategies.append(c.strategy)
        feasible.append(not why)
        reasons.append(tuple(why))
        rows.append([criteria_row(c, a, r)[k] for k in CRITERION_IDS] if not why else nan_row)
    m = np.array(rows, dtype=float)
    n = len(strategies)
    ws, tp, rk = np.full(n, math.nan), np.full(n, math.nan), np.zeros(n, dtype=int)
    ok = np.array(feasible)
    wv = np.array([w.values[k] for k in CRITERION_IDS])
    benefit = np.array([CRITERIA[k][0] == "benefit" for k in CRITERION_IDS])
    if ok.any():
        ws[ok] = mcda.weighted_sum(m[ok], wv, benefit)
        tp[ok] = mcda.topsis(m[ok], wv, benefit)
        rk[ok] = mcda.ranks(tp[ok])
    qcol, ccol = CRITERION_IDS.index("quality"), CRITERION_IDS.index("monthly_cost")
    return Scores(
        tuple(strategies),
        tuple(feasible),
        tuple(reasons),
        m,
        w,
        ws,
        tp,
        rk,
        m[:, qcol],
        m[:, ccol] / a.workload.requests_per_month,
    )


def scores_with_cost_column(
    matrix: np.ndarray, w: np.ndarray, benefit: np.ndarray, j: int, column: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """TOPSIS closeness and weighted sum (samples × alternatives) when only column ``j`` of
    ``matrix`` varies, taking the values ``column`` (samples × alternatives) — the same
    formulas as :func:`mcda.topsis_batch` and :func:`mcda.weighted_sum_batch`, with the other
    columns' contributions computed once (O(samples × alternatives) instead of × criteria)."""
    others = [k for k in range(matrix.shape[1]) if k != j]
    x, b, wo = matrix[:, others], benefit[others], w[others]
    norm = np.sqrt((x**2).sum(axis=0))
    r = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)
    best, worst = np.where(b, r.max(axis=0), r.min(axis=0)), np.where(b, r.min(axis=0), r.max(axis=0))
    d_plus0 = ((r - best) ** 2 * wo**2).sum(axis=1)  # (alternatives,)
    d_minus0 = ((r - worst) ** 2 * wo**2).sum(axis=1)
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    up = np.divide(x - lo, span, out=np.ones_like(x), where=span > 0)
    down = np.divide(hi - x, span, out=np.ones_like(x), where=span > 0)
    ws0 = (np.where(b, up, down) * wo).sum(axis=1)
    c = np.asarray(column, dtype=float)
    cn = np.sqrt((c**2).sum(axis=1, keepdims=True))
    rc = np.divide(c, cn, out=np.zeros_like(c), where=cn > 0)
    bj = bool(benefit[j])
    best_c = rc.max(axis=1, keepdims=True) if bj else rc.min(axis=1, keepdims=True)
    worst_c = rc.min(axis=1, keepdims=True) if bj else rc.max(axis=1, keepdims=True)
    d_plus = np.sqrt(d_plus0 + w[j] ** 2 * (rc - best_c) ** 2)
    d_minus = np.sqrt(d_minus0 + w[j] ** 2 * (rc - worst_c) ** 2)
    total = d_plus + d_minus
    tp = np.divide(d_minus, total, out=np.ones_like(total), where=total > 0)
    clo, chi = c.min(axis=1, keepdims=True), c.max(axis=1, keepdims=True)
    cspan = chi - clo
    num = (c - clo) if bj else (chi - c)
    cnorm = np.divide(num, cspan, out=np.ones_like(c), where=cspan > 0)
    return tp, ws0 + w[j] * cnorm


def sensitivity(s: Scores, *, rng: np.random.Generator, samples: int = 2000) -> dict[str, Any]:
    """Stability interval of each weight (TOPSIS) and the share of Dirichlet weight draws in
    which each feasible strategy ranks first."""
    ok = np.array(s.feasible)
    ids = [x.id for x, f in zip(s.strategies, s.feasible, strict=True) if f]
    if ok.sum() < 2:
        return {"stability_intervals": [], "win_share": {i: 1.0 for i in ids}}
    w = np.array([s.weights.values[k] for k in CRITERION_IDS])
    m = s.matrix[ok]
    intervals = mcda.stability_intervals(m, w, s.benefit, method="topsis")
    shares = mcda.win_shares(m, w, s.benefit, samples=samples, rng=rng, method="topsis")
    return {
        "stability_intervals": [
            {
                "criterion": CRITERION_IDS[iv.criterion],
                "weight": iv.weight,
                "low": iv.low,
                "high": iv.high,
                "top": ids[iv.top],
            }
            for iv in intervals
        ],
        "win_share": {i: float(x) for i, x in zip(ids, shares, strict=True)},
    }


def scores_to_list(s: Scores) -> list[dict[str, Any]]:
    out = []
    for i, st in enumerate(s.strategies):
        out.append(
            {
                "strategy": st.id,
                **st.as_dict(),
                "weighted_sum": float(s.weighted_sum[i]),
                "topsis": float(s.topsis[i]),
                "rank": int(s.rank[i]) if s.feasible[i] else None,
                "feasible": s.feasible[i],
                "infeasible_reasons": list(s.reasons[i]),
                "pass_rate": float(s.pass_rate[i]),
                "cost_per_accepted_task_usd": float(s.cost_per_accepted_task_usd[i]),
                "criteria": {k: float(s.matrix[i, j]) for j, k in enumerate(CRITERION_IDS)},
            }
        )
    return out
