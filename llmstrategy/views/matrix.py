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

import pandas as pd

from llmstrategy.decision.recommend import Decision
from llmstrategy.fmt import fmt_nines, fmt_usd
from llmstrategy.inputs.criteria import CRITERIA, CRITERION_IDS
from llmstrategy.views.names import plain_text, strategy_name
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
    "availability": ("Availability", fmt_nines),
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
    # best first: the row order is the rank
    df = df[df["rank"].notna()].drop(columns=["ruled_out_because", "rank"]).reset_index(drop=True)
    rec_rows = [i for i, sid in enumerate(df["strategy"]) if sid == d.strategy_id]
    df["strategy"] = [("★ " if sid == d.strategy_id else "") + strategy_name(sid, short=True) for sid in df["strategy"]]
    shades = pd.DataFrame("", index=df.index, columns=df.columns)
    for k in CRITERION_IDS:
        col = df[k].astype(float)
        if col.empty:
            continue
        lo, hi = col.min(), col.max()
        good = (col - lo) / (hi - lo) if hi > lo else col * 0 + 1
        if CRITERIA[k][0] == "cost":
            good = 1 - good if hi > lo else good
        shades[k] = [f"lls-h{round(10 * g)}" for g in good]  # a class per tenth: one CSS rule each, no cell ids
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
    st = style_of(df).format(fm, escape="html", na_rep="—").hide(axis="index")
    st = st.set_table_styles([{"selector": f".lls-h{n}", "props": _shade(n / 10)} for n in range(11)], overwrite=False)
    st = _text_columns(st, df, ["strategy"], rec_rows=rec_rows, base=shades)
    st = st.relabel_index([E(labels.get(c, c)) for c in df.columns], axis="columns")
    st = st.set_table_attributes('class="lls-table lls-matrix lls-sortable"')
    if caption:
        st = st.set_caption(E(caption))
    return st


def _shade(g: float) -> str:
    """The heat map's pale red (0) → yellow (0.5) → green (1), so the numbers stay readable."""
    r, gr = (255, int(200 + 55 * g * 2)) if g < 0.5 else (int(255 - 2 * (g - 0.5) * 80), 255)
    return f"background-color: rgb({r},{min(gr, 255)},200)"


def _text_columns(
    st: Any, df: pd.DataFrame, cols: Sequence[str], *, rec_rows: Sequence[int] = (), base: pd.DataFrame | None = None
) -> Any:
    """Left-align text columns (cells and headers); the first text cell of each row in
    ``rec_rows`` (the recommendation) marked; ``base``: classes the other cells already carry."""
    classes = base.copy() if base is not None else pd.DataFrame("", index=df.index, columns=df.columns)
    for c in cols:
        if c in classes.columns:
            classes[c] = [
                "lls-text" + (" lls-rec-cell" if i in rec_rows and c == cols[0] else "") for i in range(len(df))
            ]
    st = st.set_td_classes(classes)
    return st.set_table_styles({c: [{"selector": "th", "props": "text-align: left;"}] for c in cols}, overwrite=False)


def ruled_out_html(d: Decision) -> str:
    """The strategies the hard constraints rule out, each with its reason."""
    s = d.scores
    items = [(st.id, "; ".join(why)) for st, ok, why in zip(s.strategies, s.feasible, s.reasons, strict=True) if not ok]
    if not items:
        return "<p>No strategy is ruled out for this profile.</p>"
    by_reason: dict[str, list[str]] = {}
    for sid, why in items:  # options ruled out for the same reason, listed together
        by_reason.setdefault(plain_text(why, bare_hybrid=True), []).append(sid)
    lis = "".join(
        "<li>" + ", ".join(f"<b>{E(strategy_name(i, short=True))}</b>" for i in ids) + f": {E(why)}</li>"
        for why, ids in by_reason.items()
    )
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


def weights_html(d: Decision) -> str:
    """The criteria's weights, heaviest first, and the profile conditions that moved them."""
    direction = {"cost": "lower is better", "benefit": "higher is better"}
    order = sorted(CRITERION_IDS, key=lambda k: -d.weights.values[k])
    rows = "".join(
        f"<tr><td class='lls-text'>{E(CRITERIA[k][1])}</td><td class='lls-text'>"
        f"{E(direction.get(CRITERIA[k][0], CRITERIA[k][0]))}</td><td>{d.weights.values[k]:.1%}</td></tr>"
        for k in order
    )
    why = "".join(f"<li>{E(plain_text(x))}</li>" for x in d.weights.applied) or "<li>none: base weights</li>"
    own = ", ".join(CRITERIA[k][1] if k in CRITERIA else k for k in d.weights.overridden)
    own_html = f"<p>Set by the profile: {E(own)}.</p>" if own else ""
    return (
        "<table class='lls-table'><caption>How much each criterion counts</caption><thead><tr>"
        "<th class='lls-text'>Criterion</th><th class='lls-text'>Direction</th><th>Weight</th></tr></thead>"
        f"<tbody>{rows}</tbody></table><p>Adjustments from the profile:</p><ul>{why}</ul>{own_html}"
    )


