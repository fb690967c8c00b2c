"""The one line above each chart that says what to see in it, and which strategies a chart
shows before a click (the recommendation and the best few alternatives). Each takeaway is
HTML (names escaped, glossary terms linked) built from numbers the engine computed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from llmstrategy.decision.recommend import Decision
from llmstrategy.economics.analysis import Analysis
from llmstrategy.fmt import fmt_count, fmt_month, fmt_usd
from llmstrategy.inputs.criteria import CRITERIA
from llmstrategy.views.glossary import term
from llmstrategy.views.names import component_label, strategy_name

E = html.escape


def _name(sid: str | None) -> str:
    return f"<b>{E(strategy_name(sid))}</b>"


def allowed(a: Analysis) -> list[str]:
    """The strategies priced and allowed by the decision engine's hard constraints."""
    ruled_out = {x["id"] for x in a.extras.get("scores", []) if not x["feasible"]}
    return [c.strategy.id for c in a.costs if c.feasible and c.strategy.id not in ruled_out]


def shown_by_default(a: Analysis, d: Decision | None, *, best: int = 2) -> set[str]:
    """What a chart of many strategies shows before a click: the recommendation, the ``best``
    best-scoring other options and the cheapest allowed option."""
    ok = allowed(a)
    out = {d.strategy_id} if d is not None and d.strategy_id in ok else set()
    if d is not None:
        ranked = [d.scores.strategies[i].id for i in d.scores.ranked()]
        out.update([sid for sid in ranked if sid in ok and sid not in out][:best])
    priced = [c for c in a.costs if c.strategy.id in ok and np.isfinite(c.monthly_usd)]
    if priced:
        out.add(min(priced, key=lambda c: c.monthly_usd).strategy.id)
    return out


def cost_curves(a: Analysis, d: Decision | None, n_hidden: int) -> str:
    rec = d.strategy_id if d else None
    w = a.workload.tokens_per_month
    be = a.extras.get("break_even") or {}
    parts = []
    if rec in allowed(a):
        parts.append(
            f"At this workload ({E(fmt_count(w))} tokens a month) {_name(rec)} costs "
            f"{E(fmt_usd(a.cost(rec).monthly_usd))} a month."
        )
    tokens = be.get("api_vs_self_host_monthly_tokens")
    if tokens and "self_host" in allowed(a) and "api" in allowed(a):
        when = fmt_month((be.get("month_reached") or {}).get("api_vs_self_host"), a.profile.horizon_months)
        parts.append(
            f"Running your own model beats the hosted API above {E(fmt_count(tokens))} tokens a month "
            f"({term('break-even', 'break-even')}; growth: {E(when)})."
        )
    if n_hidden:
        more = "1 more option is" if n_hidden == 1 else f"{n_hidden} more options are"
        parts.append(f"{more} one click away in the legend.")
    return " ".join(parts)


def horizon(a: Analysis, d: Decision | None) -> str:
    rec = d.strategy_id if d else None
    if rec not in allowed(a):
        return ""
    c = a.cost(rec)
    by_month = np.asarray(c.monthly_usd_by_month, dtype=float)
    h = a.profile.horizon_months
    grow = (
        f"from {E(fmt_usd(by_month[0]))} to {E(fmt_usd(by_month[-1]))} a month"
        if len(by_month) > 1 and abs(by_month[-1] - by_month[0]) > 0.005 * max(by_month[0], 1e-9)
        else f"a steady {E(fmt_usd(by_month[0]))} a month"
    )
    growth = f" (volume growing {a.profile.monthly_growth:.0%} a month)" if a.profile.monthly_growth else ""
    return (
        f"Over {h} months{growth} {_name(rec)} goes {grow}: {E(fmt_usd(c.horizon_total_usd))} in all, set-up included."
    )


def uncertainty(rows: Sequence[Mapping[str, Any]], rec: str | None, win: Mapping[str, Any], h: int) -> str:
    mine = next((r for r in rows if r["strategy"] == rec), None)
    if mine is None or rec is None:
        return ""
    q = mine["horizon_total_usd"]
    cheapest = float((win.get(rec) or {}).get("cheapest", 0.0))
    return (
        f"In 8 of 10 {term('simulated futures', 'monte-carlo')}, {_name(rec)} costs between "
        f"{E(fmt_usd(q['p10_usd']))} and {E(fmt_usd(q['p90_usd']))} over {h} months; it is the cheapest option in "
        f"{cheapest:.0%} of them."
    )


