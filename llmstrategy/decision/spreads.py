"""The spreads of the Monte Carlo's inputs (``data/uncertainty.yaml``): one distribution per
input, validated, with the domain a bounded input must stay in.

Glossary (units in brackets): ``x`` is the volume in requests/month before cache and retries
(month m of sample i carries ``x₀ · volume_i · (1 + growth_i)^m``); multipliers are relative
to the deterministic analysis (1 = the profile's and the catalog's values).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llmstrategy.errors import CatalogError

FloatArray = NDArray[np.float64]
UNCERTAINTY_FILE = "uncertainty.yaml"
#: Inputs in draw order (row k of the standard-normal draw feeds input k) and their family.
INPUT_FAMILIES: dict[str, Literal["lognormal", "normal"]] = {
    "volume": "lognormal",
    "monthly_growth": "normal",
    "tokens_per_request": "lognormal",
    "api_price": "lognormal",
    "gpu_price": "lognormal",
    "gpu_utilization": "normal",
    "retry_rate": "normal",
    "cache_hit_rate": "normal",
    "engineer_cost": "lognormal",
    "sizing_speed": "lognormal",  # last: the earlier inputs keep their draws for a seed
}
#: Where a bounded input may live at all: [low, high] (a file's min/max must stay inside).
DOMAINS = {
    "monthly_growth": (-0.99, 10.0),
    "gpu_utilization": (0.01, 1.0),
    "retry_rate": (0.0, 0.99),
    "cache_hit_rate": (0.0, 0.99),
}


# --- the distributions (data/uncertainty.yaml) -------------------------------------------


@dataclass(frozen=True)
class Spread:
    """One uncertain input. ``lognormal``: value = base × median × exp(sigma·Z), ``sigma`` the
    standard deviation of ln(multiplier); ``normal``: value = clip(base + sigma·Z, lower, upper)
    with the bounds widened to hold the base, ``sigma`` in the input's unit."""

    name: str
    distribution: Literal["lognormal", "normal"]
    sigma: float
    median: float = 1.0
    lower: float = -math.inf
    upper: float = math.inf
    unit: str = ""
    source: str = ""
    as_of: str = ""

    def draw(self, base: float, z: FloatArray) -> FloatArray:
        if self.distribution == "lognormal":
            return base * self.median * np.exp(self.sigma * z)
        return np.clip(base + self.sigma * z, min(self.lower, base), max(self.upper, base))


@dataclass(frozen=True)
class UncertaintySpec:
    """Every uncertain input's :class:`Spread`, keyed as :data:`INPUT_FAMILIES`."""

    spreads: Mapping[str, Spread]
    path: str = ""

    def scaled(self, factor: float) -> UncertaintySpec:
        """Every spread × ``factor``; ``scaled(0)`` is the deterministic analysis (medians 1)."""
        return UncertaintySpec(
            {
                k: replace(s, sigma=s.sigma * factor, median=s.median if factor else 1.0)
                for k, s in self.spreads.items()
            },
            self.path,
        )

    def with_spread(self, name: str, **changes: Any) -> UncertaintySpec:
        return UncertaintySpec({**self.spreads, name: replace(self.spreads[name], **changes)}, self.path)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    distribution: Literal["lognormal", "normal"]
    median: float | None = Field(None, gt=0)
    sigma: float | None = Field(None, ge=0, le=5)
    sd: float | None = Field(None, ge=0)
    min: float | None = None
    max: float | None = None
    unit: str = Field(min_length=1)
    source: str = Field(min_length=1)
    as_of: date


def _spread(name: str, raw: Any, path: str) -> Spread:
    try:
        e = _Entry.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join([name, *(str(p) for p in first["loc"])])
        raise CatalogError(f"{first['msg']} (got {first.get('input')!r:.60})", path=path, field=loc) from None
    fam = INPUT_FAMILIES[name]
    if e.distribution != fam:
        raise CatalogError(f"expected distribution '{fam}'", path=path, field=f"{name}.distribution")
    need = ("median", "sigma") if fam == "lognormal" else ("sd", "min", "max")
    banned = ("sd", "min", "max") if fam == "lognormal" else ("median", "sigma")
    for f in need:
        if getattr(e, f) is None:
            raise CatalogError(f"'{f}' is required for a {fam} input", path=path, field=f"{name}.{f}")
    for f in banned:
        if getattr(e, f) is not None:
            raise CatalogError(f"'{f}' does not apply to a {fam} input", path=path, field=f"{name}.{f}")
    unit, source, as_of = e.unit, e.source, e.as_of.isoformat()
    if fam == "lognormal":
        return Spread(
            name, fam, float(e.sigma or 0.0), median=float(e.median or 1.0), unit=unit, source=source, as_of=as_of
        )
    lo, hi = float(e.min or 0.0), float(e.max or 0.0)
    d_lo, d_hi = DOMAINS[name]
    if not d_lo <= lo <= hi <= d_hi:
        raise CatalogError(f"expected {d_lo} ≤ min ≤ max ≤ {d_hi} (got {lo}, {hi})", path=path, field=f"{name}.min")
    return Spread(name, fam, float(e.sd or 0.0), lower=lo, upper=hi, unit=unit, source=source, as_of=as_of)


def load_uncertainty(data_dir: str | Path) -> UncertaintySpec:
    """Read ``<data_dir>/uncertainty.yaml``; a bad file is a one-line :class:`CatalogError`."""
    path = Path(data_dir) / UNCERTAINTY_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise CatalogError("uncertainty file not found", path=str(path)) from None
    return _load_cached(str(path), mtime)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> UncertaintySpec:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise CatalogError(f"invalid YAML: {getattr(err, 'problem', None) or err}", path=path) from None
    if not isinstance(data, dict):
        raise CatalogError("expected a mapping of uncertain inputs", path=path)
    unknown = [str(k) for k in data if k not in INPUT_FAMILIES]
    if unknown:
        raise CatalogError(f"unknown input; expected one of: {', '.join(INPUT_FAMILIES)}", path=path, field=unknown[0])
    missing = [k for k in INPUT_FAMILIES if k not in data]
    if missing:
        raise CatalogError("required input is missing", path=path, field=missing[0])
    return UncertaintySpec({k: _spread(k, data[k], path) for k in INPUT_FAMILIES}, path)
