"""The decision engine: criteria matrix, hard constraints, weights, scores, the seeds'
decision path, and a recommendation with its rationale, traps, roadmap and checklist.

Pure: it reads an :class:`analysis.Analysis` (costs already computed) and the ratings in
``data/strategies.yaml``; nothing here prices anything.

- Criteria (``criteria.CRITERIA``): qualitative ratings from seed 001's two tables,
  composed per strategy by the file's ``compose`` rules; quantitative ones from the engine
  (upfront cost, cost per accepted task, the sized fleet's time to first token).
- Quality: pass rate = clip(at_need + per_point × (model score + uplifts − need), min, max);
  cost per accepted task = min(cost per request / pass, cost per request + (1 − pass) ×
  frontier cost per request) — retried, or escalated to the frontier model, whichever is
  cheaper. The ``monthly_cost`` criterion is that × requests per month.
- Scores: weighted sum and TOPSIS (:mod:`mcda`) over the feasible strategies only.
- Recommendation: the decision path's strategy unless it is infeasible, or the best-scoring
  feasible strategy beats it by more than ``recommendation.score_margin`` on both TOPSIS
  closeness and the weighted sum (two methods must agree before the matrix overrides the path).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from . import mcda
from .analysis import Analysis, CostSummary
from .costs_api import api_price
from .criteria import CRITERIA, CRITERION_IDS
from .errors import CatalogError
from .pricing import request_shape
from .profile import Profile
from .strategies import NO_LLM_ID, Adaptation, Deployment, Strategy

RATINGS_FILE = "strategies.yaml"

#: condition id → (plain words, predicate on the profile); named by data/strategies.yaml
CONDITIONS: dict[str, tuple[str, Callable[[Profile], bool]]] = {
    "sensitive_data": (
        "data is confidential or regulated",
        lambda p: p.data_sensitivity in ("confidential", "regulated"),
    ),
    "pre_mvp": ("the product is pre-MVP", lambda p: p.stage == "pre_mvp"),
    "scaling": ("the product is scaling", lambda p: p.stage == "scaling"),
    "high_volume": ("more than 10,000 requests a day", lambda p: p.requests_per_day > 10_000),
    "interactive": ("users wait for the answer (interactive)", lambda p: p.latency == "interactive"),
    "batch": ("batch work: nobody waits", lambda p: p.latency == "batch"),
    "small_team": ("fewer than two ML or infra engineers", lambda p: p.team.ml_engineers + p.team.infra_engineers < 2),
    "complex_task": ("the task is complex", lambda p: p.task_complexity == "high"),
    "specific_task": (
        "domain-specific or format-critical task",
        lambda p: p.domain_specificity == "high" or p.needs_consistent_format,
    ),
    "fresh_knowledge": ("the knowledge changes often", lambda p: p.knowledge_changes_often),
    "high_stakes": (
        "regulated data or a complex task",
        lambda p: p.data_sensitivity == "regulated" or p.task_complexity == "high",
    ),
    "core_differentiator": ("the feature is a core differentiator", lambda p: p.core_differentiator),
    "not_core": ("the feature is not a core differentiator", lambda p: not p.core_differentiator),
}


@dataclass(frozen=True)
class Ratings:
    """``data/strategies.yaml``, validated."""

    deployments: Mapping[str, Mapping[str, Any]]
    adaptations: Mapping[str, Mapping[str, Any]]
    quality: Mapping[str, float]
    base_weights: Mapping[str, float]
    adjustments: tuple[Mapping[str, Any], ...]
    recommendation: Mapping[str, float]
    source: str
    path: str


def load_ratings(data_dir: Path) -> Ratings:
    """Read and check ``strategies.yaml``; one-line :class:`CatalogError` naming the field.
    Memoized on the file's path, modification time and size."""
    path = data_dir / RATINGS_FILE
    try:
        st = path.stat()
    except OSError as err:
        raise CatalogError(f"cannot read the strategy ratings ({type(err).__name__})", path=str(path)) from None
    return _load_ratings(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=16)
def _load_ratings(where: str, _mtime_ns: int, _size: int) -> Ratings:
    path = Path(where)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise CatalogError(f"cannot read the strategy ratings ({type(err).__name__})", path=where) from None
    if not isinstance(doc, dict):
        raise CatalogError("expected a mapping", path=where)

    def need(key: str) -> Any:
        if key not in doc:
            raise CatalogError("missing key", path=where, field=key)
        return doc[key]

    deps, ads = need("deployments"), need("adaptations")
    for d in Deployment:
        for k in ("time_to_production", "data_privacy", "customization", "maintenance", "latency", "team"):
            _number(deps, f"{d.value}.{k}", where)
    for a in Adaptation:
        for k in (
            "time_to_production",
            "customization",
            "maintenance",
            "latency_added_ms",
            "team",
            "knowledge_freshness",
            "hallucination_risk",
        ):
            _number(ads, f"{a.value}.{k}", where)
    quality = {k: _number(need("quality"), f"{k}.value", where) for k in need("quality")}
    w = need("weights")
    base = {c: _number(w, f"base.{c}", where) for c in CRITERION_IDS}
    adjustments = tuple(w.get("adjustments") or ())
    for i, adj in enumerate(adjustments):
        if not isinstance(adj, dict) or adj.get("when") not in CONDITIONS or adj.get("criterion") not in CRITERIA:
            raise CatalogError(
                f"expected when: one of {', '.join(CONDITIONS)} and criterion: one of {', '.join(CRITERIA)}",
                path=where,
                field=f"weights.adjustments[{i}]",
            )
        _number(adj, "factor", where)
    rec = {k: _number(need("recommendation"), f"{k}.value", where) for k in need("recommendation")}
    return Ratings(deps, ads, quality, base, adjustments, rec, str(doc.get("source", "")), where)


