"""The sizing model against published serving measurements (``data/measurements.csv``).

Each row is one published figure for a configuration (model, GPU, GPUs, precision, mean input
and output tokens of the run's requests, engine, the engine's ``max_batch_size``) and its ``metric``:

- ``output_tokens_per_second_per_gpu`` with ``concurrency`` empty: a max-throughput run
  (requests at an infinite rate); the model predicts it in ``batch`` mode (memory-filling
  batch, up to the row's ``max_batch_size``, the engine's setting for that run; blank: the
  default ``self_host.max_batch_size``);
- ``output_tokens_per_second_per_gpu`` with ``concurrency`` C: throughput with C requests in
  flight (a point of a latency-vs-throughput sweep); predicted at exactly C sequences;
- ``time_per_output_token_ms`` at concurrency C: a serving benchmark's TPOT ((latency − TTFT) /
  (output − 1)) against the decode step at batch C (× pipeline stages) plus the prefills of the
  C − 1 requests that replace finished ones meanwhile (:func:`~llmstrategy.economics.sizing.serving_tpot_s`);
- ``request_latency_s`` at concurrency C: a batch of C requests started together
  (``benchmark_latency``): C × prefill + output tokens × time per output token.

``attention_dp`` is ``true`` when the source says the run used attention data parallelism
(TensorRT-LLM's ``enable_attention_dp``): every GPU then holds its own copy of the model's
non-expert weights (:func:`~llmstrategy.economics.replica_memory.replica_weights_gb`); blank or
``false``: the source names none, and every weight is sharded once.

The KV-cache room of a max-throughput row is sized as the row's engine sizes it, after the
weights and the engine's runtime memory (:mod:`~llmstrategy.economics.runtime_memory`; the
sampler's logits term counts the row's ``max_batch_size`` sequences).

The ratio predicted / measured is reported for every row, with the metric's unit
(:data:`UNITS`); the target is within 1.5× (``tests/economics/test_calibration.py``). A row the
model misses by more says why in ``outside_tolerance_why`` (blank otherwise), and the report
shows it next to the ratio.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Any

from llmstrategy.economics.runtime_memory import engine_of
from llmstrategy.economics.sizing import SizingParams, at_batch, size_replica
from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import Catalog

MEASUREMENT_COLUMNS = (
    "id",
    "model_id",
    "gpu_id",
    "gpus",
    "precision",
    "framework",
    "input_tokens",
    "output_tokens",
    "concurrency",
    "max_batch_size",
    "attention_dp",
    "metric",
    "value",
    "source",
    "as_of",
    "notes",
    "outside_tolerance_why",
)


def load_measurements(path: Path) -> list[dict[str, str]]:
    """Read ``measurements.csv`` (one-line error for a missing file or column)."""
    if not path.is_file():
        raise CatalogError("measurements file not found", path=str(path))
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in MEASUREMENT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CatalogError(f"missing column(s) {', '.join(missing)}", path=str(path))
        return list(reader)


METRICS = ("output_tokens_per_second_per_gpu", "time_per_output_token_ms", "request_latency_s")
#: what a row's measured and predicted values are, in people's words (the report's unit column)
UNITS = {
    "output_tokens_per_second_per_gpu": "output tokens/s per GPU",
    "time_per_output_token_ms": "ms per output token",
    "request_latency_s": "s per request (batch started together)",
}
TOLERANCE = 1.5  # every prediction within [1/1.5, 1.5] × its measurement


def _attention_dp(r: dict[str, str]) -> bool:
    flag = (r.get("attention_dp") or "").strip().lower()
    if flag not in ("", "true", "false"):
        raise ValueError(f"attention_dp {flag!r} (expected true, false or blank)")
    return flag == "true"


def _predict(catalog: Catalog, r: dict[str, str], params: SizingParams) -> float:
    path = str(catalog.data_dir / "measurements.csv")
    model = catalog.model(r["model_id"], field="model_id", path=path)
    gpu = catalog.gpu(r["gpu_id"], field="gpu_id", path=path)
    n, metric = int(r["gpus"]), r["metric"]
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r} (expected one of {', '.join(METRICS)})")
    shape: dict[str, Any] = {"input_tokens": float(r["input_tokens"]), "output_tokens": float(r["output_tokens"])}
    shape["attention_dp"] = _attention_dp(r)
    params = replace(params, engine=engine_of(r["framework"]))
    cap = (r.get("max_batch_size") or "").strip()
    if cap:
        params = replace(params, max_batch_size=int(cap))
    if r["concurrency"].strip():
        return at_batch(model, gpu, r["precision"], n, 1, int(r["concurrency"]), params=params, **shape)[metric]
    if metric != "output_tokens_per_second_per_gpu":
        raise ValueError(f"metric {metric!r} needs a concurrency")
    s = size_replica(
        model, gpu, r["precision"], n, 1, latency="batch", tpot_slo_ms=1e9, ttft_slo_ms=1e9, params=params, **shape
    )
    if not s.fits:
        raise ValueError(f"does not fit: {s.reason}")
    return s.output_tokens_per_second_per_gpu


def _max_load(r: dict[str, str]) -> str:
    cap = (r.get("max_batch_size") or "").strip()
    return f"max (engine batch cap {cap})" if cap else "max"


def compare(catalog: Catalog, rows: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Predicted vs measured for each measurement, in the row's metric (``measured`` and
    ``predicted`` are in ``unit``: tokens/s per GPU, ms per token or seconds per request)."""
    if rows is None:
        rows = load_measurements(catalog.data_dir / "measurements.csv")
    params = SizingParams.from_catalog(catalog)
    out = []
    for r in rows:
        try:
            predicted = _predict(catalog, r, params)
        except (ValueError, KeyError) as err:
            raise CatalogError(
                f"measurement '{r.get('id')}': {err}", path=str(catalog.data_dir / "measurements.csv")
            ) from None
        measured = float(r["value"])
        out.append(
            {
                "measurement": r["id"],
                "model": r["model_id"],
                "gpu": f"{r['gpus']} × {r['gpu_id']}" + (", attention data parallel" if _attention_dp(r) else ""),
                "engine": r["framework"],
                "precision": r["precision"],
                "input/output tokens": f"{r['input_tokens']}/{r['output_tokens']}",
                "concurrency": r["concurrency"] or _max_load(r),
                "metric": r["metric"],
                "unit": UNITS[r["metric"]],
                "measured": measured,
                "predicted": predicted,
                "ratio": predicted / measured if measured else float("nan"),
                "source": r["source"],
                "as_of": r["as_of"],
                "why outside 1.5×": r.get("outside_tolerance_why") or "",
            }
        )
    return out


def within_tolerance(rows: list[dict[str, Any]]) -> int:
    """How many of :func:`compare`'s rows are within :data:`TOLERANCE` (1/1.5 ≤ ratio ≤ 1.5)."""
    return sum(1 for r in rows if 1 / TOLERANCE <= r["ratio"] <= TOLERANCE)


def speed_ratios(rows: list[dict[str, Any]]) -> list[float]:
    """Served / predicted speed of each of :func:`compare`'s rows [×]: measured / predicted for a
    throughput, predicted / measured for a time (per output token or per request). Their
    geometric mean and log-spread are ``data/uncertainty.yaml``'s ``sizing_speed``."""
    return [1 / r["ratio"] if r["metric"] == "output_tokens_per_second_per_gpu" else r["ratio"] for r in rows]
