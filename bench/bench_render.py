"""Benchmark 1: the cost of rendering a report vs a floor notebook in a bare kernel.

The figure (issue 18): the wall time of rendering a batch of 24 profiles
(``_bench.batch_profiles``: the example profiles in turn with their volumes varied), with
``llmstrategy.report.render_batch`` in this process (``--jobs 1``: one warm kernel, fresh
state per notebook, ``llmstrategy/report/warm.py``), divided by 24: the render per report,
over the floor. The floor is the fixed cost of any render in a new kernel: a notebook with
the report's parameters cell and one trivial cell, rendered by ``render_one`` in a fresh
kernel (``kernel="fresh"``: kernel start, papermill, nbconvert, the template with
plotly.js). Each batch starts its own warm kernel, so its kernel start and first (cold)
notebook are in the figure. The floors are run between the batches (median of ≥ 3).
Target ≤ 1.5. ``--compare-fresh`` also renders the batch with a fresh kernel per notebook
(``LLMSTRATEGY_KERNEL=fresh``) and checks that both batches wrote the same HTML bytes.

``--single`` gives the figure as measured before issue 18 (one report of ``--profile`` vs
the floor, both through ``render_one`` with a fresh kernel each, median of ≥ 3 alternated
runs). ``--single --breakdown`` then splits one report render into papermill execution
(kernel start and cells, with each cell's own duration from papermill's metadata) and the
nbconvert export, and measures the same notebook as it would run with the two fixes
proposed in RESULTS.md (measurement only): plotly's display path replaced by plain HTML
output (``WHAT_IF`` below), which keeps nbformat, jsonschema and its grammar-compiling
``rfc3987_syntax`` out of the kernel, and the kernel shut down at once after the last cell.
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

from _bench import AS_OF, BATCH_SIZE, PROFILE, ROOT, batch_profiles, interleaved, load_average, median, verdict

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
    ap.add_argument("--runs", type=int, default=2, help="batches (or, with --single, renders of each notebook)")
    ap.add_argument("--batch", type=int, default=BATCH_SIZE, help="profiles in the batch")
    ap.add_argument("--compare-fresh", action="store_true", help="also render the batch with a fresh kernel each")
    ap.add_argument("--single", action="store_true", help="the figure before issue 18: one report vs the floor")
    ap.add_argument("--profile", default=str(PROFILE), help="example profile to render (--single)")
    ap.add_argument("--breakdown", action="store_true", help="with --single: where a report render's time goes")
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
    import llmstrategy.report.names as report_names

    # both notebooks from one folder, same code path (render_one's and check_notebook's lookups)
    report_render.notebooks_dir = report_names.notebooks_dir = lambda: nbdir
    if args.single:
        single(report, args, nbdir, work)
    else:
        batch(report, args, work)
    shutil.rmtree(work, ignore_errors=True)


def _fresh_floor(report: Any, profile: str, out: Path) -> None:
    """The floor notebook rendered by ``render_one`` in a new kernel (``kernel="fresh"``)."""
    import llmstrategy.report.render as report_render

    execute = report_render.execute_notebook
    report_render.execute_notebook = lambda *a, **k: execute(*a, **{**k, "kernel": "fresh"})
    try:
        r = report.render_one(profile, notebook="floor", out_dir=out, as_of=AS_OF)
    finally:
        report_render.execute_notebook = execute
    if not r.ok:
        sys.exit(f"floor render failed: {r.error}")


def batch(report: Any, args: Any, work: Path) -> None:
    """Render per report on a batch (one warm kernel) / floor (a fresh kernel per render)."""
    import os

    from llmstrategy.report import warm

    profiles = batch_profiles(work / "profiles", args.batch)

    def run_batch(mode: str) -> float:
        os.environ["LLMSTRATEGY_KERNEL"] = mode
        warm.discard()  # each batch starts its own kernel: its start and cold first notebook count
        out = work / f"out_{mode}"
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        results = report.render_batch(profiles, notebook=NOTEBOOK, out_dir=out, jobs=1, as_of=AS_OF, progress=False)
        seconds = time.perf_counter() - t0
        failed = [r.error for r in results if not r.ok]
        if failed:
            sys.exit(f"{len(failed)} render(s) of the {mode} batch failed: {failed[0]}")
        warm.discard()
        return seconds

    t0 = time.perf_counter()
    _fresh_floor(report, args.profile, work / "floor")  # warm-up: imports papermill and nbconvert
    print(f"warm-up (imports papermill and nbconvert once): {time.perf_counter() - t0:.2f} s; {load_average()}")
    t_batch: list[float] = []
    t_fresh: list[float] = []
    t_floor: list[float] = []
    for _ in range(max(1, args.runs)):
        t_batch.append(run_batch("warm"))
        if args.compare_fresh:
            t_fresh.append(run_batch("fresh"))
        for _ in range(2):
            t0 = time.perf_counter()
            _fresh_floor(report, args.profile, work / "floor")
            t_floor.append(time.perf_counter() - t0)
    os.environ.pop("LLMSTRATEGY_KERNEL", None)
    n = len(profiles)
    per_report = median(t_batch) / n
    print(f"batch of {n} (warm kernel, jobs 1): " + ", ".join(f"{t:.1f}" for t in t_batch) + f" s; {load_average()}")
    print("floor (fresh kernel): " + ", ".join(f"{t:.2f}" for t in t_floor) + " s")
    extra = {"per_report_s": round(per_report, 3), "floor_s": round(median(t_floor), 3), "profiles": n}
    if t_fresh:
        fresh = median(t_fresh) / n
        same = all(
            (work / "out_warm" / f"{p.stem}.html").read_bytes() == (work / "out_fresh" / f"{p.stem}.html").read_bytes()
            for p in profiles
        )
        print(f"batch of {n} (fresh kernel per report): " + ", ".join(f"{t:.1f}" for t in t_fresh) + " s")
        print(f"fresh per report / floor: {fresh / median(t_floor):.2f}; warm / fresh: {per_report / fresh:.3f}")
        print(f"HTML of the {n} reports the same bytes in both batches: {same}")
        extra |= {"fresh_per_report_s": round(fresh, 3), "same_html": same}
    print(f"render per report {per_report:.2f} s / floor {median(t_floor):.2f} s")
    verdict("render per report/floor (batch)", per_report / median(t_floor), TARGET, extra=extra)


def single(report: Any, args: Any, nbdir: Path, work: Path) -> None:
    """The figure before issue 18: one report vs the floor, a fresh kernel each."""
    import os

    os.environ["LLMSTRATEGY_KERNEL"] = "fresh"
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
                executed = report.execute_notebook(
                    nbdir / f"{name}.ipynb", work / "bd" / f"{name}.ipynb", params, kernel="fresh"
                )
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