def _number(block: Any, dotted: str, where: str) -> float:
    cur = block
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            raise CatalogError("missing value", path=where, field=dotted)
        cur = cur[part]
    if isinstance(cur, bool) or not isinstance(cur, int | float) or not math.isfinite(cur) or cur < 0:
        raise CatalogError(f"expected a non-negative number, got {cur!r}", path=where, field=dotted)
    return float(cur)


# --- weights -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """Normalized criterion weights and how they were derived (for the report)."""

    values: Mapping[str, float]
    applied: tuple[str, ...]  # plain-words adjustments that fired
    overridden: tuple[str, ...]  # criteria the profile set itself


def derive_weights(profile: Profile, ratings: Ratings) -> Weights:
    """Base weights × the adjustments whose condition holds; the profile's ``weights``
    replace the keys it names; normalized to sum to 1."""
    w = dict(ratings.base_weights)
    applied = []
    for adj in ratings.adjustments:
        words, pred = CONDITIONS[adj["when"]]
        if pred(profile):
            w[adj["criterion"]] *= float(adj["factor"])
            applied.append(f"{CRITERIA[adj['criterion']][1]} × {float(adj['factor']):g} because {words}")
    overridden = tuple(sorted(profile.weights or {}))
    for k, v in (profile.weights or {}).items():
        w[k] = float(v)
    total = sum(w.values())
    return Weights({k: w[k] / total for k in CRITERION_IDS}, tuple(applied), overridden)


# --- the criteria matrix ---------------------------------------------------------------------


def _pass(points_gap: float, q: Mapping[str, float]) -> float:
    p = q["pass_rate_at_need"] + q["pass_rate_per_point"] * points_gap
    return float(min(q["pass_rate_max"], max(q["pass_rate_min"], p)))


def pass_rate(c: CostSummary, a: Analysis, q: Mapping[str, float]) -> float:
    """Expected first-attempt acceptance on this task (see module docstring)."""
    p, catalog, s = a.profile, a.context.catalog, c.strategy
    need = a.context.quality_needed
    uplift = 0.0
    if s.uses_rag and (p.knowledge_changes_often or p.domain_specificity == "high"):
        uplift += q["rag_uplift_points"]
    if s.uses_fine_tune and (p.needs_consistent_format or p.domain_specificity == "high" or p.systematic_failures):
        uplift += q["fine_tune_uplift_points"]
    if p.systematic_failures and not s.uses_fine_tune:
        uplift -= q["systematic_failure_penalty_points"]
    if p.knowledge_changes_often and not s.uses_rag:
        uplift -= q["stale_knowledge_penalty_points"]

    def score(mid: str | None) -> float:
        m = catalog.models.get(mid or "")
        return float(m.quality_score) if m is not None and m.quality_score is not None else need

    if s.deployment is Deployment.HYBRID:
        share = float(c.details.get("frontier_share", 0.0))
        local_need = float(c.details.get("quality_needed", need))
        if s.uses_fine_tune:  # the pricer lowered the local need by the fine-tuning uplift already
            local_need += float(catalog.value("fine_tune.quality_uplift"))
        frontier = _pass(score(c.models.get("frontier")) + uplift - need, q)
        local = _pass(score(c.models.get("self_host")) + uplift - local_need, q)
        return share * frontier + (1 - share) * local
    mid = c.models.get("api") or c.models.get("self_host")
    return _pass(score(mid) + uplift - need, q)


def cost_per_accepted_task_usd(c: CostSummary, a: Analysis, pass_share: float) -> float:
    """min(per request / pass, per request + (1 − pass) × frontier per request) [USD]."""
    per_req = c.monthly_usd / a.workload.requests_per_month
    retried = per_req / pass_share
    catalog = a.context.catalog
    fid = a.profile.assumptions.frontier_model or str(catalog.value("default_frontier_model"))
    frontier = catalog.models.get(fid)
    if frontier is None or not frontier.has_api_price:
        return retried
    shape = request_shape(c.strategy, a.context)
    escalated = per_req + (1 - pass_share) * api_price(frontier, shape, batch=a.context.batch).request_usd(shape)
    return float(min(retried, escalated))


