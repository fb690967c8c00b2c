"""Per-capability quality and measured API latency (``data/benchmarks.csv``, ``data/api_latency.csv``).

``benchmarks.csv`` is long: one row per (model, benchmark) with the published score [%], its
source and date; ``api_latency.csv`` has each hosted model's median time to first token [ms]
and output speed [tokens/s] from a published measurement. Both are optional (a catalog
without them falls back to ``models.csv``'s MMLU-Pro ``quality_score`` and to the seed's
latency rating), and both refer to ``models.csv`` ids: an unknown id is a one-line error.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from llmstrategy.errors import CatalogError

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


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v


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


def _rows(path: Path, row_type: type[_Row], known_models: Mapping[str, object]) -> list[_Row]:
    expected = list(row_type.model_fields)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            if sorted(header) != sorted(expected):
                raise CatalogError(f"expected the columns {','.join(expected)}", path=str(path))
            out = []
            for raw in reader:
                line = reader.line_num
                if None in raw:
                    raise CatalogError(f"line {line} has more cells than the header", path=str(path))
                try:
                    row = row_type.model_validate(raw)
                except ValidationError as err:
                    first = err.errors()[0]
                    fld = ".".join(str(p) for p in first["loc"])
                    raise CatalogError(f"line {line}: {first['msg']}", path=str(path), field=fld) from None
                mid = getattr(row, "model_id")  # noqa: B009
                if mid not in known_models:
                    raise CatalogError(
                        f"line {line}: unknown model '{mid}' (not in models.csv)", path=str(path), field="model_id"
                    )
                bench = getattr(row, "benchmark", None)
                if bench is not None and bench not in BENCHMARKS:
                    raise CatalogError(
                        f"line {line}: unknown benchmark '{bench}'; expected one of: {', '.join(BENCHMARKS)}",
                        path=str(path),
                        field="benchmark",
                    )
                out.append(row)
    except UnicodeDecodeError:
        raise CatalogError("not a UTF-8 CSV file", path=str(path)) from None
    except csv.Error as err:
        raise CatalogError(f"invalid CSV: {err}", path=str(path)) from None
    return out


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
