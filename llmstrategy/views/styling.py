"""Column labels and cell formats for people: every table the reports and notebooks show goes
through :func:`styled` (plain-words headers, humanised numbers, wrapped text columns).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from llmstrategy.fmt import fmt_count, fmt_usd

# ---------------------------------------------------------------- frames (raw numbers)


LABELS: dict[str, str] = {
    "strategy": "Strategy",
    "models": "Models",
    "monthly_usd": "Monthly",
    "per_1k_requests_usd": "Per 1,000 requests",
    "upfront_usd": "One-off",
    "horizon_total_usd": "Horizon total",
    "feasible": "Allowed",
    "note": "Why not",
    "total_usd": "Total",
    "quantity": "Quantity",
    "value": "Value",
    "unit": "Unit",
    "formula": "Formula",
    "model": "Model",
    "provider": "Provider",
    "open_weight": "Open weights",
    "quality_score": "Quality on the need's scale",
    "quality_benchmark": "Judged on",
    "benchmark_score": "Its score there (%)",
    "quality_note": "Quality check",
    "context_window_tokens": "Context window",
    "input_usd_per_mtok": "Input $ per 1M tokens",
    "output_usd_per_mtok": "Output $ per 1M tokens",
    "meets_need": "Meets need",
    "meets_quality": "Meets quality",
    "why_not": "Why not",
    "serving": "Priced as",
    "pareto": "Pareto frontier",
    "gpu": "GPU",
    "precision": "Precision",
    "tensor_parallel": "Tensor parallel (GPUs per stage)",
    "pipeline_stages": "Pipeline stages",
    "replicas": "Replicas",
    "gpus": "GPUs",
    "batch_size": "Batch",
    "output_tokens_per_second_per_gpu": "Output tokens/s per GPU",
    "time_per_output_token_ms": "Time per token (ms)",
    "time_to_first_token_ms": "First token (ms)",
    "usd_per_gpu_hour": "$/GPU-hour",
    "measured_tokens_per_s_per_gpu": "Measured tokens/s per GPU",
    "predicted_tokens_per_s_per_gpu": "Predicted",
    "ratio": "Predicted / measured",
    "key": "Setting",
    "group": "Group",
    "field": "Field",
    "source": "Source",
    "as_of": "As of",
    # cost components
    "api_inference": "API inference",
    "api_frontier": "Frontier API",
    "gpu_fleet": "GPU fleet",
    "operations_staff": "Operations staff",
    "retraining": "Retraining",
    "rag_query_embedding": "Query embedding",
    "rag_corpus_embedding": "Corpus embedding",
    "rag_vector_store": "Vector store",
    "rag_upkeep": "Retrieval upkeep",
    "rag_setup": "Retrieval set-up",
    "rag_initial_embedding": "Initial embedding",
    "self_host_setup": "Self-host set-up",
    "router_setup": "Router set-up",
    "fine_tune_setup": "Fine-tune set-up",
    "training": "Training",
    "labeling": "Labeling",
}


def label(column: str) -> str:
    """The people's label of a column (its name with spaces when the glossary lacks it)."""
    m = re.fullmatch(r"total_(\d+)_months_usd", column)
    if m:
        return f"Total over {m.group(1)} months"
    return LABELS.get(column, column.replace("_", " "))


def _usd(x: Any) -> str:
    return fmt_usd(x)


def _usd3(x: Any) -> str:
    if x is None or x != x:
        return "—"
    return fmt_usd(x, cents=True) if abs(x) >= 0.01 else f"${x:.4f}"


def _usd_or_blank(x: Any) -> str:
    """Zero components show as blank, so the non-zero ones stand out."""
    return "" if x == 0 else fmt_usd(x)


def _yes_no(x: Any) -> str:
    return "yes" if x is True or x == 1 else ("no" if x is False or x == 0 else "—")


def _plain(x: Any) -> str:
    if isinstance(x, bool):
        return _yes_no(x)
    if isinstance(x, float | np.floating):
        v = float(x)
        return f"{v:,.0f}" if v.is_integer() and abs(v) < 1e15 else f"{v:,.6g}"
    if isinstance(x, int | np.integer):
        return f"{x:,}"
    return "—" if x is None else str(x)


