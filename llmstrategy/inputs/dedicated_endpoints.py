"""Providers' dedicated endpoints (``data/dedicated_endpoints.csv``): the price per GPU-hour at
which a fine-tuning provider serves a tuned model on hardware reserved for one customer (Together
AI dedicated endpoints, Fireworks on-demand deployments), the GPU (an id of ``data/gpus.csv``)
and the smallest deployment in GPUs, each row with its source and date. A multi-GPU replica costs
its GPUs × the single-GPU rate; the provider runs the hardware and the serving stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from pydantic import Field

from llmstrategy.inputs.csv_rows import CsvRow, read_rows


class DedicatedEndpointPrice(CsvRow):
    """One provider's dedicated GPU: price [USD per GPU-hour], smallest deployment [GPUs]."""

    provider: str = Field(min_length=1)
    gpu_id: str = Field(min_length=1)
    usd_per_gpu_hour: float = Field(gt=0, le=1_000)
    min_gpus: int = Field(ge=1, le=64)
    source: str = Field(min_length=1)
    as_of: date


def load_dedicated_endpoints(path: Path, known_gpus: Mapping[str, object]) -> tuple[DedicatedEndpointPrice, ...]:
    """Every row of ``path`` (none if the file is absent); an unknown GPU id or a repeated
    (provider, GPU) is a one-line error naming the line and the field."""
    if not path.is_file():
        return ()
    seen: set[tuple[str, str]] = set()

    def check(row: DedicatedEndpointPrice) -> tuple[str, str] | None:
        if row.gpu_id not in known_gpus:
            return "gpu_id", f"unknown GPU '{row.gpu_id}' (not in gpus.csv)"
        if (row.provider, row.gpu_id) in seen:
            return "gpu_id", f"duplicate row for {row.provider} {row.gpu_id}"
        seen.add((row.provider, row.gpu_id))
        return None

    return tuple(read_rows(path, DedicatedEndpointPrice, check=check, exact_header=True))
