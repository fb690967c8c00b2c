"""Dated API prices (``data/price_history.csv``): the catalog as it was on a date.

Each row is one model's input and output price [USD per 1M tokens] from ``valid_from`` (inclusive)
until the model's next row. A model's first row is the first date it can be priced: its API
launch where the source gives it, otherwise the date the price was first read (``source`` says
which). On a date D (:func:`catalog_on`):

- the price of a model is the row with the latest ``valid_from`` on or before D; when it differs
  from ``models.csv``'s, the other per-token prices (cached, batch, long-context) are scaled by the
  same ratio, input-side by the input ratio and output-side by the output ratio, so published
  discounts keep their share (fine-tuned model prices are left as they are);
- a model whose first row is after D was not available on D: it is left out of the catalog;
- a model without any row keeps its ``models.csv`` price (no history recorded), and so does a
  model on a day on or after its ``models.csv`` ``as_of`` when no history row is newer (a price
  refreshed by ``prices import`` counts from the day it was read);
- retired models stay (``deprecation_date``): the pricers skip a model retired on D.

A date before every ``valid_from`` of the file is refused (one-line :class:`CatalogError`): the
catalog cannot say what was on sale then.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from llmstrategy.errors import CatalogError
from llmstrategy.files import csv_formula_risk

#: models.csv columns scaled with the input price, and with the output price
INPUT_SIDE = ("cached_input_usd_per_mtok", "batch_input_usd_per_mtok", "long_input_usd_per_mtok")
OUTPUT_SIDE = ("batch_output_usd_per_mtok", "long_output_usd_per_mtok")


class PricePoint(BaseModel):
    """One model's price from ``valid_from`` on."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    model_id: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    input_usd_per_mtok: float = Field(ge=0, le=1000, allow_inf_nan=False)
    output_usd_per_mtok: float = Field(ge=0, le=1000, allow_inf_nan=False)
    valid_from: date
    source: str = Field(min_length=1)
    as_of: date

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("model_id", "provider", "source")
    @classmethod
    def _no_formula(cls, v: str) -> str:
        if csv_formula_risk(v) or "\r" in v or "\n" in v:
            raise ValueError("text a spreadsheet would run as a formula, or a line break, is refused")
        return v


COLUMNS: tuple[str, ...] = tuple(PricePoint.model_fields)
History = Mapping[str, tuple[PricePoint, ...]]  # model id -> its rows, oldest first


def load_price_history(path: Path, models: Mapping[str, Any]) -> dict[str, tuple[PricePoint, ...]]:
    """Read and validate the history: each row's model must be in ``models`` with the same
    provider, one row per (model, ``valid_from``). One-line errors name the file, line and field."""
    path = Path(path)
    where = str(path)
    rows: dict[str, list[PricePoint]] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise CatalogError(f"expected the columns {','.join(COLUMNS)}", path=where)
            for raw in reader:
                line = reader.line_num
                if None in raw or None in raw.values():
                    raise CatalogError(f"line {line}: the row has not {len(COLUMNS)} cells", path=where)
                try:
                    p = PricePoint.model_validate(dict(raw))
                except ValidationError as err:
                    first = err.errors()[0]
                    fld = ".".join(str(x) for x in first["loc"]) or None
                    raise CatalogError(f"line {line}: {first['msg']}", path=where, field=fld) from None
                m = models.get(p.model_id)
                if m is None:
                    raise CatalogError(
                        f"line {line}: unknown model id {p.model_id!r} (not in models.csv)",
                        path=where,
                        field="model_id",
                    )
                if p.provider != m.provider:
                    raise CatalogError(
                        f"line {line}: provider {p.provider!r}, but models.csv says {m.provider!r}",
                        path=where,
                        field="provider",
                    )
                if any(q.valid_from == p.valid_from for q in rows.get(p.model_id, ())):
                    raise CatalogError(
                        f"line {line}: a second row for {p.model_id} from {p.valid_from}",
                        path=where,
                        field="valid_from",
                    )
                rows.setdefault(p.model_id, []).append(p)
    except FileNotFoundError:
        raise CatalogError("file not found", path=where) from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise CatalogError(f"not a readable UTF-8 CSV file ({type(err).__name__})", path=where) from None
    return {k: tuple(sorted(v, key=lambda p: p.valid_from)) for k, v in rows.items()}


