"""Render profiles into HTML reports and CSV tables, one at a time or in a batch.

:func:`render_one` executes one notebook for one profile (:mod:`.execute`), writes
``<out>/<name>.html`` and the key tables as CSV atomically (the name from :mod:`.names`:
unique and stable per profile), records the profile's landing-page row
(:func:`index_row`) beside them, and never raises for a bad profile: the error is in its
:class:`RenderResult`. :func:`render_batch` checks the notebook name and the output folder,
names the batch, removes temporary files a killed render left, and renders, in parallel
worker processes if asked (:mod:`.workers`). CSV cells that a spreadsheet would run as
formulas get a leading ``'`` (:func:`csv_text`).
"""

from __future__ import annotations

import os
import re
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from llmstrategy.errors import LLMStrategyError, RenderError
from llmstrategy.files import atomic_write_text, clean_stale_temp_files, neutralize_csv_cell
from llmstrategy.report.execute import (
    DEFAULT_NOTEBOOK,
    _first_failure,
    execute_notebook,
    export_html,
    notebooks_dir,
)
from llmstrategy.report.names import CLAIMS_DIR, assign_names, notebook_names, report_name, write_claim
from llmstrategy.report.workers import parent_guard, run_pool


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
    name: str | None = None  # the profile's report name in its output folder (:mod:`.names`)


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


def _csv_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # a bare carriage return is not quoted by the csv writer (its line end is \n), and a
    # spreadsheet starts a new row there: a line break is quoted
    return neutralize_csv_cell(value).replace("\r\n", "\n").replace("\r", "\n")


def csv_text(frame: Any) -> str:
    """A frame as CSV text, every text cell a spreadsheet would run as a formula (``=``,
    ``+``, ``-``, ``@``, tab, carriage return; numbers such as -3.5 excepted) behind a ``'``,
    and carriage returns inside a cell written as line breaks (quoted)."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    safe = frame.copy()
    for col in safe.columns:
        if not (is_numeric_dtype(safe[col]) or is_bool_dtype(safe[col])):
            safe[col] = safe[col].map(_csv_cell)
    return str(safe.to_csv(index=False))


def check_notebook(notebook: str) -> Path:
    """The path of the notebook named ``notebook`` in ``notebooks/``; a path, or a name that
    is not there, is refused with the names that are."""
    names = notebook_names()
    if notebook not in names or not re.fullmatch(r"[A-Za-z0-9_-]+", notebook):
        raise RenderError(
            f"expected the name of a notebook in notebooks/ ({', '.join(names)}), got {notebook!r}", field="--notebook"
        )
    return notebooks_dir() / f"{notebook}.ipynb"


def check_out_dir(out_dir: Path) -> None:
    """One line, before any render, when the output folder cannot be written: not a folder,
    or read-only (no write permission bit, or no access for this user)."""
    existing = Path(out_dir).absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise RenderError(f"{existing} is not a folder", path=str(out_dir), field="--out")
    mode = existing.stat().st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == Path(out_dir).absolute() else f" ({existing})"
        raise RenderError(f"read-only folder{where}: cannot write reports there", path=str(out_dir), field="--out")


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


def batch_catalog(data_dir: str | None, day: date) -> Any:
    """The catalog of ``day``, loaded once per process until one of its files changes
    (:func:`~llmstrategy.inputs.catalog_cache.cached_catalog`)."""
    from llmstrategy.inputs.catalog_cache import cached_catalog

    return cached_catalog(data_dir, day)


def _analysis(profile_path: Path, as_of: str, data_dir: str | None) -> Any:
    """The analysis with the decision engine's keys (recommendation, scores), for the CSVs
    and the landing page; the same seed and samples as the notebooks' default."""
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.pipeline import evaluate

    day = date.fromisoformat(as_of)  # the models and prices of that day (data/price_history.csv)
    a, _ = evaluate(load_profile(profile_path), batch_catalog(data_dir, day), on_date=day)
    return a


def render_one(
    profile_path: str | Path,
    *,
    notebook: str = DEFAULT_NOTEBOOK,
    out_dir: str | Path = "reports",
    timeout_s: int = 600,
    as_of: str | None = None,
    data_dir: str | None = None,
    name: str | None = None,
    parent_pid: int | None = None,
) -> RenderResult:
    """Render one profile through one notebook; never raises for a bad profile
    (the error is in the result). ``name``: the report name :func:`render_batch` chose
    (default: :func:`.names.assign_names` for this profile alone). ``parent_pid``: set in a
    worker process, which then writes nothing once that parent has gone."""
    import nbformat

    t0 = time.perf_counter()
    profile = Path(profile_path).resolve()
    out = Path(out_dir).resolve()
    name = name or assign_names([profile], out)[0]
    stem = report_name(name, notebook)
    html_path = out / f"{stem}.html"
    executed = out / ".build" / f"{stem}.{notebook}.ipynb"
    guard = parent_guard(parent_pid)
    try:
        nb_path = check_notebook(notebook)
        from llmstrategy.inputs.profile import load_profile

        title = load_profile(profile).name  # validates before a kernel starts
        as_of = as_of or date.today().isoformat()
        params = {"profile_path": str(profile), "report_mode": True, "as_of": as_of, "data_dir": data_dir}
        # the tables' analysis runs in this process while the kernel runs the notebook
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(_analysis, profile, as_of, data_dir)
            nb = execute_notebook(nb_path, executed, params, timeout_s=timeout_s)
            nb = nbformat.read(str(executed), as_version=4) if nb is None else nb
            idx, _ = _first_failure(nb)
            if idx >= 0:
                raise RenderError(f"cell {idx} of {nb_path.name} produced an error", path=str(nb_path))
            html = export_html(nb, title)
            analysis = pending.result()
        row = index_row(analysis)
        # the tables do not depend on the notebook
        csvs = {out / f"{name}.{k}.csv": csv_text(df) for k, df in table_frames(analysis).items()}
        atomic_write_text(html_path, html, before_replace=guard)
        for path, text in csvs.items():
            atomic_write_text(path, text, before_replace=guard)
        write_claim(out, name, profile, row, before_replace=guard)
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
            index_row=row,
            name=name,
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
    in parallel processes. Results come back in the order of ``profiles``. Raises (before
    any render) for a notebook that is not a name in ``notebooks/``, an output folder
    that cannot be written, or an ``as_of`` date the catalog cannot price."""
    from tqdm import tqdm

    check_notebook(notebook)
    check_out_dir(out_dir)
    if as_of is not None:
        batch_catalog(data_dir, date.fromisoformat(as_of))
    started = time.time()
    for folder in (Path(out_dir), Path(out_dir) / CLAIMS_DIR):  # left by a killed render
        clean_stale_temp_files(folder, older_than=started)
    names = assign_names(profiles, out_dir)
    kwargs = {"notebook": notebook, "out_dir": out_dir, "timeout_s": timeout_s, "as_of": as_of, "data_dir": data_dir}
    results: dict[int, RenderResult] = {}
    bar = tqdm(total=len(profiles), desc="rendering", unit="report", disable=not progress, file=None)

    def done(i: int, result: RenderResult) -> None:
        results[i] = result
        bar.update(1)

    if jobs <= 1 or len(profiles) <= 1:
        for i, p in enumerate(profiles):
            done(i, render_one(p, name=names[i], **kwargs))  # type: ignore[arg-type]
    else:
        calls = [((p,), {**kwargs, "name": names[i]}) for i, p in enumerate(profiles)]
        run_pool(render_one, jobs, calls, done)
    bar.close()
    return [results[i] for i in range(len(profiles))]
