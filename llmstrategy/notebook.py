"""What the notebooks call: one function per cell, in report mode (static HTML) or
interactive mode (ipywidgets). Presentation glue only; numbers come from the core.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from llmstrategy import __version__
from llmstrategy.decision.recommend import Decision
from llmstrategy.economics.analysis import Analysis, cost_curves, default_volume_grid
from llmstrategy.fmt import fmt_count, fmt_usd
from llmstrategy.inputs.catalog import Catalog, load_catalog
from llmstrategy.inputs.profile import Profile, load_profile
from llmstrategy.pipeline import DEFAULT_SAMPLES, DEFAULT_SEED, evaluate


@dataclass(frozen=True)
class Session:
    """A loaded profile, its catalog and its analysis, shared by a notebook's cells."""

    profile: Profile
    catalog: Catalog
    analysis: Analysis
    report_mode: bool
    profile_path: str
    decision: Decision | None = None


def open_session(
    profile_path: str | Path,
    *,
    data_dir: str | None = None,
    as_of: str | None = None,
    report_mode: bool = False,
    seed: int = DEFAULT_SEED,
    samples: int = DEFAULT_SAMPLES,
) -> Session:
    """Load a profile and run the whole engine on it (costs, break-even, decision, Monte
    Carlo: :func:`pipeline.evaluate`). In report mode every figure comes back as static HTML
    (:func:`_out`), which needs no plotly renderer (and so never imports nbformat in the kernel)."""
    profile = load_profile(profile_path)
    catalog = load_catalog(data_dir)
    on_date = date.fromisoformat(as_of) if as_of else None
    a, d = evaluate(profile, catalog, on_date=on_date, seed=seed, samples=samples)
    return Session(profile, catalog, a, report_mode, str(profile_path), d)


def _html(text: str) -> Any:
    from IPython.display import HTML

    return HTML(text)


def _out(s: Session, fig: Any) -> Any:
    """A figure as it should appear: in report mode an HTML fragment (plotly.js is inlined
    once per page by the report template; :func:`plotly_offline.figure_html`), else the
    live figure."""
    if not s.report_mode:
        return fig
    from llmstrategy.views.plotly_offline import figure_html

    return _html(figure_html(fig))


def header(s: Session, title: str) -> Any:
    """Report title, date and the profile's name and description (escaped)."""
    p = s.profile
    desc = f"<p>{html.escape(p.description)}</p>" if p.description else ""
    return _html(
        f"""<div class="lls-report-header"><h1>{html.escape(title)}: {html.escape(p.name)}</h1>
<div class="lls-meta">Analysis date {s.analysis.on_date.isoformat()} · stage {html.escape(p.stage)} ·
{html.escape(p.latency)} latency · horizon {p.horizon_months} months · llmstrategy {__version__}</div>{desc}</div>"""
    )


def kpis(s: Session) -> Any:
    """Headline figures: volume, and the cheapest priced strategy's monthly cost. When the
    profile's data may not leave, a note says which priced strategies send it out."""
    from llmstrategy.views.tables import cheapest_feasible

    w = s.analysis.workload
    cheapest = cheapest_feasible(s.analysis)
    items = [
        (fmt_count(w.requests_per_month), "requests per month"),
        (fmt_count(w.tokens_per_month), "tokens per month"),
        (f"{w.peak_requests_per_second:,.3g}", "peak requests per second"),
    ]
    rec = s.decision.strategy_id if s.decision else None
    if rec and rec != "no_llm":
        items.append((fmt_usd(s.analysis.cost(rec).monthly_usd), f"monthly cost of the recommendation ({rec})"))
    elif rec == "no_llm":
        items.append(("no LLM", "recommendation: rules, search or classic ML suffice"))
    if cheapest is not None:
        items.append((fmt_usd(cheapest.monthly_usd), f"lowest feasible monthly cost ({cheapest.strategy.id})"))
    cells = "".join(
        f'<div class="lls-kpi"><div class="lls-kpi-value">{html.escape(v)}</div>'
        f'<div class="lls-kpi-label">{html.escape(k)}</div></div>'
        for v, k in items
    )
    return _html(f'<div class="lls-kpis">{cells}</div>{_data_residency_note(s)}')


