"""Cost cells: the workload, what each strategy costs and where the money goes, cost by
volume (with what-if widgets) and over the horizon, break-even, the seed check and the
Monte Carlo uncertainty.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from llmstrategy.economics.analysis import cost_curves, default_volume_grid
from llmstrategy.fmt import fmt_usd
from llmstrategy.notebook.session import Session, _html, _out, catalog_view
from llmstrategy.notebook.state import live


@live
def workload_table(s: Session) -> Any:
    from llmstrategy.views.styling import styled, value_formatter
    from llmstrategy.views.tables import workload_frame

    df = workload_frame(s.analysis)
    df["value"] = [value_formatter(u)(v) for v, u in zip(df["value"], df["unit"], strict=True)]
    return styled(df, caption="Workload derived from the profile")


@live
def costs_table(s: Session) -> Any:
    """Every priced strategy, cheapest first (month 0), the recommendation starred and in bold."""
    from llmstrategy.views.names import plain_text, strategy_name
    from llmstrategy.views.onepage import models_in_words
    from llmstrategy.views.styling import styled
    from llmstrategy.views.tables import costs_frame

    df = costs_frame(s.analysis).drop(columns=["deployment", "adaptation"])
    df = df.sort_values(["feasible", "monthly_usd"], ascending=[False, True], kind="stable").reset_index(drop=True)
    rec = s.decision.strategy_id if s.decision else None
    costs = [s.analysis.cost(sid) for sid in df["strategy"]]
    df["models"] = [models_in_words(s.analysis, c.models, c.details) for c in costs]
    df["note"] = [plain_text(n, bare_hybrid=True) for n in df["note"]]
    best = [i for i, sid in enumerate(df["strategy"]) if sid == rec]
    df["strategy"] = [("★ " if sid == rec else "") + strategy_name(sid, short=True) for sid in df["strategy"]]
    df = df[[c for c in df.columns if c not in ("models", "feasible", "note")] + ["models", "feasible", "note"]]
    if df["feasible"].all() and not df["note"].str.len().any():
        df = df.drop(columns=["feasible", "note"])
    df = df.rename(columns={"horizon_total_usd": f"total_{s.profile.horizon_months}_months_usd"})
    fm = {f"total_{s.profile.horizon_months}_months_usd": lambda x: fmt_usd(x)}
    return styled(
        df,
        fm,
        caption=(
            f"Cost of each option, cheapest first (★ the recommendation): monthly and per 1,000 requests at "
            f"month 0; one-off set-up; total over {s.profile.horizon_months} months with growth"
        ),
        highlight_rows=best,
        sortable=True,
    )


@live
def components_table(s: Session) -> Any:
    """Where the money goes: strategies × monthly components, then × one-off components
    (components that are zero everywhere are left out, zeros show blank)."""
    import pandas as pd

    from llmstrategy.views.names import component_label, strategy_name
    from llmstrategy.views.styling import _usd_or_blank, styled
    from llmstrategy.views.tables import components_pivot

    rec = s.decision.strategy_id if s.decision else None
    parts = []
    for kind, caption in (
        ("monthly", "Monthly cost by line item (month 0)"),
        ("one-off", "One-off costs by line item"),
    ):
        df = components_pivot(s.analysis, kind)
        best = [i for i, sid in enumerate(df["strategy"]) if sid == rec]
        df["strategy"] = [("★ " if sid == rec else "") + strategy_name(sid, short=True) for sid in df["strategy"]]
        labels = {c: component_label(c, short=True) for c in df.columns if c not in ("strategy", "total_usd")}
        # components with one short label share a column (every hosted model's tokens, a routed part's
        # reservation); the full split is in the components CSV
        merged = df[list(labels)].T.groupby(pd.Index([labels[c] for c in labels]), sort=False).sum().T
        df = pd.concat([df[["strategy"]], merged, df[["total_usd"]]], axis=1)
        fm = {c: _usd_or_blank for c in df.columns if c not in ("strategy", "total_usd")}
        parts.append(styled(df, fm, caption=caption, highlight_rows=best).to_html())
    return _html("".join(parts))


@live
def cost_breakdown_figure(s: Session) -> Any:
    """Where the money goes each month, for every allowed option (stacked by line-item group)."""
    from llmstrategy.views import takeaways
    from llmstrategy.views.breakdown import breakdown_figure

    rec = s.decision.strategy_id if s.decision else None
    ok = takeaways.allowed(s.analysis)
    order = sorted(ok, key=lambda sid: s.analysis.cost(sid).monthly_usd)
    comps = {sid: s.analysis.cost(sid).monthly_components_usd for sid in ok}
    fig = breakdown_figure(comps, order, recommended=rec, title="Where the money goes each month")
    return _out(s, fig, takeaways.breakdown(s.analysis, rec))


@live
def cost_curves_figure(
    s: Session,
    *,
    retry_rate: float | None = None,
    cache_hit_rate: float | None = None,
    gpu: str | None = None,
    gpu_utilization: float | None = None,
    api_price_multiplier: float = 1.0,
    gpu_price_multiplier: float = 1.0,
) -> Any:
    """Monthly cost vs monthly token volume for every strategy the decision engine keeps,
    with the API-vs-self-host and API-vs-hybrid break-even volumes marked. The keyword
    arguments are what-ifs (the widgets): they re-price without changing the profile file."""
    from llmstrategy.economics.breakeven import break_even as solve_break_even
    from llmstrategy.economics.context import pricing_context
    from llmstrategy.views import takeaways
    from llmstrategy.views.charts import cost_curve_figure
    from llmstrategy.views.names import strategy_name

    ctx = s.analysis.context
    what_if = (retry_rate, cache_hit_rate, gpu, gpu_utilization) != (None,) * 4 or (
        api_price_multiplier,
        gpu_price_multiplier,
    ) != (1.0, 1.0)
    be = s.analysis.extras.get("break_even") or {}
    if what_if:
        p = s.profile
        changes: dict[str, Any] = {}
        if retry_rate is not None:
            changes["retry_rate"] = retry_rate
        if cache_hit_rate is not None:
            changes["cache_hit_rate"] = cache_hit_rate
        a_changes = {k: v for k, v in (("gpu", gpu), ("gpu_utilization", gpu_utilization)) if v is not None}
        if a_changes:
            changes["assumptions"] = p.assumptions.model_copy(update=a_changes)
        p = p.with_updates(**changes) if changes else p
        catalog = s.catalog.with_price_multipliers(api=api_price_multiplier, gpu=gpu_price_multiplier)
        ctx = pricing_context(p, catalog, on_date=s.analysis.on_date)
        be = solve_break_even(ctx)
    ruled_out = {x["id"] for x in s.analysis.extras.get("scores", []) if not x["feasible"]}
    grid = default_volume_grid(s.analysis.workload, points=41)  # enough for smooth lines on a log axis
    curves = {k: v for k, v in cost_curves(ctx, grid).items() if k not in ruled_out}
    marks = [
        (f"{strategy_name(pair['other'], short=True)} cheaper →", float(pair["monthly_tokens"]))
        for pair in be.get("pairs", [])
        if pair["api"] == "api" and pair["monthly_tokens"] and not {pair["api"], pair["other"]} & ruled_out
    ]
    rec = s.decision.strategy_id if s.decision else None
    shown = takeaways.shown_by_default(s.analysis, s.decision)
    return cost_curve_figure(
        grid,
        curves,
        title="Cost per month by volume",
        profile_tokens_per_month=s.analysis.workload.tokens_per_month,
        break_evens=marks,
        recommended=rec,
        visible=shown,
    )


def _curves_with_takeaway(s: Session) -> Any:
    from llmstrategy.views import takeaways

    ok = takeaways.allowed(s.analysis)
    hidden = len(set(ok) - takeaways.shown_by_default(s.analysis, s.decision))
    return _out(s, cost_curves_figure(s), takeaways.cost_curves(s.analysis, s.decision, hidden))


def cost_curves_view(s: Session) -> Any:
    """Report mode: the figure. Interactive: the figure under what-if widgets for the retry
    and cache rates, the GPU type and utilization, and API and GPU price multipliers, with a
    reset button. Each widget changes the notebook's state (the profile or the catalog's
    prices), which re-runs the engine and redraws every view of the notebook."""
    if s.report_mode or s.state is None:
        return _curves_with_takeaway(s)
    import ipywidgets as w

    from llmstrategy.economics.serving import self_host_settings
    from llmstrategy.errors import LLMStrategyError

    state = s.state
    p0 = state.session.profile
    style = {"description_width": "150px"}
    retry = w.FloatSlider(value=p0.retry_rate, min=0, max=0.9, step=0.01, description="retry rate", style=style)
    cache = w.FloatSlider(
        value=p0.cache_hit_rate, min=0, max=0.95, step=0.01, description="cache hit rate", style=style
    )
    gpu = w.Dropdown(
        options=[("cheapest per volume", "")] + [(g.name, g.id) for g in s.catalog.gpus.values()],
        value=p0.assumptions.gpu or "",
        description="GPU",
        style=style,
    )
    util = w.FloatSlider(
        value=self_host_settings(state.session.analysis.context).gpu_utilization,
        min=0.1,
        max=0.95,
        step=0.05,
        description="GPU utilization",
        style=style,
    )
    # log sliders: one arrow-key press is ×10^0.05 (12 %), 20 presses per decade
    api_m = w.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05, description="API prices ×", style=style)
    gpu_m = w.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05, description="GPU prices ×", style=style)
    status = w.HTML("")
    for c, name in ((retry, "retry"), (cache, "cache"), (gpu, "gpu"), (util, "util"), (api_m, "api"), (gpu_m, "gpux")):
        c.continuous_update = False
        c.add_class(f"lls-whatif-{name}")

    def assumptions(**changes: Any) -> dict[str, Any]:
        return {**state.session.profile.assumptions.model_dump(), **changes}

    changes: dict[Any, Any] = {
        retry: lambda v: {"retry_rate": round(float(v), 4)},
        cache: lambda v: {"cache_hit_rate": round(float(v), 4)},
        gpu: lambda v: {"assumptions": assumptions(gpu=v or None)},
        util: lambda v: {"assumptions": assumptions(gpu_utilization=round(float(v), 4))},
        api_m: lambda v: {"api_price_multiplier": float(v)},
        gpu_m: lambda v: {"gpu_price_multiplier": float(v)},
    }

    def moved(change: dict[str, Any]) -> None:
        if state.quiet:
            return
        try:
            state.update(**changes[change["owner"]](change["new"]))
        except LLMStrategyError as err:
            status.value = f"<p class='lls-warning'>{html.escape(str(err), quote=False)}</p>"
            return
        status.value = ""

    def reset(initial: Session) -> None:
        retry.value, cache.value = initial.profile.retry_rate, initial.profile.cache_hit_rate
        gpu.value = initial.profile.assumptions.gpu or ""
        util.value = self_host_settings(initial.analysis.context).gpu_utilization
        api_m.value = gpu_m.value = 1.0
        status.value = ""

    for c in changes:
        c.observe(moved, names="value")
    state.on_reset(reset)
    controls = w.HBox([w.VBox([retry, cache, gpu]), w.VBox([util, api_m, gpu_m])])
    return w.VBox([controls, w.HBox([state.reset_button(), status]), state.view(_curves_with_takeaway)])


@live
def horizon_figure(s: Session) -> Any:
    from llmstrategy.views import takeaways
    from llmstrategy.views.charts import horizon_figure as fig

    months = np.arange(s.profile.horizon_months, dtype=float)
    ruled_out = {x["id"] for x in s.analysis.extras.get("scores", []) if not x["feasible"]}
    data = {
        c.strategy.id: c.monthly_usd_by_month for c in s.analysis.costs if c.feasible and c.strategy.id not in ruled_out
    }
    return _out(
        s,
        fig(
            months,
            data,
            title=f"Cost per month over {s.profile.horizon_months} months",
            recommended=s.decision.strategy_id if s.decision else None,
            visible=takeaways.shown_by_default(s.analysis, s.decision),
        ),
        takeaways.horizon(s.analysis, s.decision),
    )


@live
def break_even(s: Session) -> Any:
    from llmstrategy.views.summary_html import break_even_html

    return _html(break_even_html(s.analysis))


@live
def seed_check(s: Session) -> Any:
    """Seed 001's cost tiers reproduced, beside the same tiers from first principles."""
    from llmstrategy.economics.seedcheck import seed_check as check
    from llmstrategy.views.appendix import seed_check_html

    return catalog_view(s, "seed_check", lambda: _html(seed_check_html(check(s.catalog))))


