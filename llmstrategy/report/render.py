"""Render profiles into HTML reports and CSV tables, one at a time or in a batch.

:func:`render_one` executes one notebook for one profile (:mod:`.execute`), writes
``<out>/<stem>.html`` and the key tables as CSV atomically, and never raises for a bad
profile: the error is in its :class:`RenderResult`, which also carries the profile's row
of the landing page (:func:`index_row`). :func:`render_batch` renders many, in parallel
processes if asked.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from llmstrategy.errors import LLMStrategyError, RenderError
from llmstrategy.files import atomic_write_text
from llmstrategy.report.execute import (
    DEFAULT_NOTEBOOK,
    _first_failure,
    execute_notebook,
    export_html,
    notebooks_dir,
)


@dataclass(frozen=True)
class RenderResult:
    """The outcome of one render (picklable, for worker processes)."""

    profile_path: str
    notebook: str
    ok: bool
    html_path: str | None = None
    executed_path: str | None = None
    error: str | None = None
    seconds: float = 0.0
    html_bytes: int = 0
    title: str | None = None
    csv_paths: tuple[str, ...] = ()
    index_row: dict[str, Any] | None = None


def report_stem(profile_path: Path, notebook: str) -> str:
    """``<profile stem>`` for the strategy report and cost curves, else ``<stem>.<notebook>``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", profile_path.stem) or "profile"
    return stem if notebook == DEFAULT_NOTEBOOK else f"{stem}.{notebook}"


CSV_TABLES = ("costs", "components", "models")


def table_frames(analysis: Any) -> dict[str, Any]:
    """The key tables of one analysis as plain pandas frames (raw numbers, units in the
    column names): what the CSV exports hold."""
    from llmstrategy.views.tables import components_frame, costs_frame, model_comparison_frame

    return {
        "costs": costs_frame(analysis),
        "components": components_frame(analysis),
        "models": model_comparison_frame(analysis).rename(columns={"quality_score": "quality_mmlu_pro_pct"}),
    }


def index_row(analysis: Any) -> dict[str, Any]:
    """One profile's row of the landing page, raw values only (formatting happens in
    :func:`index_html`): name, stage, volume, and the cheapest feasible strategy with
    its month-0 monthly cost [USD]. A new column is a new key here and an entry in
    :data:`INDEX_COLUMNS`."""
    from llmstrategy.views.tables import cheapest_feasible

    p, w = analysis.profile, analysis.workload
    best = cheapest_feasible(analysis)
    rec = (analysis.extras.get("recommendation") or {}).get("strategy")
    rec_cost = next((c.monthly_usd for c in analysis.costs if c.strategy.id == rec), None)
    return {
        "name": p.name,
        "stage": p.stage,
        "data_may_leave": p.data_may_leave,
        "requests_per_month": w.requests_per_month,
        "tokens_per_month": w.tokens_per_month,
        "recommendation": rec,
        "recommended_monthly_usd": rec_cost,
        "cheapest_strategy": best.strategy.id if best else None,
        "cheapest_monthly_usd": best.monthly_usd if best else None,
        "as_of": analysis.on_date.isoformat(),
    }


def _analysis(profile_path: Path, as_of: str, data_dir: str | None) -> Any:
    """The analysis with the decision engine's keys (recommendation, scores), for the CSVs
    and the landing page; the same seed and samples as the notebooks' default."""
    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.pipeline import evaluate

    a, _ = evaluate(load_profile(profile_path), load_catalog(data_dir), on_date=date.fromisoformat(as_of))
    return a