def price_on(points: tuple[PricePoint, ...], day: date) -> PricePoint | None:
    """The row valid on ``day`` (the latest ``valid_from`` on or before it), or None before the first."""
    valid = [p for p in points if p.valid_from <= day]
    return valid[-1] if valid else None


def earliest(history: History) -> date | None:
    """The first ``valid_from`` of the whole history (None when it is empty)."""
    return min((pts[0].valid_from for pts in history.values() if pts), default=None)


def _scaled(value: float | None, new: float, old: float | None) -> float | None:
    if value is None or not old:
        return value
    return value * new / old


def reprice(model: Any, point: PricePoint) -> Any:
    """``model`` (a ``ModelSpec``) at ``point``'s prices, its other per-token prices scaled alike."""
    old_in, old_out = model.input_usd_per_mtok, model.output_usd_per_mtok
    if (old_in, old_out) == (point.input_usd_per_mtok, point.output_usd_per_mtok):
        return model
    update: dict[str, Any] = {
        "input_usd_per_mtok": point.input_usd_per_mtok,
        "output_usd_per_mtok": point.output_usd_per_mtok,
        "source": f"{point.source} (data/price_history.csv, valid from {point.valid_from.isoformat()})",
        "as_of": point.as_of,
    }
    update.update({f: _scaled(getattr(model, f), point.input_usd_per_mtok, old_in) for f in INPUT_SIDE})
    update.update({f: _scaled(getattr(model, f), point.output_usd_per_mtok, old_out) for f in OUTPUT_SIDE})
    return model.model_copy(update=update)


def catalog_on(
    models: Mapping[str, Any], history: History, day: date, *, where: str = "price_history.csv"
) -> tuple[dict[str, Any], dict[str, date]]:
    """The models available on ``day`` at that day's prices, and the ones not yet available
    (id -> their first ``valid_from``). A ``day`` before the whole history is a :class:`CatalogError`."""
    first = earliest(history)
    if first is not None and day < first:
        raise CatalogError(
            f"no price history before {first.isoformat()} (the earliest valid_from); "
            f"choose an analysis date on or after it, got {day.isoformat()}",
            path=where,
            field="--as-of",
        )
    out: dict[str, Any] = {}
    later: dict[str, date] = {}
    for mid, m in models.items():
        points = history.get(mid, ())
        if not points:
            out[mid] = m
            continue
        p = price_on(points, day)
        read = getattr(m, "as_of", None)  # the date models.csv's price was read
        if read is not None and read <= day and (p is None or p.valid_from <= read):
            out[mid] = m  # models.csv is the newest price known on that day (e.g. just imported)
        elif p is None:
            later[mid] = points[0].valid_from
        else:
            out[mid] = reprice(m, p)
    return out, later


def catalog_as_of(catalog: Any, day: date) -> Any:
    """``catalog`` (a :class:`~llmstrategy.inputs.catalog.Catalog`) as it was on ``day``: the
    models priced then, at their prices then (:func:`catalog_on`); the tables that name a model
    (scores, latency, fine-tuning and provisioned offers) keep only those. Without a
    ``price_history.csv`` the models are left as they are."""
    path = catalog.files.get("price_history")
    if path is None or not Path(path).is_file():
        return replace(catalog, on_date=day)
    models, later = catalog_on(catalog.models, load_price_history(path, catalog.models), day, where=str(path))
    frontier = catalog.defaults.get("default_frontier_model")
    if frontier is not None and str(frontier.value) in later:
        raise CatalogError(
            f"the default frontier model '{frontier.value}' was not available on {day.isoformat()} (first priced "
            f"{later[str(frontier.value)].isoformat()}); choose an analysis date on or after it",
            path=str(path),
            field="--as-of",
        )
    return replace(
        catalog,
        models=models,
        on_date=day,
        unavailable=later,
        scores={k: v for k, v in catalog.scores.items() if k in models},
        api_latency={k: v for k, v in catalog.api_latency.items() if k in models},
        finetune_offers=tuple(o for o in catalog.finetune_offers if o.model_id in models),
        provisioned=tuple(o for o in catalog.provisioned if o.model_id in models),
    )
