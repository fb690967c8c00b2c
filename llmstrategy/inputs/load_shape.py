"""The shape of a service's load over the hours of a week (``data/load_shape.csv``): one row per
hour, the load of a conversation service and of a coding service, each normalised to a mean of 1
[share of the average hour], with its source and date. Pricing spill-over above a reservation
reads it as a load-duration curve (:mod:`llmstrategy.economics.spillover`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import Field

from llmstrategy.errors import CatalogError
from llmstrategy.inputs.csv_rows import CsvRow, read_rows

#: a profile's task type → the column whose shape stands for it (the rest: conversation)
CODING_TASKS = frozenset({"coding"})


class LoadShapeRow(CsvRow):
    hour: int = Field(ge=0, le=10_000)
    conversation_load: float = Field(gt=0, le=1_000)
    coding_load: float = Field(gt=0, le=1_000)
    source: str = Field(min_length=1)
    as_of: date


@dataclass(frozen=True)
class LoadShape:
    """Hourly load of two measured services [share of their mean], in hour order."""

    conversation: tuple[float, ...]
    coding: tuple[float, ...]
    source: str

    def for_task(self, task_type: str) -> tuple[str, tuple[float, ...]]:
        """(service name, hourly load) that stands for ``task_type``: coding for code, else conversation."""
        return ("coding", self.coding) if task_type in CODING_TASKS else ("conversation", self.conversation)


def load_load_shape(path: Path) -> LoadShape | None:
    """Read the hourly load; None without the file. Hours must run 0, 1, 2… without a gap."""
    if not path.is_file():
        return None
    rows = read_rows(path, LoadShapeRow, exact_header=True)
    if not rows:
        raise CatalogError("expected one row per hour", path=str(path))
    if [r.hour for r in rows] != list(range(len(rows))):
        raise CatalogError("expected the hours 0, 1, 2… in order, each once", path=str(path), field="hour")
    return LoadShape(
        conversation=tuple(r.conversation_load for r in rows),
        coding=tuple(r.coding_load for r in rows),
        source=rows[0].source,
    )
