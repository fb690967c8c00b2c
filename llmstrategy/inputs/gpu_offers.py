"""GPU offers by market (``data/gpu_offers.csv``): one price per (GPU, market) so that the fleet
picker compares GPUs priced in the same market, each row with its source and date.

Markets (``MARKETS``):

- ``hyperscaler_on_demand``: list on-demand prices of the large clouds (AWS, GCP, Azure, OCI);
- ``specialist_on_demand``: on-demand prices of GPU clouds (Lambda, Nebius, RunPod, CoreWeave, ...);
- ``commit_1y`` / ``commit_3y``: published 1- and 3-year commitment prices;
- ``owned``: a purchased GPU amortised over its life, plus power and colocation.

Prices are USD per GPU-hour (an 8-GPU instance's price divided by 8). ``commitment_months`` is 0
on demand, 12 or 36 for the commitments, and the amortisation life for ``owned``.

The importer of the SkyPilot catalog is :mod:`llmstrategy.inputs.skypilot_import`; the owned-cost
formula is :mod:`llmstrategy.inputs.gpu_owned`.
"""

from __future__ import annotations

import csv
import io
import math
import os
import stat
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from llmstrategy.errors import CatalogError
from llmstrategy.files import atomic_write_text, csv_formula_risk

Market = Literal["hyperscaler_on_demand", "specialist_on_demand", "commit_1y", "commit_3y", "owned"]
MARKETS: tuple[str, ...] = get_args(Market)
ON_DEMAND_MARKETS: tuple[str, ...] = ("hyperscaler_on_demand", "specialist_on_demand")
#: commitment_months each market requires (``owned`` takes the amortisation life: 12 to 120)
STATISTICS = ("provider_median", "pooled_median")
_COMMITMENT = {"hyperscaler_on_demand": 0, "specialist_on_demand": 0, "commit_1y": 12, "commit_3y": 36}


