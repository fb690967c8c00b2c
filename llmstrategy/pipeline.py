"""One call from a profile to everything the JSON contract and the report show:
costs and break-even (:mod:`analysis`), scores and recommendation (:mod:`decision`),
sensitivity, and the Monte Carlo with its drivers (:mod:`uncertainty`).

Seeded: the same profile, catalog, date, seed and samples give the same result.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np

from .analysis import Analysis, analyze
from .catalog import Catalog
from .decision import Decision, decision_to_dict, load_ratings, recommend, scores_to_list, sensitivity
from .profile import Profile

DEFAULT_SEED = 0
DEFAULT_SAMPLES = 2000


def evaluate(
    profile: Profile,
    catalog: Catalog,
    *,
    on_date: date | None = None,
    seed: int = DEFAULT_SEED,
    samples: int = DEFAULT_SAMPLES,
) -> tuple[Analysis, Decision]:
    """Analysis with ``extras`` holding every JSON key, and the decision behind them."""
    a = analyze(profile, catalog, on_date=on_date)
    ratings = load_ratings(catalog.data_dir)
    d = recommend(a, ratings)
    rng = np.random.default_rng(seed)
    sens = sensitivity(d.scores, rng=rng, samples=samples)
    d = replace(d, sensitivity=sens)
    extras: dict[str, Any] = dict(a.extras)
    extras["weights"] = {
        "values": dict(d.weights.values),
        "adjustments": list(d.weights.applied),
        "set_by_profile": list(d.weights.overridden),
    }
    extras["scores"] = scores_to_list(d.scores)
    extras["recommendation"] = decision_to_dict(d)
    extras["sensitivity"] = sens
    extras["seed"] = seed
    extras["samples"] = samples
    return replace(a, extras=extras), d
