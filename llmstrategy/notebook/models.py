"""Model cells: the models the profile allows and the ones it rules out, quality vs cost
(with filter widgets), the self-hosted fleets' sizing and its calibration.
"""

from __future__ import annotations

import html
from typing import Any

from llmstrategy.fmt import fmt_count
from llmstrategy.notebook.session import Session, _html, _out, catalog_view
from llmstrategy.notebook.state import live


def _models(s: Session) -> Any:
    from llmstrategy.views.tables import model_comparison_frame

    return model_comparison_frame(s.analysis)


MODEL_COLUMNS = [
    "model",
    "provider",
    "open_weight",
    "quality_score",
    "quality_benchmark",
    "benchmark_score",
    "context_window_tokens",
    "serving",
    "input_usd_per_mtok",
    "output_usd_per_mtok",
    "per_1k_requests_usd",
    "monthly_usd",
    "meets_quality",
    "quality_note",
    "pareto",
]


@live
def models_figure(s: Session, df: Any = None) -> Any:
    """Quality vs cost per 1,000 requests of the models the profile allows, with the
    Pareto frontier highlighted."""
    from llmstrategy.views import takeaways
    from llmstrategy.views.charts import model_scatter_figure

    df = _models(s) if df is None else df
    df = df[df["allowed"]]
    rec = s.decision.strategy_id if s.decision else None
    used = list(s.analysis.cost(rec).models.values()) if rec and rec != "no_llm" else []
    need = s.analysis.context.quality_needed
    return _out(
        s,
        model_scatter_figure(
            list(df["model"]),
            list(df["per_1k_requests_usd"]),
            list(df["quality_score"]),
            pareto=list(df["pareto"]),
            meets_quality=list(df["meets_quality"]),
            quality_needed=need,
            quality_label=_quality_axis(s),
            title="Quality vs cost per 1,000 requests",
            recommended_models=used,
        ),
        takeaways.models(df, used, need),
    )


@live
def models_table(s: Session, df: Any = None) -> Any:
    """The allowed models, cheapest first, sortable (★ marks the Pareto frontier)."""
    from llmstrategy.views.styling import styled

    df = _models(s) if df is None else df
    df = df[df["allowed"]].reset_index(drop=True)
    how = "hosted API prices" if s.profile.data_may_leave else "self-hosted: the data may not leave"
    caption = (
        f"{len(df)} models priced for this workload ({how}); quality on the need's scale is the score on "
        f"{_first_benchmark(s)}; a model judged on another benchmark sits at the {_first_benchmark(s)} bar plus "
        "its margin over that benchmark's bar; click a header to sort; ★ Pareto frontier"
    )
    if s.report_mode:  # a report lists the models that can do the task, the frontier and the ones used
        rec = s.decision.strategy_id if s.decision else None
        used = set(s.analysis.cost(rec).models.values()) if rec and rec != "no_llm" else set()
        shown = df["meets_quality"] | df["pareto"] | df["model"].isin(used)
        rest = int((~shown).sum())
        df = df[shown].reset_index(drop=True)
        if rest:
            caption += f"; {rest} more below the task's quality are in the models CSV export"
    best = [i for i, front in enumerate(df["pareto"]) if front]
    cols = [c for c in MODEL_COLUMNS if c != "serving" and (c in ("model", "pareto") or df[c].notna().any())]
    return styled(df[cols], caption=caption, highlight_rows=best, sortable=True)


@live
def models_excluded_table(s: Session) -> Any:
    """The catalog models the profile's constraints rule out, and why."""
    from llmstrategy.views.styling import styled

    df = _models(s)
    df = df[~df["allowed"]][["model", "provider", "open_weight", "context_window_tokens", "excluded_because"]]
    if df.empty:
        return _html('<p class="lls-note">No catalog model is ruled out by this profile\'s constraints.</p>')
    return styled(df.reset_index(drop=True), caption=f"{len(df)} models ruled out by the profile's constraints")


def _need_words(s: Session) -> str:
    """The task's quality need in benchmark names: 'agentic: SWE-bench Verified ≥ 72; ...'."""
    from llmstrategy.inputs.benchmarks import BENCHMARK_NAMES

    return "; ".join(
        f"{r.capability}: {BENCHMARK_NAMES.get(r.benchmarks[0], r.benchmarks[0])} ≥ {r.min_scores[0]:g}"
        for r in s.analysis.context.quality.requirements
    )


def _first_benchmark(s: Session) -> str:
    """The name of the benchmark whose scale the task's primary need is on (its first)."""
    from llmstrategy.inputs.benchmarks import BENCHMARK_NAMES

    b = s.analysis.context.quality.primary.benchmarks[0]
    return BENCHMARK_NAMES.get(b, b)


def _quality_axis(s: Session) -> str:
    """The y axis: quality on the need's scale (a model judged on a later benchmark sits at the bar
    plus its margin there, so values may pass 100)."""
    return f"{s.analysis.context.quality.primary.capability}: quality on the {_first_benchmark(s)} scale"


