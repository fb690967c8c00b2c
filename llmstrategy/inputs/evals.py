"""The user's own evaluation results (seed 004 step 4: test on real customer data).

A result is ``passed`` of ``total`` tasks for one catalog model, optionally with the measured
latency [ms] and cost per task [USD]. Results come from the profile (``evals:``) or from a
file (``--evals FILE``): a plain CSV with the columns ``model,passed,total`` (and optionally
``latency_ms,usd_per_task``), or the JSON results file that promptfoo writes
(``promptfoo eval -o results.json``: ``results.results[*]`` with ``provider.id`` or
``provider.label`` and ``success``), whose provider label or id must be a catalog model id.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from llmstrategy.errors import ProfileError

MAX_EVALS_BYTES = 64 * 1024 * 1024


class EvalResult(BaseModel):
    """``passed`` of ``total`` tasks for catalog model ``model`` [counts]."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    model: str = Field(min_length=1, max_length=200)
    passed: int = Field(ge=0, le=10**9)
    total: int = Field(ge=1, le=10**9)
    latency_ms: float | None = Field(None, ge=0, le=3_600_000)
    usd_per_task: float | None = Field(None, ge=0, le=1e6)

    @model_validator(mode="after")
    def _passed_at_most_total(self) -> EvalResult:
        if self.passed > self.total:
            raise ValueError(f"passed ({self.passed}) is more than total ({self.total})")
        return self

    @property
    def pass_rate(self) -> float:
        """Observed share of tasks passed = passed / total."""
        return self.passed / self.total

    def wilson_interval(self, z: float = 1.96) -> tuple[float, float]:
        """Wilson score interval of the pass rate (95 % at z = 1.96):
        (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)."""
        n, p = float(self.total), self.pass_rate
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        return max(0.0, centre - half), min(1.0, centre + half)


def merge(results: Iterable[EvalResult]) -> dict[str, EvalResult]:
    """Results per model; several rows for one model add up (passed and total summed; the
    latency and cost kept from the last row that gives them)."""
    out: dict[str, EvalResult] = {}
    for r in results:
        prev = out.get(r.model)
        if prev is None:
            out[r.model] = r
            continue
        out[r.model] = EvalResult(
            model=r.model,
            passed=prev.passed + r.passed,
            total=prev.total + r.total,
            latency_ms=r.latency_ms if r.latency_ms is not None else prev.latency_ms,
            usd_per_task=r.usd_per_task if r.usd_per_task is not None else prev.usd_per_task,
        )
    return out


def _result(row: dict[str, Any], where: str, line: str) -> EvalResult:
    try:
        return EvalResult.model_validate(row)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(x) for x in first["loc"]) or "(row)"
        raise ProfileError(f"{line}: {first.get('msg', 'invalid value')}", path=where, field=field) from None


def _from_csv(text: str, where: str) -> list[EvalResult]:
    reader = csv.DictReader(io.StringIO(text))
    cols = set(reader.fieldnames or [])
    missing = {"model", "passed", "total"} - cols
    if missing:
        raise ProfileError(
            f"CSV needs the columns model, passed, total (missing: {', '.join(sorted(missing))})", path=where
        )
    out = []
    for i, row in enumerate(reader, start=2):
        clean: dict[str, Any] = {"model": (row.get("model") or "").strip()}
        for key in ("passed", "total"):
            raw = (row.get(key) or "").strip()
            if not raw.isdigit():
                raise ProfileError(f"line {i}: expected a whole number, got {raw[:40]!r}", path=where, field=key)
            clean[key] = int(raw)
        for key in ("latency_ms", "usd_per_task"):
            raw = (row.get(key) or "").strip()
            if raw:
                try:
                    clean[key] = float(raw)
                except ValueError:
                    msg = f"line {i}: expected a number, got {raw[:40]!r}"
                    raise ProfileError(msg, path=where, field=key) from None
        out.append(_result(clean, where, f"line {i}"))
    return out


def _from_promptfoo(data: Any, where: str) -> list[EvalResult]:
    results = data.get("results") if isinstance(data, dict) else None
    rows = results.get("results") if isinstance(results, dict) else results
    if not isinstance(rows, list):
        raise ProfileError("expected promptfoo's results JSON (results.results: a list)", path=where)
    counts: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        prov = row.get("provider") if isinstance(row, dict) else None
        name = (prov.get("label") or prov.get("id")) if isinstance(prov, dict) else prov
        if not isinstance(name, str) or not isinstance(row.get("success"), bool):
            raise ProfileError(
                f"result {i}: expected provider (label or id) and success (true/false)", path=where, field="results"
            )
        c = counts.setdefault(name.split(":")[-1], [0, 0])
        c[0] += int(row["success"])
        c[1] += 1
    return [_result({"model": m, "passed": p, "total": n}, where, f"provider {m}") for m, (p, n) in counts.items()]


def load_evals(path: str | Path) -> list[EvalResult]:
    """Read a CSV or a promptfoo results JSON file into results (one-line errors)."""
    p = Path(path)
    where = str(p)
    if not p.is_file():
        raise ProfileError("file not found (expected an evals CSV or promptfoo JSON)", path=where)
    if p.stat().st_size > MAX_EVALS_BYTES:
        raise ProfileError(f"file is larger than {MAX_EVALS_BYTES:,} bytes", path=where)
    try:
        text = p.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        raise ProfileError("cannot read the file as UTF-8 text", path=where) from None
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ProfileError(f"invalid JSON at line {err.lineno}", path=where) from None
        return _from_promptfoo(data, where)
    return _from_csv(text, where)
