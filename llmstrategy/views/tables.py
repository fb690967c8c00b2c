"""Tables for people: pandas DataFrames of computed results, and their HTML.

Frames keep raw numbers with the unit in each column name (they are also the CSV
exports); :func:`styled` formats them for display, relabels the columns for people and
HTML-escapes every text cell. :func:`pareto_front` and :func:`filter_models` are the
small pure functions behind the model comparison.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from llmstrategy.economics.analysis import Analysis, CostSummary
from llmstrategy.fmt import fmt_count

# ---------------------------------------------------------------- frames (raw numbers)


def workload_frame(a: Analysis) -> pd.DataFrame:
    """The derived workload as (quantity, value, unit, formula) rows."""
    w, p = a.workload, a.profile
    rows = [
        ("Requests per month", w.requests_per_month, "requests", "requests_per_day × 365/12"),
        ("Input tokens per month", w.input_tokens_per_month, "tokens", "requests × input_tokens_per_request"),
        ("Output tokens per month", w.output_tokens_per_month, "tokens", "requests × output_tokens_per_request"),
        ("Tokens per month", w.tokens_per_month, "tokens", "input + output"),
        ("Average requests per second", w.average_requests_per_second, "requests/s", "requests_per_day / 86,400"),
        (
            "Peak requests per second",
            w.peak_requests_per_second,
            "requests/s",
            f"average × peak_to_average ({p.peak_to_average:g})",
        ),
    ]
    return pd.DataFrame(rows, columns=["quantity", "value", "unit", "formula"])


def costs_frame(a: Analysis) -> pd.DataFrame:
    """One row per priced strategy with its monthly, per-1k, upfront and horizon cost [USD].
    A strategy the decision engine rules out (``extras["scores"]``) stays priced, for
    comparison, with ``feasible`` false and the reason in ``note``."""
    ruled_out = {x["id"]: x["infeasible_reasons"] for x in a.extras.get("scores", []) if not x["feasible"]}
    rows = []
    for c in a.costs:
        why = list(c.reasons) or ruled_out.get(c.strategy.id, [])
        rows.append(
            {
                "strategy": c.strategy.id,
                "deployment": c.strategy.deployment.value,
                "adaptation": c.strategy.adaptation.value,
                "models": ", ".join(f"{k}: {v}" for k, v in c.models.items()),
                "monthly_usd": c.monthly_usd,
                "per_1k_requests_usd": c.per_1k_requests_usd,
                "upfront_usd": c.upfront_usd,
                "horizon_total_usd": c.horizon_total_usd,
                "feasible": c.feasible and c.strategy.id not in ruled_out,
                "note": "; ".join(why),
            }
        )
    return pd.DataFrame(rows)


def components_frame(a: Analysis) -> pd.DataFrame:
    """Month-0 monthly cost components and one-off components per strategy, long form:
    (strategy, component, kind ∈ {monthly, one-off}, cost_usd)."""
    rows = []
    for c in a.costs:
        for k, v in c.monthly_components_usd.items():
            rows.append({"strategy": c.strategy.id, "component": k, "kind": "monthly", "cost_usd": v})
        for k, v in c.upfront_components_usd.items():
            rows.append({"strategy": c.strategy.id, "component": k, "kind": "one-off", "cost_usd": v})
    return pd.DataFrame(rows, columns=["strategy", "component", "kind", "cost_usd"])


def components_pivot(a: Analysis, kind: str) -> pd.DataFrame:
    """Strategies × cost components [USD] for one ``kind`` (``monthly`` or ``one-off``),
    components that are zero for every strategy dropped, and a ``total_usd`` column.
    Strategies keep the analysis order; a strategy without such costs has zeros."""
    long = components_frame(a)
    long = long[long["kind"] == kind]
    order = [c.strategy.id for c in a.costs if c.feasible]
    if long.empty:
        return pd.DataFrame({"strategy": order, "total_usd": [0.0] * len(order)})
    wide = long.pivot_table(index="strategy", columns="component", values="cost_usd", aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(order, fill_value=0.0)
    first_seen = list(dict.fromkeys(long["component"]))
    wide = wide[[c for c in first_seen if (wide[c].abs() > 0).any()]]
    wide["total_usd"] = wide.sum(axis=1)
    wide.columns.name = None
    return wide.reset_index()


def cheapest_feasible(a: Analysis) -> CostSummary | None:
    """The feasible strategy with the lowest month-0 monthly cost, or None. When the decision
    engine has run (``extras["scores"]``), its hard constraints count too (e.g. no API
    strategy when the data may not leave)."""
    ruled_out = {x["id"] for x in a.extras.get("scores", []) if not x["feasible"]}
    feasible = [c for c in a.costs if c.feasible and np.isfinite(c.monthly_usd) and c.strategy.id not in ruled_out]
    return min(feasible, key=lambda c: c.monthly_usd) if feasible else None


def pareto_front(cost: ArrayLike, quality: ArrayLike) -> NDArray[np.bool_]:
    """True for each point no other point dominates (cost no higher and quality no lower,
    one of them strictly). Lower cost and higher quality are better; NaN is never on the
    front; identical points are all on it.

    O(n log n): sorted by cost (then quality, best first), a point is on the front when its
    quality is the best at its cost and above the best quality at every lower cost (a
    running maximum), so a catalog of 100,000 models needs no n × n array."""
    c = np.asarray(cost, dtype=float)
    q = np.asarray(quality, dtype=float)
    if c.shape != q.shape or c.ndim != 1:
        raise ValueError("cost and quality must be 1-D arrays of the same length")
    front = np.zeros(c.shape, dtype=bool)
    idx = np.flatnonzero(np.isfinite(c) & np.isfinite(q))
    if idx.size == 0:
        return front
    order = idx[np.lexsort((-q[idx], c[idx]))]  # cost ascending, then quality descending
    cs, qs = c[order], q[order]
    first = np.flatnonzero(np.r_[True, cs[1:] != cs[:-1]])  # where each equal-cost group starts
    group = np.repeat(np.arange(first.size), np.diff(np.r_[first, cs.size]))
    best_here = qs[first][group]
    best_below = np.r_[-np.inf, np.maximum.accumulate(qs)[first[1:] - 1]][group]
    front[order] = (qs == best_here) & (qs > best_below)
    return front


def filter_models(
    df: pd.DataFrame,
    *,
    providers: Iterable[str] | None = None,
    open_weight: bool | None = None,
    min_context_tokens: float = 0,
    min_quality: float = 0,
) -> pd.DataFrame:
    """The rows of a model frame that pass every filter (``None`` means any)."""
    keep = pd.Series(True, index=df.index)
    if providers is not None:
        keep &= df["provider"].isin(list(providers))
    if open_weight is not None:
        keep &= df["open_weight"] == open_weight
    keep &= df["context_window_tokens"] >= min_context_tokens
    if min_quality > 0:
        keep &= df["quality_score"].fillna(-1) >= min_quality
    return df[keep]


def model_comparison_frame(a: Analysis) -> pd.DataFrame:
    """Every catalog model not retired on the analysis date, priced for this workload.

    ``per_1k_requests_usd`` and ``monthly_usd`` [USD] are the hosted API price (the
    ``api`` strategy's shape, via :func:`~llmstrategy.economics.price.api_model_costs`) when the
    data may leave, else the cost of self-hosting that model (the ``self_host`` strategy
    priced with it). ``allowed`` is false, with ``excluded_because``, when the window is
    smaller than the task needs or the data may not leave and the model cannot be
    self-hosted; ``pareto`` marks the allowed models no other allowed model beats on
    both cost and quality.

    Quality is the task's, as the pricers judge it (:mod:`~llmstrategy.economics.quality`):
    ``quality_score`` [%] is on the scale of the primary capability's first benchmark (a model
    scored only on a later benchmark of that capability is placed by its margin over the bar
    there), ``quality_benchmark`` names the benchmark the model is judged on and ``benchmark_score``
    [%] is its own score on it, and
    ``meets_quality`` / ``quality_note`` say whether every capability the task needs is met
    (or the profile's own evals, for a model they measured), and if not why.
    """
    from llmstrategy.economics.context import pricing_context
    from llmstrategy.economics.hosted import api_model_costs, quality_problem
    from llmstrategy.economics.price import price
    from llmstrategy.economics.quality import requirement_gap, score
    from llmstrategy.inputs.benchmarks import BENCHMARK_NAMES
    from llmstrategy.inputs.strategies import strategy

    p, catalog = a.profile, a.context.catalog
    prim = a.context.quality.primary
    hosted = {r["model"]: r for r in api_model_costs(a.context)}
    req = a.workload.requests_per_month
    need_window = p.context_tokens
    rows = []
    for m in catalog.models.values():
        if m.deprecation_date is not None and m.deprecation_date <= a.on_date:
            continue
        self_usd = float("nan")
        if m.can_self_host and not p.data_may_leave:
            q = p.with_updates(assumptions={**p.assumptions.model_dump(), "self_host_model": m.id})
            sc = price(strategy("self_host"), pricing_context(q, catalog, on_date=a.on_date), [req])
            if sc.feasible:
                self_usd = float(sc.monthly_usd[0])
        h = hosted.get(m.id)
        if p.data_may_leave and h is not None:
            serving, monthly = "hosted API", h["monthly_usd"]
        elif not p.data_may_leave and np.isfinite(self_usd):
            serving, monthly = "self-hosted", self_usd
        else:
            serving, monthly = "—", float("nan")
        why = []
        # a hosted model's window is its host's cap; a self-hosted one's the weights' own
        window = m.context_window_tokens if p.data_may_leave else m.self_host_window_tokens
        if window < need_window:
            why.append(f"window {fmt_count(window)} < {fmt_count(need_window)} needed")
        if not p.data_may_leave and not m.can_self_host:
            why.append("data may not leave and the model cannot be self-hosted")
        if not np.isfinite(monthly) and not why:
            why.append("no price for this workload")
        gap = requirement_gap(m, prim, catalog)
        on = next((b for b in prim.benchmarks if score(m, b, catalog) is not None), None)
        problem = quality_problem(m, a.context)
        rows.append(
            {
                "model": m.id,
                "provider": m.provider,
                "open_weight": m.open_weight,
                # on the scale of the need's first benchmark: its own score there, else its margin on the next
                "quality_score": prim.min_scores[0] + gap if gap is not None else float("nan"),
                "quality_benchmark": BENCHMARK_NAMES.get(on, on) if on else "",
                "benchmark_score": score(m, on, catalog) if on else float("nan"),  # its own score there [%]
                "context_window_tokens": window,
                "serving": serving,
                "input_usd_per_mtok": h["input_usd_per_mtok"] if h and serving == "hosted API" else float("nan"),
                "output_usd_per_mtok": h["output_usd_per_mtok"] if h and serving == "hosted API" else float("nan"),
                "per_1k_requests_usd": monthly / req * 1000 if np.isfinite(monthly) else float("nan"),
                "monthly_usd": monthly,
                "meets_quality": problem is None,  # the check the pricers make: every capability, or your evals
                "quality_note": problem or "",
                "allowed": not why,
                "excluded_because": "; ".join(why),
            }
        )
    df = pd.DataFrame(rows)
    allowed = df["allowed"].to_numpy(dtype=bool)
    front = np.zeros(len(df), dtype=bool)
    front[allowed] = pareto_front(df.loc[allowed, "per_1k_requests_usd"], df.loc[allowed, "quality_score"])
    df["pareto"] = front
    return df.sort_values(["allowed", "per_1k_requests_usd", "model"], ascending=[False, True, True]).reset_index(
        drop=True
    )


def api_models_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


# ---------------------------------------------------------------- display

#: Column labels for people; the frames keep the names with units.