def criteria_row(c: CostSummary, a: Analysis, r: Ratings) -> dict[str, float]:
    """The 11 criteria for one feasible strategy (units: see ``data/strategies.yaml`` scales)."""
    d = r.deployments[c.strategy.deployment.value]
    ad = r.adaptations[c.strategy.adaptation.value]
    t_d, t_a = float(d["time_to_production"]), float(ad["time_to_production"])
    ttp = max(t_d, t_a) + (0.5 * min(t_d, t_a) if min(t_d, t_a) > 0.5 else 0.0)
    maint = max(float(d["maintenance"]), float(ad["maintenance"]))
    if float(d["maintenance"]) > 1 and float(ad["maintenance"]) > 1:
        maint = min(5.0, maint + 1)
    latency = float(d["latency"])
    ttft = c.details.get("time_to_first_token_ms")
    if c.strategy.deployment is Deployment.SELF_HOST and ttft is not None:
        latency = float(ttft)
    elif c.strategy.deployment is Deployment.HYBRID and ttft is not None:
        share = float(c.details.get("frontier_share", 0.0))
        latency = share * float(r.deployments["api"]["latency"]) + (1 - share) * float(ttft)
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
    }


def hard_constraints(c: CostSummary, p: Profile) -> list[str]:
    """Reasons a strategy is ruled out whatever its score (pricing reasons included)."""
    out = list(c.reasons)
    if not p.data_may_leave and c.strategy.sends_data_to_third_party:
        out.append("data_may_leave is false and this strategy sends data to a third-party model")
    if (
        c.strategy.deployment in (Deployment.SELF_HOST, Deployment.HYBRID)
        and p.stage == "pre_mvp"
        and p.team.ml_engineers + p.team.infra_engineers == 0
    ):
        out.append("self-hosting needs an ML or infra engineer, and this pre-MVP team has none")
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


# --- the decision path -----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    question: str
    answer: str
    evidence: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"question": self.question, "answer": self.answer, "evidence": self.evidence, "source": self.source}


@dataclass(frozen=True)
class DecisionPath:
    """The path's outcome: a strategy id (or ``no_llm``) and the steps that decided it."""

    strategy_id: str
    steps: tuple[Step, ...]
    deployment_signal: str
    adaptation_signal: str
    volume_question: bool = False  # the deployment hung on "will API costs become painful soon?"
    deployment_if_painful: str = "self_host"