def scores(d: Decision) -> str:
    s, rec = d.scores, d.strategy_id
    if rec is None or rec == "no_llm" or not s.feasible[s.index(rec)]:
        return ""
    i = s.index(rec)
    ok = [j for j, f in enumerate(s.feasible) if f]
    t = 1 + sum(1 for j in ok if s.topsis[j] > s.topsis[i])
    w = 1 + sum(1 for j in ok if s.weighted_sum[j] > s.weighted_sum[i])
    where = (
        "first on both scores"
        if t == w == 1
        else f"{_ord(t)} by {term('TOPSIS', 'topsis')} and {_ord(w)} by the {term('weighted sum', 'weighted-sum')}"
    )
    return f"{_name(rec)} ranks {where} among the {len(ok)} options allowed ({term('how the scores work', 'topsis')})."


def _ord(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")


def sensitivity(d: Decision) -> str:
    sens = d.sensitivity or {}
    iv = [x for x in sens.get("stability_intervals") or [] if x.get("high", 1) - x.get("low", 0) < 1]
    share = (sens.get("win_share") or {}).get(d.strategy_id or "") if d.strategy_id else None
    parts = []
    top = (sens.get("stability_intervals") or [{}])[0].get("top")
    if top and top != d.strategy_id:
        parts.append(
            f"The scores put {_name(top)} first; {_name(d.strategy_id)} is the decision path's choice, within the "
            "margin that lets it stand."
        )
    if share is not None:
        parts.append(f"{_name(d.strategy_id)} comes first under {share:.0%} of random weightings of the criteria.")
    if iv:
        narrow = min(iv, key=lambda x: x["high"] - x["low"])
        parts.append(
            "Each bar is the range of one criterion's weight over which the top option stays first; the narrowest: "
            f"{E(CRITERIA[narrow['criterion']][1].lower())}, from {narrow['low']:.0%} to {narrow['high']:.0%} (now "
            f"{narrow['weight']:.0%})."
        )
    return " ".join(parts)


def models(df: Any, rec_models: Sequence[str], quality_needed: float) -> str:
    ok = df[df["meets_quality"] & np.isfinite(df["per_1k_requests_usd"])]
    if ok.empty:
        return f"No allowed model reaches the quality needed ({quality_needed:g})."
    best = ok.sort_values("per_1k_requests_usd").iloc[0]
    used = ", ".join(E(m) for m in rec_models) or "none"
    return (
        f"{len(ok)} models reach the quality needed; the cheapest is <b>{E(best['model'])}</b> at "
        f"{E(fmt_usd(best['per_1k_requests_usd'], cents=True))} per 1,000 requests. The recommendation uses {used} "
        f"(★; {term('Pareto frontier', 'pareto')} joined by the line)."
    )


def roadmap(d: Decision, h: int) -> str:
    starts = [p["start_month"] for p in d.roadmap]
    if starts and all(s == 0 for s in starts):
        why = "; ".join(E(str(p["trigger"])) for p in d.roadmap[1:] if p.get("trigger") not in (None, "now"))
        return "All three phases apply from the start" + (f" ({why})." if why else ".")
    later = [p for p in d.roadmap if p["start_month"] is None or p["start_month"] >= h]
    text = "Start with phase 1 now."
    if later:
        m = later[0]["start_month"]
        text += f" {E(later[0]['phase'])} is {E('not within reach' if m is None else fmt_month(m, h))}."
    return text


def breakdown(a: Analysis, rec: str | None) -> str:
    if rec not in allowed(a):
        return ""
    c = a.cost(rec)
    items = sorted(c.monthly_components_usd.items(), key=lambda kv: -kv[1])
    if not items or c.monthly_usd <= 0:
        return ""
    k, v = items[0]
    return (
        f"Of the {E(fmt_usd(c.monthly_usd))} a month of {_name(rec)}, {E(component_label(k).lower())} is "
        f"{E(fmt_usd(v))} ({v / c.monthly_usd:.0%})."
    )
