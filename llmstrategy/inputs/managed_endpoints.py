"""Managed endpoints of open-weight models in the team's own cloud account
(``data/managed_endpoints.csv``): a vendor's instance type (SageMaker real-time inference, an
Azure Machine Learning managed online endpoint, ...) with its price per instance-hour, the GPU it
carries (an id of ``data/gpus.csv``) and how many; each row with its source and date. The vendor
runs the instances and the serving container; the team picks the model and the instance type.
Any vendor is accepted (AWS SageMaker, Azure ML, Google Vertex AI online prediction, ...): a row is
an instance type billed per hour while it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from pydantic import Field

from llmstrategy.errors import CatalogError
from llmstrategy.inputs.csv_rows import CsvRow, read_rows


class ManagedEndpointOffer(CsvRow):
    """One instance type of a managed endpoint: price [USD per instance-hour], GPUs per instance."""

    vendor: str = Field(min_length=1)
    offering: str = Field(min_length=1)
    instance_type: str = Field(min_length=1)
    region: str = Field(min_length=1)
    usd_per_instance_hour: float = Field(gt=0, le=10_000)
    gpu_id: str = Field(min_length=1)
    gpus_per_instance: int = Field(ge=1, le=64)
    source: str = Field(min_length=1)
    as_of: date

    @property
    def usd_per_gpu_hour(self) -> float:
        """Instance price / GPUs per instance [USD per GPU-hour]."""
        return self.usd_per_instance_hour / self.gpus_per_instance


def load_managed_endpoints(path: Path, known_gpus: Mapping[str, object]) -> tuple[ManagedEndpointOffer, ...]:
    """Every row of ``path`` (none if the file is absent); a GPU id not in ``gpus.csv``, more GPUs
    than one node of that GPU holds (``max_gpus_per_node``) or a repeated (vendor, offering,
    instance type, region) is a one-line error naming the line."""
    if not path.is_file():
        return ()
    seen: set[tuple[str, str, str, str]] = set()

    def check(row: ManagedEndpointOffer) -> tuple[str, str] | None:
        if row.gpu_id not in known_gpus:
            return "gpu_id", f"unknown GPU '{row.gpu_id}' (not in gpus.csv)"
        per_node = getattr(known_gpus[row.gpu_id], "max_gpus_per_node", None)
        if isinstance(per_node, int) and row.gpus_per_instance > per_node:
            too_many = f"{row.gpus_per_instance} GPUs, more than one {row.gpu_id} node holds ({per_node})"
            return "gpus_per_instance", too_many
        key = (row.vendor, row.offering, row.instance_type, row.region)
        if key in seen:
            return "instance_type", f"duplicate row for {row.vendor} {row.offering} {row.instance_type} {row.region}"
        seen.add(key)
        return None

    rows = tuple(read_rows(path, ManagedEndpointOffer, check=check, exact_header=True))
    if not rows:
        raise CatalogError("no managed-endpoint rows", path=str(path))
    return rows