def render_one(
    profile_path: str | Path,
    *,
    notebook: str = DEFAULT_NOTEBOOK,
    out_dir: str | Path = "reports",
    timeout_s: int = 600,
    as_of: str | None = None,
    data_dir: str | None = None,
) -> RenderResult:
    """Render one profile through one notebook; never raises for a bad profile
    (the error is in the result)."""
    import time

    import nbformat

    t0 = time.perf_counter()
    profile = Path(profile_path).resolve()
    out = Path(out_dir).resolve()
    nb_path = notebooks_dir() / f"{notebook}.ipynb"
    stem = report_stem(profile, notebook)
    html_path = out / f"{stem}.html"
    executed = out / ".build" / f"{stem}.{notebook}.ipynb"
    try:
        if not nb_path.is_file():
            raise RenderError(f"no notebook named '{notebook}' in {notebooks_dir()}", field="--notebook")
        from llmstrategy.inputs.profile import load_profile

        title = load_profile(profile).name  # validates before a kernel starts
        as_of = as_of or date.today().isoformat()
        params = {"profile_path": str(profile), "report_mode": True, "as_of": as_of, "data_dir": data_dir}
        nb = execute_notebook(nb_path, executed, params, timeout_s=timeout_s)
        nb = nbformat.read(str(executed), as_version=4) if nb is None else nb
        idx, _ = _first_failure(nb)
        if idx >= 0:
            raise RenderError(f"cell {idx} of {nb_path.name} produced an error", path=str(nb_path))
        html = export_html(nb, title)
        analysis = _analysis(profile, as_of, data_dir)
        base = report_stem(profile, DEFAULT_NOTEBOOK)  # the tables do not depend on the notebook
        csvs = {out / f"{base}.{k}.csv": df.to_csv(index=False) for k, df in table_frames(analysis).items()}
        atomic_write_text(html_path, html)
        for path, text in csvs.items():
            atomic_write_text(path, text)
        if os.environ.get("LLMSTRATEGY_KEEP_BUILD") != "1":
            executed.unlink(missing_ok=True)
        return RenderResult(
            str(profile_path),
            notebook,
            True,
            html_path=str(html_path),
            seconds=time.perf_counter() - t0,
            html_bytes=len(html.encode("utf-8")),
            title=title,
            csv_paths=tuple(str(p) for p in csvs),
            index_row=index_row(analysis),
        )
    except LLMStrategyError as err:
        return RenderResult(
            str(profile_path),
            notebook,
            False,
            None,
            str(executed) if executed.exists() else None,
            str(err),
            time.perf_counter() - t0,
        )
    except Exception as err:  # a kernel that died, a broken install: still one line
        msg = " ".join(f"{type(err).__name__}: {err}".split())
        return RenderResult(
            str(profile_path),
            notebook,
            False,
            None,
            str(executed) if executed.exists() else None,
            msg,
            time.perf_counter() - t0,
        )


def render_batch(
    profiles: list[Path],
    *,
    notebook: str = DEFAULT_NOTEBOOK,
    out_dir: Path = Path("reports"),
    jobs: int = 1,
    timeout_s: int = 600,
    as_of: str | None = None,
    progress: bool = True,
    data_dir: str | None = None,
) -> list[RenderResult]:
    """Render every profile; one failure does not stop the others. ``jobs`` > 1 renders
    in parallel processes. Results come back in the order of ``profiles``."""
    from tqdm import tqdm

    kwargs = {"notebook": notebook, "out_dir": out_dir, "timeout_s": timeout_s, "as_of": as_of, "data_dir": data_dir}
    results: dict[int, RenderResult] = {}
    bar = tqdm(total=len(profiles), desc="rendering", unit="report", disable=not progress, file=None)
    if jobs <= 1 or len(profiles) <= 1:
        for i, p in enumerate(profiles):
            results[i] = render_one(p, **kwargs)  # type: ignore[arg-type]
            bar.update(1)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futs = {pool.submit(render_one, p, **kwargs): i for i, p in enumerate(profiles)}  # type: ignore[arg-type]
            for fut in as_completed(futs):
                results[futs[fut]] = fut.result()
                bar.update(1)
    bar.close()
    return [results[i] for i in range(len(profiles))]
