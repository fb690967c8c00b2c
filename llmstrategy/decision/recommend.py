"""The recommendation: the decision path's strategy checked against the criteria matrix, with
its rationale, runner-up, traps, revisit triggers, roadmap and checklist; and the same rule
vectorized over simulated futures (:func:`recommend_many`).

Pure: it reads an :class:`analysis.Analysis` (costs already computed) and the ratings in
``data/strategies.yaml`` (:mod:`ratings`); the matrix and scores are :mod:`scoring`'s, the path
:mod:`decision_path`'s, the advice :mod:`advice`'s. Rule: the path's strategy unless it is
infeasible, or the best-scoring feasible strategy beats it by more than
``recommendation.score_margin`` on both TOPSIS closeness and the weighted sum (two methods must
agree before the matrix overrides the path).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmstrategy.decision import mcda
from llmstrategy.decision.advice import checklist, revisit_when, roadmap, traps
from llmstrategy.decision.fit import Fit, problem_fit
from llmstrategy.decision.path import DecisionPath, decision_path, min_gain
from llmstrategy.decision.ratings import Ratings, Weights
from llmstrategy.decision.scoring import Scores, score, scores_with_cost_column
from llmstrategy.economics.analysis import Analysis
from llmstrategy.inputs.criteria import CRITERIA, CRITERION_IDS
from llmstrategy.inputs.evals import EvalResult, merge
from llmstrategy.inputs.strategies import NO_LLM_ID, Adaptation, Deployment, Strategy


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
    fit: Fit | None = None


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


def measured_strategies(a: Analysis, s: Scores) -> dict[str, EvalResult]:
    """The feasible strategies whose model the profile's evals measured, with the result
    (hybrids are not: the frontier's share is not measured)."""
    evals = merge(a.profile.evals)
    out = {}
    for st, ok in zip(s.strategies, s.feasible, strict=True):
        if not ok or st.deployment is Deployment.HYBRID:
            continue
        c = a.cost(st.id)
        ev = evals.get(c.models.get("api") or c.models.get("self_host") or c.models.get("private_cloud") or "")
        if ev is not None:
            out[st.id] = ev
    return out


def measured_shortfall(a: Analysis, s: Scores) -> dict[str, float]:
    """Per measured strategy: observed rate − its 95 % Wilson lower bound."""
    return {sid: ev.pass_rate - ev.wilson_interval()[0] for sid, ev in measured_strategies(a, s).items()}


def pass_rate_draws(a: Analysis, s: Scores, samples: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each measured strategy's pass rate in each simulated future: its expected rate shifted by
    the sampling error of its eval, a draw of Beta(passed + 1, failed + 1) less the observed rate
    (a uniform prior's posterior), clipped to [0, 1]."""
    out = {}
    for sid, ev in measured_strategies(a, s).items():
        draw = rng.beta(ev.passed + 1, ev.total - ev.passed + 1, size=samples)
        base = float(s.pass_rate[s.index(sid)])
        out[sid] = np.clip(base + draw - ev.pass_rate, 1e-6, 1.0)
    return out


def _same_adaptation(st: Strategy, path_id: str) -> bool:
    if path_id == NO_LLM_ID:
        return True
    return st.adaptation.value == path_id.split("+", 1)[1] if "+" in path_id else st.adaptation is Adaptation.PROMPTING


def recommend(a: Analysis, r: Ratings, *, weights: Weights | None = None) -> Decision:
    """Combine the decision path with the scores (see module docstring)."""
    s = score(a, r, weights=weights)
    path = decision_path(a, r, s)
    fit = problem_fit(a.profile, s, measured_shortfall(a, s))
    # the matrix may overrule the path's deployment, not the adaptation its evidence decided
    # (retrieval for a knowledge need, fine-tuning only where it pays)
    ranked = [i for i in s.ranked() if _same_adaptation(s.strategies[i], path.strategy_id)] or s.ranked()
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
                overall = s.ranked()[0]
                if overall == pi:
                    rationale.append(f"The matrix agrees: {path.strategy_id} ranks first (TOPSIS {s.topsis[pi]:.2f}).")
                else:
                    rationale.append(
                        f"The matrix ranks {s.strategies[overall].id} first (TOPSIS {s.topsis[overall]:.2f} vs "
                        f"{s.topsis[pi]:.2f}), but it may not overrule the adaptation the path's evidence decided; "
                        f"{path.strategy_id} ranks first among the strategies with it: {_conflicts(s, overall, pi)}."
                    )
        rec_id = s.strategies[rec].id if rec is not None else None
    runner = next((i for i in ranked if i != rec), None)
    runner_id = s.strategies[runner].id if runner is not None else None
    if fit.statement:
        rationale.insert(0, fit.statement)
    if fit.rules_out_llm and rec_id not in (None, NO_LLM_ID):
        runner_id = rec_id  # the best LLM option, with human review
        rec_id = NO_LLM_ID
    return Decision(
        weights=s.weights,
        scores=s,
        path=path,
        strategy_id=rec_id,
        runner_up_id=runner_id,
        rationale=tuple(rationale),
        traps=tuple(traps(a, s, rec_id, path.fine_tune_returns, min_gain(r))),
        revisit_when=tuple(revisit_when(a, rec_id, path.steps)),
        roadmap=tuple(roadmap(a, r, rec_id)),
        checklist=tuple(checklist(a, rec_id)),
        fit=fit,
    )


def recommend_many(
    d: Decision,
    r: Ratings,
    monthly_ratio: Mapping[str, np.ndarray],
    painful: np.ndarray | None = None,
    pass_draws: Mapping[str, np.ndarray] | None = None,
) -> np.ndarray:
    """The recommendation in each simulated future, vectorized over samples.

    ``monthly_ratio[strategy]`` is each sample's month-0 monthly cost over the analysis's (it
    scales the cost-per-accepted-task criterion; the other criteria are held); ``painful`` is
    whether self-hosting is no dearer than the API in the horizon's last month (the path's
    "API costs painful soon?" question, asked only when the path asked it). Same rule as
    :func:`recommend`: the path's strategy unless infeasible or beaten by more than the margin
    on both TOPSIS and the weighted sum. Returns strategy ids (``no_llm`` when rules suffice).
    ``pass_draws[strategy]`` (measured strategies only) is each sample's pass rate: the quality
    criterion takes it and the cost per accepted task scales by base pass / drawn pass.
    """
    s = d.scores
    n = len(next(iter(monthly_ratio.values()))) if monthly_ratio else (0 if painful is None else len(painful))
    if d.path.strategy_id == NO_LLM_ID or (d.fit is not None and d.fit.rules_out_llm):
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
    if pass_draws:
        qcol = CRITERION_IDS.index("quality")
        mats = np.repeat(s.matrix[feas][None, :, :], n, axis=0)
        for k, i in enumerate(feas):
            draw = pass_draws.get(s.strategies[i].id)
            if draw is not None:
                col[:, k] = col[:, k] * float(s.pass_rate[i]) / draw
                mats[:, k, qcol] = draw
        mats[:, :, mcol] = col
        tp, ws = mcda.topsis_batch(mats, w, s.benefit), mcda.weighted_sum_batch(mats, w, s.benefit)
    else:
        tp, ws = scores_with_cost_column(s.matrix[feas], w, s.benefit, mcol, col)
    # as recommend(): the matrix may overrule the path's deployment, not its adaptation
    allowed = np.array([_same_adaptation(s.strategies[i], d.path.strategy_id) for i in feas])
    if not allowed.any():
        allowed[:] = True
    top = np.argmax(np.where(allowed[None, :], tp, -np.inf), axis=1)
    rows = np.arange(n)
    margin = float(r.recommendation.get("score_margin", 0.10))
    base_path = next(x for x in s.strategies if x.id == d.path.strategy_id)
    if d.path.volume_question and painful is not None and not d.path.fine_tune_self_hosted:
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


def decision_to_dict(d: Decision) -> dict[str, Any]:
    """``recommendation`` of the JSON contract (scores and sensitivity are siblings)."""
    sid = d.strategy_id

    def parts(x: str | None) -> dict[str, str | None]:
        if x is None or x == NO_LLM_ID:
            return {"deployment": None, "adaptation": None}
        st = next(s for s in d.scores.strategies if s.id == x)
        return {"deployment": st.deployment.value, "adaptation": st.adaptation.value}

    fit = d.fit
    return {
        "strategy": sid,
        **parts(sid),
        "human_review": bool(fit is not None and not fit.llm_alone_fits),
        "fit": fit.as_dict() if fit is not None else None,
        "runner_up": d.runner_up_id,
        "path_strategy": d.path.strategy_id,
        "rationale": list(d.rationale),
        "decision_path": [st.as_dict() for st in d.path.steps],
        "traps": list(d.traps),
        "revisit_when": list(d.revisit_when),
        "roadmap": list(d.roadmap),
        "checklist": list(d.checklist),
    }
