"""Benchmark 1: the cost of rendering the full report vs a floor notebook.

Both go through exactly the same path, in this process: ``llmstrategy.report.render_one``
(papermill executes in a fresh kernel, nbconvert exports with the report template, the
HTML is written atomically). The floor notebook has the report's parameters cell and one
trivial cell, so the floor is the fixed cost of any render: kernel start, papermill and
nbconvert, the template with plotly.js. Prints report / floor (median of ≥ 3 interleaved
runs each). Target ≤ 1.5.

``--breakdown`` then splits one report render into papermill execution (kernel start and
cells, with each cell's own duration from papermill's metadata) and the nbconvert export,
and measures the same notebook as it would run with the two fixes proposed in RESULTS.md
(measurement only): plotly's display path replaced by plain HTML output (``WHAT_IF``
below), which keeps nbformat, jsonschema and its grammar-compiling ``rfc3987_syntax`` out
of the kernel, and the kernel shut down at once after the last cell.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _bench import AS_OF, PROFILE, ROOT, interleaved, load_average, median, verdict

NOTEBOOK = "strategy_report"  # the full report (report.DEFAULT_NOTEBOOK); --notebook picks another
TARGET = 1.5

#: A first cell that stands in for the proposed fix (figures shown as text/html from
#: ``plotly_offline.figure_html`` without plotly's renderer registry, whose module imports
#: nbformat → jsonschema → rfc3987_syntax). Measurement only: nothing in the package uses it.
WHAT_IF = """\
import sys
sys.modules["nbformat"] = None  # plotly's optional import of nbformat now finds nothing
import plotly.basedatatypes as _bd
from IPython.display import HTML as _HTML, display as _display
from llmstrategy.views.plotly_offline import figure_html as _figure_html
_bd.BaseFigure._ipython_display_ = lambda self: _display(_HTML(_figure_html(self)))
"""


def floor_notebook(report_nb: dict) -> dict:
    """The report notebook's metadata and parameters cell, then one trivial cell."""
    nb = copy.deepcopy(report_nb)
    params = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    trivial = {
        "cell_type": "code",
        "execution_count": None,
        "id": "floor-trivial",
        "metadata": {},
        "outputs": [],
        "source": "print(profile_path)",
    }
    nb["cells"] = [params, trivial]
    return nb


def main() -> None:
    global NOTEBOOK
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="renders of each notebook (≥ 3)")
    ap.add_argument("--profile", default=str(PROFILE), help="example profile to render")
    ap.add_argument("--breakdown", action="store_true", help="also show where a report render's time goes")
    ap.add_argument("--notebook", default="strategy_report", help="report notebook in notebooks/ (without .ipynb)")
    args = ap.parse_args()
    NOTEBOOK = args.notebook

    import llmstrategy.report as report
    import llmstrategy.report.render as report_render

    work = Path(tempfile.mkdtemp(prefix="bench_render_"))
    nbdir = work / "notebooks"
    nbdir.mkdir()
    src = report.notebooks_dir() / f"{NOTEBOOK}.ipynb"
    shutil.copy(src, nbdir / f"{NOTEBOOK}.ipynb")
    (nbdir / "floor.ipynb").write_text(json.dumps(floor_notebook(json.loads(src.read_text()))), encoding="utf-8")
    report_render.notebooks_dir = lambda: nbdir  # both notebooks from one folder, same code path (render_one's lookup)

    sizes: dict[str, int] = {}

    def render(name: str) -> None:
        r = report.render_one(args.profile, notebook=name, out_dir=work / "out", as_of=AS_OF)
        if not r.ok:
            sys.exit(f"{name} render failed: {r.error}")
        sizes[name] = r.html_bytes

    t0 = time.perf_counter()
    render("floor")  # warm-up: imports papermill/nbconvert in this process, fills OS caches
    warm = time.perf_counter() - t0
    print(f"warm-up (imports papermill and nbconvert once): {warm:.2f} s; {load_average()}")
    t_report, t_floor = interleaved(lambda: render(NOTEBOOK), lambda: render("floor"), max(3, args.runs))
    print(f"report {Path(args.profile).stem}: " + ", ".join(f"{t:.2f}" for t in t_report) + " s")
    print("floor: " + ", ".join(f"{t:.2f}" for t in t_floor) + " s")
    print(f"HTML: report {sizes[NOTEBOOK]:,} bytes, floor {sizes['floor']:,} bytes")
    if args.breakdown:
        breakdown(report, nbdir, work, Path(args.profile), max(3, args.runs))
    shutil.rmtree(work, ignore_errors=True)
    ratio = median(t_report) / median(t_floor)
    print(f"median report {median(t_report):.2f} s / median floor {median(t_floor):.2f} s")
    verdict(
        "render report/floor",
        ratio,
        TARGET,
        extra={"report_s": round(median(t_report), 3), "floor_s": round(median(t_floor), 3)},
    )


