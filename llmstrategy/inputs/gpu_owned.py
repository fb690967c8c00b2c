"""The ``owned`` market: a purchased GPU's cost per hour from inputs that each carry a source
(``data/gpu_owned_inputs.csv``).

    usd_per_gpu_hour = purchase_usd / (life_years * 8760)                 # straight-line, no resale
                     + power_kw * pue * usd_per_kwh                       # energy at full power
                     + power_kw * colocation_usd_per_kw_month / 730       # space and cooling per kW

(8760 hours a year, 730 a month.) The formula counts neither the cost of capital, the host
server, networking or storage, nor the people who run it: see ``data/README_gpu_markets.md``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from llmstrategy.errors import CatalogError
from llmstrategy.files import csv_formula_risk
from llmstrategy.inputs.gpu_offers import GpuOffer

HOURS_PER_YEAR = 8760
HOURS_PER_MONTH = HOURS_PER_YEAR / 12


class OwnedInputs(BaseModel):
    """The inputs of one GPU's owned cost, each with its source."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    gpu_id: str = Field(min_length=1)
    purchase_usd: float = Field(gt=0, le=1e7, allow_inf_nan=False)
    purchase_source: str = Field(min_length=1)
    life_years: int = Field(ge=1, le=10)
    life_source: str = Field(min_length=1)
    power_kw: float = Field(gt=0, le=100, allow_inf_nan=False)
    power_source: str = Field(min_length=1)
    pue: float = Field(ge=1, le=5, allow_inf_nan=False)
    pue_source: str = Field(min_length=1)
    usd_per_kwh: float = Field(gt=0, le=10, allow_inf_nan=False)
    energy_price_source: str = Field(min_length=1)
    colocation_usd_per_kw_month: float = Field(ge=0, le=1e5, allow_inf_nan=False)
    colocation_source: str = Field(min_length=1)
    as_of: date

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("gpu_id", "purchase_source", "life_source", "power_source", "pue_source")
    @classmethod
    def _no_formula(cls, v: str) -> str:
        if csv_formula_risk(v):
            raise ValueError("text a spreadsheet would run as a formula is refused")
        return v


COLUMNS: tuple[str, ...] = tuple(OwnedInputs.model_fields)


def owned_usd_per_gpu_hour(
    *,
    purchase_usd: float,
    life_years: float,
    power_kw: float,
    pue: float,
    usd_per_kwh: float,
    colocation_usd_per_kw_month: float,
) -> float:
    """Amortisation + energy + colocation per GPU-hour (the formula of the module docstring)."""
    capex = purchase_usd / (life_years * HOURS_PER_YEAR)
    energy = power_kw * pue * usd_per_kwh
    colocation = power_kw * colocation_usd_per_kw_month / HOURS_PER_MONTH
    return capex + energy + colocation


def load_owned_inputs(path: Path, known_gpus: Iterable[str]) -> tuple[OwnedInputs, ...]:
    """Read the owned-cost inputs; one-line errors name the file, the line and the field."""
    path = Path(path)
    where = str(path)
    known = frozenset(known_gpus)
    out: list[OwnedInputs] = []
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
                    row = OwnedInputs.model_validate(dict(raw))
                except ValidationError as err:
                    first = err.errors()[0]
                    fld = ".".join(str(p) for p in first["loc"]) or None
                    raise CatalogError(f"line {line}: {first['msg']}", path=where, field=fld) from None
                if row.gpu_id not in known:
                    raise CatalogError(f"line {line}: unknown GPU id {row.gpu_id!r}", path=where, field="gpu_id")
                if any(r.gpu_id == row.gpu_id for r in out):
                    raise CatalogError(f"line {line}: a second row for {row.gpu_id}", path=where, field="gpu_id")
                out.append(row)
    except FileNotFoundError:
        raise CatalogError("file not found", path=where) from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise CatalogError(f"not a readable UTF-8 CSV file ({type(err).__name__})", path=where) from None
    return tuple(out)


def owned_offer(inp: OwnedInputs) -> GpuOffer:
    """The ``owned`` row of one GPU, its source spelling out the formula and every input's source."""
    price = owned_usd_per_gpu_hour(
        purchase_usd=inp.purchase_usd,
        life_years=inp.life_years,
        power_kw=inp.power_kw,
        pue=inp.pue,
        usd_per_kwh=inp.usd_per_kwh,
        colocation_usd_per_kw_month=inp.colocation_usd_per_kw_month,
    )
    source = (
        f"purchase ${inp.purchase_usd:,.0f} / ({inp.life_years} y x 8760 h) + {inp.power_kw:g} kW x PUE {inp.pue:g}"
        f" x ${inp.usd_per_kwh:g}/kWh + {inp.power_kw:g} kW x ${inp.colocation_usd_per_kw_month:g}/kW-month / 730 h."
        f" Purchase: {inp.purchase_source}. Life: {inp.life_source}. Power: {inp.power_source}."
        f" PUE: {inp.pue_source}. Energy price: {inp.energy_price_source}. Colocation: {inp.colocation_source}."
        " Excludes host server, networking, storage, staff and cost of capital (data/gpu_owned_inputs.csv)"
    )
    return GpuOffer(
        gpu_id=inp.gpu_id,
        market="owned",
        usd_per_gpu_hour=round(price, 4),
        commitment_months=inp.life_years * 12,
        provider="self-owned in colocation",
        instance_type="GPU card",
        region="US",
        source=source,
        as_of=inp.as_of,
    )


def owned_offers(path: Path, known_gpus: Iterable[str]) -> list[GpuOffer]:
    """The ``owned`` rows of every GPU in the inputs file."""
    return [owned_offer(inp) for inp in load_owned_inputs(path, known_gpus)]
