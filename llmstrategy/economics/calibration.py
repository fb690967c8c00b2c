"""The sizing model against published serving measurements (``data/measurements.csv``).

Each row is a published max-throughput run (model, GPU, GPUs, precision, input and
output tokens); the model predicts output tokens/s per GPU for the same configuration in
``batch`` mode, and the ratio predicted / measured is reported (target: within 2×).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from llmstrategy.economics.sizing import SizingParams, size_replica
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
    "metric",
    "value",
    "source",
    "as_of",
    "notes",
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


def compare(catalog: Catalog, rows: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Predicted vs measured output tokens/s per GPU for each measurement."""
    if rows is None:
        rows = load_measurements(catalog.data_dir / "measurements.csv")
    params = SizingParams.from_catalog(catalog)
    out = []
    for r in rows:
        try:
            model = catalog.model(r["model_id"], field="model_id", path=str(catalog.data_dir / "measurements.csv"))
            gpu = catalog.gpu(r["gpu_id"], field="gpu_id", path=str(catalog.data_dir / "measurements.csv"))
            n = int(r["gpus"])
            s = size_replica(
                model,
                gpu,
                r["precision"],
                n,
                1,
                input_tokens=float(r["input_tokens"]),
                output_tokens=float(r["output_tokens"]),
                latency="batch",
                tpot_slo_ms=1e9,
                ttft_slo_ms=1e9,
                params=params,
            )
        except (ValueError, KeyError) as err:
            raise CatalogError(
                f"measurement '{r.get('id')}': {err}", path=str(catalog.data_dir / "measurements.csv")
            ) from None
        measured = float(r["value"])
        out.append(
            {
                "measurement": r["id"],
                "model": r["model_id"],
                "gpu": f"{n} × {r['gpu_id']}",
                "precision": r["precision"],
                "input/output tokens": f"{r['input_tokens']}/{r['output_tokens']}",
                "measured_tokens_per_s_per_gpu": measured,
                "predicted_tokens_per_s_per_gpu": s.output_tokens_per_second_per_gpu,
                "ratio": s.output_tokens_per_second_per_gpu / measured if measured else float("nan"),
                "source": r["source"],
                "as_of": r["as_of"],
            }
        )
    return out