FORMATS: dict[str, Callable[[Any], str]] = {
    "monthly_usd": _usd,
    "upfront_usd": _usd,
    "horizon_total_usd": _usd,
    "total_usd": _usd,
    "per_1k_requests_usd": _usd3,
    "usd": _usd,
    "cost_usd": _usd,
    "input_usd_per_mtok": _usd3,
    "output_usd_per_mtok": _usd3,
    "context_window_tokens": lambda x: fmt_count(x),
    "quality_score": lambda x: "—" if x is None or x != x else f"{x:.1f}",
    "benchmark_score": lambda x: "—" if x is None or x != x else f"{x:.1f}",
    "feasible": _yes_no,
    "meets_need": _yes_no,
    "meets_quality": _yes_no,
    "open_weight": _yes_no,
    "pareto": lambda x: "★" if x else "",
    "value": _plain,
}

#: Columns of free text that may wrap; every other cell stays on one line.
WRAP = {"note", "why_not", "formula", "source", "unit", "models", "excluded_because", "why outside 1.5×", "Basis"}


_CELL_CLASSES = re.compile(r'(<td[^>]*? class=")data row\d+ col\d+ ?')
_INDENT = re.compile(r">\n[ \t]*<")
_STYLE_BLOCK = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)


def _compact_css(m: re.Match[str]) -> str:
    """A ``<style>`` block without its line breaks and indentation (``#T_x td {\n  a: b;\n}`` → ``#T_x td {a: b;}``)."""
    return m.group(1) + re.sub(r"\s*\n\s*", "", m.group(2)) + m.group(3)


def _lean_styler_class() -> Any:
    from pandas.io.formats.style import Styler

    class LeanStyler(Styler):
        """A Styler whose HTML drops what no rule reads: the ``data rowN colM`` classes of
        every cell (an id stays only on a cell with its own style) and the line breaks and
        indentation between tags: a report's tables are about half the size."""

        def to_html(self, *args: Any, **kwargs: Any) -> Any:
            out = super().to_html(*args, **kwargs)
            if not isinstance(out, str):
                return out
            out = _CELL_CLASSES.sub(r"\1", out).replace(' class=""', "").replace(" >", ">")
            return _STYLE_BLOCK.sub(_compact_css, _INDENT.sub("><", out))

    return LeanStyler


def style_of(df: pd.DataFrame) -> Any:
    """``df.style`` with a table id derived from the data (pandas' default is random), so the
    same inputs give the same report bytes, and no per-cell ids or classes no rule reads."""
    import hashlib

    digest = hashlib.sha256(df.to_json(orient="split", default_handler=str).encode("utf-8")).hexdigest()[:8]
    return _lean_styler_class()(df, uuid=digest, cell_ids=False)


def styled(
    df: pd.DataFrame,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    *,
    caption: str | None = None,
    highlight_rows: Sequence[int] = (),
    sortable: bool = False,
) -> Any:
    """A pandas Styler with the package's number formats, escaped text, people's column
    labels and no index. Text columns align left, numbers right; ``highlight_rows``
    (positions) are shown bold; ``sortable`` tables sort on a header click in reports."""
    fm: dict[Any, Any] = {k: v for k, v in {**FORMATS, **(formats or {})}.items() if k in df.columns}
    st = style_of(df).format(fm, escape="html", na_rep="—").hide(axis="index")
    text_cols = [
        c
        for c in df.columns
        if (df[c].dtype == object or pd.api.types.is_string_dtype(df[c])) and (c not in fm or c == "value")
    ]
    classes = pd.DataFrame("", index=df.index, columns=df.columns)
    for c in df.columns:
        if c in WRAP:
            classes[c] = "lls-wrap"
    for i in highlight_rows:
        classes.iloc[i] = classes.iloc[i] + " lls-best"
    st = st.set_td_classes(classes)
    # alignment by column, in the table's own rules (one per column, not a class on every cell):
    # text left (header too), numbers right and unbroken (``lls-cols`` tells print.css so)
    st = st.set_table_styles(
        [
            {"selector": f"tr>:nth-child({k})", "props": "text-align:left"}
            if c in text_cols
            else {"selector": f"td:nth-child({k})", "props": "text-align:right;white-space:nowrap"}
            for k, c in enumerate(df.columns, start=1)
            if c in text_cols or c not in WRAP  # a wrapping column's cells keep their lls-wrap class
        ],
        overwrite=False,
    )
    st = st.relabel_index([html.escape(label(str(c))) for c in df.columns], axis="columns")
    attrs = 'class="lls-table lls-cols lls-sortable"' if sortable else 'class="lls-table lls-cols"'
    st = st.set_table_attributes(attrs)
    if caption:
        st = st.set_caption(html.escape(caption))
    return st


def value_formatter(unit: str) -> Callable[[Any], str]:
    """Format a workload value by its unit."""
    if unit == "requests/s":
        return lambda x: f"{x:,.3g}"
    return lambda x: fmt_count(x)
