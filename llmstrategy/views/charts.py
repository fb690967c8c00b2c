"""Plotly figures from computed results. Presentation only: no cost logic here.

Every text that comes from a profile is HTML-escaped before it reaches a title or a
hover label (plotly renders a subset of HTML in both).
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.fmt import fmt_count
from llmstrategy.views.chart_style import (
    HIGHLIGHT,
    MUTED,
    count_ticks,
    legend_name,
    line,
    usd_ticks,
)
from llmstrategy.views.names import strategy_name


def esc(text: Any) -> str:
    """HTML-escape any text shown in a figure."""
    return html.escape(str(text), quote=True)


def _white_template(fig: Any) -> None:
    """Give ``fig`` plotly's ``plotly_white`` template the way plotly gives every new figure its
    default template (``BaseFigure._initialize_layout_template``): without validating it
    again. ``update_layout(template="plotly_white")`` builds and deep-copies the template
    three times, about 10 ms a figure; the figure's JSON is the same either way."""
    layout = fig.layout
    validate = layout._validate
    layout._validate = False
    try:
        layout.template = _validated_white()
    finally:
        layout._validate = validate


@functools.cache
def _validated_white() -> Any:
    """``plotly_white`` as ``update_layout`` would store it (validated once per process; the
    validation also puts its keys in plotly's order, so the JSON is byte for byte the same).
    A notebook that changes the registered template after the first figure does not change
    this copy."""
    import plotly.graph_objects as go

    return go.Layout(template="plotly_white").template


def _layout(fig: Any, title: str, *, height: int = 440, legend_below: bool = True) -> Any:
    """The look every chart shares: a short title, white background, the legend under the
    plot (it wraps to the width, so nothing is cut at a phone's edge)."""
    _white_template(fig)
    fig.update_layout(
        title={"text": esc(title), "x": 0.01, "font": {"size": 15}},
        height=height,
        margin={"l": 70, "r": 24, "t": 50, "b": 60},
        hovermode="closest",
        hoverlabel={"namelength": -1},
    )
    if legend_below:  # 70 px under the plot: below the axis title, whatever the chart's height
        y = -70 / max(height - 110, 100)
        fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": y, "yanchor": "top"})
    return fig


def _round(values: Any, digits: int = 4) -> list[float | int | None]:
    """Values to ``digits`` significant figures (a chart needs no more; the page gets smaller),
    whole numbers as integers (``11720``, not ``11720.0``, in the page's JSON)."""
    out: list[float | int | None] = []
    for v in np.asarray(values, dtype=float):
        if not np.isfinite(v):
            out.append(None)
            continue
        r = float(f"{v:.{digits}g}")
        out.append(int(r) if r.is_integer() and abs(r) < 2**53 else r)
    return out


def _log_x_label(fig: Any, x: float, text: str, *, y: float, xanchor: str) -> None:
    """A label at height ``y`` (share of the plot) beside a vertical line at data value ``x`` of
    a log x axis."""
    fig.add_annotation(
        x=float(np.log10(x)),
        xref="x",
        y=y,
        yref="y domain",
        text=text,
        showarrow=False,
        xanchor=xanchor,
        yanchor="top",
        bgcolor="rgba(255,255,255,0.8)",
        font={"size": 11},
    )


def _strategy_lines(
    fig: Any,
    x: Any,
    series: Mapping[str, Any],
    *,
    recommended: str | None,
    visible: set[str] | None,
    hover: str,
    customdata: Any = None,
    mode: str = "lines",
) -> None:
    """One line per strategy, the recommendation first (on top of the legend, drawn last so
    it lies over the others); strategies outside ``visible`` one legend click away."""
    order = sorted(series, key=lambda k: (k != recommended, visible is not None and k not in visible))
    traces: list[Any] = []
    for sid in order:
        y = np.where(np.isfinite(series[sid]), series[sid], np.nan)
        if not np.isfinite(y).any():
            continue
        name = strategy_name(sid)
        traces.append(
            go_scatter(
                x=_round(x),
                y=_round(y),
                mode=mode,
                name=legend_name(sid, recommended),
                line=line(sid, recommended),
                marker={"size": 5},
                visible=True if visible is None or sid in visible or sid == recommended else "legendonly",
                legendrank=1 if sid == recommended else 1000 + len(traces),
                customdata=customdata,
                hovertemplate=hover + "<extra>" + esc(name) + "</extra>",
            )
        )
    for t in traces[1:] + traces[:1]:  # the recommendation drawn last: on top
        fig.add_trace(t)


def go_scatter(**kw: Any) -> Any:
    import plotly.graph_objects as go

    return go.Scatter(**kw)