def decision_path(a: Analysis, r: Ratings, s: Scores | None = None) -> DecisionPath:
    """Seed 004 step 2, then seed 003's path for the deployment, then seed 003 step 4 /
    seed 000 / seed 001 for the adaptation (two separate questions). With the scores ``s``,
    seed 004 step 7 checks fine-tuning's return: it is kept for systematic failures (accuracy
    that retries cannot buy), a core differentiator (defensibility), or a lower cost per accepted
    task than the same strategy without fine-tuning (cost at scale), or when either scoring
    method ranks the fine-tuned strategy above it (e.g. lower hallucination risk): the seeds'
    trigger is dropped only when cost and both methods say fine-tuning is worse."""
    p = a.profile
    steps: list[Step] = []
    if p.rules_suffice:
        steps.append(
            Step(
                "Do rules, search or classic ML suffice?",
                "yes: skip the LLM",
                "rules_suffice: true",
                "seed 004 step 2",
            )
        )
        return DecisionPath(NO_LLM_ID, tuple(steps), "rules suffice", "rules suffice")
    steps.append(Step("Do rules, search or classic ML suffice?", "no", "rules_suffice: false", "seed 004 step 2"))
    be = a.extras.get("break_even", {})
    volume_q = False
    hy_month = (be.get("month_reached") or {}).get("api_vs_hybrid")
    dep_if_painful = (
        Deployment.HYBRID
        if (hy_month is not None and hy_month < p.horizon_months) or p.task_complexity == "high"
        else Deployment.SELF_HOST
    )
    if not p.data_may_leave:
        dep = Deployment.SELF_HOST
        steps.append(
            Step(
                "Is sending data to a third-party model forbidden?",
                "yes: self-hosted or private deployment",
                f"data_may_leave: false (data_sensitivity: {p.data_sensitivity})",
                "seed 003 §6 step 1",
            )
        )
        dep_signal = "data may not leave"
    else:
        steps.append(
            Step(
                "Is sending data to a third-party model forbidden?",
                "no",
                f"data_may_leave: true (data_sensitivity: {p.data_sensitivity})",
                "seed 003 §6 step 1",
            )
        )
        if p.stage == "pre_mvp":
            dep = Deployment.API
            steps.append(
                Step(
                    "Pre-MVP or still validating user value?",
                    "yes: API-first, designed for swappability",
                    "stage: pre_mvp",
                    "seed 003 §6 step 2",
                )
            )
            dep_signal = "pre-MVP"
        else:
            steps.append(
                Step("Pre-MVP or still validating user value?", "no", f"stage: {p.stage}", "seed 003 §6 step 2")
            )
            month = (be.get("month_reached") or {}).get("api_vs_self_host")
            tokens = be.get("api_vs_self_host_monthly_tokens")
            soon = month is not None and month < p.horizon_months
            volume_q = True
            evidence = (
                f"self-hosting breaks even at {tokens:,.0f} tokens/month, reached in month {month} "
                f"(horizon {p.horizon_months} months; today {be.get('profile_monthly_tokens', 0):,.0f})"
                if tokens is not None and month is not None
                else (f"break-even at {tokens:,.0f} tokens/month, not reached by growth" if tokens else "")
                or (be.get("reason") or {}).get("api_vs_self_host", "no break-even")
            )
            if soon:
                dep = dep_if_painful
                steps.append(
                    Step(
                        "Will projected usage make API costs painful soon?",
                        "yes: "
                        + (
                            "hybrid (open model for common paths, API for hard cases)"
                            if dep is Deployment.HYBRID
                            else "self-host"
                        ),
                        evidence,
                        "seed 003 §6 step 3",
                    )
                )
                dep_signal = "API costs become painful within the horizon"
            else:
                dep = Deployment.API
                steps.append(
                    Step(
                        "Will projected usage make API costs painful soon?",
                        "no: stay with APIs; optimize prompts, caching and calling patterns",
                        evidence,
                        "seed 003 §6 step 3",
                    )
                )
                dep_signal = "API stays cheaper over the horizon"
    if p.data_may_leave and p.stage != "pre_mvp":
        steps.append(
            Step(
                "Is it a core differentiator?",
                "yes: owning more (fine-tuning, self-hosting) can pay off in defensibility"
                if p.core_differentiator
                else "no: orchestrate APIs and focus on product, UX and data unless cost says otherwise",
                f"core_differentiator: {str(p.core_differentiator).lower()} (weighs customization, or time to "
                "production and maintenance, in the matrix)",
                "seed 004 step 3",
            )
        )
    # adaptation
    fmt_trigger = p.needs_consistent_format and (
        p.domain_specificity == "high"
        or p.requests_per_day > r.recommendation.get("fine_tune_volume_requests_per_day", 10_000)
    )
    wants_ft = p.systematic_failures or fmt_trigger
    ft = wants_ft and p.labeled_examples > 0 and p.stage != "pre_mvp"
    ft_evidence = (
        f"systematic_failures: {str(p.systematic_failures).lower()}, needs_consistent_format: "
        f"{str(p.needs_consistent_format).lower()}, domain_specificity: {p.domain_specificity}, "
        f"{p.requests_per_day:,.0f} requests/day, labeled_examples: {p.labeled_examples:,}, stage: {p.stage}"
    )
    if ft:
        answer = "yes: fine-tune" + (" (through the provider first)" if dep is Deployment.API else "")
    elif wants_ft:
        answer = "not yet: " + (
            "no labeled examples to train on" if p.labeled_examples == 0 else "validate the use case first"
        )
    else:
        answer = "no: invest in RAG, UX and evaluation before fine-tuning"
    steps.append(
        Step(
            "Systematic failures a better model won't fix (style, format, jargon)?",
            answer,
            ft_evidence,
            "seed 003 §6 step 4; seed 000 'When to fine-tune'; seed 004 step 6",
        )
    )
    rag = p.knowledge_changes_often or p.domain_specificity == "high" or p.rag is not None
    if ft and s is not None:
        with_ft = Strategy(dep, Adaptation.RAG_FINE_TUNE if rag else Adaptation.FINE_TUNE).id
        without = Strategy(dep, Adaptation.RAG if rag else Adaptation.PROMPTING).id
        i, j = s.index(with_ft), s.index(without)
        if s.feasible[i] and s.feasible[j]:
            c_ft, c_base = float(s.cost_per_accepted_task_usd[i]), float(s.cost_per_accepted_task_usd[j])
            cheaper = c_ft <= c_base
            # the path's trigger stands unless both methods rank fine-tuning lower (as the margin rule)
            better = bool(s.topsis[i] > s.topsis[j] or s.weighted_sum[i] > s.weighted_sum[j])
            ft = p.systematic_failures or p.core_differentiator or cheaper or better
            why = (
                "systematic failures: accuracy that retries cannot buy"
                if p.systematic_failures
                else "a core differentiator: defensibility"
                if p.core_differentiator
                else "it lowers the cost per accepted task"
                if cheaper
                else "the criteria matrix ranks it above the same strategy without fine-tuning "
                f"(TOPSIS {s.topsis[i]:.2f} vs {s.topsis[j]:.2f}, weighted sum {s.weighted_sum[i]:.2f} vs "
                f"{s.weighted_sum[j]:.2f})"
                if better
                else "no clear return: no systematic failures, not a core differentiator, it raises the cost "
                "per accepted task and both scoring methods rank it lower"
            )
            steps.append(
                Step(
                    "Does fine-tuning pay for itself?",
                    ("yes: " if ft else "no: ") + why,
                    f"cost per accepted task ${c_ft:,.5f} with fine-tuning ({with_ft}) vs ${c_base:,.5f} without "
                    f"({without}); expected pass rate {s.pass_rate[i]:.0%} vs {s.pass_rate[j]:.0%}",
                    "seed 004 step 7 (cost-benefit analysis); seed 001 (track cost per task)",
                )
            )
    steps.append(
        Step(
            "Does the task need knowledge the model lacks or that changes?",
            "yes: retrieval (RAG)" if rag else "no: prompting is enough",
            f"knowledge_changes_often: {str(p.knowledge_changes_often).lower()}, domain_specificity: "
            f"{p.domain_specificity}" + (", a rag: block is set" if p.rag is not None else ""),
            "seed 001 decision rule: start with RAG; fine-tune only when RAG cannot reach quality, style or format",
        )
    )
    ad = (
        Adaptation.RAG_FINE_TUNE
        if rag and ft
        else Adaptation.FINE_TUNE
        if ft
        else Adaptation.RAG
        if rag
        else Adaptation.PROMPTING
    )
    ad_signal = {
        Adaptation.RAG_FINE_TUNE: "knowledge need and systematic failures",
        Adaptation.FINE_TUNE: "systematic failures or format at volume",
        Adaptation.RAG: "knowledge need",
        Adaptation.PROMPTING: "no knowledge need, no systematic failures",
    }[ad]
    return DecisionPath(Strategy(dep, ad).id, tuple(steps), dep_signal, ad_signal, volume_q, dep_if_painful.value)


