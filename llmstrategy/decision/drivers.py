"""What drives the choice: a shallow scikit-learn decision tree fitted on simulated futures
(inputs in natural units → the label of each future, e.g. the recommended strategy), read back
as 2 to 4 plain-words conditions with thresholds ("self_host+rag wins when monthly tokens
exceed 1.4B and GPU utilization exceeds 45%"). scikit-learn is imported only when a tree is
fitted, so the package import stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from llmstrategy.errors import ComputationError
from llmstrategy.fmt import fmt_count, fmt_percent, fmt_usd

#: Input key → (plain name, plural?, threshold formatter).
INPUT_LABELS: dict[str, tuple[str, bool, Any]] = {
    "tokens_per_month": ("monthly tokens", True, fmt_count),
    "monthly_growth": ("monthly growth", False, lambda v: fmt_percent(v, 1)),
    "tokens_per_request": ("tokens per request", True, fmt_count),
    "api_price_multiplier": ("API prices", True, lambda v: f"{v:.2f}× today's"),
    "gpu_price_multiplier": ("GPU prices", True, lambda v: f"{v:.2f}× today's"),
    "gpu_utilization": ("GPU utilization", False, fmt_percent),
    "retry_rate": ("the retry rate", False, lambda v: fmt_percent(v, 1)),
    "cache_hit_rate": ("the cache hit rate", False, fmt_percent),
    "engineer_monthly_usd": ("engineer cost", False, lambda v: fmt_usd(v) + "/month"),
    "sizing_speed_multiplier": ("self-hosted speed", False, lambda v: f"{v:.2f}× the sizing model's"),
}


@dataclass(frozen=True)
class Condition:
    """``lower < input ≤ upper`` (None: unbounded), in the input's units."""

    input: str
    lower: float | None
    upper: float | None

    def text(self) -> str:
        name, plural, fmt = INPUT_LABELS.get(self.input, (self.input, False, lambda v: f"{v:.3g}"))
        if self.lower is not None and self.upper is not None:
            return f"{name} {'are' if plural else 'is'} between {fmt(self.lower)} and {fmt(self.upper)}"
        if self.lower is not None:
            return f"{name} {'exceed' if plural else 'exceeds'} {fmt(self.lower)}"
        return f"{name} {'are' if plural else 'is'} at most {fmt(self.upper)}"


@dataclass(frozen=True)
class DriverRule:
    """A region of the inputs where ``label`` is the most frequent outcome: ``share`` of the
    ``samples`` that fall there have it."""

    label: str
    conditions: tuple[Condition, ...]
    samples: int
    share: float


@dataclass(frozen=True)
class Drivers:
    """A shallow decision tree's reading of the samples: ``statements`` in plain words,
    the ``rules`` behind them, the tree's ``importances`` (input → share of the impurity
    decrease, summing to 1), the most frequent label and how often the tree is right."""

    statements: tuple[str, ...]
    rules: tuple[DriverRule, ...]
    importances: Mapping[str, float]
    majority: str
    majority_share: float
    accuracy: float


def _merge(path: list[tuple[int, bool, float]], names: list[str]) -> tuple[Condition, ...]:
    bounds: dict[int, list[float | None]] = {}
    for f, above, thr in path:
        lo_hi = bounds.setdefault(f, [None, None])
        if above:
            lo_hi[0] = thr if lo_hi[0] is None else max(lo_hi[0], thr)
        else:
            lo_hi[1] = thr if lo_hi[1] is None else min(lo_hi[1], thr)
    return tuple(Condition(names[f], lo, hi) for f, (lo, hi) in bounds.items())


def explain_drivers(
    inputs: Mapping[str, ArrayLike],
    labels: ArrayLike,
    *,
    max_depth: int = 2,
    seed: int = 0,
    min_minority_share: float = 0.02,
    min_leaf_share: float = 0.01,
) -> Drivers:
    """Fit a depth-``max_depth`` decision tree of ``labels`` on ``inputs`` (one array per
    input, one entry per sample) and read the regions where the label differs from the most
    frequent one. No statement when that label holds all but ``min_minority_share`` of the
    samples, or when the tree finds no region where another label wins."""
    names = list(inputs)
    y = np.asarray(labels).astype(str)
    if y.size == 0 or not names:
        raise ComputationError("drivers need at least one sample and one input")
    X = np.column_stack([np.asarray(inputs[k], dtype=float) for k in names])  # noqa: N806
    if X.shape[0] != y.size:
        raise ComputationError(f"inputs have {X.shape[0]} samples but labels has {y.size}")
    values, counts = np.unique(y, return_counts=True)
    majority, majority_share = str(values[np.argmax(counts)]), float(counts.max() / y.size)
    zero = {k: 0.0 for k in names}
    if majority_share >= 1.0 - min_minority_share:
        return Drivers((), (), zero, majority, majority_share, majority_share)
    from sklearn.tree import DecisionTreeClassifier  # lazy: keeps the package import cheap

    clf = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=max(1, int(min_leaf_share * y.size)), random_state=seed
    ).fit(X, y)
    tree = clf.tree_
    classes = [str(c) for c in clf.classes_]

    def node_label(n: int) -> tuple[str, float]:
        v = np.asarray(tree.value[n]).ravel()
        return classes[int(np.argmax(v))], float(v.max() / v.sum())

    def walk(n: int, path: list[tuple[int, bool, float]]) -> list[tuple[int, list[tuple[int, bool, float]]]]:
        left, right = int(tree.children_left[n]), int(tree.children_right[n])
        if left < 0:
            return [(n, path)]
        f, thr = int(tree.feature[n]), float(tree.threshold[n])
        out = walk(left, [*path, (f, False, thr)]) + walk(right, [*path, (f, True, thr)])
        if len({node_label(m)[0] for m, _ in out}) == 1:
            return [(n, path)]  # the split does not change the outcome
        return out

    rules = tuple(
        sorted(
            (
                DriverRule(node_label(n)[0], _merge(path, names), int(tree.n_node_samples[n]), node_label(n)[1])
                for n, path in walk(0, [])
            ),
            key=lambda r: -r.samples,
        )
    )
    flips = [r for r in rules if r.label != majority]
    importances = {k: float(v) for k, v in zip(names, clf.feature_importances_, strict=True)}
    accuracy = float(clf.score(X, y))
    if not flips:
        return Drivers((), rules, importances, majority, majority_share, accuracy)
    statements = [
        f"{r.label} wins when {' and '.join(c.text() for c in r.conditions)} "
        f"({fmt_percent(r.share)} of the {r.samples:,} samples there)"
        for r in flips[:4]
    ]
    if len(flips) <= 3:
        statements.append(f"{majority} wins otherwise; it wins in {fmt_percent(majority_share)} of all samples")
    return Drivers(tuple(statements), rules, importances, majority, majority_share, accuracy)


def drivers(inputs: Mapping[str, ArrayLike], labels: ArrayLike, *, max_depth: int = 2, seed: int = 0) -> list[str]:
    """The 2 to 4 plain-words conditions under which the label flips (see :func:`explain_drivers`);
    [] when one label has (almost) every sample or no condition separates them."""
    return list(explain_drivers(inputs, labels, max_depth=max_depth, seed=seed).statements)