def cost_curve_figure(
    volumes_tokens_per_month: NDArray[np.float64],
    curves_usd: Mapping[str, NDArray[np.float64]],
    *,
    title: str,
    profile_tokens_per_month: float | None = None,
    break_evens: Sequence[tuple[str, float]] = (),
    recommended: str | None = None,
    visible: set[str] | None = None,
) -> Any:
    """Monthly cost vs monthly token volume, both axes logarithmic (a tick per decade); the
    recommendation highlighted, the strategies outside ``visible`` one legend click away; a
    dashed line at the profile's own volume; labelled dotted lines at break-even volumes."""
    import plotly.graph_objects as go

    fig = go.Figure()
    volumes = np.asarray(volumes_tokens_per_month, dtype=float)
    tokens_text = [fmt_count(v) for v in volumes]
    _strategy_lines(
        fig,
        volumes,
        curves_usd,
        recommended=recommended,
        visible=visible,
        customdata=tokens_text,
        hover="%{customdata} tokens/month: %{y:$,.0f} a month",
    )
    # On a log axis plotly.js places annotations at log10(x) but shapes at x, so
    # add_vline's own annotation_text would land far off the plot: annotate separately.
    lo, hi = float(volumes.min()), float(volumes.max())

    def anchor(x: float) -> str:  # a label near the right edge goes left of its line
        return "right" if math.log10(x) > math.log10(lo) + 0.75 * (math.log10(hi) - math.log10(lo)) else "left"

    if profile_tokens_per_month is not None and profile_tokens_per_month > 0:
        fig.add_vline(x=profile_tokens_per_month, line_dash="dash", line_color="#444")
        _log_x_label(fig, profile_tokens_per_month, "this workload", y=1, xanchor="right")
    for k, (label, x) in enumerate(break_evens):
        if x > 0:
            fig.add_vline(x=x, line_dash="dot", line_color="#888")
            _log_x_label(fig, x, esc(label), y=0.92 - 0.08 * k, xanchor=anchor(x))
    all_usd = [float(v) for u in curves_usd.values() for v in np.asarray(u, dtype=float) if np.isfinite(v) and v > 0]
    fig.update_xaxes(title="tokens per month (log scale; dotted: break-even)", **count_ticks([lo, hi]))
    fig.update_yaxes(title="cost per month", **usd_ticks(all_usd))
    return _layout(fig, title, height=520)


def horizon_figure(
    months: NDArray[np.float64],
    monthly_usd: Mapping[str, NDArray[np.float64]],
    *,
    title: str,
    recommended: str | None = None,
    visible: set[str] | None = None,
) -> Any:
    """Monthly cost over the horizon per strategy (growth applied), the recommendation
    highlighted, the strategies outside ``visible`` one legend click away."""
    import plotly.graph_objects as go

    fig = go.Figure()
    _strategy_lines(
        fig,
        months,
        monthly_usd,
        recommended=recommended,
        visible=visible,
        hover="month %{x}: %{y:$,.0f}",
        mode="lines+markers" if len(months) <= 36 else "lines",
    )
    span = float(months[-1]) if len(months) else 1.0
    fig.update_xaxes(title="month", dtick=1 if len(months) <= 13 else None, range=[-0.5, span + 0.5])
    fig.update_yaxes(title="cost per month", tickprefix="$", tickformat="~s", rangemode="tozero")
    return _layout(fig, title, height=440)