# --- recommendation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    weights: Weights
    scores: Scores
    path: DecisionPath
    strategy_id: str | None
    runner_up_id: str | None
    rationale: tuple[str, ...]
    traps: tuple[dict[str, str], ...]
    revisit_when: tuple[str, ...]
    roadmap: tuple[dict[str, Any], ...]
    checklist: tuple[dict[str, Any], ...]
    sensitivity: Mapping[str, Any] = field(default_factory=dict)


def _conflicts(s: Scores, a_i: int, b_i: int) -> str:
    """The criteria where ``a`` beats ``b`` most, and the reverse, in weighted normalized terms."""
    ok = np.array(s.feasible)
    norm = np.full_like(s.matrix, np.nan)
    norm[ok] = mcda.minmax_normalize(s.matrix[ok], s.benefit)
    w = np.array([s.weights.values[k] for k in CRITERION_IDS])
    diff = (norm[a_i] - norm[b_i]) * w
    order = np.argsort(-diff)
    pro = [CRITERIA[CRITERION_IDS[i]][1].lower() for i in order[:2] if diff[i] > 1e-9]
    con = [CRITERIA[CRITERION_IDS[i]][1].lower() for i in order[::-1][:2] if diff[i] < -1e-9]
    parts = []
    if pro:
        parts.append(f"{s.strategies[a_i].id} is better on {' and '.join(pro)}")
    if con:
        parts.append(f"{s.strategies[b_i].id} is better on {' and '.join(con)}")
    return "; ".join(parts)


