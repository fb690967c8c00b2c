"""Providers' dedicated endpoints (``data/dedicated_endpoints.csv``): the price per GPU-hour at
which a fine-tuning provider serves a tuned model on hardware reserved for one customer (Together
AI dedicated endpoints, Fireworks on-demand deployments), the GPU (an id of ``data/gpus.csv``)
and the smallest deployment in GPUs, each row with its source and date. A multi-GPU replica costs
its GPUs × the single-GPU rate; the provider runs the hardware and the serving stack.

A (provider, GPU) may have several rows, each price from its ``valid_from`` date (the earliest
source showing it) until the next row's: :func:`dedicated_on` gives the rows in force on a date,
so ``analyze --as-of`` prices the endpoint as it was then (none before its first row).
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
    valid_from: date
    source: str = Field(min_length=1)
    as_of: date


def load_dedicated_endpoints(path: Path, known_gpus: Mapping[str, object]) -> tuple[DedicatedEndpointPrice, ...]:
    """Every row of ``path`` (none if the file is absent); an unknown GPU id, a repeated
    (provider, GPU, valid_from) or a price valid from after it was read is a one-line error
    naming the line and the field."""
    if not path.is_file():
        return ()
    seen: set[tuple[str, str, date]] = set()

    def check(row: DedicatedEndpointPrice) -> tuple[str, str] | None:
        if row.gpu_id not in known_gpus:
            return "gpu_id", f"unknown GPU '{row.gpu_id}' (not in gpus.csv)"
        if (row.provider, row.gpu_id, row.valid_from) in seen:
            return "valid_from", f"duplicate row for {row.provider} {row.gpu_id} from {row.valid_from.isoformat()}"
        if row.valid_from > row.as_of:
            return "valid_from", f"{row.valid_from.isoformat()} is after the date the price was read ({row.as_of})"
        seen.add((row.provider, row.gpu_id, row.valid_from))
        return None

    return tuple(read_rows(path, DedicatedEndpointPrice, check=check, exact_header=True))


def dedicated_on(rows: tuple[DedicatedEndpointPrice, ...], day: date | None) -> tuple[DedicatedEndpointPrice, ...]:
    """The rows in force on ``day``: for each (provider, GPU), the latest ``valid_from`` on or
    before it (``None``: the latest of all); a GPU whose first row is later has none."""
    current: dict[tuple[str, str], DedicatedEndpointPrice] = {}
    for r in rows:
        if day is not None and r.valid_from > day:
            continue
        key = (r.provider, r.gpu_id)
        if key not in current or r.valid_from > current[key].valid_from:
            current[key] = r
    return tuple(current.values())
