"""Cross-file checks of the catalog, run when it loads: every default that names a catalog id or
a benchmark must name one that exists, so a typo in ``data/`` is a one-line error naming the
file and the key, not a silently ruled-out strategy."""

from __future__ import annotations

from typing import Any

from llmstrategy.errors import CatalogError
from llmstrategy.inputs.benchmarks import BENCHMARKS

LEVELS = ("low", "medium", "high")
TASK_TYPES = ("chat", "coding", "extraction", "classification", "summarization", "reasoning", "agentic")


def _fail(catalog: Any, key: str, problem: str) -> None:
    src = catalog.files.get("quality" if key.startswith("quality.") else "assumptions")
    raise CatalogError(problem, path=str(src or catalog.data_dir), field=key)


def check_catalog(catalog: Any) -> None:
    """Raise :class:`CatalogError` on the first default that names something that does not exist."""
    d = catalog.defaults
    key = "default_frontier_model"
    if key in d and str(d[key].value) not in catalog.models:
        _fail(catalog, key, f"'{d[key].value}' is not a model id in models.csv")
    key = "fine_tune.closed_providers"
    if key in d and not isinstance(d[key].value, list):
        _fail(catalog, key, "expected a list of provider names")
    if not any(k.startswith("quality.") for k in d):
        return  # a catalog without data/quality.yaml: MMLU-Pro thresholds of assumptions.yaml
    for t in TASK_TYPES:
        key = f"quality.task_types.{t}.benchmarks"
        if key not in d:
            _fail(catalog, key, f"task type '{t}' has no benchmarks")
        _benchmarks(catalog, key, t)
    for key in ("quality.multilingual_benchmarks", "quality.long_context_benchmarks"):
        if key in d:
            _benchmarks(catalog, key, "")


def _benchmarks(catalog: Any, key: str, task_type: str) -> None:
    value = catalog.defaults[key].value
    if not isinstance(value, list) or not value:
        _fail(catalog, key, "expected a non-empty list of benchmark ids")
    for b in value:
        if b not in BENCHMARKS:
            _fail(catalog, key, f"unknown benchmark '{b}'; expected one of: {', '.join(BENCHMARKS)}")
        for lv in LEVELS:
            own = f"quality.task_types.{task_type}.thresholds.{b}.{lv}"
            if own not in catalog.defaults and f"quality.thresholds.{b}.{lv}" not in catalog.defaults:
                _fail(catalog, f"quality.thresholds.{b}.{lv}", f"no {lv} threshold for benchmark '{b}'")