def _data_residency_note(s: Session) -> str:
    if s.profile.data_may_leave:
        return ""
    out = [c.strategy.id for c in s.analysis.costs if c.feasible and c.strategy.sends_data_to_third_party]
    if not out:
        return ""
    return (
        '<div class="lls-warning">This profile\'s data may not leave the organisation. '
        f"{len(out)} priced strategies ({html.escape(', '.join(out))}) send requests to a third-party "
        "model: they are priced here for comparison only and ruled out of the recommendation.</div>"
    )


def workload_table(s: Session) -> Any:
    from llmstrategy.views.tables import styled, value_formatter, workload_frame

    df = workload_frame(s.analysis)
    df["value"] = [value_formatter(u)(v) for v, u in zip(df["value"], df["unit"], strict=True)]
    return styled(df, caption="Workload derived from the profile")


def costs_table(s: Session) -> Any:
    """Every priced strategy, cheapest first (month 0), the cheapest in bold."""
    from llmstrategy.views.tables import costs_frame, styled

    df = costs_frame(s.analysis).drop(columns=["deployment", "adaptation"])
    df = df.sort_values(["feasible", "monthly_usd"], ascending=[False, True], kind="stable").reset_index(drop=True)
    if df["feasible"].all() and not df["note"].str.len().any():
        df = df.drop(columns=["feasible", "note"])
    df = df.rename(columns={"horizon_total_usd": f"total_{s.profile.horizon_months}_months_usd"})
    fm = {f"total_{s.profile.horizon_months}_months_usd": lambda x: fmt_usd(x)}
    best = [0] if len(df) and s.analysis.costs and np.isfinite(df["monthly_usd"].iloc[0]) else []
    return styled(
        df,
        fm,
        caption=(
            f"Cost per strategy, cheapest first: monthly and per 1,000 requests at month 0; one-off set-up; "
            f"total over {s.profile.horizon_months} months with growth"
        ),
        highlight_rows=best,
        sortable=True,
    )


def components_table(s: Session) -> Any:
    """Where the money goes: strategies × monthly components, then × one-off components
    (components that are zero everywhere are left out, zeros show blank)."""
    from llmstrategy.views.tables import _usd_or_blank, components_pivot, styled

    parts = []
    for kind, caption in (
        ("monthly", "Monthly cost by component (month 0)"),
        ("one-off", "One-off costs by component"),
    ):
        df = components_pivot(s.analysis, kind)
        fm = {c: _usd_or_blank for c in df.columns if c not in ("strategy", "total_usd")}
        parts.append(styled(df, fm, caption=caption).to_html())
    return _html("".join(parts))


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
    from llmstrategy.economics.price import pricing_context
    from llmstrategy.views.charts import cost_curve_figure

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
    grid = default_volume_grid(s.analysis.workload)
    curves = {k: v for k, v in cost_curves(ctx, grid).items() if k not in ruled_out}
    marks = [
        (f"{pair['other']} ≤ {pair['api']}", float(pair["monthly_tokens"]))
        for pair in be.get("pairs", [])
        if pair["api"] == "api" and pair["monthly_tokens"] and not {pair["api"], pair["other"]} & ruled_out
    ]
    return cost_curve_figure(
        grid,
        curves,
        title="Monthly cost by monthly token volume (break-even volumes dotted)",
        profile_tokens_per_month=s.analysis.workload.tokens_per_month,
        break_evens=marks,
    )


