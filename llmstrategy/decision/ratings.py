"""The decision engine's inputs from ``data/strategies.yaml``: the seeds' ratings of each
deployment and adaptation, the pass-rate model, and the criterion weights a profile implies.

Weights = base weight × the factor of every adjustment whose condition (:data:`CONDITIONS`,
each in plain words) holds for the profile; the profile's own ``weights`` replace the keys
they name; then normalized to sum to 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from llmstrategy.errors import CatalogError
from llmstrategy.inputs.criteria import CRITERIA, CRITERION_IDS
from llmstrategy.inputs.profile import Profile
from llmstrategy.inputs.strategies import Adaptation, Deployment

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
    "availability_target": ("an availability target is set", lambda p: p.availability_target is not None),
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


#: a priced deployment kind (a cost's ``details.deployment_kind``) → the rating set of ``strategies.yaml`` it takes
KIND_RATINGS = {"managed_endpoint": "private_cloud_endpoint", "routed_own_cloud": "routed_own_cloud"}


def deployment_ratings(r: Ratings, deployment: str, kind: str | None) -> Mapping[str, Any]:
    """The deployment's ratings, or those of the kind it was priced as (a private cloud on a managed
    endpoint, routing inside your own cloud) when ``strategies.yaml`` rates that kind on its own."""
    own = KIND_RATINGS.get(kind or "")
    return r.deployments.get(own, r.deployments[deployment]) if own else r.deployments[deployment]


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
