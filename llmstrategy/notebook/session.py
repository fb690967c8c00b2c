"""A notebook's session (the profile, its catalog, analysis and decision, loaded once by
:func:`open_session`), the display helpers every cell uses, and the report's frame:
header, headline figures, sources and footer. An interactive session carries the
notebook's :class:`~llmstrategy.notebook.state.NotebookState`, which its widgets change.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from llmstrategy import __version__
from llmstrategy.decision.recommend import Decision
from llmstrategy.economics.analysis import Analysis
from llmstrategy.economics.context import sends_data_to_third_party
from llmstrategy.fmt import fmt_count, fmt_usd
from llmstrategy.inputs.catalog import Catalog
from llmstrategy.inputs.catalog_cache import cached_catalog
from llmstrategy.inputs.profile import Profile, load_profile
from llmstrategy.notebook.state import NotebookState, drawing_live, live, no_math
from llmstrategy.pipeline import DEFAULT_SAMPLES, DEFAULT_SEED, evaluate


@dataclass(frozen=True)
class Session:
    """A loaded profile, its catalog and its analysis, shared by a notebook's cells.
    ``state``: the interactive notebook's state (None in report mode)."""

    profile: Profile
    catalog: Catalog
    analysis: Analysis
    report_mode: bool
    profile_path: str
    decision: Decision | None = None
    state: NotebookState | None = field(default=None, compare=False, repr=False)


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
    (:func:`_out`), which needs no plotly renderer (and so never imports nbformat in the kernel).
    Interactive: the session carries a new :class:`NotebookState` (one per notebook), and
    every cell shows its result in an output area that state redraws on each widget change."""
    profile = load_profile(profile_path)
    on_date = date.fromisoformat(as_of) if as_of else None
    catalog = session_catalog(data_dir, on_date)  # the models and prices of that day
    a, d = evaluate(profile, catalog, on_date=on_date, seed=seed, samples=samples)
    s = Session(profile, catalog, a, report_mode, str(profile_path), d)
    if report_mode:
        return s
    state = NotebookState(s, seed=seed, samples=samples)
    s = replace(s, state=state)
    state.initial = state.session = s
    return s


def session_catalog(data_dir: str | Path | None, on_date: date | None) -> Catalog:
    """The catalog of ``on_date``, loaded once per process until a catalog file changes
    (:func:`~llmstrategy.inputs.catalog_cache.cached_catalog`)."""
    return cached_catalog(data_dir, on_date)


_CATALOG_VIEWS: dict[str, tuple[Catalog, str]] = {}


def catalog_view(s: Session, key: str, build: Callable[[], Any]) -> Any:
    """A view that depends on the catalog only (the sources, the sizing model's calibration,
    seed 001's check): in report mode its HTML is built once per catalog object and shown
    again as HTML (the same text a Styler shows), since :func:`session_catalog` gives every
    report of a batch one catalog; interactive (or a stand-in session without
    ``report_mode``), ``build()`` as it is."""
    if not getattr(s, "report_mode", False):
        return build()
    hit = _CATALOG_VIEWS.get(key)
    if hit is None or hit[0] is not s.catalog:
        view = build()
        text = view.to_html() if hasattr(view, "to_html") else view.data
        hit = _CATALOG_VIEWS[key] = (s.catalog, str(text))
    return _html(hit[1])


def _html(text: str) -> Any:
    """``text`` as displayable HTML; in a live output area, proof against LaTeX typesetting."""
    from IPython.display import HTML

    return HTML(no_math(text) if drawing_live() else text)


def _out(s: Session, fig: Any, takeaway: str = "") -> Any:
    """A figure as it should appear, under its one-line ``takeaway`` (HTML): in report mode
    an HTML fragment (plotly.js is inlined once per page by the report template;
    :func:`plotly_offline.figure_html`), else the live figure."""
    from llmstrategy.views.chart_style import takeaway_html

    if not s.report_mode:
        if takeaway:
            from IPython.display import display

            display(_html(takeaway_html(takeaway)))
        return fig
    from llmstrategy.views.plotly_offline import figure_html

    return _html(f'<div class="lls-chart">{takeaway_html(takeaway)}{figure_html(fig)}</div>')


@live
def header(s: Session, title: str) -> Any:
    """Report title, date and the profile's name and description (escaped)."""
    p = s.profile
    desc = f'<p class="lls-desc">{html.escape(p.description)}</p>' if p.description else ""
    stage = {"pre_mvp": "pre-MVP", "validated": "validated", "scaling": "scaling"}.get(p.stage, p.stage)
    return _html(
        f"""<div class="lls-report-header"><h1>{html.escape(title)}: {html.escape(p.name)}</h1>
<div class="lls-meta">Analysis date {s.analysis.on_date.isoformat()} · stage: {html.escape(stage)} ·
{html.escape(p.latency)} latency · horizon {p.horizon_months} months · llmstrategy {__version__}</div>{desc}</div>"""
    )


@live
def kpis(s: Session) -> Any:
    """Headline figures: volume, and the cheapest priced strategy's monthly cost. When the
    profile's data may not leave, a note says which priced strategies send it out."""
    from llmstrategy.views.names import strategy_name
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
        items.append(
            (fmt_usd(s.analysis.cost(rec).monthly_usd), f"a month for the recommendation ({strategy_name(rec)})")
        )
    elif rec == "no_llm":
        items.append(("No LLM", "recommendation: rules, search or classic ML suffice"))
    if cheapest is not None:
        items.append(
            (fmt_usd(cheapest.monthly_usd), f"a month for the cheapest option ({strategy_name(cheapest.strategy.id)})")
        )
    cells = "".join(
        f'<div class="lls-kpi"><div class="lls-kpi-value">{html.escape(v)}</div>'
        f'<div class="lls-kpi-label">{html.escape(k)}</div></div>'
        for v, k in items
    )
    return _html(f'<div class="lls-kpis">{cells}</div>{_data_residency_note(s)}')


def _data_residency_note(s: Session) -> str:
    if s.profile.data_may_leave:
        return ""
    out = [c.strategy.id for c in s.analysis.costs if c.feasible and sends_data_to_third_party(c.strategy, c.details)]
    if not out:
        return ""
    return (
        '<div class="lls-warning">This profile\'s data may not leave the organisation. '
        f"{len(out)} priced options (every hosted API and hybrid one) send requests to a third-party "
        "model: they are priced here for comparison only and ruled out of the recommendation.</div>"
    )


@live
def sources_table(s: Session) -> Any:
    """Every default the engine used, with its unit, source and date."""
    import pandas as pd

    from llmstrategy.views.styling import styled

    return catalog_view(
        s, "sources", lambda: styled(pd.DataFrame(s.catalog.sources_table()), caption="Assumptions and their sources")
    )


@live
def footer(s: Session) -> Any:
    files = ", ".join(html.escape(str(Path(f).name)) for f in s.catalog.files.values())
    return _html(
        f'<div class="lls-footer">Generated by llmstrategy {__version__} on {s.analysis.on_date.isoformat()} '
        f"from {html.escape(Path(s.profile_path).name)} and the catalogs {files}. "
        "Every figure traces to the profile, a catalog row with its source, or a formula stated above.</div>"
    )