def cost_curves_view(s: Session) -> Any:
    """Report mode: the figure. Interactive: the figure under what-if widgets for the retry
    and cache rates, the GPU type and utilization, and API and GPU price multipliers."""
    if s.report_mode:
        return _out(s, cost_curves_figure(s))
    import ipywidgets as w
    from IPython.display import display

    from llmstrategy.economics.fleet import self_host_settings

    base = self_host_settings(s.analysis.context)
    style = {"description_width": "150px"}
    retry = w.FloatSlider(value=s.profile.retry_rate, min=0, max=0.9, step=0.01, description="retry rate", style=style)
    cache = w.FloatSlider(
        value=s.profile.cache_hit_rate, min=0, max=0.95, step=0.01, description="cache hit rate", style=style
    )
    gpu = w.Dropdown(
        options=[("cheapest per volume", "")] + [(g.name, g.id) for g in s.catalog.gpus.values()],
        value=s.profile.assumptions.gpu or "",
        description="GPU",
        style=style,
    )
    util = w.FloatSlider(
        value=base.gpu_utilization, min=0.1, max=0.95, step=0.05, description="GPU utilization", style=style
    )
    api_m = w.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05, description="API prices ×", style=style)
    gpu_m = w.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05, description="GPU prices ×", style=style)
    controls = (retry, cache, gpu, util, api_m, gpu_m)
    for c in controls:
        c.continuous_update = False
    out = w.Output()

    def redraw(*_: Any) -> None:
        with out:
            out.clear_output(wait=True)
            display(
                cost_curves_figure(
                    s,
                    retry_rate=retry.value,
                    cache_hit_rate=cache.value,
                    gpu=gpu.value or None,
                    gpu_utilization=util.value,
                    api_price_multiplier=api_m.value,
                    gpu_price_multiplier=gpu_m.value,
                )
            )

    for c in controls:
        c.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([w.VBox([retry, cache, gpu]), w.VBox([util, api_m, gpu_m])]), out])


def horizon_figure(s: Session) -> Any:
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
            title=(
                f"Monthly cost over {s.profile.horizon_months} months (growth {s.profile.monthly_growth:.0%} per month)"
            ),
        ),
    )


def _models(s: Session) -> Any:
    from llmstrategy.views.tables import model_comparison_frame

    return model_comparison_frame(s.analysis)


MODEL_COLUMNS = [
    "model",
    "provider",
    "open_weight",
    "quality_score",
    "context_window_tokens",
    "serving",
    "input_usd_per_mtok",
    "output_usd_per_mtok",
    "per_1k_requests_usd",
    "monthly_usd",
    "meets_quality",
    "pareto",
]


def models_figure(s: Session, df: Any = None) -> Any:
    """Quality vs cost per 1,000 requests of the models the profile allows, with the
    Pareto frontier highlighted."""
    from llmstrategy.views.charts import model_scatter_figure

    df = _models(s) if df is None else df
    df = df[df["allowed"]]
    how = "hosted API prices" if s.profile.data_may_leave else "self-hosted (the data may not leave)"
    return _out(
        s,
        model_scatter_figure(
            list(df["model"]),
            list(df["per_1k_requests_usd"]),
            list(df["quality_score"]),
            pareto=list(df["pareto"]),
            meets_quality=list(df["meets_quality"]),
            quality_needed=s.analysis.context.quality_needed,
            title=f"Quality vs cost per 1,000 requests ({how})",
        ),
    )


def models_table(s: Session, df: Any = None) -> Any:
    """The allowed models, cheapest first, sortable (★ marks the Pareto frontier)."""
    from llmstrategy.views.tables import styled

    df = _models(s) if df is None else df
    df = df[df["allowed"]].reset_index(drop=True)
    best = [i for i, front in enumerate(df["pareto"]) if front]
    cols = [c for c in MODEL_COLUMNS if c != "serving" and (c in ("model", "pareto") or df[c].notna().any())]
    how = "hosted API prices" if s.profile.data_may_leave else "self-hosted: the data may not leave"
    return styled(
        df[cols],
        caption=f"{len(df)} models priced for this workload ({how}); click a header to sort; ★ Pareto frontier",
        highlight_rows=best,
        sortable=True,
    )


def models_excluded_table(s: Session) -> Any:
    """The catalog models the profile's constraints rule out, and why."""
    from llmstrategy.views.tables import styled

    df = _models(s)
    df = df[~df["allowed"]][["model", "provider", "open_weight", "context_window_tokens", "excluded_because"]]
    if df.empty:
        return _html('<p class="lls-note">No catalog model is ruled out by this profile\'s constraints.</p>')
    return styled(df.reset_index(drop=True), caption=f"{len(df)} models ruled out by the profile's constraints")


def model_constraints(s: Session) -> Any:
    """The constraints that filter the catalog, in plain words."""
    p = s.profile
    items = [
        f"context window of at least {fmt_count(p.context_tokens)} tokens",
        "any model, priced at its hosted API price"
        if p.data_may_leave
        else "open-weight models only, priced as self-hosted (the data may not leave)",
        f"quality needed for {html.escape(p.task_complexity)}-complexity tasks: "
        f"MMLU-Pro ≥ {s.analysis.context.quality_needed:g}",
        f"models retired on or before {s.analysis.on_date.isoformat()} left out",
    ]
    lis = "".join(f"<li>{t}</li>" for t in items)
    return _html(f'<div class="lls-note"><b>Constraints from the profile</b><ul>{lis}</ul></div>')


