"""Fine-tuning offers of providers (``data/finetune_offers.csv``): who tunes which catalog model,
at what training price [USD per 1M training tokens], what the tuned model costs to serve
[USD per 1M tokens, serverless] or whether it needs dedicated capacity, any monthly hosting fee
[USD/month], and whether the provider accepts new customers, each with its source and date.
``serving = provisioned`` is a cloud vendor (``provider`` = the vendor of
``data/provisioned_throughput.csv``) that serves the tuned model only on its provisioned capacity,
billed per unit-hour: priced with the private deployments, never as an API offer.
``serving = dedicated`` is served on the provider's own per-GPU-hour endpoint
(``data/dedicated_endpoints.csv``); ``serving = download`` is tuned by the provider but can only be
downloaded (no serving by the provider): not an API offer.

Without the file, the fine-tuning columns of ``models.csv`` give one offer per model (its own
provider, serverless, open to new customers unless ``fine_tune.closed_providers`` says not).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field

from llmstrategy.inputs.csv_rows import CsvRow, read_rows


class FineTuneOffer(CsvRow):
    """One provider's offer to fine-tune one catalog model."""

    provider: str = Field(min_length=1)
    model_id: str = Field(min_length=1)
    method: Literal["lora", "full", "supervised"]
    training_usd_per_mtok: float = Field(ge=0, le=10_000)
    min_training_usd: float | None = Field(None, ge=0, le=1e7)
    tuned_input_usd_per_mtok: float | None = Field(None, ge=0, le=10_000)
    tuned_output_usd_per_mtok: float | None = Field(None, ge=0, le=10_000)
    serving: Literal["serverless", "dedicated", "provisioned", "download"]
    hosting_usd_per_month: float | None = Field(None, ge=0, le=1e7)
    accepts_new_customers: bool
    source: str = Field(min_length=1)
    as_of: date

    @property
    def serverless_prices(self) -> bool:
        """Served per token: a serverless offer with both tuned-model prices."""
        return (
            self.serving == "serverless"
            and self.tuned_input_usd_per_mtok is not None
            and self.tuned_output_usd_per_mtok is not None
        )


def load_offers(path: Path, known_models: Mapping[str, object]) -> tuple[FineTuneOffer, ...]:
    """Read the offers; one-line errors name the file, the line and the field."""
    if not path.is_file():
        return ()
    return tuple(read_rows(path, FineTuneOffer, refs={"model_id": known_models}, exact_header=True))
