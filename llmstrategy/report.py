"""Render notebooks into self-contained HTML reports: papermill executes, nbconvert exports.

I/O only: it calls the package's notebooks and frames, never computes. A render writes
``<out>/<profile-stem>[.<notebook>].html`` atomically, and beside it the key tables as
CSV (``<stem>.costs.csv``, ``<stem>.components.csv``, ``<stem>.models.csv``: raw numbers,
units in the column names). A failed render leaves no partial HTML and no CSV (the
previous files, if any, stay), keeps the executed notebook under ``<out>/.build/`` for
debugging, and reports a one-line :class:`RenderError` naming the failing cell.
:func:`write_index` writes ``<out>/index.html``, a landing page linking every report
with one row per profile (:func:`index_row`).
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from llmstrategy.errors import LLMStrategyError, RenderError
from llmstrategy.files import atomic_write_text
from llmstrategy.fmt import fmt_count, fmt_usd

KERNEL_NAME = "python3"
TEMPLATE_NAME = "llmstrategy"
DEFAULT_NOTEBOOK = "strategy_report"


def notebooks_dir() -> Path:
    """The repository's ``notebooks/`` folder."""
    return Path(__file__).resolve().parent.parent / "notebooks"


def templates_dir() -> Path:
    return Path(__file__).resolve().parent / "templates"


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


