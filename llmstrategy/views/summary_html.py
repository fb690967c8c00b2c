"""The decision in words and small tables, for people: executive summary (with its confidence
wording), the decision path as plain questions and answers, traps, when to revisit, roadmap,
checklist, break-even and the uncertainty table. Strategy ids become names and engine
sentences plain words (:mod:`.names`); the seeds' references stay in the methodology
(:mod:`.appendix`). Returns HTML strings and plotly figures; computes nothing.

Every text that comes from a profile is escaped.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from llmstrategy.decision.confidence import confidence
from llmstrategy.decision.recommend import Decision
from llmstrategy.decision.spreads import UncertaintySpec
from llmstrategy.economics.analysis import Analysis
from llmstrategy.fmt import fmt_count, fmt_month, fmt_usd
from llmstrategy.views.matrix import _text_columns
from llmstrategy.views.names import plain_step, plain_text, strategy_name
from llmstrategy.views.onepage import models_in_words
from llmstrategy.views.styling import style_of, styled

E = html.escape


def _pct(x: float) -> str:
    return "—" if x != x else f"{x:.0%}"


def executive_summary_html(a: Analysis, d: Decision, uncertainty: Mapping[str, Any] | None = None) -> str:
    """Recommendation, runner-up, monthly cost, confidence and when to revisit, in words."""
    rec = d.strategy_id
    h = a.profile.horizon_months
    if rec is None:
        return '<div class="lls-summary"><p><b>No strategy is feasible for this profile.</b></p></div>'
    parts = []
    if rec == "no_llm":
        parts.append(
            "<p class='lls-rec'>Recommendation: <b>No LLM</b>. Rules, search or classic machine learning do the "
            "job.</p>"
        )
        if d.runner_up_id:
            c = a.cost(d.runner_up_id)
            parts.append(
                f"<p>If an LLM is needed after all, the best-scoring option is <b>{E(strategy_name(d.runner_up_id))}"
                f"</b> at {E(fmt_usd(c.monthly_usd))} per month.</p>"
            )
    else:
        c = a.cost(rec)
        ru = f" Runner-up: <b>{E(strategy_name(d.runner_up_id))}</b>." if d.runner_up_id else ""
        parts.append(
            f"<p class='lls-rec'>Recommendation: <b>{E(strategy_name(rec))}</b> "
            f"({E(models_in_words(a, c.models, c.details))}).{ru}</p>"
            f"<p>It costs about <b>{E(fmt_usd(c.monthly_usd))} per month</b> today "
            f"({E(fmt_usd(c.per_1k_requests_usd, cents=True))} per 1,000 requests), "
            f"{E(fmt_usd(c.upfront_usd))} up front, and {E(fmt_usd(c.horizon_total_usd))} over {h} months with "
            "growth.</p>"
        )
    conf = _confidence_words(d, uncertainty)
    if conf:
        parts.append(f"<p>{conf}</p>")
    if d.revisit_when:
        parts.append(f"<p>Revisit when: {E(plain_text(d.revisit_when[0], horizon_months=h, bare_hybrid=True))}</p>")
    return '<div class="lls-summary">' + "".join(parts) + "</div>"


def _confidence_words(d: Decision, unc: Mapping[str, Any] | None) -> str:
    c = confidence(d.strategy_id, d.sensitivity, unc)
    if c is None:
        return ""
    return f"Confidence: <b>{c['level']}</b>: " + "; ".join(E(b) for b in c["reasons"]) + "."


def decision_path_html(d: Decision, horizon_months: int | None = None) -> str:
    """Each step of the path as a plain question, its answer, and what decided it (the profile's
    fields, or figures the analysis computed); then how the scoring of the criteria agrees (the
    seeds each step follows are in the methodology)."""
    items = []
    for s in d.path.steps:
        q, ans, ev = plain_step(s.question, s.answer, s.evidence, horizon_months=horizon_months)
        items.append(f"<li><b>{E(q)}</b><br>{E(ans)}<br><span class='lls-evidence'>Based on: {E(ev)}</span></li>")
    tail = "".join(
        f"<p>{E(plain_text(x, horizon_months=horizon_months, bare_hybrid=True))}</p>"
        for x in d.rationale[len(d.path.steps) :]
    )
    return f"<ol class='lls-path'>{''.join(items)}</ol>{tail}"


def roadmap_figure(a: Analysis, d: Decision) -> Any:
    """Seed 003's three phases on this profile's timeline: a bar per phase from its start to
    the next phase's (phases that start together run side by side); a phase that starts
    beyond the horizon says so at the right edge. What starts now is orange."""
    import plotly.graph_objects as go

    from llmstrategy.views.chart_style import HIGHLIGHT, MUTED
    from llmstrategy.views.charts import _layout, esc

    h = a.profile.horizon_months
    phases = list(d.roadmap)
    starts = [p["start_month"] for p in phases]
    names, widths, bases, texts, colors, later = [], [], [], [], [], []
    for i, p in enumerate(phases):
        s = p["start_month"]
        names.append(esc(p["phase"]))
        gist = esc(plain_text(str(p["what"])).split(";")[0].split(" (")[0])
        if s is None or s >= h:
            widths.append(0)
            bases.append(0)
            texts.append("")
            colors.append(MUTED)
            later.append((esc(p["phase"]), "not within reach" if s is None else fmt_month(s, h)))
            continue
        nxt = [x for x in starts[i + 1 :] if x is not None and x > s]
        end = min(nxt[0] if nxt else h, h)
        widths.append(max(end - s, 0.5))
        bases.append(s)
        texts.append(("now" if s == 0 else f"month {s}") + f" → month {end}: {gist}")
        colors.append(HIGHLIGHT if s == 0 else MUTED)
    fig = go.Figure(
        go.Bar(
            y=names,
            x=widths,
            base=bases,
            orientation="h",
            marker_color=colors,
            text=texts,
            textposition="inside",
            insidetextanchor="start",
            textfont={"size": 12},
            customdata=[[esc(plain_text(p["what"]))] for p in phases],
            hovertemplate="%{y}<br>%{customdata[0]}<extra></extra>",
        )
    )
    for name, when in later:
        fig.add_annotation(x=h, y=name, text=esc(when), showarrow=False, xanchor="right", font={"color": "#555"})
    _layout(fig, f"The three phases on the {h}-month horizon", height=250, legend_below=False)
    fig.update_layout(
        xaxis={"title": "month", "range": [0, h]}, yaxis={"autorange": "reversed"}, margin={"l": 10, "r": 24}
    )
    fig.update_yaxes(automargin=True)
    return fig


def roadmap_html(d: Decision, horizon_months: int) -> str:
    def when(m: Any) -> str:
        return "not within reach" if m is None else ("now" if m == 0 else fmt_month(m, horizon_months))

    rows = "".join(
        f"<tr><td class='lls-text'>{E(p['phase'])}</td><td class='lls-text'>{E(when(p['start_month']))}</td>"
        f"<td class='lls-text lls-wrap'>{E(plain_text(p['what']))}</td>"
        f"<td class='lls-text lls-wrap'>{E(plain_text(str(p['trigger']), bare_hybrid=True))}</td></tr>"
        for p in d.roadmap
    )
    return (
        "<table class='lls-table'><thead><tr><th class='lls-text'>Phase</th><th class='lls-text'>Starts</th>"
        "<th class='lls-text'>What</th><th class='lls-text'>When to move to it</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def checklist_html(d: Decision) -> str:
    label = {3: "high", 2: "medium", 1: "low"}
    rows = "".join(
        f"<tr><td class='lls-text'>{E(label.get(int(c['priority']), ''))}</td><td class='lls-text lls-wrap'>"
        f"{E(plain_text(c['item']))}</td><td class='lls-text lls-wrap'>{E(plain_text(c['why']))}</td></tr>"
        for c in d.checklist
    )
    return (
        "<table class='lls-table'><thead><tr><th class='lls-text'>Priority</th><th class='lls-text'>Item</th>"
        "<th class='lls-text'>Why here</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def traps_html(d: Decision) -> str:
    if not d.traps:
        return "<p>None of the expensive traps applies to this recommendation.</p>"
    items = []
    for t in d.traps:
        answer = f" <i>{E(plain_text(t['answer']))}</i>" if t.get("answer") else ""
        items.append(f"<li><b>{E(plain_text(t['trap']))}</b>: {E(plain_text(t['why']))}.{answer}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def revisit_html(d: Decision, horizon_months: int | None = None) -> str:
    return (
        "<ul>"
        + "".join(
            f"<li>{E(plain_text(x, horizon_months=horizon_months, bare_hybrid=True))}</li>" for x in d.revisit_when
        )
        + "</ul>"
    )


def break_even_html(a: Analysis) -> str:
    """Where self-hosting (or the hybrid) costs at most each hosted-API option, in words:
    the volume, when growth reaches it, and why when it never does."""
    be = a.extras.get("break_even") or {}
    h = a.profile.horizon_months
    ruled_out = {x["id"] for x in a.extras.get("scores", []) if not x["feasible"]}
    rows = []
    for p in be.get("pairs", []):
        tok = p["monthly_tokens"]
        when = "—" if tok is None else fmt_month(p["month_reached"], h)
        reason = str(p["reason"])
        if tok is not None:
            why = (
                f"above it, {strategy_name(p['other'], short=True)} costs at most {strategy_name(p['api'], short=True)}"
            )
        elif "never stays at or below" in reason and ": " in reason:
            why = "never cheaper: " + plain_text(
                reason.split(": ", 1)[1], horizon_months=h, bare_hybrid=True, short=True
            )
        else:
            why = plain_text(reason, horizon_months=h, bare_hybrid=True, short=True)
        out = [strategy_name(x, short=True) for x in (p["api"], p["other"]) if x in ruled_out]
        if out and tok is not None:
            why += f" (for comparison: {' and '.join(out)} not allowed for this profile)"
        rows.append(
            f"<tr><td class='lls-text'>{E(strategy_name(p['api'], short=True))}</td>"
            f"<td class='lls-text'>{E(strategy_name(p['other'], short=True))}</td>"
            f"<td>{'never' if tok is None else E(fmt_count(tok))}</td>"
            f"<td class='lls-text'>{E(when)}</td><td class='lls-text lls-wrap'>{E(why)}</td></tr>"
        )
    today = be.get("profile_monthly_tokens")
    head = f"<p>This workload today: {E(fmt_count(today))} tokens/month.</p>" if today else ""
    return (
        head + "<table class='lls-table'><caption>Break-even volumes: where running your own model costs at most "
        "the hosted API</caption><thead><tr><th class='lls-text'>Hosted API option</th><th class='lls-text'>"
        "Against</th><th>Break-even tokens/month</th><th class='lls-text'>When growth reaches it</th>"
        "<th class='lls-text'>Why</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def uncertainty_frame(unc: Mapping[str, Any]) -> pd.DataFrame:
    """Per strategy: P10/P50/P90 of horizon cost, P(cheapest), P(recommended)."""
    pct = unc.get("horizon_total_usd") or {}
    cheapest = unc.get("cheapest_probability") or {}
    rec = unc.get("recommended_probability") or {}
    rows = []
    for sid, q in pct.items():
        rows.append(
            {
                "strategy": strategy_name(sid, short=True),
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


#: the Monte Carlo's inputs (``data/uncertainty.yaml``) in people's words
SPREAD_NAMES = {
    "volume": "Volume (requests a day)",
    "monthly_growth": "Monthly growth",
    "tokens_per_request": "Tokens per request",
    "api_price": "Hosted-model prices",
    "gpu_price": "GPU prices",
    "gpu_utilization": "GPU utilization",
    "retry_rate": "Retry rate",
    "cache_hit_rate": "Cache hit rate",
    "engineer_cost": "Engineer cost",
    "sizing_speed": "Self-hosted speed, against the sizing model's",
}


def spreads_frame(spec: UncertaintySpec) -> pd.DataFrame:
    """What the simulated futures vary: each input's median and the range one future in three
    falls outside (lognormal: median × e^±σ; normal: the profile's value ± sd, in points), and
    the basis of the spread (the first clause of its ``source``)."""
    rows = []
    for key, sp in spec.spreads.items():
        if sp.distribution == "lognormal":
            lo, hi = sp.median * math.exp(-sp.sigma), sp.median * math.exp(sp.sigma)
            mid, band = f"{sp.median:.2f}× the analysis's", f"{lo:.2f}× to {hi:.2f}×"
        else:
            mid, band = "the profile's value", f"± {sp.sigma * 100:.0f} points"
        basis = re.sub(r" \([^()]*\)", "", sp.source).split("; ", 1)[0]  # its first clause, no asides
        rows.append(
            {
                "What varies": SPREAD_NAMES.get(key, key),
                "Median": mid,
                "One future in three beyond": band,
                "Basis": basis,
            }
        )
    return pd.DataFrame(rows)


def uncertainty_html(
    unc: Mapping[str, Any], horizon_months: int, recommended: str | None = None, spec: UncertaintySpec | None = None
) -> str:
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
        "strategy": "Option",
        "p10_usd": f"Total over {horizon_months} months: low case (P10)",
        "p50_usd": "Median (P50)",
        "p90_usd": "High case (P90)",
        "cheapest_probability": "Chance it is the cheapest",
        "recommended_probability": "Chance it is recommended",
    }
    st = style_of(df).format(fm, escape="html", na_rep="—").hide(axis="index")
    rec_rows = [i for i, n in enumerate(df["strategy"]) if recommended and n == strategy_name(recommended, short=True)]
    st = _text_columns(st, df, ["strategy"], rec_rows=rec_rows)
    st = st.relabel_index([E(labels[c]) for c in df.columns], axis="columns")
    st = st.set_table_attributes('class="lls-table lls-sortable"')
    drivers = unc.get("drivers") or []
    from llmstrategy.views.glossary import term

    note = (
        f"<p class='lls-note'>Low case, median and high case: the {term('P10, P50 and P90', 'percentiles')} of "
        f"the {term('simulated futures', 'monte-carlo')}.</p>"
    )
    words = "".join(f"<li>{E(plain_text(x, bare_hybrid=True))}</li>" for x in drivers)
    drv = (
        f"<p>What drives the choice (a shallow decision tree on the simulated futures):</p><ul>{words}</ul>"
        if words
        else "<p>No input flips the recommendation often enough to name a driver.</p>"
    )
    varies = ""
    if spec is not None:
        varies = (
            "<p>What the simulated futures vary (each drawn independently; <code>data/uncertainty.yaml</code>):</p>"
            + styled(spreads_frame(spec)).to_html()
        )
    return st.to_html() + note + drv + varies