def models_view(s: Session) -> Any:
    """Report mode: the scatter, then the sortable table. Interactive: filters by
    provider, open/closed weights, minimum context and minimum quality, a sort order, and
    the scatter and table they filter."""
    from IPython.display import display

    if s.report_mode:
        display(models_figure(s))
        return models_table(s)
    import ipywidgets as w

    from llmstrategy.views.tables import filter_models

    full = _models(s)
    allowed = full[full["allowed"]]
    providers = sorted(allowed["provider"].unique())
    provider = w.SelectMultiple(options=providers, value=tuple(providers), description="provider", rows=6)
    weights = w.ToggleButtons(options=["any", "open", "closed"], value="any", description="weights")
    contexts = [0, 8_000, 32_000, 128_000, 200_000, 1_000_000]
    min_ctx = w.Dropdown(
        options=[("any", 0)] + [(fmt_count(c), c) for c in contexts[1:]], value=0, description="min context"
    )
    min_q = w.FloatSlider(value=0, min=0, max=90, step=1, description="min quality")
    sort = w.Dropdown(
        options=[("cost", "per_1k_requests_usd"), ("quality", "quality_score"), ("context", "context_window_tokens")],
        value="per_1k_requests_usd",
        description="sort by",
    )
    out = w.Output()

    def redraw(*_: Any) -> None:
        ow = {"any": None, "open": True, "closed": False}[weights.value]
        df = filter_models(
            allowed,
            providers=provider.value,
            open_weight=ow,
            min_context_tokens=min_ctx.value,
            min_quality=min_q.value,
        )
        df = df.sort_values(sort.value, ascending=sort.value == "per_1k_requests_usd")
        with out:
            out.clear_output(wait=True)
            if df.empty:
                display(_html('<p class="lls-note">No model passes these filters.</p>'))
                return
            display(models_figure(s, df))
            display(models_table(s, df))

    for widget in (provider, weights, min_ctx, min_q, sort):
        widget.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([provider, w.VBox([weights, min_ctx, min_q, sort])]), out])


def sources_table(s: Session) -> Any:
    """Every default the engine used, with its unit, source and date."""
    import pandas as pd

    from llmstrategy.views.tables import styled

    return styled(pd.DataFrame(s.catalog.sources_table()), caption="Assumptions and their sources")


def footer(s: Session) -> Any:
    files = ", ".join(html.escape(str(Path(f).name)) for f in s.catalog.files.values())
    return _html(
        f'<div class="lls-footer">Generated by llmstrategy {__version__} on {s.analysis.on_date.isoformat()} '
        f"from {html.escape(Path(s.profile_path).name)} and the catalogs {files}. "
        "Every figure traces to the profile, a catalog row with its source, or a formula stated above.</div>"
    )


def sizing_table(s: Session) -> Any:
    """The self-hosted strategies' fleets at this workload (month 0)."""
    import pandas as pd

    from llmstrategy.views.tables import styled

    cols = [
        "gpu",
        "precision",
        "tensor_parallel",
        "pipeline_stages",
        "replicas",
        "gpus",
        "batch_size",
        "output_tokens_per_second_per_gpu",
        "time_per_output_token_ms",
        "time_to_first_token_ms",
        "usd_per_gpu_hour",
    ]
    rows = []
    for c in s.analysis.costs:
        if c.feasible and "gpu" in c.details:
            rows.append(
                {
                    "strategy": c.strategy.id,
                    "model": c.models.get("self_host", ""),
                    **{k: c.details.get(k) for k in cols},
                }
            )
    df = pd.DataFrame(rows)
    fm = {
        "replicas": lambda x: f"{x:,.2f}",
        "gpus": lambda x: f"{x:,.2f}",
        "output_tokens_per_second_per_gpu": lambda x: f"{x:,.0f}",
        "time_per_output_token_ms": lambda x: f"{x:,.1f}",
        "time_to_first_token_ms": lambda x: f"{x:,.0f}",
        "usd_per_gpu_hour": lambda x: f"${x:,.2f}",
    }
    return styled(
        df, fm, caption="Self-hosted fleets for this workload (month 0; on-demand GPUs are fractional: autoscaled)"
    )