def _first_failure(nb: Any) -> tuple[int, str]:
    """Index and one-line description of the first cell that raised, from the executed nb."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                evalue = " ".join(str(out.get("evalue", "")).split())
                return i, f"{out.get('ename', 'Error')}: {evalue}"
    return -1, "unknown error"


def _failed_cell_name(notebook_path: Path, err: Any) -> str:
    """``cell <i> (id <cell id>)`` counted in the source notebook. papermill's own
    ``cell_index`` counts the injected-parameters cell, so it names the wrong cell."""
    try:
        import nbformat

        for i, cell in enumerate(nbformat.read(str(notebook_path), as_version=4).cells):
            if cell.get("source") == err.source:
                return f"cell {i} (id {cell.get('id')})"
    except Exception:  # naming the cell must never hide the error itself
        pass
    return f"executed cell {err.cell_index}"


def execute_notebook(
    notebook_path: Path, executed_path: Path, parameters: dict[str, Any], *, timeout_s: int = 600
) -> Any:
    """Execute with papermill; parameters are JSON-serializable data, never code strings."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    json.dumps(parameters)  # fail early on anything that is not plain data
    executed_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return pm.execute_notebook(
            str(notebook_path),
            str(executed_path),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            execution_timeout=timeout_s,
            progress_bar=False,
            log_output=False,
            cwd=str(notebook_path.parent),
            # outputs are collected and saved by then; a graceful shutdown of the report's
            # kernel costs ~1.3 s per render (bench/RESULTS.md)
            shutdown_kernel="immediate",
            # the kernel's own log (its TCP-transport warning, the interrupt on immediate
            # shutdown) is noise on the user's terminal; cell errors still come back as outputs
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except PapermillExecutionError as err:
        raise RenderError(
            f"{_failed_cell_name(notebook_path, err)} of {notebook_path.name} failed: {err.ename}: "
            f"{' '.join(str(err.evalue).split())} (executed notebook kept at {executed_path})",
            path=str(notebook_path),
        ) from None


def export_html(nb: Any, title: str) -> str:
    """Export an executed notebook to one self-contained HTML page (no code, no prompts).
    Papermill gives its injected-parameters cell a random id; it gets a fixed one here, so the
    same inputs give the same bytes."""
    import plotly.offline
    from nbconvert import HTMLExporter

    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(templates_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    has_plots = any(
        "Plotly.newPlot" in str(out.get("data", {}).get("text/html", ""))
        for cell in nb.cells
        for out in cell.get("outputs", [])
    )
    resources = {"metadata": {"name": title}, "plotlyjs": plotly.offline.get_plotlyjs() if has_plots else ""}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return str(body)


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


# ---------------------------------------------------------------- landing page

#: The landing page's columns after the profile: (index_row key, header, formatter).
INDEX_COLUMNS: list[tuple[str, str, Any]] = [
    ("stage", "Stage", str),
    ("data_may_leave", "Data may leave", lambda v: "yes" if v else "no"),
    ("tokens_per_month", "Tokens per month", fmt_count),
    ("recommendation", "Recommendation", lambda v: "—" if v is None else str(v)),
    ("recommended_monthly_usd", "Its monthly cost today", lambda v: "—" if v is None else fmt_usd(v)),
    ("cheapest_strategy", "Cheapest feasible strategy", lambda v: "—" if v is None else str(v)),
    ("cheapest_monthly_usd", "Monthly cost today", fmt_usd),
]

_INDEX_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #222; max-width: 1100px;
       margin: 0 auto; padding: 28px 32px; }
h1 { margin-bottom: 0.2em; } .meta, .note { color: #555; font-size: 0.92em; }
table { border-collapse: collapse; margin: 1.2em 0; font-size: 14px; }
th, td { padding: 6px 12px; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top; }
th { background: #f7f9fb; border-bottom: 2px solid #bbb; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; } td.links a { margin-right: 0.8em; white-space: nowrap; }
tr:hover { background: #eef3f8; } a { color: #0b5cad; }
"""


def _href(path: Path, base: Path) -> str:
    from urllib.parse import quote

    return html_lib.escape(quote(os.path.relpath(path, base).replace(os.sep, "/")), quote=True)


def _report_links(out_dir: Path, profile_path: Path) -> list[tuple[str, Path]]:
    """(label, path) of every rendered report and CSV of this profile in ``out_dir``."""
    links = []
    names = sorted(p.stem for p in notebooks_dir().glob("*.ipynb"))
    for nb in [DEFAULT_NOTEBOOK] + [n for n in names if n != DEFAULT_NOTEBOOK]:
        stem = report_stem(profile_path, nb)
        if stem == report_stem(profile_path, DEFAULT_NOTEBOOK) and nb != DEFAULT_NOTEBOOK:
            continue
        path = out_dir / f"{stem}.html"
        if path.is_file():
            links.append((nb.replace("_", " "), path))
    stem = report_stem(profile_path, DEFAULT_NOTEBOOK)
    for kind in CSV_TABLES:
        path = out_dir / f"{stem}.{kind}.csv"
        if path.is_file():
            links.append((f"{kind}.csv", path))
    return links


def index_html(results: list[RenderResult], out_dir: Path, *, generated: str | None = None) -> str:
    """The landing page: one row per successfully rendered profile (first result of each)."""
    from llmstrategy import __version__

    out_dir = Path(out_dir).resolve()
    seen: set[str] = set()
    body_rows = []
    for r in results:
        if not r.ok or r.index_row is None or r.profile_path in seen:
            continue
        seen.add(r.profile_path)
        row = r.index_row
        profile = Path(r.profile_path)
        main = Path(r.html_path or "")
        links = _report_links(out_dir, profile.resolve())
        link_html = " ".join(f'<a href="{_href(p, out_dir)}">{html_lib.escape(lbl)}</a>' for lbl, p in links)
        cells = [f'<td><a href="{_href(main, out_dir)}">{html_lib.escape(str(row["name"]))}</a></td>']
        for key, _, fmt in INDEX_COLUMNS:
            value = row.get(key)
            css = ' class="num"' if isinstance(value, int | float) and not isinstance(value, bool) else ""
            cells.append(f"<td{css}>{html_lib.escape(fmt(value))}</td>")
        cells.append(f'<td class="links">{link_html}</td>')
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    heads = "".join(f"<th>{html_lib.escape(h)}</th>" for _, h, _ in INDEX_COLUMNS)
    when = html_lib.escape(generated or date.today().isoformat())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>LLM strategy reports</title>
<style>{_INDEX_CSS}</style>
</head>
<body>
<h1>LLM strategy reports</h1>
<div class="meta">{len(body_rows)} profile(s) · generated {when} by llmstrategy {html_lib.escape(__version__)}</div>
<table class="lls-index">
<thead><tr><th>Profile</th>{heads}<th>Reports and tables</th></tr></thead>
<tbody>
{chr(10).join(body_rows)}
</tbody>
</table>
<p class="note">Recommendation: the decision engine's choice (the seeds' decision path checked against the
criteria matrix; see each report's rationale). It is often not the cheapest: quality, privacy, team and time
to production count too. Cheapest feasible strategy: the lowest month-0 monthly cost among the strategies
the profile's hard constraints allow (e.g. no third-party API when the data may not leave). Each report
states its analysis date, its assumptions and their sources; the CSV files hold the same tables with raw
numbers.</p>
</body>
</html>
"""


def write_index(out_dir: str | Path, results: list[RenderResult]) -> Path | None:
    """Write ``<out_dir>/index.html`` atomically when at least one render succeeded."""
    if not any(r.ok for r in results):
        return None
    out = Path(out_dir)
    path = out / "index.html"
    atomic_write_text(path, index_html(results, out))
    return path
