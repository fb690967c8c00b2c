"""The decision in words and small tables: executive summary (with its confidence wording),
decision path, traps, when to revisit, roadmap, checklist, break-even, the seed check, the
methodology and the uncertainty table. Returns HTML strings and plotly figures; computes
nothing (numbers come from :mod:`decision`, :mod:`breakeven`, :mod:`seedcheck`).

Every text that comes from a profile is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from llmstrategy.decision.confidence import confidence
from llmstrategy.decision.recommend import Decision
from llmstrategy.economics.analysis import Analysis
from llmstrategy.fmt import fmt_count, fmt_usd
from llmstrategy.views.matrix import _text_columns
from llmstrategy.views.styling import style_of

E = html.escape



def _pct(x: float) -> str:
    return "—" if x != x else f"{x:.0%}"


def executive_summary_html(a: Analysis, d: Decision, uncertainty: Mapping[str, Any] | None = None) -> str:
    """Recommendation, runner-up, monthly cost, confidence and when to revisit, in words."""
    rec = d.strategy_id
    if rec is None:
        return '<div class="lls-summary"><p><b>No strategy is feasible for this profile.</b></p></div>'
    parts = []
    if rec == "no_llm":
        parts.append(
            "<p class='lls-rec'>Recommendation: <b>no LLM</b>. Rules, search or classic ML suffice "
            "(seed 004, step 2).</p>"
        )
        if d.runner_up_id:
            c = a.cost(d.runner_up_id)
            parts.append(
                f"<p>If an LLM is needed after all, the best-scoring option is <b>{E(d.runner_up_id)}</b> at "
                f"{E(fmt_usd(c.monthly_usd))} per month.</p>"
            )
    else:
        c = a.cost(rec)
        ru = f" Runner-up: <b>{E(d.runner_up_id)}</b>." if d.runner_up_id else ""
        models = ", ".join(f"{E(k)}: {E(v)}" for k, v in c.models.items())
        parts.append(
            f"<p class='lls-rec'>Recommendation: <b>{E(rec)}</b> ({models}).{ru}</p>"
            f"<p>It costs about <b>{E(fmt_usd(c.monthly_usd))} per month</b> today "
            f"({E(fmt_usd(c.per_1k_requests_usd, cents=True))} per 1,000 requests), "
            f"{E(fmt_usd(c.upfront_usd))} up front, and {E(fmt_usd(c.horizon_total_usd))} over "
            f"{a.profile.horizon_months} months with growth.</p>"
        )
    conf = _confidence_words(d, uncertainty)
    if conf:
        parts.append(f"<p>{conf}</p>")
    if d.revisit_when:
        parts.append(f"<p>Revisit when: {E(d.revisit_when[0])}</p>")
    return '<div class="lls-summary">' + "".join(parts) + "</div>"


def _confidence_words(d: Decision, unc: Mapping[str, Any] | None) -> str:
    c = confidence(d.strategy_id, d.sensitivity, unc)
    if c is None:
        return ""
    return f"Confidence: <b>{c['level']}</b>: " + "; ".join(E(b) for b in c["reasons"]) + "."


def decision_path_html(d: Decision) -> str:
    """Each step of the path with the profile value that decided it."""
    items = "".join(
        f"<li><b>{E(s.question)}</b> → {E(s.answer)}<br><span class='lls-evidence'>{E(s.evidence)}</span> "
        f"<span class='lls-source'>({E(s.source)})</span></li>"
        for s in d.path.steps
    )
    tail = "".join(f"<p>{E(x)}</p>" for x in d.rationale[len(d.path.steps) :])
    return f"<ol class='lls-path'>{items}</ol>{tail}"


def roadmap_figure(a: Analysis, d: Decision) -> Any:
    """Seed 003's three phases on this profile's timeline (a Gantt-like bar per phase)."""
    import plotly.graph_objects as go

    from llmstrategy.views.charts import _layout, esc

    h = a.profile.horizon_months
    phases = list(d.roadmap)
    starts = [p["start_month"] for p in phases]
    bars = []
    for i, p in enumerate(phases):
        s = p["start_month"]
        if s is None or s >= h:
            continue
        nxt = [x for x in starts[i + 1 :] if x is not None and x > s]
        end = min(nxt[0] if nxt else h, h)
        bars.append((p["phase"], s, max(end - s, 0.5), p["what"], p["trigger"]))
    fig = go.Figure(
        go.Bar(
            y=[esc(b[0]) for b in bars],
            x=[b[2] for b in bars],
            base=[b[1] for b in bars],
            orientation="h",
            marker_color=["#6baed6", "#fd8d3c", "#74c476"][: len(bars)],
            customdata=[[esc(b[3]), esc(b[4])] for b in bars],
            hovertemplate="%{y}<br>from month %{base}<br>%{customdata[0]}<br>trigger: %{customdata[1]}<extra></extra>",
        )
    )
    _layout(fig, f"Roadmap over the {h}-month horizon (seed 003's phases)", height=260)
    fig.update_layout(hovermode="closest", xaxis={"title": "month", "range": [0, h]}, yaxis={"autorange": "reversed"})
    return fig


def roadmap_html(d: Decision) -> str:
    rows = "".join(
        f"<tr><td class='lls-text'>{E(p['phase'])}</td><td>{'—' if p['start_month'] is None else p['start_month']}</td>"
        f"<td class='lls-text lls-wrap'>{E(p['what'])}</td>"
        f"<td class='lls-text lls-wrap'>{E(str(p['trigger']))}</td></tr>"
        for p in d.roadmap
    )
    return (
        "<table class='lls-table'><thead><tr><th class='lls-text'>Phase</th><th>Start month</th>"
        "<th class='lls-text'>What</th><th class='lls-text'>Trigger</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def checklist_html(d: Decision) -> str:
    label = {3: "high", 2: "medium", 1: "low"}
    rows = "".join(
        f"<tr><td class='lls-text'>{E(label.get(int(c['priority']), ''))}</td><td class='lls-text lls-wrap'>"
        f"{E(c['item'])}</td><td class='lls-text lls-wrap'>{E(c['why'])}</td>"
        f"<td class='lls-text'>{E(c['source'])}</td></tr>"
        for c in d.checklist
    )
    return (
        "<table class='lls-table'><thead><tr><th class='lls-text'>Priority</th><th class='lls-text'>Item</th>"
        "<th class='lls-text'>Why here</th><th class='lls-text'>Source</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def traps_html(d: Decision) -> str:
    if not d.traps:
        return "<p>None of seed 004's expensive traps applies to this recommendation.</p>"
    return "<ul>" + "".join(f"<li><b>{E(t['trap'])}</b>: {E(t['why'])}</li>" for t in d.traps) + "</ul>"


def revisit_html(d: Decision) -> str:
    return "<ul>" + "".join(f"<li>{E(x)}</li>" for x in d.revisit_when) + "</ul>"


def break_even_html(a: Analysis) -> str:
    """The break-even of each API strategy against self-hosting and hybrid, in words."""
    be = a.extras.get("break_even") or {}
    rows = []
    for p in be.get("pairs", []):
        tok = p["monthly_tokens"]
        month = p["month_reached"]
        rows.append(
            f"<tr><td class='lls-text'>{E(p['api'])}</td><td class='lls-text'>{E(p['other'])}</td>"
            f"<td>{'—' if tok is None else E(fmt_count(tok))}</td>"
            f"<td>{'—' if month is None else month}</td><td class='lls-text lls-wrap'>{E(p['reason'])}</td></tr>"
        )
    today = be.get("profile_monthly_tokens")
    head = f"<p>This workload today: {E(fmt_count(today))} tokens/month.</p>" if today else ""
    return (
        head + "<table class='lls-table'><thead><tr><th class='lls-text'>API strategy</th><th class='lls-text'>"
        "Against</th><th>Break-even tokens/month</th><th>Month reached</th><th class='lls-text'>Why</th></tr></thead>"
        "<tbody>" + "".join(rows) + "</tbody></table>"
    )


def seed_check_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    keep = [
        "tier",
        "monthly_tokens",
        "seed_api_usd",
        "reproduced_api_usd",
        "seed_self_host_usd",
        "reproduced_self_host_usd",
        "seed_verdict",
        "engine_api_usd",
        "engine_gpus",
        "engine_gpu_fleet_usd",
        "engine_self_host_usd",
        "engine_verdict",
    ]
    return df[keep]


def seed_check_html(check: Any) -> str:
    df = seed_check_frame(check.rows)
    usd = [c for c in df.columns if c.endswith("_usd")]
    fm: dict[str, Any] = dict.fromkeys(usd, lambda x: fmt_usd(x))
    fm["monthly_tokens"] = lambda x: fmt_count(x)
    fm["engine_gpus"] = lambda x: f"{x:,.0f}"
    labels = {
        "tier": "Tier",
        "monthly_tokens": "Tokens/month",
        "seed_api_usd": "Seed: API",
        "reproduced_api_usd": "Engine, seed's assumptions: API",
        "seed_self_host_usd": "Seed: self-host",
        "reproduced_self_host_usd": "Engine, seed's assumptions: self-host",
        "seed_verdict": "Seed verdict",
        "engine_api_usd": "First principles: API",
        "engine_gpus": "First principles: GPUs",
        "engine_gpu_fleet_usd": "First principles: GPU fleet",
        "engine_self_host_usd": "First principles: self-host with staff",
        "engine_verdict": "First-principles verdict",
    }
    st = style_of(df).format(fm, escape="html", na_rep="—").hide(axis="index")
    st = _text_columns(st, df, ["tier", "seed_verdict", "engine_verdict"])
    st = st.relabel_index([E(labels[c]) for c in df.columns], axis="columns")
    st = st.set_table_attributes('class="lls-table"')
    words = "".join(f"<li>{E(x)}</li>" for x in check.explanation)
    assumptions = ", ".join(f"{E(k)} = {E(str(v['value']))}" for k, v in check.assumptions.items())
    return (
        st.to_html()
        + f"<p>First-principles assumptions (data/seed_cost_tiers.yaml): {assumptions}.</p><ul>{words}</ul>"
    )


def methodology_html(sections: Sequence[Any]) -> str:
    out = []
    for s in sections:
        inputs = "".join(
            f"<li><code>{E(r['key'])}</code> = {E(str(r['value']))} {E(str(r['unit']))} "
            f"<span class='lls-source'>({E(str(r['source']))}; {E(str(r['as_of']))})</span></li>"
            for r in s.inputs
        )
        out.append(
            f"<h3>{E(s.title)}</h3><p>{E(s.formula)}</p>" + (f"<ul class='lls-inputs'>{inputs}</ul>" if inputs else "")
        )
    return "<div class='lls-methodology'>" + "".join(out) + "</div>"


def uncertainty_frame(unc: Mapping[str, Any]) -> pd.DataFrame:
    """Per strategy: P10/P50/P90 of horizon cost, P(cheapest), P(recommended)."""
    pct = unc.get("horizon_total_usd") or {}
    cheapest = unc.get("cheapest_probability") or {}
    rec = unc.get("recommended_probability") or {}
    rows = []
    for sid, q in pct.items():
        rows.append(
            {
                "strategy": sid,
                "p10_usd": q.get("p10"),
                "p50_usd": q.get("p50"),
                "p90_usd": q.get("p90"),
                "cheapest_probability": cheapest.get(sid, 0.0),
                "recommended_probability": rec.get(sid, 0.0),
            }
        )
    df = pd.DataFrame(rows)
    if not df.empty:
        df = df.sort_values("p50_usd", kind="stable").reset_index(drop=True)
    return df


def uncertainty_html(unc: Mapping[str, Any], horizon_months: int) -> str:
    df = uncertainty_frame(unc)
    if df.empty:
        return "<p>No feasible strategy to simulate.</p>"
    fm: dict[str, Any] = {
        "p10_usd": lambda x: fmt_usd(x),
        "p50_usd": lambda x: fmt_usd(x),
        "p90_usd": lambda x: fmt_usd(x),
        "cheapest_probability": _pct,
        "recommended_probability": _pct,
    }
    labels = {
        "strategy": "Strategy",
        "p10_usd": f"P10 total over {horizon_months} months",
        "p50_usd": "P50",
        "p90_usd": "P90",
        "cheapest_probability": "P(cheapest)",
        "recommended_probability": "P(recommended)",
    }
    st = style_of(df).format(fm, escape="html", na_rep="—").hide(axis="index")
    st = _text_columns(st, df, ["strategy"])
    st = st.relabel_index([E(labels[c]) for c in df.columns], axis="columns")
    st = st.set_table_attributes('class="lls-table lls-sortable"')
    drivers = unc.get("drivers") or []
    words = "".join(f"<li>{E(x)}</li>" for x in drivers)
    drv = (
        f"<p>What drives the choice (a shallow decision tree on the simulated futures):</p><ul>{words}</ul>"
        if words
        else "<p>No input flips the recommendation often enough to name a driver.</p>"
    )
    return st.to_html() + drv