def model_scatter_figure(
    models: Sequence[str],
    per_1k_requests_usd: Sequence[float],
    quality: Sequence[float],
    *,
    pareto: Sequence[bool],
    meets_quality: Sequence[bool],
    title: str,
    quality_needed: float | None = None,
    recommended_models: Sequence[str] = (),
    quality_label: str = "quality (MMLU-Pro %)",
) -> Any:
    """Quality vs cost per 1,000 requests (log cost axis): the Pareto frontier as a
    labeled line, the other models as unlabeled markers (names in the hover), green when
    they meet the task's quality, grey otherwise; a dotted line at the quality needed; the
    model(s) the recommendation uses as a large orange star. ``quality_label`` names the y axis
    (the task's capability and benchmark)."""
    import plotly.graph_objects as go

    x = np.asarray(per_1k_requests_usd, dtype=float)
    y = np.asarray(quality, dtype=float)
    names = [esc(m) for m in models]
    front = np.asarray(pareto, dtype=bool)
    meets = np.asarray(meets_quality, dtype=bool)
    shown = np.isfinite(x) & np.isfinite(y) & (x > 0)
    rec = np.isin(np.asarray(models, dtype=object), list(recommended_models)) & shown
    hover = "%{text}<br>%{x:$,.3f} per 1,000 requests<br>quality %{y:.1f}"
    fig = go.Figure()
    for mask, name, color in (
        (shown & ~front & meets, "meets the quality needed", "#74c476"),
        (shown & ~front & ~meets, "below the quality needed", "#bdbdbd"),
    ):
        idx = np.flatnonzero(mask)
        fig.add_trace(
            go.Scatter(
                x=_round(x[idx]),
                y=_round(y[idx]),
                mode="markers",
                name=name,
                text=[names[i] for i in idx],
                marker={"size": 9, "color": color, "line": {"width": 1, "color": "#555"}},
                hovertemplate=hover + "<extra></extra>",
            )
        )
    idx = np.flatnonzero(shown & front)
    idx = idx[np.argsort(x[idx], kind="stable")]
    # alternate label sides along the frontier so neighbouring names do not collide
    positions = ["top left" if k % 2 else "bottom right" for k in range(len(idx))]
    fig.add_trace(
        go.Scatter(
            x=_round(x[idx]),
            y=_round(y[idx]),
            mode="lines+markers+text",
            name="Pareto frontier (cheapest for its quality)",
            text=[names[i] for i in idx],
            textposition=positions,
            textfont={"size": 11, "color": "#08306b"},
            cliponaxis=False,
            line={"color": MUTED, "width": 2, "shape": "hv"},
            marker={"size": 10, "color": "#08519c", "symbol": "diamond", "line": {"width": 1, "color": "#fff"}},
            hovertemplate=hover + "<extra>frontier</extra>",
        )
    )
    idx = np.flatnonzero(rec)
    if idx.size:
        fig.add_trace(
            go.Scatter(
                x=_round(x[idx]),
                y=_round(y[idx]),
                mode="markers",
                name="<b>used by the recommendation</b>",
                text=[names[i] for i in idx],
                marker={"size": 20, "color": HIGHLIGHT, "symbol": "star", "line": {"width": 1, "color": "#fff"}},
                hovertemplate=hover + "<extra>recommended</extra>",
            )
        )
    if quality_needed is not None:
        fig.add_hline(y=quality_needed, line_dash="dot", line_color="#999")
        fig.add_annotation(
            x=1,
            xref="x domain",
            y=quality_needed,
            yref="y",
            text=f"quality needed ({quality_needed:g})",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font={"size": 11, "color": "#666"},
        )
    fig.update_xaxes(title="cost per 1,000 requests (log scale)", **usd_ticks(list(x[shown])))
    fig.update_yaxes(title=esc(quality_label))
    fig = _layout(fig, title, height=500)
    fig.update_layout(margin={"l": 70, "r": 40, "t": 50, "b": 70})
    return fig


def uncertainty_figure(
    strategies: Sequence[str],
    percentiles: Sequence[Mapping[str, float]],
    *,
    title: str,
    recommended: str | None = None,
) -> Any:
    """A horizontal low-to-high (P10-P90) bar per strategy with its median (P50) marked, log x
    axis, cheapest median first; the recommendation's bar orange and outlined."""
    import plotly.graph_objects as go

    from llmstrategy.views.chart_style import axis_name, color

    order = sorted(range(len(strategies)), key=lambda i: percentiles[i]["p50_usd"])
    ids = [strategies[i] for i in order]
    names = [axis_name(sid, recommended) for sid in ids]
    p10 = [percentiles[i]["p10_usd"] for i in order]
    p50 = [percentiles[i]["p50_usd"] for i in order]
    p90 = [percentiles[i]["p90_usd"] for i in order]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=names,
            x=_round([hi - lo for lo, hi in zip(p10, p90, strict=True)]),
            base=_round(p10),
            orientation="h",
            marker={
                "color": [color(sid, recommended) for sid in ids],
                "opacity": [0.95 if sid == recommended else 0.4 for sid in ids],
                "line": {"width": [2 if sid == recommended else 0 for sid in ids], "color": "#222"},
            },
            name="likely range (P10 to P90)",
            customdata=[[esc(strategy_name(sid)), lo, hi] for sid, lo, hi in zip(ids, p10, p90, strict=True)],
            hovertemplate="%{customdata[0]}<br>%{customdata[1]:$,.0f} to %{customdata[2]:$,.0f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=_round(p50),
            mode="markers",
            marker={"color": "#222", "size": 12, "symbol": "line-ns-open", "line": {"width": 3}},
            name="median (P50)",
            hovertemplate="median %{x:$,.0f}<extra></extra>",
        )
    )
    _layout(fig, title, height=max(300, 110 + 34 * len(names)))
    fig.update_layout(yaxis={"autorange": "reversed"}, showlegend=True, margin={"l": 10, "r": 24, "t": 50, "b": 60})
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(title="total over the horizon", **usd_ticks(p10 + p90))
    return fig
