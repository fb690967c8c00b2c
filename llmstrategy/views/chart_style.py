"""How the charts point at the recommendation: one colour reserved for it (nothing else is
drawn in that colour) and a thicker line or an outlined bar, a distinct colour and dash per
other strategy (stable across charts), clean logarithmic axes (one labelled tick per decade,
written the short way: ``$1K``, ``10M``) and the one-line takeaway printed above each chart.

Pure presentation; numbers come from the engine.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from typing import Any

from llmstrategy.fmt import fmt_count, fmt_usd_short
from llmstrategy.views.names import strategy_name

#: The recommendation's colour, used for nothing else.
HIGHLIGHT = "#e8590c"
HIGHLIGHT_LIGHT = "#f8b48a"
#: Everything that is not the recommendation but still needs a colour (grey-blue).
MUTED = "#8fa6bf"
MUTED_LIGHT = "#c9d5e2"

#: One distinct colour per strategy (no orange: that is the recommendation's).
STRATEGY_COLORS: dict[str, str] = {
    "api": "#1f77b4",
    "api+rag": "#17becf",
    "api+fine_tune": "#393b79",
    "api+rag+fine_tune": "#6b6ecf",
    "self_host": "#2ca02c",
    "self_host+rag": "#8c564b",
    "self_host+fine_tune": "#637939",
    "self_host+rag+fine_tune": "#bcbd22",
    "hybrid": "#9467bd",
    "hybrid+rag": "#e377c2",
    "hybrid+fine_tune": "#7f7f7f",
    "hybrid+rag+fine_tune": "#843c39",
    "private_cloud": "#d62728",
    "private_cloud+rag": "#ff9896",
    "private_cloud+fine_tune": "#7b4173",
    "private_cloud+rag+fine_tune": "#ce6dbd",
    "routed": "#0b6e99",
    "routed+rag": "#5ab4ac",
    "routed+fine_tune": "#4d4d7a",
    "routed+rag+fine_tune": "#8da0cb",
}

#: One dash per deployment, so lines differ without colour too (print, colour blindness).
DASHES = {"api": "solid", "self_host": "dash", "hybrid": "dot", "private_cloud": "dashdot", "routed": "longdash"}


def color(sid: str, recommended: str | None) -> str:
    return HIGHLIGHT if sid == recommended else STRATEGY_COLORS.get(sid, MUTED)


def line(sid: str, recommended: str | None) -> dict[str, Any]:
    """A strategy's line: the recommendation solid, thick and orange; others thinner, each
    with its own colour and its deployment's dash."""
    if sid == recommended:
        return {"color": HIGHLIGHT, "width": 4.5, "dash": "solid"}
    return {"color": color(sid, recommended), "width": 1.8, "dash": DASHES.get(sid.split("+")[0], "solid")}


def legend_name(sid: str, recommended: str | None) -> str:
    """The short name of a strategy, marked when it is the recommendation (escaped)."""
    name = html.escape(strategy_name(sid, short=True))
    return f"<b>{name} (recommended)</b>" if sid == recommended else name


def axis_name(sid: str, recommended: str | None) -> str:
    """A category label on a bar chart's axis: the recommendation in bold with a star."""
    name = html.escape(strategy_name(sid, short=True))
    return f"<b>★ {name}</b>" if sid == recommended else name


def log_ticks(lo: float, hi: float, fmt: Callable[[float], str]) -> dict[str, Any]:
    """Axis settings for a log axis from ``lo`` to ``hi``: one tick per decade (every other
    decade beyond eight), labelled with ``fmt``, and no minor-tick digits."""
    if not (lo > 0 and hi > 0 and math.isfinite(lo) and math.isfinite(hi)):
        return {"type": "log"}
    a, b = math.floor(math.log10(min(lo, hi))), math.ceil(math.log10(max(lo, hi)))
    step = 1 if b - a <= 8 else 2
    vals = [10.0**k for k in range(a, b + 1, step)]
    return {"type": "log", "tickvals": vals, "ticktext": [fmt(v) for v in vals], "minor": {"showgrid": False}}


def usd_ticks(values: Sequence[float]) -> dict[str, Any]:
    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    return log_ticks(min(finite), max(finite), fmt_usd_short) if finite else {"type": "log"}


def count_ticks(values: Sequence[float]) -> dict[str, Any]:
    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    return log_ticks(min(finite), max(finite), fmt_count) if finite else {"type": "log"}


def takeaway_html(text: str) -> str:
    """The one line above a chart that says what to see in it (``text`` is HTML)."""
    return f'<p class="lls-takeaway">{text}</p>' if text else ""