def scores_figure(d: Decision) -> Any:
    """The two scores (TOPSIS and the weighted sum, 1 = best possible) of the feasible
    strategies, best first; the recommendation's bars orange and its name starred."""
    import plotly.graph_objects as go

    from llmstrategy.views.chart_style import HIGHLIGHT, HIGHLIGHT_LIGHT, MUTED, MUTED_LIGHT, axis_name
    from llmstrategy.views.charts import _layout

    s = d.scores
    idx = s.ranked()
    ids = [s.strategies[i].id for i in idx]
    names = [axis_name(sid, d.strategy_id) for sid in ids]
    rec = [sid == d.strategy_id for sid in ids]
    bars = []
    for label, values, hi, lo in (
        ("TOPSIS", s.topsis, HIGHLIGHT, MUTED),
        ("weighted sum", s.weighted_sum, HIGHLIGHT_LIGHT, MUTED_LIGHT),
    ):
        bars.append(
            go.Bar(
                name=label,
                y=names,
                x=[round(float(values[i]), 3) for i in idx],
                orientation="h",
                marker={"color": [hi if r else lo for r in rec], "line": {"width": [1.5 if r else 0 for r in rec]}},
                hovertemplate=f"{label} %{{x:.2f}}<extra></extra>",
            )
        )
    fig = go.Figure(bars)
    title = "Scores: dark bar TOPSIS, light weighted sum"
    _layout(fig, title, height=max(260, 80 + 40 * len(idx)), legend_below=False)
    fig.update_layout(barmode="group", yaxis={"autorange": "reversed"}, xaxis={"range": [0, 1]}, showlegend=False)
    fig.update_layout(margin={"l": 10, "r": 24, "t": 50, "b": 40})
    fig.update_yaxes(automargin=True)
    return fig


def sensitivity_figure(d: Decision) -> Any:
    """Left: the weight range of each criterion over which the top strategy stays first
    (current weight marked). Right: share of random re-weightings each strategy wins, the
    recommendation's bar orange."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from llmstrategy.views.chart_style import HIGHLIGHT, MUTED, MUTED_LIGHT, axis_name
    from llmstrategy.views.charts import _layout, esc

    sens = d.sensitivity or {}
    iv = sens.get("stability_intervals") or []
    shares = {k: v for k, v in (sens.get("win_share") or {}).items() if v > 0}
    order = sorted(shares, key=lambda k: -shares[k])
    fig = make_subplots(
        rows=2,
        cols=1,
        row_heights=[max(len(iv), 1), max(len(order), 1) + 0.5],
        vertical_spacing=0.14,
        subplot_titles=(
            "Safe weight ranges",
            "Wins under random weights",
        ),
    )
    names = [esc(CRITERIA[x["criterion"]][1]) for x in iv]
    fig.add_trace(
        go.Bar(
            y=names,
            x=[round(x["high"] - x["low"], 4) for x in iv],
            base=[round(x["low"], 4) for x in iv],
            orientation="h",
            marker_color=MUTED_LIGHT,
            name="weights that keep it first",
            customdata=[[x["low"], x["high"]] for x in iv],
            hovertemplate="%{y}: from %{customdata[0]:.0%} to %{customdata[1]:.0%}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            y=names,
            x=[round(x["weight"], 4) for x in iv],
            mode="markers",
            marker={"color": "#08519c", "size": 9, "symbol": "diamond"},
            name="current weight",
            hovertemplate="%{y}: weight %{x:.0%} now<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            y=[axis_name(k, d.strategy_id) for k in order],
            x=[round(shares[k], 4) for k in order],
            orientation="h",
            marker_color=[HIGHLIGHT if k == d.strategy_id else MUTED for k in order],
            name="share of wins",
            hovertemplate="%{x:.0%} of random weightings<extra></extra>",
        ),
        row=2,
        col=1,
    )
    height = 170 + 24 * (len(iv) + len(order))
    _layout(fig, "How much do the weights matter?", height=max(420, height), legend_below=False)
    fig.update_layout(showlegend=False, margin={"l": 10, "r": 24, "t": 70, "b": 40})
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig
