"""Provisioned-throughput offers for private deployments in the team's own cloud tenancy
(``data/provisioned_throughput.csv``): a vendor's model on units of reserved capacity, priced
per unit-hour by commitment, with a minimum deployment, a step, the input tokens per minute
one unit serves and how many input tokens an output token counts as; each row with its source
and date. A blank price means the vendor publishes none (the row cannot be priced)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from pydantic import Field

from llmstrategy.inputs.csv_rows import CsvRow, read_rows


class ProvisionedOffer(CsvRow):
    vendor: str = Field(min_length=1)
    offering: str = Field(min_length=1)
    model_id: str = Field(min_length=1)
    commitment: str = Field(min_length=1)
    usd_per_unit_hour: float | None = Field(None, gt=0, le=100_000)
    min_units: int | None = Field(None, ge=1, le=100_000)
    unit_step: int | None = Field(None, ge=1, le=100_000)
    input_tokens_per_minute_per_unit: float | None = Field(None, gt=0, le=1e9)
    output_token_weight: float | None = Field(None, ge=0, le=100)
    spillover_to_paygo: bool | None = None
    fine_tuned_allowed: bool | None = None
    source: str = Field(min_length=1)
    as_of: date

    @property
    def priced(self) -> bool:
        """Everything the sizing and the bill need is published."""
        return None not in (self.usd_per_unit_hour, self.input_tokens_per_minute_per_unit, self.output_token_weight)


def load_provisioned(path: Path, known_models: Mapping[str, object]) -> tuple[ProvisionedOffer, ...]:
    if not path.is_file():
        return ()
    return tuple(read_rows(path, ProvisionedOffer, refs={"model_id": known_models}, exact_header=True))
