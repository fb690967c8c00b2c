"""What a task needs of a model, by capability, and whether a model meets it.

``data/quality.yaml`` names, per task type, the benchmarks that measure the capability it
needs (the first one a model has a published score for is used) and, per benchmark, the
threshold of each complexity level, anchored on named models. Languages other than English
add a multilingual requirement, and a window need above ``long_context_tokens`` a
long-context one; those are *secondary*: a model without a score for them still qualifies,
with ``unknown_capability_penalty_points`` off its expected quality. A model with no score for
the primary capability does not qualify, unless the profile's own evals measured it.

The *gap* of a model is min over requirements of (score − threshold) [benchmark points],
which is what the expected pass rate reads (:mod:`llmstrategy.decision.scoring`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import Catalog, ModelSpec
from llmstrategy.inputs.profile import Profile

LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class Requirement:
    """A capability measured by the first of ``benchmarks`` a model has, at ``min_scores``
    (one threshold per benchmark, same order) [benchmark %]."""

    capability: str
    benchmarks: tuple[str, ...]
    min_scores: tuple[float, ...]
    primary: bool = True

    def lowered(self, points: float) -> Requirement:
        return replace(self, min_scores=tuple(s - points for s in self.min_scores))

    def describe(self) -> str:
        return f"{self.capability} ({self.benchmarks[0]} ≥ {self.min_scores[0]:g})"


@dataclass(frozen=True)
class QualityNeed:
    """Every requirement of one task; ``primary`` first."""

    task_type: str
    level: str
    requirements: tuple[Requirement, ...]

    @property
    def primary(self) -> Requirement:
        return self.requirements[0]

    def lowered(self, points: float) -> QualityNeed:
        """The same need with the primary capability ``points`` lower (fine-tuning's uplift)."""
        return replace(self, requirements=(self.primary.lowered(points), *self.requirements[1:]))

    def describe(self) -> str:
        return ", ".join(r.describe() for r in self.requirements)


def _thresholds(catalog: Catalog, benchmarks: tuple[str, ...], level: str, task_type: str = "") -> tuple[float, ...]:
    """Each benchmark's threshold at ``level``: the task type's own, else the benchmark's."""
    out = []
    for b in benchmarks:
        own = f"quality.task_types.{task_type}.thresholds.{b}.{level}"
        out.append(float(catalog.value(own if own in catalog.defaults else f"quality.thresholds.{b}.{level}")))
    return tuple(out)


def quality_need(profile: Profile, catalog: Catalog, *, level: str | None = None) -> QualityNeed:
    """The requirements of ``profile``'s task at its complexity (or at ``level``)."""
    lv = level or profile.task_complexity
    if f"quality.task_types.{profile.task_type}.benchmarks" not in catalog.defaults:
        # a catalog without data/quality.yaml: MMLU-Pro at assumptions.yaml's thresholds
        need = float(catalog.value(f"quality_needed.{lv}"))
        return QualityNeed(profile.task_type, lv, (Requirement("quality", ("mmlu_pro",), (need,)),))
    main = tuple(catalog.value(f"quality.task_types.{profile.task_type}.benchmarks"))
    reqs = [Requirement(profile.task_type, main, _thresholds(catalog, main, lv, profile.task_type))]
    if profile.multilingual:
        multi = tuple(catalog.value("quality.multilingual_benchmarks"))
        reqs.append(Requirement("multilingual", multi, _thresholds(catalog, multi, lv), primary=False))
    if profile.context_tokens > float(catalog.value("quality.long_context_tokens")):
        lc = tuple(catalog.value("quality.long_context_benchmarks"))
        reqs.append(Requirement("long context", lc, _thresholds(catalog, lc, lv), primary=False))
    return QualityNeed(profile.task_type, lv, tuple(reqs))


def score(model: ModelSpec, benchmark: str, catalog: Catalog) -> float | None:
    """A model's published score on ``benchmark`` [%] (MMLU-Pro also from models.csv)."""
    s = catalog.scores.get(model.id, {}).get(benchmark)
    if s is None and benchmark == "mmlu_pro":
        return model.quality_score
    return s


def requirement_gap(model: ModelSpec, req: Requirement, catalog: Catalog) -> float | None:
    """score − threshold on the first benchmark the model has [points]; None when it has none."""
    for b, need in zip(req.benchmarks, req.min_scores, strict=True):
        s = score(model, b, catalog)
        if s is not None:
            return s - need
    return None


def quality_gap(model: ModelSpec, need: QualityNeed, catalog: Catalog) -> float | None:
    """min over requirements of the gap [points]; an unmeasured secondary capability counts as
    ``-unknown_capability_penalty_points``; None when the primary capability is unmeasured."""
    first = requirement_gap(model, need.primary, catalog)
    if first is None:
        return None
    gaps = [first]
    for req in need.requirements[1:]:
        g = requirement_gap(model, req, catalog)
        if g is None:
            g = -float(catalog.value("quality.unknown_capability_penalty_points"))
        gaps.append(g)
    return min(gaps)


def meets(model: ModelSpec, need: QualityNeed, catalog: Catalog, *, measured: bool = False) -> str | None:
    """None when the model meets every requirement, else the first reason it does not. A model
    the profile's evals ``measured`` is judged by them instead (:mod:`llmstrategy.decision.scoring`)."""
    if measured:
        return None
    for req in need.requirements:
        g = requirement_gap(model, req, catalog)
        if g is None:
            if req.primary:
                return f"no published {' or '.join(req.benchmarks)} score"
            continue
        if g < 0:
            return f"{req.capability} below need ({req.benchmarks[0]} short by {-g:.1f} points)"
    return None


@lru_cache(maxsize=8)
def _pass_params(path: str, mtime_ns: int) -> dict[str, float]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    block = doc.get("quality") or {}
    keys = ("pass_rate_at_need", "pass_rate_per_point", "pass_rate_min", "pass_rate_max")
    try:
        return {k: float(block[k]["value"]) for k in keys}
    except (KeyError, TypeError, ValueError):
        raise CatalogError(f"quality.{'/'.join(keys)} must each have a numeric value", path=path) from None


def pass_params(catalog: Catalog) -> dict[str, float]:
    """The pass-rate model's parameters (``data/strategies.yaml`` → ``quality``, the one place
    they are set; the decision stage reads the same block)."""
    path = catalog.data_dir / "strategies.yaml"
    if not path.is_file():
        raise CatalogError("file not found (the pass-rate model's parameters)", path=str(path))
    return _pass_params(str(path), path.stat().st_mtime_ns)


def proxy_pass_rate(gap_points: float, params: dict[str, float]) -> float:
    """Expected first-attempt pass rate = clip(at_need + per_point × gap, min, max)."""
    p = params["pass_rate_at_need"] + params["pass_rate_per_point"] * gap_points
    return float(min(params["pass_rate_max"], max(params["pass_rate_min"], p)))