def calibration_table(s: Session) -> Any:
    """The sizing model's predictions against published measurements."""
    import pandas as pd

    from llmstrategy.economics.calibration import compare
    from llmstrategy.views.tables import styled

    df = pd.DataFrame(compare(s.catalog)).drop(columns=["measurement"])
    fm = {
        "measured_tokens_per_s_per_gpu": lambda x: f"{x:,.0f}",
        "predicted_tokens_per_s_per_gpu": lambda x: f"{x:,.0f}",
        "ratio": lambda x: f"{x:.2f}×",
        # the value arrives HTML-escaped (styled escapes before formatting): safe in href
        "source": lambda u: f'<a href="{u}">{u.rstrip("/").rsplit("/", 1)[-1]}</a>' if u.startswith("http") else u,
    }
    return styled(df, fm, caption="Sizing model vs published max-throughput measurements (output tokens/s per GPU)")


def _plain_value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() and abs(v) < 1e15 else f"{v:,.6g}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def profile_table(s: Session) -> Any:
    """Every profile field and its value (report mode of the profile editor)."""
    import pandas as pd

    from llmstrategy.views.tables import styled
    from llmstrategy.views.widgets import ADVANCED_FIELDS, FIELDS, field_value

    rows = [{"group": f.group, "field": f.path, "value": field_value(s.profile, f.path)} for f in FIELDS]
    advanced = s.profile.model_dump(mode="json", exclude_none=True, include=set(ADVANCED_FIELDS))
    for section, values in advanced.items():
        for key, value in (values or {}).items():
            rows.append({"group": "Advanced", "field": f"{section}.{key}", "value": value})
    df = pd.DataFrame(rows)
    df["value"] = [_plain_value(v) for v in df["value"]]
    return styled(df, caption=f"Profile fields ({Path(s.profile_path).name})")


def profile_editor(s: Session, *, save_dir: str = "../data/profiles") -> Any:
    """Report mode: the profile's fields as a table. Interactive: a widget per field, the
    derived workload updated live, and a button that saves the profile as YAML."""
    if s.report_mode:
        return profile_table(s)
    from llmstrategy.views.widgets import ProfileEditor

    return ProfileEditor(s.profile, save_dir=save_dir).widget


# ---------------------------------------------------------------- decision engine


def _decision(s: Session) -> Decision:
    if s.decision is None:
        raise RuntimeError("this session has no decision: open it with open_session")
    return s.decision


def executive_summary(s: Session) -> Any:
    """Recommendation, runner-up, monthly cost, confidence and when to revisit, in words."""
    from llmstrategy.views.decision_views import executive_summary_html

    return _html(executive_summary_html(s.analysis, _decision(s), s.analysis.extras.get("uncertainty")))


def decision_path(s: Session) -> Any:
    """Each step of the seeds' decision path with the profile value that decided it."""
    from llmstrategy.views.decision_views import decision_path_html

    return _html(decision_path_html(_decision(s)))


def decision_matrix(s: Session) -> Any:
    """The feasible strategies × criteria as a heat map, best first; then the ruled-out
    strategies with their reasons."""
    from llmstrategy.views.decision_views import matrix_styled, ruled_out_html

    st = matrix_styled(
        _decision(s),
        caption="Feasible strategies × criteria (green is better on each criterion's own direction); best first",
    )
    return _html(st.to_html() + ruled_out_html(_decision(s)))


def weights(s: Session) -> Any:
    """The criterion weights and the profile conditions that set them."""
    from llmstrategy.views.decision_views import weights_html

    return _html(weights_html(_decision(s)))


def scores_figure(s: Session) -> Any:
    from llmstrategy.views.decision_views import scores_figure as fig

    return _out(s, fig(_decision(s)))


def sensitivity_figure(s: Session) -> Any:
    from llmstrategy.views.decision_views import sensitivity_figure as fig

    return _out(s, fig(_decision(s)))