def recommend(a: Analysis, r: Ratings, *, weights: Weights | None = None) -> Decision:
    """Combine the decision path with the scores (see module docstring)."""
    s = score(a, r, weights=weights)
    path = decision_path(a, r, s)
    ranked = s.ranked()
    top = ranked[0] if ranked else None
    margin = float(r.recommendation.get("score_margin", 0.10))
    rationale = [f"{st.question} {st.answer} ({st.evidence})" for st in path.steps]
    rec: int | None
    if path.strategy_id == NO_LLM_ID:
        rec_id: str | None = NO_LLM_ID
        rec = None
        rationale.append("Rules, search or classic ML suffice: no LLM strategy is recommended.")
    else:
        pi = s.index(path.strategy_id)
        if top is None:
            rec = None
            rationale.append("No strategy is feasible for this profile: see each strategy's reasons.")
        elif not s.feasible[pi]:
            same_dep = [i for i in ranked if s.strategies[i].deployment == s.strategies[pi].deployment]
            rec = same_dep[0] if same_dep else top
            rationale.append(
                f"The path's {path.strategy_id} is infeasible ({'; '.join(s.reasons[pi])}); "
                f"{s.strategies[rec].id} is the best-scoring feasible alternative"
                + (" with the same deployment." if same_dep else ".")
            )
        elif top != pi and s.topsis[top] - s.topsis[pi] > margin and s.weighted_sum[top] - s.weighted_sum[pi] > margin:
            rec = top
            rationale.append(
                f"The path points to {path.strategy_id}, but the matrix ranks {s.strategies[top].id} clearly "
                f"higher (TOPSIS {s.topsis[top]:.2f} vs {s.topsis[pi]:.2f}, weighted sum {s.weighted_sum[top]:.2f} vs "
                f"{s.weighted_sum[pi]:.2f}, margin {margin:g} on both): "
                f"{_conflicts(s, top, pi)}. The path's signals ({path.deployment_signal}; {path.adaptation_signal}) "
                "conflict with the weighted criteria."
            )
        else:
            rec = pi
            if top != pi:
                rationale.append(
                    f"The matrix ranks {s.strategies[top].id} first (TOPSIS {s.topsis[top]:.2f} vs "
                    f"{s.topsis[pi]:.2f}), not by more than {margin:g} on both TOPSIS and the weighted sum, so the "
                    f"path's {path.strategy_id} stands: "
                    f"{_conflicts(s, top, pi)}."
                )
            else:
                rationale.append(f"The matrix agrees: {path.strategy_id} ranks first (TOPSIS {s.topsis[pi]:.2f}).")
        rec_id = s.strategies[rec].id if rec is not None else None
    runner = next((i for i in ranked if i != rec), None)
    runner_id = s.strategies[runner].id if runner is not None else None
    return Decision(
        weights=s.weights,
        scores=s,
        path=path,
        strategy_id=rec_id,
        runner_up_id=runner_id,
        rationale=tuple(rationale),
        traps=tuple(traps(a, s, rec_id)),
        revisit_when=tuple(revisit_when(a, rec_id, path.steps)),
        roadmap=tuple(roadmap(a, r, rec_id)),
        checklist=tuple(checklist(a, rec_id)),
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


def recommend_many(
    d: Decision,
    r: Ratings,
    monthly_ratio: Mapping[str, np.ndarray],
    painful: np.ndarray | None = None,
) -> np.ndarray:
    """The recommendation in each simulated future, vectorized over samples.

    ``monthly_ratio[strategy]`` is each sample's month-0 monthly cost over the analysis's (it
    scales the cost-per-accepted-task criterion; the other criteria are held); ``painful`` is
    whether self-hosting is no dearer than the API in the horizon's last month (the path's
    "API costs painful soon?" question, asked only when the path asked it). Same rule as
    :func:`recommend`: the path's strategy unless infeasible or beaten by more than the margin
    on both TOPSIS and the weighted sum. Returns strategy ids (``no_llm`` when rules suffice).
    """
    s = d.scores
    n = len(next(iter(monthly_ratio.values()))) if monthly_ratio else (0 if painful is None else len(painful))
    if d.path.strategy_id == NO_LLM_ID:
        return np.full(n, NO_LLM_ID, dtype=object)
    feas = s.ranked()
    if not feas:
        return np.full(n, "", dtype=object)
    ids = np.array([s.strategies[i].id for i in feas], dtype=object)
    mcol = CRITERION_IDS.index("monthly_cost")
    col = np.repeat(s.matrix[feas][:, mcol][None, :], n, axis=0)
    for k, i in enumerate(feas):
        ratio = monthly_ratio.get(s.strategies[i].id)
        if ratio is not None:
            col[:, k] = col[:, k] * ratio
    w = np.array([s.weights.values[c] for c in CRITERION_IDS])
    tp, ws = scores_with_cost_column(s.matrix[feas], w, s.benefit, mcol, col)
    top = np.argmax(tp, axis=1)
    rows = np.arange(n)
    margin = float(r.recommendation.get("score_margin", 0.10))
    base_path = next(x for x in s.strategies if x.id == d.path.strategy_id)
    if d.path.volume_question and painful is not None:
        own = Strategy(Deployment(d.path.deployment_if_painful), base_path.adaptation).id
        api = Strategy(Deployment.API, base_path.adaptation).id
        path_ids = np.where(painful, own, api)
    else:
        path_ids = np.full(n, base_path.id, dtype=object)
    out = np.empty(n, dtype=object)
    for pid in np.unique(path_ids.astype(str)):
        sel = path_ids == pid
        pos = np.nonzero(ids == pid)[0]
        if pos.size == 0:  # the path's strategy is infeasible: best feasible with its deployment
            dep = pid.split("+")[0]
            same = [k for k, x in enumerate(ids) if str(x).split("+")[0] == dep]
            if same:
                k_best = np.array(same)[np.argmax(tp[:, same], axis=1)]
                out[sel] = ids[k_best[sel]]
            else:
                out[sel] = ids[top[sel]]
            continue
        k = int(pos[0])
        override = (tp[rows, top] - tp[:, k] > margin) & (ws[rows, top] - ws[:, k] > margin)
        out[sel] = np.where(override[sel], ids[top[sel]], pid)
    return out


def traps(a: Analysis, s: Scores, rec_id: str | None) -> list[dict[str, str]]:
    """Seed 004's expensive traps that apply to this profile and recommendation."""
    p = a.profile
    out: list[dict[str, str]] = []
    if rec_id is None or rec_id == NO_LLM_ID:
        return out
    st = next(x for x in s.strategies if x.id == rec_id)
    ft_anywhere = st.uses_fine_tune or any(
        x.uses_fine_tune and s.feasible[i] and s.rank[i] == 1 for i, x in enumerate(s.strategies)
    )
    if ft_anywhere and (p.stage == "pre_mvp" or p.labeled_examples < 100):
        out.append(
            {
                "trap": "Fine-tuning too early",
                "why": f"stage {p.stage}, {p.labeled_examples:,} labeled examples: "
                "validate the need before locking in cost",
            }
        )
    if st.uses_fine_tune:
        base = [
            s.pass_rate[i]
            for i, x in enumerate(s.strategies)
            if s.feasible[i] and not x.uses_fine_tune and x.deployment == st.deployment
        ]
        gain = s.pass_rate[s.index(rec_id)] - max(base) if base else math.nan
        if math.isfinite(gain) and gain < 0.03:
            out.append(
                {
                    "trap": "Chasing small gains",
                    "why": f"fine-tuning adds {gain * 100:+.1f} points of expected pass rate over the best "
                    "non-fine-tuned option",
                }
            )
        if p.knowledge_changes_often:
            out.append(
                {
                    "trap": "Overfitting to current needs",
                    "why": "the knowledge changes often; a fine-tuned model freezes today's data",
                }
            )
    if st.deployment in (Deployment.SELF_HOST, Deployment.HYBRID) or st.uses_fine_tune:
        c = a.cost(rec_id)
        staff = sum(
            v for k, v in c.monthly_components_usd.items() if k in ("operations_staff", "rag_upkeep", "retraining")
        )
        out.append(
            {
                "trap": "Ignoring total cost of ownership",
                "why": f"staff, retraining and upkeep are ${staff:,.0f} of ${c.monthly_usd:,.0f} per month, plus "
                f"${c.upfront_usd:,.0f} up front",
            }
        )
    if st.deployment in (Deployment.SELF_HOST, Deployment.HYBRID) and p.team.infra_engineers < 2:
        out.append(
            {
                "trap": "Owning the maintenance burden",
                "why": f"{p.team.infra_engineers} infra engineer(s) would own updates, evals and incident response",
            }
        )
    return out


def revisit_when(a: Analysis, rec_id: str | None, d_steps: tuple[Step, ...] = ()) -> list[str]:
    """Events that should reopen the decision, with the volumes and months that trigger them."""
    p = a.profile
    out: list[str] = []
    be = a.extras.get("break_even", {})
    tok = be.get("api_vs_self_host_monthly_tokens")
    month = (be.get("month_reached") or {}).get("api_vs_self_host")
    if rec_id and rec_id.startswith("api") and tok:
        when = f"growth reaches it in month {month}" if month is not None else "growth alone does not reach it"
        out.append(f"Volume passes {tok:,.0f} tokens/month, where self-hosting becomes cheaper ({when}).")
    elif rec_id and rec_id.startswith(("self_host", "hybrid")) and tok:
        out.append(f"Volume falls below {tok:,.0f} tokens/month, where the API becomes cheaper again.")
    if p.stage == "pre_mvp":
        out.append("The use case is validated (leave pre-MVP): re-run with stage: validated.")
    if any(st.question == "Does fine-tuning pay for itself?" and st.answer.startswith("no") for st in d_steps):
        out.append(
            "Prompting and retrieval leave systematic failures in format, style or jargon (set systematic_failures: "
            "true): fine-tuning then pays for itself (seed 003 step 4)."
        )
    if p.systematic_failures and p.labeled_examples == 0:
        out.append("You have 100-10K labeled examples of the desired output (seed 001): fine-tuning becomes possible.")
    if rec_id and rec_id != NO_LLM_ID:
        c = a.cost(rec_id)
        horizon_end = a.on_date.toordinal() + int(p.horizon_months * 365 / 12)
        for role, mid in c.models.items():
            m = a.context.catalog.models.get(mid)
            if m is not None and m.deprecation_date is not None and m.deprecation_date.toordinal() <= horizon_end:
                out.append(f"{mid} ({role}) is retired on {m.deprecation_date.isoformat()}, within the horizon.")
    out.append("Prices in data/models.csv or data/gpus.csv change: re-import them and re-run.")
    return out


def roadmap(a: Analysis, r: Ratings, rec_id: str | None) -> list[dict[str, Any]]:
    """Seed 003's three phases on this profile's timeline (month each becomes worth it)."""
    p = a.profile
    be = a.extras.get("break_even", {})
    validation = 0 if p.stage != "pre_mvp" else int(r.recommendation.get("validation_months", 3))
    own_month = (be.get("month_reached") or {}).get("api_vs_self_host")
    if not p.data_may_leave:
        own_month = 0
    return [
        {
            "phase": "Phase 1 – Learn fast",
            "start_month": 0,
            "what": "API models only; focus on UX, retrieval and understanding user value"
            if p.data_may_leave
            else "self-hosted open model (data may not leave); focus on UX, retrieval and evaluation",
            "trigger": "now",
        },
        {
            "phase": "Phase 2 – Optimize & specialize",
            "start_month": validation,
            "what": "fine-tuning for key tasks; caching, routing and lightweight evaluation; "
            "try open models where they clearly win",
            "trigger": "the use case is validated" if validation else "already validated",
        },
        {
            "phase": "Phase 3 – Scale & own more",
            "start_month": own_month,
            "what": "self-hosted models plus selective APIs; observability, governance, incident response",
            "trigger": (
                "data may not leave: self-hosting from the start"
                if not p.data_may_leave
                else "volume reaches the self-hosting break-even "
                f"({be.get('api_vs_self_host_monthly_tokens'):,.0f} tokens/month)"
                if own_month is not None
                else "not within reach: " + str((be.get("reason") or {}).get("api_vs_self_host", ""))
            ),
        },
    ]


CHECKLIST: tuple[tuple[str, str, str], ...] = (
    (
        "evaluation_set",
        "A test set of real examples with expected outputs, run on every prompt or model change",
        "seed 002; seed 003 §5",
    ),
    ("output_validation", "Validate output structure before using it", "seed 000; seed 002"),
    ("fallbacks", "Retries with exponential backoff and a fallback provider or model", "seed 000; seed 002"),
    ("cost_monitoring", "Monitor cost per task from day one; alert on spikes", "seed 000; seed 001; seed 003 §3"),
    ("prompt_versioning", "Version prompts like code", "seed 000"),
    ("feedback_loop", "Collect user feedback: the best training data comes from users", "seed 000"),
    ("prompt_injection", "Prompt-injection defences: sanitize inputs, system prompts, output validation", "seed 002"),
    ("data_leakage", "No sensitive data in prompts to third parties without agreements", "seed 002; seed 003 §2.2"),
    ("caching", "Cache identical or near-identical requests (semantic cache)", "seed 002"),
    ("smallest_model", "Use the smallest model that works", "seed 002"),
    ("model_deprecation", "Plan for model deprecation: survive a model swap (gateway, abstraction layer)", "seed 001"),
    ("serving_ops", "Autoscaling, monitoring, patching and incident response for the serving stack", "seed 003 §4"),
    ("retrieval_quality", "Test retrieval quality; semantic chunking; hybrid (vector + keyword) search", "seed 002"),
    ("training_governance", "Training-data quality, a baseline, A/B tests and gradual rollout", "seed 003 §5"),
)


def checklist(a: Analysis, rec_id: str | None) -> list[dict[str, Any]]:
    """Seeds 000/002's production checklist, the items that matter most for this strategy first."""
    p = a.profile
    st = next((s for s in (c.strategy for c in a.costs) if s.id == rec_id), None)
    api_like = st is not None and st.sends_data_to_third_party
    own = st is not None and st.deployment in (Deployment.SELF_HOST, Deployment.HYBRID)
    c = a.cost(st.id) if st is not None else None
    deprecating = bool(c) and any(
        (m := a.context.catalog.models.get(mid)) is not None and m.deprecation_date is not None
        for mid in (c.models.values() if c else ())
    )
    why: dict[str, tuple[int, str]] = {
        "evaluation_set": (3, "every other item is measured against it"),
        "output_validation": (
            3 if p.needs_consistent_format else 2,
            "format-critical task" if p.needs_consistent_format else "LLMs will surprise you",
        ),
        "fallbacks": (
            3 if api_like else 2,
            "a third-party API will go down" if api_like else "your own fleet will fail too",
        ),
        "cost_monitoring": (
            3 if api_like or p.requests_per_day > 10_000 else 2,
            f"{p.requests_per_day:,.0f} requests/day",
        ),
        "prompt_versioning": (2, "prompts change behaviour like code"),
        "feedback_loop": (
            3 if st is not None and st.uses_fine_tune else 2,
            "feeds the next fine-tuning run" if st is not None and st.uses_fine_tune else "the data flywheel",
        ),
        "prompt_injection": (2, "user input reaches the model"),
        "data_leakage": (
            3 if api_like and p.data_sensitivity in ("confidential", "regulated") else 1,
            f"data_sensitivity: {p.data_sensitivity}",
        ),
        "caching": (3 if api_like and p.cache_hit_rate < 0.1 else 1, f"cache_hit_rate: {p.cache_hit_rate:g}"),
        "smallest_model": (2, "the cost engine already picks the cheapest model that meets the bar"),
        "model_deprecation": (
            3 if deprecating else 1,
            "a chosen model has a retirement date" if deprecating else "no announced retirement",
        ),
        "serving_ops": (3 if own else 0, "you run the fleet" if own else "not applicable"),
        "retrieval_quality": (
            3 if st is not None and st.uses_rag else 0,
            "retrieval decides answer quality" if st is not None and st.uses_rag else "not applicable",
        ),
        "training_governance": (
            3 if st is not None and st.uses_fine_tune else 0,
            "fine-tuned model" if st is not None and st.uses_fine_tune else "not applicable",
        ),
    }
    items = [
        {"id": i, "item": text, "priority": why[i][0], "why": why[i][1], "source": src}
        for i, text, src in CHECKLIST
        if why[i][0] > 0
    ]
    items.sort(key=lambda x: -int(str(x["priority"])))
    return items


# --- sensitivity -----------------------------------------------------------------------------------


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


def decision_to_dict(d: Decision) -> dict[str, Any]:
    """``recommendation`` of the JSON contract (scores and sensitivity are siblings)."""
    sid = d.strategy_id

    def parts(x: str | None) -> dict[str, str | None]:
        if x is None or x == NO_LLM_ID:
            return {"deployment": None, "adaptation": None}
        st = next(s for s in d.scores.strategies if s.id == x)
        return {"deployment": st.deployment.value, "adaptation": st.adaptation.value}

    return {
        "strategy": sid,
        **parts(sid),
        "runner_up": d.runner_up_id,
        "path_strategy": d.path.strategy_id,
        "rationale": list(d.rationale),
        "decision_path": [st.as_dict() for st in d.path.steps],
        "traps": list(d.traps),
        "revisit_when": list(d.revisit_when),
        "roadmap": list(d.roadmap),
        "checklist": list(d.checklist),
    }
