"""One call from a profile to everything the JSON contract and the report show:
costs and break-even (:mod:`analysis`), scores and recommendation (:mod:`decision`),
sensitivity, and the Monte Carlo with its drivers (:mod:`llmstrategy.decision.montecarlo`).

Seeded: the same profile, catalog, date, seed and samples give the same result.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np

from llmstrategy.decision.confidence import confidence
from llmstrategy.decision.ratings import Ratings, load_ratings
from llmstrategy.decision.recommend import (
    Decision,
    decision_to_dict,
    measured_strategies,
    pass_rate_draws,
    recommend,
    recommend_many,
)
from llmstrategy.decision.scoring import scores_to_list, sensitivity
from llmstrategy.decision.warnings import warnings
from llmstrategy.economics.analysis import Analysis, analyze
from llmstrategy.inputs.catalog import Catalog
from llmstrategy.inputs.profile import Profile

DEFAULT_SEED = 0
DEFAULT_SAMPLES = 2000
DRIVER_SAMPLES = 5000


def evaluate(
    profile: Profile,
    catalog: Catalog,
    *,
    on_date: date | None = None,
    seed: int = DEFAULT_SEED,
    samples: int = DEFAULT_SAMPLES,
    with_sensitivity: bool = True,
) -> tuple[Analysis, Decision]:
    """Analysis with ``extras`` holding every JSON key, and the decision behind them.
    ``with_sensitivity=False`` skips the weight stability intervals and win shares (what a
    widget recomputes on each change: costs, scores, recommendation and the Monte Carlo)."""
    a = analyze(profile, catalog, on_date=on_date)
    ratings = load_ratings(catalog.data_dir)
    d = recommend(a, ratings)
    rng = np.random.default_rng(seed)
    sens = sensitivity(d.scores, rng=rng, samples=samples) if with_sensitivity else {}
    d = replace(d, sensitivity=sens)
    unc = uncertainty(a, d, ratings, seed=seed, samples=samples)
    extras: dict[str, Any] = dict(a.extras)
    extras["weights"] = {
        "values": dict(d.weights.values),
        "adjustments": list(d.weights.applied),
        "set_by_profile": list(d.weights.overridden),
    }
    extras["scores"] = scores_to_list(d.scores)
    measured = measured_strategies(a, d.scores)
    for row in extras["scores"]:  # which pass rates are the user's measurements, which are proxies
        ev = measured.get(row["strategy"])
        row["pass_rate_source"] = f"measured ({ev.passed:,}/{ev.total:,})" if ev else "proxy (benchmark gap)"
    extras["recommendation"] = decision_to_dict(d)
    extras["sensitivity"] = sens
    extras["uncertainty"] = {k: v for k, v in unc.items() if k != "drivers"}
    extras["drivers"] = unc["drivers"]
    extras["recommendation"]["confidence"] = confidence(d.strategy_id, sens, extras["uncertainty"])
    extras["warnings"] = warnings(a)
    extras["seed"] = seed
    extras["samples"] = samples
    return replace(a, extras=extras), d


def uncertainty(a: Analysis, d: Decision, r: Ratings, *, seed: int, samples: int) -> dict[str, Any]:
    """Monte Carlo of the feasible strategies' costs (:mod:`llmstrategy.decision.montecarlo`), the recommendation in
    each simulated future (:func:`decision.recommend_many`) and what flips it (a shallow
    decision tree). ``win_probability[s]``: the share of futures in which ``s`` is the cheapest
    feasible strategy over the horizon, and in which it is recommended."""
    from llmstrategy.decision.drivers import explain_drivers
    from llmstrategy.decision.montecarlo import simulate

    feasible = [x.id for x, ok in zip(d.scores.strategies, d.scores.feasible, strict=True) if ok]
    mc = simulate(a.context, samples=samples, seed=seed + 1, priced=a.priced, strategies=feasible)
    by_id = {c.strategy.id: c for c in a.costs}
    ratio = {sid: mc.monthly_usd[sid] / by_id[sid].monthly_usd for sid in mc.strategies if by_id[sid].monthly_usd > 0}
    painful = None
    if "api" in mc.last_month_usd and "self_host" in mc.last_month_usd:
        painful = mc.last_month_usd["self_host"] <= mc.last_month_usd["api"]
    draws = pass_rate_draws(a, d.scores, samples, np.random.default_rng(seed + 2))
    labels = recommend_many(d, r, ratio, painful, draws) if mc.strategies else np.full(samples, d.strategy_id or "")
    values, counts = np.unique(labels.astype(str), return_counts=True)
    # the tree reads at most DRIVER_SAMPLES futures (the first ones: the draws are i.i.d.)
    n = min(labels.size, DRIVER_SAMPLES)
    drivers = explain_drivers({k: v[:n] for k, v in mc.inputs.items()}, labels[:n], seed=seed) if n else None
    out = mc.to_dict()
    rec_p = {str(v): float(c) / labels.size for v, c in zip(values, counts, strict=True)}
    out["win_probability"] = {
        s: {"cheapest": mc.cheapest_probability[s], "recommended": rec_p.get(s, 0.0)} for s in mc.strategies
    }
    out["recommended_probability"] = rec_p
    out["drivers"] = {
        "statements": list(drivers.statements) if drivers else [],
        "importances": dict(drivers.importances) if drivers else {},
        "labels": "recommended strategy in each simulated future",
        "majority": drivers.majority if drivers else None,
        "majority_share": drivers.majority_share if drivers else None,
        "tree_accuracy": drivers.accuracy if drivers else None,
    }
    return out