@live
def model_constraints(s: Session) -> Any:
    """The constraints that filter the catalog, in plain words."""
    p = s.profile
    items = [
        f"context window of at least {fmt_count(p.context_tokens)} tokens",
        "any model, priced at its hosted API price"
        if p.data_may_leave
        else "open-weight models only, priced as self-hosted (the data may not leave)",
        f"quality needed for {html.escape(p.task_complexity)}-complexity {html.escape(p.task_type)} tasks: "
        f"{html.escape(_need_words(s))}",
        f"models retired on or before {s.analysis.on_date.isoformat()} left out",
    ]
    lis = "".join(f"<li>{t}</li>" for t in items)
    return _html(f'<div class="lls-note"><b>Constraints from the profile</b><ul>{lis}</ul></div>')


def models_view(s: Session) -> Any:
    """Report mode: the scatter, then the sortable table. Interactive: filters by
    provider, open/closed weights, minimum context and minimum quality, a sort order, and
    the scatter and table they filter (redrawn too when another widget changes the state)."""
    from IPython.display import display

    if s.report_mode or s.state is None:
        display(models_figure(s))
        return models_table(s)
    import ipywidgets as w

    from llmstrategy.views.tables import filter_models

    state = s.state
    full = _models(s)
    providers = sorted(full[full["allowed"]]["provider"].unique())
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

    def draw(cur: Session) -> None:
        full = _models(cur)
        ow = {"any": None, "open": True, "closed": False}[weights.value]
        df = filter_models(
            full[full["allowed"]],
            providers=provider.value,
            open_weight=ow,
            min_context_tokens=min_ctx.value,
            min_quality=min_q.value,
        )
        df = df.sort_values(sort.value, ascending=sort.value == "per_1k_requests_usd")
        if df.empty:
            display(_html('<p class="lls-note">No model passes these filters.</p>'))
            return
        display(models_figure(cur, df))
        display(_html(models_table(cur, df).to_html()))

    out = state.view(draw)
    for widget in (provider, weights, min_ctx, min_q, sort):
        widget.observe(lambda *_: state.refresh(out), names="value")
    return w.VBox([w.HBox([provider, w.VBox([weights, min_ctx, min_q, sort])]), out])


@live
def sizing_table(s: Session) -> Any:
    """The self-hosted strategies' fleets at this workload (month 0)."""
    import pandas as pd

    from llmstrategy.views.styling import styled

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
    from llmstrategy.views.names import strategy_name

    rows = []
    for c in s.analysis.costs:
        if c.feasible and "gpu" in c.details:
            rows.append(
                {
                    "strategy": strategy_name(c.strategy.id, short=True),
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
    from llmstrategy.views.glossary import term

    table = styled(
        df, fm, caption="Self-hosted fleets for this workload (month 0; on-demand GPUs are fractional: autoscaled)"
    ).to_html()
    note = (
        "<p class='lls-note'>How a copy of the model is split over GPUs: "
        f"{term('tensor parallel, pipeline stages', 'tensor-parallel')}; "
        f"weights stored at a {term('precision', 'precision')}; {term('time to first token', 'latency')}.</p>"
    )
    return _html(table + note)


@live
def calibration_table(s: Session) -> Any:
    """The sizing model's predictions against published measurements, each in its own unit
    (throughput in output tokens/s per GPU, time per output token in ms, batch latency in s)."""
    return catalog_view(s, "calibration", lambda: _calibration_styled(s))


def _calibration_styled(s: Session) -> Any:
    import pandas as pd

    from llmstrategy.economics.calibration import TOLERANCE, compare, within_tolerance
    from llmstrategy.views.styling import styled

    def value(x: float, unit: str) -> str:
        return f"{x:,.0f} {unit}" if x >= 100 else f"{x:,.3g} {unit}"

    rows = compare(s.catalog)
    df = pd.DataFrame(rows).drop(columns=["measurement", "metric", "unit", "measured", "predicted", "precision"])
    df["gpu"] = [f"{r['gpu']}, {r['precision']}" for r in rows]  # one column fewer: the table prints on A4
    df.insert(5, "Measured", [value(r["measured"], r["unit"]) for r in rows])
    df.insert(6, "Predicted", [value(r["predicted"], r["unit"]) for r in rows])
    df["source"] = [f"{r['source']}\t{r['as_of']}" for r in rows]
    df = df.drop(columns=["as_of"])

    def source(cell: str) -> str:  # "URL<tab>date", HTML-escaped by styled before formatting: safe in href
        u, day = cell.split("\t")
        name = u.rstrip("/").rsplit("/", 1)[-1]
        return f'<a href="{u}">{name}</a> ({day})' if u.startswith("http") else f"{u} ({day})"

    fm = {"ratio": lambda x: f"{x:.2f}×", "source": source}
    inside = within_tolerance(rows)
    caption = (
        "Sizing model vs published measurements: throughput (output tokens/s per GPU), time per output "
        f"token (ms) and latency of a batch started together (s), each with predicted / measured; "
        f"{inside} of {len(rows)} within {TOLERANCE:g}×, the others say why"
    )
    return styled(df, fm, caption=caption)