def decision_matrix_view(s: Session) -> Any:
    """Report mode: the matrix. Interactive: a slider per criterion weight;
    moving one re-ranks the strategies live (weighted sum and TOPSIS side by side) and
    updates the recommendation."""
    from IPython.display import display

    from llmstrategy.decision.ratings import Weights, load_ratings
    from llmstrategy.decision.recommend import recommend
    from llmstrategy.inputs.criteria import CRITERIA, CRITERION_IDS
    from llmstrategy.views.decision_views import matrix_styled, ranking_html
    from llmstrategy.views.decision_views import scores_figure as scores_fig

    d = _decision(s)
    if s.report_mode:
        return decision_matrix(s)  # the scores have their own cell
    import ipywidgets as w

    from llmstrategy.views.decision_views import ruled_out_html

    ratings = load_ratings(s.catalog.data_dir)
    sliders = {
        k: w.FloatSlider(
            value=round(d.weights.values[k], 3),
            min=0.0,
            max=1.0,
            step=0.005,
            description=CRITERIA[k][1],
            style={"description_width": "180px"},
            layout={"width": "420px"},
            continuous_update=False,
        )
        for k in CRITERION_IDS
    }
    for k, sl in sliders.items():
        sl.add_class(f"lls-weight-{k.replace('_', '-')}")
    ranking, matrix = w.HTML(), w.Output()
    ranking.add_class("lls-ranking")

    def redraw(*_: Any) -> None:
        raw = {k: float(sl.value) for k, sl in sliders.items()}
        total = sum(raw.values())
        if total <= 0:
            ranking.value = "<p class='lls-warning'>Give at least one criterion a weight.</p>"
            return
        chosen = Weights({k: v / total for k, v in raw.items()}, ("set with the sliders",), tuple(CRITERION_IDS))
        nd = recommend(s.analysis, ratings, weights=chosen)
        ranking.value = ranking_html(nd)
        with matrix:
            matrix.clear_output(wait=True)
            display(matrix_styled(nd, caption="Feasible strategies × criteria under the slider weights"))
            display(_html(ruled_out_html(nd)))
            display(scores_fig(nd))

    for sl in sliders.values():
        sl.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([w.VBox(list(sliders.values())), ranking]), matrix])


def traps(s: Session) -> Any:
    from llmstrategy.views.decision_views import traps_html

    return _html(traps_html(_decision(s)))


def revisit(s: Session) -> Any:
    from llmstrategy.views.decision_views import revisit_html

    return _html(revisit_html(_decision(s)))


def roadmap_view(s: Session) -> Any:
    """Seed 003's phases on this profile's timeline: a chart and the table behind it."""
    from IPython.display import display

    from llmstrategy.views.decision_views import roadmap_figure, roadmap_html

    display(_out(s, roadmap_figure(s.analysis, _decision(s))))
    return _html(roadmap_html(_decision(s)))


def checklist(s: Session) -> Any:
    from llmstrategy.views.decision_views import checklist_html

    return _html(checklist_html(_decision(s)))


def break_even(s: Session) -> Any:
    from llmstrategy.views.decision_views import break_even_html

    return _html(break_even_html(s.analysis))


def seed_check(s: Session) -> Any:
    """Seed 001's cost tiers reproduced, beside the same tiers from first principles."""
    from llmstrategy.economics.seedcheck import seed_check as check
    from llmstrategy.views.decision_views import seed_check_html

    return _html(seed_check_html(check(s.catalog)))


def methodology(s: Session) -> Any:
    """Every formula with the defaults it uses, their values and sources."""
    from llmstrategy.views.decision_views import methodology_html
    from llmstrategy.views.methodology import methodology as sections

    return _html(methodology_html(sections(s.catalog)))


def uncertainty(s: Session) -> Any:
    """Monte Carlo: cost percentiles, P(cheapest), P(recommended), and what drives the choice."""
    from llmstrategy.views.decision_views import uncertainty_html

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
    return _html(uncertainty_html(unc, s.profile.horizon_months))


def uncertainty_figure(s: Session) -> Any:
    """P10-P90 band and P50 of each feasible strategy's horizon total."""
    from llmstrategy.views.charts import uncertainty_figure as fig

    rows = (s.analysis.extras.get("uncertainty") or {}).get("strategies", [])
    return _out(
        s,
        fig(
            [r["strategy"] for r in rows],
            [r["horizon_total_usd"] for r in rows],
            title=f"Total cost over {s.profile.horizon_months} months: P10-P90 of the simulated futures, P50 marked",
        ),
    )
