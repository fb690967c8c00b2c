"""Plotly figures from computed results. Presentation only: no cost logic here.

Every text that comes from a profile is HTML-escaped before it reaches a title or a
hover label (plotly renders a subset of HTML in both).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: One colour per deployment, lighter shades for adaptations (stable across charts).
PALETTE = {
    "api": "#1f77b4",
    "api+rag": "#6baed6",
    "api+fine_tune": "#08519c",
    "api+rag+fine_tune": "#9ecae1",
    "self_host": "#d62728",
    "self_host+rag": "#fb6a4a",
    "self_host+fine_tune": "#a50f15",
    "self_host+rag+fine_tune": "#fcae91",
    "hybrid": "#2ca02c",
    "hybrid+rag": "#74c476",
    "hybrid+fine_tune": "#006d2c",
    "hybrid+rag+fine_tune": "#a1d99b",
}


def esc(text: Any) -> str:
    """HTML-escape any text shown in a figure."""
    return html.escape(str(text), quote=True)


def _layout(fig: Any, title: str, *, height: int = 440) -> Any:
    fig.update_layout(
        title={"text": esc(title), "x": 0.01},
        template="plotly_white",
        height=height,
        margin={"l": 70, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "v", "x": 1.01, "y": 1},
        hovermode="x unified",
    )
    return fig


def _log_x_label(fig: Any, x: float, text: str, *, xanchor: str) -> None:
    """A label at the top of the plot beside a vertical line at data value ``x`` of a log x axis."""
    fig.add_annotation(
        x=float(np.log10(x)),
        xref="x",
        y=1,
        yref="y domain",
        text=text,
        showarrow=False,
        xanchor=xanchor,
        yanchor="top",
    )


def cost_curve_figure(
    volumes_tokens_per_month: NDArray[np.float64],
    curves_usd: Mapping[str, NDArray[np.float64]],
    *,
    title: str,
    profile_tokens_per_month: float | None = None,
    break_evens: Sequence[tuple[str, float]] = (),
) -> Any:
    """Monthly cost vs monthly token volume, both axes logarithmic; a dashed line at the
    profile's own volume; labeled markers at break-even volumes."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for sid, usd in curves_usd.items():
        y = np.where(np.isfinite(usd), usd, np.nan)
        if not np.isfinite(y).any():
            continue
        fig.add_trace(
            go.Scatter(
                x=volumes_tokens_per_month,
                y=y,
                mode="lines",
                name=esc(sid),
                line={"color": PALETTE.get(sid), "width": 2},
                hovertemplate="%{y:$,.0f}/month<extra>" + esc(sid) + "</extra>",
            )
        )
    # On a log axis plotly.js places annotations at log10(x) but shapes at x, so
    # add_vline's own annotation_text would land far off the plot: annotate separately.
    if profile_tokens_per_month is not None and profile_tokens_per_month > 0:
        fig.add_vline(x=profile_tokens_per_month, line_dash="dash", line_color="#555")
        _log_x_label(fig, profile_tokens_per_month, "this workload", xanchor="right")
    for label, x in break_evens:
        if x > 0:
            fig.add_vline(x=x, line_dash="dot", line_color="#999")
            _log_x_label(fig, x, esc(label), xanchor="left")
    fig.update_xaxes(type="log", title="monthly tokens (input + output)")
    fig.update_yaxes(type="log", title="monthly cost (USD)", tickprefix="$")
    return _layout(fig, title)


