"""Shared helpers for the benchmark scripts (each ``bench_*.py`` runs on its own).

Every benchmark measures its subject and its reference side by side in one run,
interleaved (A, B, A, B …) so a change in machine load hits both alike, and prints the
ratio of the medians on its last line: ``<name>: <ratio> (target <op> <target>) PASS|FAIL``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILES = sorted((ROOT / "data" / "profiles").glob("*.yaml"))
#: the example profile the single-report benchmarks use (a mid-sized one)
PROFILE = ROOT / "data" / "profiles" / "internal_kb_qa.yaml"
AS_OF = "2026-11-23"


def interleaved(a: Callable[[], object], b: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock seconds of ``a`` and ``b``, alternated ``runs`` times each."""
    ta: list[float] = []
    tb: list[float] = []
    for i in range(runs):
        for fn, out in ((a, ta), (b, tb)) if i % 2 == 0 else ((b, tb), (a, ta)):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return ta, tb


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"load average {one:.2f} / {five:.2f} (1 / 5 min) on {os.cpu_count()} CPUs"
    except OSError:  # pragma: no cover
        return "load average unknown"


def verdict(name: str, ratio: float, target: float, *, at_most: bool = True, extra: dict | None = None) -> None:
    """Record the figure in artifacts/bench_last_run.json (git-ignored) and print it as the last line."""
    ok = ratio <= target if at_most else ratio >= target
    record = {"name": name, "ratio": round(ratio, 4), "target": target, "at_most": at_most, "pass": ok}
    record |= extra or {}
    out = ROOT / "artifacts" / "bench_last_run.json"
    out.parent.mkdir(exist_ok=True)
    try:
        runs = json.loads(out.read_text()) if out.exists() else {}
    except ValueError:
        runs = {}
    runs[name] = record | {"when": time.strftime("%Y-%m-%d %H:%M"), "load": load_average()}
    out.write_text(json.dumps(runs, indent=2) + "\n")
    sys.stdout.flush()
    print(f"{name}: {ratio:.3f} (target {'≤' if at_most else '≥'} {target}) {'PASS' if ok else 'FAIL'}", flush=True)


#: how many profiles the batch benchmarks render (issue 18: "a 24-profile batch")
BATCH_SIZE = 24
#: the volume multipliers the batch cycles through, so the copies are not the same analysis
VOLUME_FACTORS = (1.0, 0.1, 10.0, 0.5)


def batch_profiles(folder: Path, count: int = BATCH_SIZE) -> list[Path]:
    """``count`` profiles in ``folder``: the example profiles in turn, each copy with its
    requests per day scaled by the next of :data:`VOLUME_FACTORS` and its own name."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        src = PROFILES[i % len(PROFILES)]
        doc = yaml.safe_load(src.read_text(encoding="utf-8"))
        factor = VOLUME_FACTORS[(i // len(PROFILES)) % len(VOLUME_FACTORS)]
        doc["requests_per_day"] = max(1, round(doc["requests_per_day"] * factor))
        doc["name"] = f"{doc['name']} (batch {i:02d}, volume ×{factor:g})"
        path = folder / f"{src.stem}_{i:02d}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths
