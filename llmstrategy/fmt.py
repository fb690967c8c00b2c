"""Formatting for people: the only place where numbers get rounded or a ``$`` sign.

Every function takes a raw number (``None`` or NaN allowed) and returns text.
"""

from __future__ import annotations

import math
import re


def _bad(x: float | None) -> bool:
    return x is None or not math.isfinite(float(x))


def fmt_usd(x: float | None, *, cents: bool | None = None) -> str:
    """``$1,234`` (cents below $100 unless ``cents`` says otherwise); ``—`` for missing."""
    if _bad(x):
        return "—"
    assert x is not None
    show_cents = abs(x) < 100 if cents is None else cents
    sign = "-" if x < 0 else ""
    return f"{sign}${abs(x):,.2f}" if show_cents else f"{sign}${abs(x):,.0f}"


def fmt_count(x: float | None, unit: str = "") -> str:
    """Large counts with SI-style suffixes: ``1.5M``, ``2.3B``, ``980``."""
    if _bad(x):
        return "—"
    assert x is not None
    a = abs(x)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= div:
            s = f"{x / div:.3g}{suffix}"
            break
    else:
        s = f"{x:.3g}" if a < 1000 and not float(x).is_integer() else f"{x:,.0f}"
    return f"{s} {unit}".strip()


def fmt_percent(x: float | None, digits: int = 0) -> str:
    """A fraction as a percentage: ``0.153`` → ``15%``."""
    if _bad(x):
        return "—"
    assert x is not None
    return f"{x * 100:.{digits}f}%"


def fmt_nines(share: float) -> str:
    """A share near 1 as a percentage with the digits that tell the nines apart (0.99999 →
    "99.999 %", 0.995 → "99.5 %")."""
    gap = 1.0 - share
    decimals = max(1, math.ceil(round(-math.log10(gap), 6)) - 2) if 0 < gap < 1 else 1
    return f"{share * 100:.{decimals}f} %"


def fmt_tokens(x: float | None) -> str:
    return fmt_count(x, "tokens")


def terminal_safe(text: str) -> str:
    """``text`` with every control or other unprintable character (an escape sequence, a
    carriage return, a bidirectional override, a lone surrogate) shown as its Python escape,
    ``\\x1b`` for ESC; newlines are kept, so a multi-line text stays multi-line."""
    return "\n".join(
        line if line.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)
        for line in text.split("\n")
    )


def fmt_usd_short(x: float | None) -> str:
    """A compact dollar amount for chart ticks and tight spaces: ``$0.01``, ``$10``, ``$950``,
    ``$1.6K``, ``$25K``, ``$3M``; ``—`` for missing."""
    if _bad(x):
        return "—"
    assert x is not None
    if abs(x) < 1000:
        return fmt_usd(x, cents=abs(x) < 10 and not float(x).is_integer())
    sign = "-" if x < 0 else ""
    return sign + "$" + fmt_count(abs(x)).replace(",", "")


def fmt_month(month: float | None, horizon_months: int) -> str:
    """When growth reaches a volume, in words: ``already reached`` (month 0 or before),
    ``month 7``, ``beyond the 24-month horizon (month 177)``, ``not reached`` (None)."""
    if _bad(month):
        return "not reached"
    assert month is not None
    m = math.ceil(month)
    if m <= 0:
        return "already reached"
    if m >= horizon_months:
        return f"beyond the {horizon_months}-month horizon (month {m:,})"
    return f"month {m}"


_BIG_NUMBER = re.compile(r"(\$?)(?<![\d.,])(\d{1,3}(?:,\d{3}){2,}|\d{7,})(?:\.\d+)?(?![\d,]*\d)")


def humanize_numbers(text: str) -> str:
    """``text`` with every number of a million or more written the short way:
    ``182,748,004,550 tokens/month`` → ``183B tokens/month``, ``$1,234,567`` → ``$1.23M``.
    Smaller numbers, decimals and years stay as they are."""

    def short(m: re.Match[str]) -> str:
        value = float(m.group(0).lstrip("$").replace(",", ""))
        return m.group(1) + fmt_count(value)

    return _BIG_NUMBER.sub(short, text)