def horizon_figure(months: NDArray[np.float64], monthly_usd: Mapping[str, NDArray[np.float64]], *, title: str) -> Any:
    """Monthly cost over the horizon per strategy (growth applied), one line each."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for sid, usd in monthly_usd.items():
        if not np.isfinite(usd).any():
            continue
        fig.add_trace(
            go.Scatter(
                x=months,
                y=usd,
                mode="lines+markers",
                name=esc(sid),
                line={"color": PALETTE.get(sid)},
                hovertemplate="month %{x}: %{y:$,.0f}<extra>" + esc(sid) + "</extra>",
            )
        )
    span = float(months[-1]) if len(months) else 1.0
    fig.update_xaxes(title="month", dtick=1 if len(months) <= 24 else None, range=[-0.5, span + 0.5])
    fig.update_yaxes(title="monthly cost (USD)", tickprefix="$", rangemode="tozero")
    return _layout(fig, title, height=380)


def model_cost_quality_figure(rows: Sequence[Mapping[str, Any]], *, title: str) -> Any:
    """Quality score vs cost per 1,000 requests for each API model (log cost axis)."""
    import plotly.graph_objects as go

    ok = [r for r in rows if r.get("quality_score") is not None]
    fig = go.Figure(
        go.Scatter(
            x=[r["per_1k_requests_usd"] for r in ok],
            y=[r["quality_score"] for r in ok],
            mode="markers+text",
            text=[esc(r["model"]) for r in ok],
            textposition="top center",
            marker={
                "size": 10,
                "color": ["#2ca02c" if r["meets_need"] else "#bbbbbb" for r in ok],
                "line": {"width": 1, "color": "#333"},
            },
            hovertemplate="%{text}<br>%{x:$,.3f} per 1k requests<br>quality %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(type="log", title="cost per 1,000 requests (USD)", tickprefix="$")
    fig.update_yaxes(title="quality (MMLU-Pro %)")
    fig = _layout(fig, title, height=460)
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def model_scatter_figure(
    models: Sequence[str],
    per_1k_requests_usd: Sequence[float],
    quality: Sequence[float],
    *,
    pareto: Sequence[bool],
    meets_quality: Sequence[bool],
    title: str,
    quality_needed: float | None = None,
) -> Any:
    """Quality vs cost per 1,000 requests (log cost axis): the Pareto frontier as a
    labeled line, the other models as unlabeled markers (names in the hover), green when
    they meet the task's quality, grey otherwise; a dotted line at the quality needed."""
    import plotly.graph_objects as go

    x = np.asarray(per_1k_requests_usd, dtype=float)
    y = np.asarray(quality, dtype=float)
    names = [esc(m) for m in models]
    front = np.asarray(pareto, dtype=bool)
    meets = np.asarray(meets_quality, dtype=bool)
    shown = np.isfinite(x) & np.isfinite(y) & (x > 0)
    fig = go.Figure()
    for mask, name, color in (
        (shown & ~front & meets, "meets the quality needed", "#74c476"),
        (shown & ~front & ~meets, "below the quality needed", "#bdbdbd"),
    ):
        idx = np.flatnonzero(mask)
        fig.add_trace(
            go.Scatter(
                x=x[idx],
                y=y[idx],
                mode="markers",
                name=name,
                text=[names[i] for i in idx],
                marker={"size": 9, "color": color, "line": {"width": 1, "color": "#555"}},
                hovertemplate="%{text}<br>%{x:$,.3f} per 1k requests<br>quality %{y:.1f}<extra></extra>",
            )
        )
    idx = np.flatnonzero(shown & front)
    idx = idx[np.argsort(x[idx], kind="stable")]
    # alternate label sides along the frontier so neighbouring names do not collide
    positions = ["top left" if k % 2 else "bottom right" for k in range(len(idx))]
    fig.add_trace(
        go.Scatter(
            x=x[idx],
            y=y[idx],
            mode="lines+markers+text",
            name="Pareto frontier (cheapest for its quality)",
            text=[names[i] for i in idx],
            textposition=positions,
            textfont={"size": 11, "color": "#08306b"},
            line={"color": "#08519c", "width": 2, "shape": "hv"},
            marker={"size": 11, "color": "#08519c", "symbol": "diamond", "line": {"width": 1, "color": "#fff"}},
            hovertemplate="%{text}<br>%{x:$,.3f} per 1k requests<br>quality %{y:.1f}<extra>frontier</extra>",
        )
    )
    if quality_needed is not None:
        fig.add_hline(y=quality_needed, line_dash="dot", line_color="#999")
        fig.add_annotation(
            x=0,
            xref="x domain",
            y=quality_needed,
            yref="y",
            text=f"quality needed ({quality_needed:g})",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"size": 11, "color": "#666"},
        )
    fig.update_xaxes(type="log", title="cost per 1,000 requests (USD, log scale)", tickprefix="$")
    fig.update_yaxes(title="quality (MMLU-Pro %)")
    fig = _layout(fig, title, height=480)
    fig.update_layout(
        hovermode="closest",
        legend={"orientation": "h", "x": 0, "y": -0.18, "xanchor": "left", "yanchor": "top"},
        margin={"l": 70, "r": 30, "t": 60, "b": 110},
    )
    return fig


def uncertainty_figure(strategies: Sequence[str], percentiles: Sequence[Mapping[str, float]], *, title: str) -> Any:
    """A horizontal P10-P90 bar per strategy with its P50 marked (log x axis), cheapest P50 first."""
    import plotly.graph_objects as go

    order = sorted(range(len(strategies)), key=lambda i: percentiles[i]["p50_usd"])
    names = [esc(strategies[i]) for i in order]
    p10 = [percentiles[i]["p10_usd"] for i in order]
    p50 = [percentiles[i]["p50_usd"] for i in order]
    p90 = [percentiles[i]["p90_usd"] for i in order]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=names,
            x=[hi - lo for lo, hi in zip(p10, p90, strict=True)],
            base=p10,
            orientation="h",
            marker_color=[PALETTE.get(strategies[i], "#888") for i in order],
            opacity=0.45,
            name="P10-P90",
            hovertemplate="%{y}: P10 %{base:$,.0f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=p50,
            mode="markers",
            marker={"color": "#222", "size": 9, "symbol": "line-ns-open", "line": {"width": 3}},
            name="P50",
            hovertemplate="%{y}: P50 %{x:$,.0f}<extra></extra>",
        )
    )
    _layout(fig, title, height=max(280, 60 + 32 * len(names)))
    fig.update_layout(hovermode="closest", yaxis={"autorange": "reversed"}, showlegend=True)
    fig.update_xaxes(type="log", tickprefix="$", title="total over the horizon (USD)")
    return fig