class GpuOffer(BaseModel):
    """One GPU's price in one market."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    gpu_id: str = Field(min_length=1)
    market: Market
    usd_per_gpu_hour: float = Field(gt=0, le=1000, allow_inf_nan=False)
    commitment_months: int = Field(ge=0, le=120)
    provider: str = Field(min_length=1)
    instance_type: str = ""
    region: str = ""
    source: str = Field(min_length=1)
    as_of: date

    @field_validator("*", mode="before")
    @classmethod
    def _blank(cls, v: object, info: ValidationInfo) -> object:
        """A blank cell is missing (an error for a required field); the optional texts stay ""."""
        if isinstance(v, str) and not v.strip():
            return "" if info.field_name in ("instance_type", "region") else None
        return v

    @field_validator("gpu_id", "provider", "instance_type", "region", "source")
    @classmethod
    def _no_formula(cls, v: str) -> str:
        if csv_formula_risk(v) or "\r" in v or "\n" in v:
            raise ValueError("text a spreadsheet would run as a formula, or a line break, is refused")
        return v

    @model_validator(mode="after")
    def _commitment_matches_market(self) -> GpuOffer:
        want = _COMMITMENT.get(self.market)
        if want is not None and self.commitment_months != want:
            raise ValueError(f"commitment_months must be {want} for market {self.market}")
        if self.market == "owned" and not 12 <= self.commitment_months <= 120:
            raise ValueError("commitment_months (the amortisation life) must be 12 to 120 for owned")
        return self


COLUMNS: tuple[str, ...] = tuple(GpuOffer.model_fields)


def read_gpu_ids(gpus_csv: Path) -> frozenset[str]:
    """The ``id`` column of ``gpus.csv`` (the GPUs an offer may name)."""
    gpus_csv = Path(gpus_csv)
    try:
        with gpus_csv.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if "id" not in (reader.fieldnames or []):
                raise CatalogError("no 'id' column", path=str(gpus_csv))
            ids = frozenset((row.get("id") or "").strip() for row in reader)
    except FileNotFoundError:
        raise CatalogError("file not found", path=str(gpus_csv)) from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise CatalogError(f"not a readable UTF-8 CSV file ({type(err).__name__})", path=str(gpus_csv)) from None
    return ids - {""}


def _validate_row(raw: dict[str, object], where: str, line: int, known: frozenset[str]) -> GpuOffer:
    try:
        offer = GpuOffer.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        fld = ".".join(str(p) for p in first["loc"]) or None
        msg = first["msg"]
        if fld == "market":
            msg = f"unknown market {raw.get('market')!r} (expected one of {', '.join(MARKETS)})"
        raise CatalogError(f"line {line}: {msg}", path=where, field=fld) from None
    if offer.gpu_id not in known:
        raise CatalogError(
            f"line {line}: unknown GPU id {offer.gpu_id!r} (not in gpus.csv)", path=where, field="gpu_id"
        )
    return offer


def check_offers(offers: Iterable[GpuOffer], known: Iterable[str], *, where: str = "GPU offers") -> list[GpuOffer]:
    """Offers as a list, each re-validated; an unknown GPU or a second row for a (GPU, market)
    is a :class:`CatalogError` naming the row."""
    known_ids = frozenset(known)
    out: list[GpuOffer] = []
    seen: set[tuple[str, str]] = set()
    for i, offer in enumerate(offers, start=1):
        row = _validate_row(offer.model_dump(), where, i, known_ids)
        key = (row.gpu_id, row.market)
        if key in seen:
            raise CatalogError(f"row {i}: a second offer for {key[0]} in {key[1]}", path=where, field="market")
        seen.add(key)
        out.append(row)
    return out


def load_offers(path: Path, known_gpus: Iterable[str]) -> tuple[GpuOffer, ...]:
    """Read and validate the offers; one-line errors name the file, the line and the field."""
    path = Path(path)
    where = str(path)
    known = frozenset(known_gpus)
    out: list[GpuOffer] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise CatalogError(f"expected the columns {','.join(COLUMNS)}", path=where)
            for raw in reader:
                line = reader.line_num
                if None in raw or None in raw.values():
                    raise CatalogError(f"line {line}: the row has not {len(COLUMNS)} cells", path=where)
                offer = _validate_row(dict(raw), where, line, known)
                key = (offer.gpu_id, offer.market)
                if key in seen:
                    raise CatalogError(
                        f"line {line}: a second offer for {key[0]} in {key[1]} (first on line {seen[key]})",
                        path=where,
                        field="market",
                    )
                seen[key] = line
                out.append(offer)
    except FileNotFoundError:
        raise CatalogError("file not found", path=where) from None
    except UnicodeDecodeError:
        raise CatalogError("not a UTF-8 CSV file", path=where) from None
    except csv.Error as err:
        raise CatalogError(f"invalid CSV: {err}", path=where) from None
    return tuple(out)


def _cell(v: object) -> str:
    if isinstance(v, float):
        if not math.isfinite(v):  # pragma: no cover - refused by the model
            raise ValueError(v)
        return repr(round(v, 6))
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def sort_key(offer: GpuOffer) -> tuple[str, int]:
    return (offer.gpu_id, MARKETS.index(offer.market))


def offers_csv(offers: Sequence[GpuOffer]) -> str:
    """Offers as CSV text: the canonical columns, sorted by GPU then market order."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for o in sorted(offers, key=sort_key):
        w.writerow([_cell(getattr(o, c)) for c in COLUMNS])
    return buf.getvalue()


