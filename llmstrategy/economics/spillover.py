"""Spill-over above a reservation, as a load-duration problem (pure arithmetic).

The load over the hours of a month follows a measured shape ``l_h`` (mean 1), rescaled so that its
busiest hour is the profile's ``peak_to_average`` P: ``l_h^k / mean(l^k)`` with the exponent k ≥ 0
that gives max = P (k = 0 is flat; a larger k sharpens the peaks; the order of the hours is kept).
A reservation of a share c of the peak serves min(load, c·P) each hour; the rest spills to
pay-as-you-go, so

* spilled share of the tokens s(c) = mean(max(0, l_h − c·P)) / mean(l_h);
* monthly cost = reserved units × USD per unit-hour × 730 + s(c) × the pay-as-you-go bill of all tokens.

One more unit of reservation costs its hourly price every hour, and saves the pay-as-you-go price
of a unit's throughput in each hour the load exceeds the reservation. The best level (newsvendor)
is therefore the load exceeded in a share of hours f* = USD per unit-hour / (pay-as-you-go USD of
one unit's tokens per hour): with the hours sorted by load, busiest first, the ⌊f*·N⌋+1-th (none
when f* ≥ 1). Because the shape scales with volume, c* depends only on the shape and that ratio, so
the spilled share s(c*) holds at every volume and the spill is linear in volume. The vendor's whole
units (minimum, steps) reserve at least c* of the peak: s(c*) is then an upper bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def peak_ratio(load: FloatArray, exponent: float) -> float:
    """max / mean of ``load^exponent`` (computed as 1 / mean((l / max)^k), which cannot overflow)."""
    rel = np.asarray(load, dtype=float) / float(np.max(load))
    return 1.0 / float(np.mean(rel**exponent))


def rescaled_load(shape: Sequence[float], peak_to_average: float) -> FloatArray | None:
    """The hourly ``shape`` [> 0] as a load of mean 1 whose busiest hour is ``peak_to_average``
    [≥ 1] (``shape^k / mean(shape^k)``, k by bisection to 1e-9); None when no exponent reaches it
    (the shape's hours cannot hold so sharp a peak: at most N hours / the hours tied at the top)."""
    load = np.asarray(shape, dtype=float)
    if load.size == 0 or np.any(load <= 0) or not math.isfinite(peak_to_average) or peak_to_average < 1:
        raise ValueError("a load shape needs positive hours and a peak-to-average of at least 1")
    if peak_to_average <= 1.0 + 1e-12 or float(np.ptp(load)) == 0.0:
        return np.ones_like(load) if peak_to_average <= 1.0 + 1e-12 else None
    lo, hi = 0.0, 1.0
    while peak_ratio(load, hi) < peak_to_average:
        lo, hi = hi, hi * 2.0
        if hi > 4096.0:
            return None
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if peak_ratio(load, mid) < peak_to_average:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    k = 0.5 * (lo + hi)
    out = load**k
    return out / float(np.mean(out))


def spilled_share(load: FloatArray, reserved_share_of_peak: float) -> float:
    """Share of the tokens above a reservation of ``reserved_share_of_peak`` × the busiest hour:
    mean(max(0, l − c·max l)) / mean(l) [0–1]; 0 when the reservation covers the peak."""
    load = np.asarray(load, dtype=float)
    cap = max(reserved_share_of_peak, 0.0) * float(np.max(load))
    return float(np.mean(np.maximum(load - cap, 0.0)) / np.mean(load))


def newsvendor_share(load: FloatArray, exceed_share: float) -> float:
    """The best reservation as a share of the peak: the load exceeded in ``exceed_share`` of the
    hours (the ⌊f·N⌋+1-th busiest hour over the busiest), 0 when ``exceed_share`` ≥ 1 (paying for
    a unit costs more than its tokens pay-as-you-go even when it is busy every hour)."""
    load = np.sort(np.asarray(load, dtype=float))[::-1]
    if exceed_share >= 1.0:
        return 0.0
    j = math.floor(max(exceed_share, 0.0) * load.size)
    return float(load[j] / load[0])


@dataclass(frozen=True)
class SpillPlan:
    """A reservation below the peak and what spills above it."""

    exceed_share: float  # unit price / pay-as-you-go price of a unit's tokens, per hour
    reserved_share_of_peak: float  # the newsvendor level c*
    spilled_share: float  # share of the tokens above c* × the peak, to pay-as-you-go


def spill_plan(
    load: FloatArray, *, usd_per_unit_hour: float, tokens_per_unit_hour: float, paygo_usd_per_token: float
) -> SpillPlan:
    """The newsvendor reservation c* of one offer and the share of tokens above it. It depends only
    on the shape and the price ratio, not on the volume, so the reservation is the peak's units × c*
    (rounded up to the vendor's minimum and steps) at every volume and the spill is linear in volume.
    Whole units reserve at least c* of the peak, so the spilled share is an upper bound."""
    paygo_per_unit_hour = tokens_per_unit_hour * paygo_usd_per_token
    f = usd_per_unit_hour / paygo_per_unit_hour if paygo_per_unit_hour > 0 else math.inf
    c_star = newsvendor_share(load, f)
    return SpillPlan(f, c_star, spilled_share(load, c_star))
