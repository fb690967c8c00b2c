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

from . import __version__
from .analysis import Analysis, analyze, cost_curves, default_volume_grid
from .catalog import Catalog, load_catalog
from .fmt import fmt_count, fmt_usd
from .profile import Profile, load_profile


@dataclass(frozen=True)
class Session:
    """A loaded profile, its catalog and its analysis, shared by a notebook's cells."""

    profile: Profile
    catalog: Catalog
    analysis: Analysis
    report_mode: bool
    profile_path: str


def open_session(
    profile_path: str | Path,
    *,
    data_dir: str | None = None,
    as_of: str | None = None,
    report_mode: bool = False,
) -> Session:
    """Load and analyze a profile. In report mode, select the offline plotly renderer."""
    if report_mode:
        from .plotly_offline import use_offline_renderer

        use_offline_renderer()
    profile = load_profile(profile_path)
    catalog = load_catalog(data_dir)
    on_date = date.fromisoformat(as_of) if as_of else None
    return Session(profile, catalog, analyze(profile, catalog, on_date=on_date), report_mode, str(profile_path))


def _html(text: str) -> Any:
    from IPython.display import HTML

    return HTML(text)


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
    from .tables import cheapest_feasible

    w = s.analysis.workload
    cheapest = cheapest_feasible(s.analysis)
    items = [
        (fmt_count(w.requests_per_month), "requests per month"),
        (fmt_count(w.tokens_per_month), "tokens per month"),
        (f"{w.peak_requests_per_second:,.3g}", "peak requests per second"),
    ]
    if cheapest is not None:
        items.append((fmt_usd(cheapest.monthly_usd), f"lowest monthly cost ({cheapest.strategy.id})"))
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
        "model: they are priced here for comparison only, and the lowest cost above may be one of them.</div>"
    )


def workload_table(s: Session) -> Any:
    from .tables import styled, value_formatter, workload_frame

    df = workload_frame(s.analysis)
    df["value"] = [value_formatter(u)(v) for v, u in zip(df["value"], df["unit"], strict=True)]
    return styled(df, caption="Workload derived from the profile")


def costs_table(s: Session) -> Any:
    """Every priced strategy, cheapest first (month 0), the cheapest in bold."""
    from .tables import costs_frame, styled

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
    from .tables import _usd_or_blank, components_pivot, styled

    parts = []
    for kind, caption in (
        ("monthly", "Monthly cost by component (month 0)"),
        ("one-off", "One-off costs by component"),
    ):
        df = components_pivot(s.analysis, kind)
        fm = {c: _usd_or_blank for c in df.columns if c not in ("strategy", "total_usd")}
        parts.append(styled(df, fm, caption=caption).to_html())
    return _html("".join(parts))


def cost_curves_figure(s: Session, *, retry_rate: float | None = None, cache_hit_rate: float | None = None) -> Any:
    """Monthly cost vs monthly token volume for every priced strategy."""
    from .charts import cost_curve_figure
    from .pricing import pricing_context

    ctx = s.analysis.context
    if retry_rate is not None or cache_hit_rate is not None:
        p = s.profile.with_updates(
            retry_rate=s.profile.retry_rate if retry_rate is None else retry_rate,
            cache_hit_rate=s.profile.cache_hit_rate if cache_hit_rate is None else cache_hit_rate,
        )
        ctx = pricing_context(p, s.catalog, on_date=s.analysis.on_date)
    grid = default_volume_grid(s.analysis.workload)
    return cost_curve_figure(
        grid,
        cost_curves(ctx, grid),
        title="Monthly cost by monthly token volume",
        profile_tokens_per_month=s.analysis.workload.tokens_per_month,
    )


def cost_curves_view(s: Session) -> Any:
    """Report mode: the figure. Interactive: the figure under retry and cache sliders."""
    if s.report_mode:
        return cost_curves_figure(s)
    import ipywidgets as w
    from IPython.display import display

    retry = w.FloatSlider(value=s.profile.retry_rate, min=0, max=0.9, step=0.01, description="retry rate")
    cache = w.FloatSlider(value=s.profile.cache_hit_rate, min=0, max=0.95, step=0.01, description="cache hit rate")
    out = w.Output()

    def redraw(*_: Any) -> None:
        with out:
            out.clear_output(wait=True)
            display(cost_curves_figure(s, retry_rate=retry.value, cache_hit_rate=cache.value))

    retry.observe(redraw, names="value")
    cache.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([retry, cache]), out])


def horizon_figure(s: Session) -> Any:
    from .charts import horizon_figure as fig

    months = np.arange(s.profile.horizon_months, dtype=float)
    data = {c.strategy.id: c.monthly_usd_by_month for c in s.analysis.costs if c.feasible}
    return fig(
        months,
        data,
        title=f"Monthly cost over {s.profile.horizon_months} months (growth {s.profile.monthly_growth:.0%} per month)",
    )


def _models(s: Session) -> Any:
    from .tables import model_comparison_frame

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
    from .charts import model_scatter_figure

    df = _models(s) if df is None else df
    df = df[df["allowed"]]
    how = "hosted API prices" if s.profile.data_may_leave else "self-hosted (the data may not leave)"
    return model_scatter_figure(
        list(df["model"]),
        list(df["per_1k_requests_usd"]),
        list(df["quality_score"]),
        pareto=list(df["pareto"]),
        meets_quality=list(df["meets_quality"]),
        quality_needed=s.analysis.context.quality_needed,
        title=f"Quality vs cost per 1,000 requests ({how})",
    )


def models_table(s: Session, df: Any = None) -> Any:
    """The allowed models, cheapest first, sortable (★ marks the Pareto frontier)."""
    from .tables import styled

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
    from .tables import styled

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

    from .tables import filter_models

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

    from .tables import styled

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

    from .tables import styled

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

    from .calibration import compare
    from .tables import styled

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

    from .tables import styled
    from .widgets import ADVANCED_FIELDS, FIELDS, field_value

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
    from .widgets import ProfileEditor

    return ProfileEditor(s.profile, save_dir=save_dir).widget
