"""Numbers for people in prose (``llmstrategy.fmt``): large counts short, months against the
horizon in words, compact dollar ticks."""

from __future__ import annotations

import math

import pytest

from llmstrategy.fmt import fmt_month, fmt_usd_short, humanize_numbers


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("182,748,004,550 tokens/month", "183B tokens/month"),
        ("above 216,628,830,432 tokens/month", "above 217B tokens/month"),
        ("$1,234,567 up front", "$1.23M up front"),
        ("1234567 requests", "1.23M requests"),
        ("2,000 requests/day", "2,000 requests/day"),  # below a million: unchanged
        ("$15,430 once", "$15,430 once"),
        ("ratio 0.1234567", "ratio 0.1234567"),  # decimals are not counts
        ("year 2026, month 177", "year 2026, month 177"),
        ("182,748,004,550.25 tokens", "183B tokens"),
        ("", ""),
    ],
)
def test_humanize_numbers(text: str, want: str) -> None:
    assert humanize_numbers(text) == want


@pytest.mark.parametrize(
    ("month", "horizon", "want"),
    [
        (None, 24, "not reached"),
        (float("nan"), 24, "not reached"),
        (0, 24, "already reached"),
        (-3, 24, "already reached"),
        (1, 24, "month 1"),
        (23, 24, "month 23"),
        (24, 24, "beyond the 24-month horizon (month 24)"),
        (177, 24, "beyond the 24-month horizon (month 177)"),
        (1207, 12, "beyond the 12-month horizon (month 1,207)"),
        (2.2, 24, "month 3"),
    ],
)
def test_fmt_month(month: float | None, horizon: int, want: str) -> None:
    assert fmt_month(month, horizon) == want


@pytest.mark.parametrize(
    ("x", "want"),
    [
        (0.01, "$0.01"),
        (0.1, "$0.10"),
        (1, "$1"),
        (5.5, "$5.50"),
        (10, "$10"),
        (950, "$950"),
        (1000, "$1K"),
        (1600, "$1.6K"),
        (25_000, "$25K"),
        (3e6, "$3M"),
        (-2500, "-$2.5K"),
        (None, "—"),
        (math.inf, "—"),
    ],
)
def test_fmt_usd_short(x: float | None, want: str) -> None:
    assert fmt_usd_short(x) == want