def write_offers(path: Path, rows: Iterable[GpuOffer], *, known_gpus: Iterable[str] | None = None) -> bool:
    """Write the offers as CSV atomically (a temporary file, then a rename): any error, in the
    rows or while writing, leaves ``path`` as it was. ``known_gpus``, when given, refuses an
    unknown GPU id. Returns False (and writes nothing) when the file already holds these bytes."""
    path = Path(path)
    rows = list(rows)
    known = frozenset(known_gpus) if known_gpus is not None else frozenset(r.gpu_id for r in rows)
    data = offers_csv(check_offers(rows, known, where=str(path)))
    mode = None
    try:
        st = os.stat(path)
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISREG(st.st_mode) and path.read_bytes() == data.encode("utf-8"):
            return False
    except FileNotFoundError:
        pass
    except OSError as err:
        raise CatalogError(f"cannot read the current file: {err.strerror}", path=str(path)) from None
    try:
        atomic_write_text(path, data, mode=mode)
    except OSError as err:
        raise CatalogError(f"cannot write: {err.strerror or err}", path=str(path)) from None
    return True


def merge_offers(
    existing: Iterable[GpuOffer], new: Iterable[GpuOffer], *, replace_markets: Iterable[str]
) -> list[GpuOffer]:
    """``existing`` without its rows in ``replace_markets``, plus ``new``: a refresh of some
    markets keeps the hand-maintained rows of the others."""
    replace = set(replace_markets)
    unknown = replace - set(MARKETS)
    if unknown:
        raise CatalogError(f"unknown market(s) {', '.join(sorted(unknown))}")
    new = list(new)
    stray = {o.market for o in new} - replace
    if stray:
        raise CatalogError(f"new rows in market(s) not being replaced: {', '.join(sorted(stray))}")
    return sorted([o for o in existing if o.market not in replace] + new, key=sort_key)


@dataclass(frozen=True)
class Quote:
    """One instance type's on-demand price per GPU-hour in one region of one cloud."""

    gpu_id: str
    market: str
    provider: str
    region: str
    instance_type: str
    usd_per_gpu_hour: float


def _median(values: Iterable[float]) -> float:
    return float(statistics.median(values))


def aggregate(quotes: Iterable[Quote], *, as_of: date, source: str, statistic: str) -> list[GpuOffer]:
    """One offer per (GPU, market): the cheapest quote per cloud and region, the median over each
    cloud's regions, then the median over the clouds (or over every cloud and region pooled)."""
    if statistic not in STATISTICS:
        raise CatalogError(f"unknown statistic {statistic!r} (expected one of {', '.join(STATISTICS)})")
    best: dict[tuple[str, str, str, str], Quote] = {}
    for q in quotes:
        key = (q.gpu_id, q.market, q.provider, q.region)
        cur = best.get(key)
        if cur is None or (q.usd_per_gpu_hour, q.instance_type) < (cur.usd_per_gpu_hour, cur.instance_type):
            best[key] = q
    groups: dict[tuple[str, str], dict[str, list[Quote]]] = defaultdict(lambda: defaultdict(list))
    for q in best.values():
        groups[(q.gpu_id, q.market)][q.provider].append(q)
    out = []
    for (gpu, market), by_provider in groups.items():
        per_provider = {p: _median(q.usd_per_gpu_hour for q in qs) for p, qs in sorted(by_provider.items())}
        if statistic == "provider_median":
            value = _median(per_provider.values())
        else:
            value = _median(q.usd_per_gpu_hour for qs in by_provider.values() for q in qs)
        medians = ", ".join(f"{p} {v:.4f}" for p, v in per_provider.items())
        how = (
            "median over clouds of each cloud's median over its regions"
            if statistic == "provider_median"
            else "median over every cloud and region pooled"
        )
        out.append(
            GpuOffer(
                gpu_id=gpu,
                market=market,
                usd_per_gpu_hour=round(value, 4),
                commitment_months=0,
                provider=";".join(per_provider),
                instance_type=" ".join(sorted({q.instance_type for qs in by_provider.values() for q in qs})),
                region="; ".join(f"{p} {len(qs)} regions" for p, qs in sorted(by_provider.items())),
                source=(
                    f"{source}. Statistic: {how} of the cheapest on-demand USD per GPU-hour"
                    f" (instance price / GPU count); per-cloud medians: {medians}"
                ),
                as_of=as_of,
            )
        )
    return sorted(out, key=sort_key)