def _execute_immediate_shutdown(report: Any, nb: Path, executed: Path, params: dict) -> Any:
    """``report.execute_notebook``'s papermill call plus ``shutdown_kernel="immediate"``
    (the second proposed fix: nbclient's default graceful shutdown waits ~1.3 s for the
    report's kernel to exit after the last cell)."""
    import papermill as pm

    executed.parent.mkdir(parents=True, exist_ok=True)
    return pm.execute_notebook(
        str(nb),
        str(executed),
        parameters=params,
        kernel_name=report.KERNEL_NAME,
        execution_timeout=600,
        progress_bar=False,
        log_output=False,
        cwd=str(nb.parent),
        shutdown_kernel="immediate",
    )


def breakdown(report: Any, nbdir: Path, work: Path, profile: Path, runs: int) -> None:
    """Execute and export the report (and its what-if variant) step by step, alternated."""
    nb = json.loads((nbdir / f"{NOTEBOOK}.ipynb").read_text())
    what_if = copy.deepcopy(nb)
    what_if["cells"].insert(1, {"cell_type": "code", "execution_count": None, "id": "what-if", "metadata": {},
                               "outputs": [], "source": WHAT_IF})  # fmt: skip
    (nbdir / "what_if.ipynb").write_text(json.dumps(what_if), encoding="utf-8")
    params = {"profile_path": str(profile.resolve()), "report_mode": True, "as_of": AS_OF, "data_dir": None}
    rows: dict[str, list[tuple[float, float, list[tuple[float, str]]]]] = {NOTEBOOK: [], "what_if": [], "floor": []}
    for i in range(runs):
        for name in rows if i % 2 == 0 else reversed(list(rows)):
            t0 = time.perf_counter()
            if name == "what_if":
                executed = _execute_immediate_shutdown(report, nbdir / f"{name}.ipynb", work / "bd" / "w.ipynb", params)
            else:
                executed = report.execute_notebook(nbdir / f"{name}.ipynb", work / "bd" / f"{name}.ipynb", params)
            t_exec = time.perf_counter() - t0
            t0 = time.perf_counter()
            report.export_html(executed, "breakdown")
            t_export = time.perf_counter() - t0
            cells = [
                (float(c.metadata.get("papermill", {}).get("duration") or 0.0), c.source.splitlines()[-1][:40])
                for c in executed.cells
                if c.cell_type == "code"
            ]
            rows[name].append((t_exec, t_export, cells))
    print("\nbreakdown (median of runs)    execute  of which cells  overhead  export   total")
    totals = {}
    for name, rs in rows.items():
        ex, exp = median([r[0] for r in rs]), median([r[1] for r in rs])
        cells = median([sum(d for d, _ in r[2]) for r in rs])
        totals[name] = median([r[0] + r[1] for r in rs])
        print(f"  {name:<27} {ex:7.2f}  {cells:14.2f}  {ex - cells:8.2f}  {exp:6.2f}  {ex + exp:6.2f} s")
    print(
        f"  execute + export, report / floor: {totals[NOTEBOOK] / totals['floor']:.2f} today, "
        f"{totals['what_if'] / totals['floor']:.2f} with both proposed fixes (what_if)"
    )
    first = rows[NOTEBOOK][0][2]
    per_cell = [(median([r[2][k][0] for r in rows[NOTEBOOK]]), src) for k, (_, src) in enumerate(first)]
    slow = sorted(per_cell, reverse=True)
    print("  slowest report cells: " + "; ".join(f"{src} {d:.2f} s" for d, src in slow[:5]))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
