"""The criteria matrix and the scores on it: the matrix as a frame and as a heat map, the
strategies the hard constraints rule out, the ranking, the weights, and the scores and
sensitivity figures. Returns HTML strings, pandas Stylers and plotly figures; computes
nothing (numbers come from :mod:`decision`).

Every text that comes from a profile is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from llmstrategy.decision.recommend import Decision
from llmstrategy.fmt import fmt_usd
from llmstrategy.inputs.criteria import CRITERIA, CRITERION_IDS
from llmstrategy.views.styling import style_of

E = html.escape

#: criterion → (column label with unit, formatter)
CRITERION_FORMATS: dict[str, tuple[str, Any]] = {
    "time_to_production": ("Time to production (weeks)", lambda x: f"{x:,.1f}"),
    "upfront_cost": ("Upfront cost", lambda x: fmt_usd(x)),
    "monthly_cost": ("Cost of accepted work / month", lambda x: fmt_usd(x)),
    "data_privacy": ("Data privacy (1-5)", lambda x: f"{x:.0f}"),
    "customization": ("Customization (1-5)", lambda x: f"{x:.0f}"),
    "maintenance": ("Maintenance burden (1-5)", lambda x: f"{x:.0f}"),
    "latency": ("Latency to first token (ms)", lambda x: f"{x:,.0f}"),
    "team": ("Team (FTE)", lambda x: f"{x:.1f}"),
    "quality": ("Expected pass rate", lambda x: f"{x:.0%}"),
    "knowledge_freshness": ("Knowledge freshness (1-5)", lambda x: f"{x:.0f}"),
    "hallucination_risk": ("Hallucination risk (1-5)", lambda x: f"{x:.0f}"),
}


def matrix_frame(d: Decision) -> pd.DataFrame:
    """Strategies × criteria (raw values), with scores, rank and infeasibility reasons."""
    s = d.scores
    rows = []
    for i, st in enumerate(s.strategies):
        row: dict[str, Any] = {"strategy": st.id}
        for j, k in enumerate(CRITERION_IDS):
            row[k] = s.matrix[i, j]
        row["topsis"] = s.topsis[i]
        row["weighted_sum"] = s.weighted_sum[i]
        row["rank"] = int(s.rank[i]) if s.feasible[i] else None
        row["ruled_out_because"] = "; ".join(s.reasons[i])
        rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values(["rank"], na_position="last", kind="stable").reset_index(drop=True)


def matrix_styled(d: Decision, *, caption: str | None = None) -> Any:
    """The matrix as a heat map of the feasible strategies, best first: green is better on each
    criterion's own direction. Ruled-out strategies are listed under it with their reason
    (:func:`ruled_out_html`)."""
    df = matrix_frame(d)
    df = df[df["rank"].notna()].drop(columns=["ruled_out_because"]).reset_index(drop=True)
    feasible = df["rank"].notna()
    colors = pd.DataFrame("", index=df.index, columns=df.columns)
    for k in CRITERION_IDS:
        col = df.loc[feasible, k].astype(float)
        if col.empty:
            continue
        lo, hi = col.min(), col.max()
        good = (col - lo) / (hi - lo) if hi > lo else col * 0 + 1
        if CRITERIA[k][0] == "cost":
            good = 1 - good if hi > lo else good
        for idx, g in good.items():
            # red (0) → yellow (0.5) → green (1), pale so the numbers stay readable
            r, gr = (255, int(200 + 55 * g * 2)) if g < 0.5 else (int(255 - 2 * (g - 0.5) * 80), 255)
            colors.loc[idx, k] = f"background-color: rgb({r},{min(gr, 255)},200)"
    for idx in df.index[~feasible]:
        colors.loc[idx, :] = "color: #999; background-color: #f3f3f3"
    fm: dict[str, Any] = {k: v[1] for k, v in CRITERION_FORMATS.items()}
    fm.update(
        topsis=lambda x: "—" if x != x else f"{x:.2f}",
        weighted_sum=lambda x: "—" if x != x else f"{x:.2f}",
        rank=lambda x: "—" if x is None or x != x else f"{int(x)}",
    )
    labels = {k: v[0] for k, v in CRITERION_FORMATS.items()}
    labels.update(
        strategy="Strategy", topsis="TOPSIS", weighted_sum="Weighted sum", rank="Rank", ruled_out_because="Ruled out"
    )
    colors["strategy"] = ""
    st = style_of(df).format(fm, escape="html", na_rep="—").hide(axis="index").apply(lambda _: colors, axis=None)
    st = _text_columns(st, df, ["strategy"])
    st = st.relabel_index([E(labels.get(c, c)) for c in df.columns], axis="columns")
    st = st.set_table_attributes('class="lls-table lls-matrix lls-sortable"')
    if caption:
        st = st.set_caption(E(caption))
    return st


def _text_columns(st: Any, df: pd.DataFrame, cols: Sequence[str]) -> Any:
    """Left-align text columns (cells and headers)."""
    classes = pd.DataFrame("", index=df.index, columns=df.columns)
    for c in cols:
        if c in classes.columns:
            classes[c] = "lls-text"
    st = st.set_td_classes(classes)
    return st.set_table_styles({c: [{"selector": "th", "props": "text-align: left;"}] for c in cols}, overwrite=False)


def ruled_out_html(d: Decision) -> str:
    """The strategies the hard constraints rule out, each with its reason."""
    s = d.scores
    items = [(st.id, "; ".join(why)) for st, ok, why in zip(s.strategies, s.feasible, s.reasons, strict=True) if not ok]
    if not items:
        return "<p>No strategy is ruled out for this profile.</p>"
    lis = "".join(f"<li><b>{E(i)}</b>: {E(w)}</li>" for i, w in items)
    return f"<p>Ruled out ({len(items)}):</p><ul class='lls-ruled-out'>{lis}</ul>"


def ranking_html(d: Decision) -> str:
    """A compact ranking (used by the live matrix): rank, strategy, TOPSIS, weighted sum."""
    s = d.scores
    rows = "".join(
        f"<tr><td>{int(s.rank[i])}</td><td class='lls-text'>{E(s.strategies[i].id)}</td>"
        f"<td>{s.topsis[i]:.3f}</td><td>{s.weighted_sum[i]:.3f}</td></tr>"
        for i in s.ranked()
    )
    return (
        "<table class='lls-table lls-ranking'><thead><tr><th>Rank</th><th class='lls-text'>Strategy</th><th>TOPSIS</th>"
        f"<th>Weighted sum</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<p class='lls-rec-live'>Recommendation: <b>{E(str(d.strategy_id))}</b></p>"
    )


def weights_frame(d: Decision) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"criterion": CRITERIA[k][1], "direction": CRITERIA[k][0], "weight": d.weights.values[k]}
            for k in CRITERION_IDS
        ]
    )


def weights_html(d: Decision) -> str:
    rows = "".join(
        f"<tr><td class='lls-text'>{E(CRITERIA[k][1])}</td><td class='lls-text'>{E(CRITERIA[k][0])}</td>"
        f"<td>{d.weights.values[k]:.1%}</td></tr>"
        for k in CRITERION_IDS
    )
    why = "".join(f"<li>{E(x)}</li>" for x in d.weights.applied) or "<li>none: base weights</li>"
    own = ", ".join(d.weights.overridden)
    own_html = f"<p>Set by the profile: {E(own)}.</p>" if own else ""
    return (
        "<table class='lls-table'><thead><tr><th class='lls-text'>Criterion</th><th class='lls-text'>Direction</th>"
        "<th>Weight</th></tr></thead>"
        f"<tbody>{rows}</tbody></table><p>Adjustments from the profile:</p><ul>{why}</ul>{own_html}"
    )


def scores_figure(d: Decision) -> Any:
    """TOPSIS and weighted sum side by side for the feasible strategies, best first."""
    import plotly.graph_objects as go

    from llmstrategy.views.charts import _layout, esc

    s = d.scores
    idx = s.ranked()
    names = [esc(s.strategies[i].id) for i in idx]
    fig = go.Figure(
        [
            go.Bar(name="TOPSIS", y=names, x=[s.topsis[i] for i in idx], orientation="h", marker_color="#1f77b4"),
            go.Bar(
                name="Weighted sum",
                y=names,
                x=[s.weighted_sum[i] for i in idx],
                orientation="h",
                marker_color="#ff7f0e",
            ),
        ]
    )
    _layout(fig, "Scores of the feasible strategies (1 = best possible)", height=max(260, 60 + 34 * len(idx)))
    fig.update_layout(barmode="group", hovermode="closest", yaxis={"autorange": "reversed"}, xaxis={"range": [0, 1]})
    return fig


def sensitivity_figure(d: Decision) -> Any:
    """Left: the weight range of each criterion over which the top strategy stays first
    (current weight marked). Right: share of random re-weightings each strategy wins."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from llmstrategy.views.charts import _layout, esc

    sens = d.sensitivity or {}
    iv = sens.get("stability_intervals") or []
    shares = {k: v for k, v in (sens.get("win_share") or {}).items() if v > 0}
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.6, 0.4],
        subplot_titles=("Weight range keeping the top strategy first", "Wins under random weights"),
    )
    names = [esc(CRITERIA[x["criterion"]][1]) for x in iv]
    fig.add_trace(
        go.Bar(
            y=names,
            x=[x["high"] - x["low"] for x in iv],
            base=[x["low"] for x in iv],
            orientation="h",
            marker_color="#9ecae1",
            name="stable range",
            hovertemplate="%{y}: %{base:.2f} to %{x:.2f} wide<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=[x["weight"] for x in iv],
            mode="markers",
            marker={"color": "#08519c", "size": 9, "symbol": "diamond"},
            name="current weight",
        ),
        row=1,
        col=1,
    )
    order = sorted(shares, key=lambda k: -shares[k])
    fig.add_trace(
        go.Bar(
            y=[esc(k) for k in order],
            x=[shares[k] for k in order],
            orientation="h",
            marker_color="#ff7f0e",
            name="win share",
        ),
        row=1,
        col=2,
    )
    _layout(fig, "How robust is the ranking to the weights?", height=max(360, 40 + 28 * len(iv)))
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_xaxes(range=[0, 1], tickformat=".0%", row=1, col=1)
    fig.update_xaxes(range=[0, 1], tickformat=".0%", row=1, col=2)
    fig.update_yaxes(autorange="reversed")
    return fig


def criteria_values(d: Decision, strategy_id: str) -> dict[str, float]:
    i = d.scores.index(strategy_id)
    return {k: float(d.scores.matrix[i, j]) for j, k in enumerate(CRITERION_IDS)}


def finite_or_none(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
