"""Per-capability quality and measured API latency (``data/benchmarks.csv``, ``data/api_latency.csv``).

``benchmarks.csv`` is long: one row per (model, benchmark) with the published score [%], its
source and date; ``api_latency.csv`` has each hosted model's median time to first token [ms]
and output speed [tokens/s] from a published measurement. Both are optional (a catalog
without them falls back to ``models.csv``'s MMLU-Pro ``quality_score`` and to the seed's
latency rating), and both refer to ``models.csv`` ids: an unknown id is a one-line error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from pydantic import Field

from llmstrategy.errors import CatalogError
from llmstrategy.inputs.csv_rows import CsvRow, read_rows

#: benchmark ids the engine knows (data/quality.yaml says which capability each measures)
BENCHMARKS = (
    "mmlu_pro",
    "gpqa_diamond",
    "livecodebench",
    "swe_bench_verified",
    "ifbench",
    "ifeval",
    "mmlu_prox",
    "global_mmlu",
    "aa_lcr",
    "aa_intelligence_index",
)

#: benchmark id → the name people know it by
BENCHMARK_NAMES = {
    "mmlu_pro": "MMLU-Pro",
    "gpqa_diamond": "GPQA Diamond",
    "livecodebench": "LiveCodeBench",
    "swe_bench_verified": "SWE-bench Verified",
    "ifbench": "IFBench",
    "ifeval": "IFEval",
    "mmlu_prox": "MMLU-ProX",
    "global_mmlu": "Global-MMLU",
    "aa_lcr": "AA long-context reasoning",
    "aa_intelligence_index": "AA Intelligence Index",
}


class _Row(CsvRow):
    pass


class BenchmarkScore(_Row):
    model_id: str = Field(min_length=1)
    benchmark: str = Field(min_length=1)
    score_pct: float = Field(ge=0, le=100)
    source: str = Field(min_length=1)
    as_of: date


class ApiLatency(_Row):
    """A hosted model's median time to first token [ms] and output speed [tokens/s] (either
    may be unpublished: blank)."""

    model_id: str = Field(min_length=1)
    ttft_ms: float | None = Field(None, gt=0, le=600_000)
    output_tokens_per_second: float | None = Field(None, gt=0, le=100_000)
    source: str = Field(min_length=1)
    as_of: date


def _bench_known(row: _Row) -> tuple[str, str] | None:
    bench = getattr(row, "benchmark", None)
    if bench is not None and bench not in BENCHMARKS:
        return "benchmark", f"unknown benchmark '{bench}'; expected one of: {', '.join(BENCHMARKS)}"
    return None


def _rows(path: Path, row_type: type[_Row], known_models: Mapping[str, object]) -> list[_Row]:
    return read_rows(path, row_type, refs={"model_id": known_models}, check=_bench_known)


def load_scores(path: Path, known_models: Mapping[str, object]) -> dict[str, dict[str, float]]:
    """model id → benchmark → score [%]; a (model, benchmark) given twice is an error."""
    out: dict[str, dict[str, float]] = {}
    if not path.is_file():
        return out
    for r in _rows(path, BenchmarkScore, known_models):
        assert isinstance(r, BenchmarkScore)
        per = out.setdefault(r.model_id, {})
        if r.benchmark in per:
            raise CatalogError(f"{r.model_id} has two {r.benchmark} rows", path=str(path), field="benchmark")
        per[r.benchmark] = r.score_pct
    return out


def load_latency(path: Path, known_models: Mapping[str, object]) -> dict[str, ApiLatency]:
    """model id → its measured API latency; a model given twice is an error."""
    out: dict[str, ApiLatency] = {}
    if not path.is_file():
        return out
    for r in _rows(path, ApiLatency, known_models):
        assert isinstance(r, ApiLatency)
        if r.model_id in out:
            raise CatalogError(f"{r.model_id} is listed twice", path=str(path), field="model_id")
        out[r.model_id] = r
    return out
