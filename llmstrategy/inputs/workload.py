"""From a profile to the workload it implies: requests, tokens, peak rate.

Conventions: a month is 365/12 days (:data:`DAYS_PER_MONTH`); "tokens" means input +
output unless stated. Functions take scalars or numpy arrays alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmstrategy.inputs.profile import Profile

DAYS_PER_MONTH = 365.0 / 12.0
SECONDS_PER_DAY = 86_400.0
HOURS_PER_MONTH = DAYS_PER_MONTH * 24.0


@dataclass(frozen=True)
class Workload:
    """The monthly volume and shape of one use case (before cache and retries)."""

    requests_per_month: float
    input_tokens_per_request: int
    output_tokens_per_request: int
    input_tokens_per_month: float
    output_tokens_per_month: float
    tokens_per_month: float
    average_requests_per_second: float
    peak_requests_per_second: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def workload(profile: Profile) -> Workload:
    """Derive the workload: ``requests_per_month = requests_per_day × 365/12``;
    token totals = requests × tokens per request; peak RPS = average RPS × peak_to_average."""
    rpm = profile.requests_per_day * DAYS_PER_MONTH
    inp = rpm * profile.input_tokens_per_request
    out = rpm * profile.output_tokens_per_request
    avg_rps = profile.requests_per_day / SECONDS_PER_DAY
    return Workload(
        requests_per_month=rpm,
        input_tokens_per_request=profile.input_tokens_per_request,
        output_tokens_per_request=profile.output_tokens_per_request,
        input_tokens_per_month=inp,
        output_tokens_per_month=out,
        tokens_per_month=inp + out,
        average_requests_per_second=avg_rps,
        peak_requests_per_second=avg_rps * profile.peak_to_average,
    )


def tokens_per_request(profile: Profile) -> int:
    """Input + output tokens of one request [tokens]."""
    return profile.input_tokens_per_request + profile.output_tokens_per_request


def requests_for_tokens(profile: Profile, tokens_per_month: ArrayLike) -> NDArray[np.float64]:
    """Monthly requests that make ``tokens_per_month`` (input + output) at this profile's
    request shape: ``tokens_per_month / (input + output tokens per request)``."""
    return np.asarray(tokens_per_month, dtype=float) / float(tokens_per_request(profile))


def monthly_volumes(requests_per_month: float, monthly_growth: float, horizon_months: int) -> NDArray[np.float64]:
    """Requests in each month of the horizon: ``v₀ × (1 + g)^m`` for m = 0 … horizon − 1."""
    months = np.arange(horizon_months, dtype=float)
    return requests_per_month * np.power(1.0 + monthly_growth, months)
