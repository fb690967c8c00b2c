"""Where the money goes: each allowed strategy's month-0 cost as a stacked bar of plain cost
groups (tokens, retrieval, GPUs, staff, fine-tuning), the recommendation starred and
outlined. A bar chart only (the report's partial plotly.js bundle draws it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: plain group → (components, colour)
GROUPS: dict[str, tuple[tuple[str, ...], str]] = {
    "Tokens (hosted API)": (
        (
            "api_inference",
            "api_frontier",
            "api_large_model",
            "api_small_model",
            "router",
            "fallback_api",
            "api_spillover",
        ),
        "#4c78a8",
    ),
    "Reserved cloud capacity": (("provisioned_capacity", "managed_endpoint_instances"), "#e45756"),
    "Provider's GPUs for your tuned model": (("tuned_model_endpoint", "tuned_model_hosting"), "#f58518"),
    "Retrieval": (("rag_query_embedding", "rag_corpus_embedding", "rag_vector_store", "rag_upkeep"), "#72b7b2"),
    "GPUs and their operation": (("gpu_fleet", "fleet_operations"), "#54a24b"),
    "Staff to run the servers": (("operations_staff", "fallback_upkeep"), "#b279a2"),
    "Retraining": (("retraining",), "#9d755d"),
}
OTHER = ("Other", "#bab0ac")


def group_of(component: str) -> str:
    """The plain group of a component; a routed part's (``large_``/``small_``) joins its kind's."""
    for prefix in ("large_", "small_"):
        if component.startswith(prefix) and component.removeprefix(prefix) != "model":
            component = component.removeprefix(prefix)
            break
    return next((g for g, (keys, _) in GROUPS.items() if component in keys), OTHER[0])


def breakdown_figure(
    components: Mapping[str, Mapping[str, float]], order: Sequence[str], *, recommended: str | None, title: str
) -> Any:
    """``components``: strategy id → monthly component → USD; ``order``: the strategies,
    top first."""
    import plotly.graph_objects as go

    from llmstrategy.views.chart_style import axis_name
    from llmstrategy.views.charts import _layout, _round

    names = [axis_name(sid, recommended) for sid in order]
    totals: dict[str, dict[str, float]] = {sid: {} for sid in order}
    for sid in order:
        for k, v in components.get(sid, {}).items():
            g = group_of(k)
            totals[sid][g] = totals[sid].get(g, 0.0) + float(v)
    fig = go.Figure()
    colors = {g: c for g, (_, c) in GROUPS.items()} | {OTHER[0]: OTHER[1]}
    for g, col in colors.items():
        xs = [totals[sid].get(g, 0.0) for sid in order]
        if not any(x > 0 for x in xs):
            continue
        fig.add_trace(
            go.Bar(
                name=g,
                y=names,
                x=_round(xs),
                orientation="h",
                marker={
                    "color": col,
                    "line": {"width": [2 if sid == recommended else 0 for sid in order], "color": "#e8590c"},
                },
                hovertemplate=f"%{{y}}<br>{g}: %{{x:$,.0f}} a month<extra></extra>",
            )
        )
    _layout(fig, title, height=max(300, 130 + 34 * len(order)))
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"}, margin={"l": 10, "r": 24, "t": 50, "b": 60})
    fig.update_layout(legend={"traceorder": "normal"})
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(tickprefix="$", tickformat="~s", rangemode="tozero")
    return fig
