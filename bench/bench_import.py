"""Benchmark 6: import cost of the package vs pandas, each in a fresh interpreter.

``python -c "import llmstrategy"`` vs ``python -c "import pandas"``, run as subprocesses,
alternated, median of ≥ 7 runs each (interpreter start-up included in both). Target ≤ 1.3.
Also shows, for information, the modules a command-line analysis needs
(``llmstrategy.cli`` + ``llmstrategy.economics.analysis``) and checks that they do not pull
plotly, scikit-learn, papermill or nbconvert (imported lazily where used).
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from _bench import interleaved, load_average, median, verdict

TARGET = 1.3
HEAVY = ("plotly", "sklearn", "papermill", "nbconvert", "nbformat", "jsonschema", "ipywidgets")


def _importer(stmt: str):
    def run() -> None:
        subprocess.run([sys.executable, "-c", stmt], check=True)

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9, help="runs of each import (≥ 7)")
    args = ap.parse_args()
    runs = max(7, args.runs)

    for stmt in ("import llmstrategy", "import pandas"):  # warm the OS file cache for both
        _importer(stmt)()
    t_pkg, t_pd = interleaved(_importer("import llmstrategy"), _importer("import pandas"), runs)
    t_core, _ = interleaved(_importer("import llmstrategy.cli, llmstrategy.economics.analysis"), lambda: None, runs)
    t_bare, _ = interleaved(_importer("pass"), lambda: None, runs)
    print(load_average())
    print(f"python -c 'pass'                          median {median(t_bare) * 1000:6.0f} ms")
    print(f"python -c 'import llmstrategy'            median {median(t_pkg) * 1000:6.0f} ms")
    print(f"python -c 'import pandas'                 median {median(t_pd) * 1000:6.0f} ms")
    print(f"import llmstrategy.cli, .analysis (info)  median {median(t_core) * 1000:6.0f} ms")

    probe = (
        "import sys, llmstrategy.cli, llmstrategy.economics.analysis; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    print(f"heavy libraries imported by the CLI's analysis path: {heavy or 'none'}")
    verdict(
        "import llmstrategy/pandas",
        median(t_pkg) / median(t_pd),
        TARGET,
        extra={
            "llmstrategy_ms": round(median(t_pkg) * 1000, 1),
            "pandas_ms": round(median(t_pd) * 1000, 1),
            "analysis_path_ms": round(median(t_core) * 1000, 1),
            "heavy_on_analysis_path": heavy,
        },
    )


if __name__ == "__main__":
    main()