@live
def uncertainty(s: Session) -> Any:
    """Monte Carlo: cost percentiles, P(cheapest), P(recommended), and what drives the choice."""
    from llmstrategy.views.summary_html import uncertainty_html

    unc = dict(s.analysis.extras.get("uncertainty") or {})
    unc["drivers"] = (s.analysis.extras.get("drivers") or {}).get("statements", [])
    unc["horizon_total_usd"] = {
        r["strategy"]: {
            "p10": r["horizon_total_usd"]["p10_usd"],
            "p50": r["horizon_total_usd"]["p50_usd"],
            "p90": r["horizon_total_usd"]["p90_usd"],
        }
        for r in unc.get("strategies", [])
    }
    unc["cheapest_probability"] = {k: v["cheapest"] for k, v in (unc.get("win_probability") or {}).items()}
    from llmstrategy.decision.spreads import load_uncertainty

    rec = s.decision.strategy_id if s.decision else None
    return _html(uncertainty_html(unc, s.profile.horizon_months, rec, load_uncertainty(s.catalog.data_dir)))


@live
def uncertainty_figure(s: Session) -> Any:
    """P10-P90 band and P50 of each feasible strategy's horizon total."""
    from llmstrategy.views import takeaways
    from llmstrategy.views.charts import uncertainty_figure as fig

    unc = s.analysis.extras.get("uncertainty") or {}
    rows = unc.get("strategies", [])
    rec = s.decision.strategy_id if s.decision else None
    return _out(
        s,
        fig(
            [r["strategy"] for r in rows],
            [r["horizon_total_usd"] for r in rows],
            title=f"{s.profile.horizon_months}-month total in simulated futures",
            recommended=rec,
        ),
        takeaways.uncertainty(rows, rec, unc.get("win_probability") or {}, s.profile.horizon_months),
    )
