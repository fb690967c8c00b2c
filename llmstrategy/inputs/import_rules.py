"""What ``prices import`` may change in a matched row, and the ``price_history.csv`` rows it adds.

The LiteLLM map has no date per entry: an entry can be months older than the file (it still
listed Claude Sonnet 5's introductory $2/$10 after Anthropic's $3/$15 of 2026-09-01). The
map's date is the import's ``as_of`` (``--as-of``, else the file's modification date), an upper
bound on how fresh an entry is. So the newest dated evidence wins, and a tie goes to a source
a person checked:

- **a price** stays when the model's latest ``price_history.csv`` row differs from the map and
  takes effect on or after the map's date, or was read on or after it from a source other than
  this importer ("kept: sourced correction newer than the map"); and when the map repeats a
  price that the history says a later, sourced row replaced ("kept: the map repeats a price
  that ended …"), whatever the map's date. A model without history falls back on its row;
- **a row** (its window, output limit, retirement date and prices) stays when its ``as_of`` is
  after the map's date, or on that date from a source other than this importer ("kept: catalog
  row read on …"). Otherwise the map's window and output limit replace the catalog's: for a
  host's key (``deepinfra/…``) they are that host's limits, and ``context_window_tokens`` is the
  window of the priced provider (a request it would reject must not be priced).

A changed price gets a history row from the map's date; a new model gets a "first read on"
row (its launch date is unknown).
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta
from pathlib import Path

from pydantic import ValidationError

from llmstrategy.inputs.catalog import ModelSpec
from llmstrategy.inputs.catalog_write import _cell
from llmstrategy.inputs.price_history import COLUMNS, PricePoint

#: columns that move with the price (kept together when the price is kept)
PRICE_COLUMNS = (
    "input_usd_per_mtok",
    "output_usd_per_mtok",
    "cached_input_usd_per_mtok",
    "batch_input_usd_per_mtok",
    "batch_output_usd_per_mtok",
    "long_context_threshold_tokens",
    "long_input_usd_per_mtok",
    "long_output_usd_per_mtok",
    "finetuned_input_usd_per_mtok",
    "finetuned_output_usd_per_mtok",
)
HISTORY_FILE = "price_history.csv"


def import_tag(price_map: Path) -> str:
    """How this importer names its source in ``source`` cells."""
    return f"LiteLLM price map ({price_map.name})"


def _by_importer(source: str) -> bool:
    return source.startswith("LiteLLM price map (")


def _usd(a: float, b: float) -> str:
    return f"${a:g}/${b:g}"


def kept_price(points: tuple[PricePoint, ...], new: tuple[float, float], stamp: date) -> str | None:
    """Why the map's price ``new`` (input, output) must not replace the history's, or None."""
    if not points:
        return None
    latest = points[-1]
    now = (latest.input_usd_per_mtok, latest.output_usd_per_mtok)
    if now == new:
        return None
    if latest.valid_from >= stamp or (latest.as_of >= stamp and not _by_importer(latest.source)):
        return (
            f"sourced correction newer than the map: {_usd(*now)} from {latest.valid_from}, read {latest.as_of}; "
            f"the map of {stamp} says {_usd(*new)}"
        )
    for earlier, later in itertools.pairwise(points):
        old = (earlier.input_usd_per_mtok, earlier.output_usd_per_mtok)
        if old == new and not _by_importer(later.source):
            ended = later.valid_from - timedelta(days=1)
            return f"the map repeats {_usd(*new)}, a price that ended {ended} (now {_usd(*now)})"
    return None


def kept_row(row: ModelSpec, stamp: date) -> str | None:
    """Why ``row`` is newer evidence than a map of date ``stamp``, or None."""
    if row.as_of > stamp or (row.as_of == stamp and not _by_importer(row.source)):
        return f"catalog row read on {row.as_of}, the map is of {stamp}"
    return None


def history_point(row: ModelSpec, stamp: date, source: str) -> PricePoint:
    """The history row of ``row``'s price from ``stamp`` (raises ValueError if it is invalid)."""
    try:
        return PricePoint(
            model_id=row.id,
            provider=row.provider,
            input_usd_per_mtok=row.input_usd_per_mtok,
            output_usd_per_mtok=row.output_usd_per_mtok,
            valid_from=stamp,
            source=source,
            as_of=stamp,
        )
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise ValueError(f"its {HISTORY_FILE} row would be invalid: {where}: {first['msg']}") from None


def history_text(before: str, points: list[PricePoint]) -> str:
    """``before`` (the file's text, kept byte for byte) with ``points`` appended."""
    if not points:
        return before
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if not before:
        w.writerow(COLUMNS)
    for p in points:
        w.writerow([_cell(getattr(p, c)) for c in COLUMNS])
    sep = "" if not before or before.endswith("\n") else "\n"
    return before + sep + buf.getvalue()
