"""Benchmark 2: batch scaling, ``llmstrategy render --jobs 2`` vs ``--jobs 1`` on every example profile.

Each batch is one run of the real command in a fresh process (so both pay the same
start-up: with ``--jobs 2`` the workers import papermill and nbconvert themselves, with
``--jobs 1`` the main process does), alternated, into separate output folders. Prints the
wall time with 2 jobs / with 1 job (median of the runs). Target ≤ 0.65 on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _bench import PROFILES, ROOT, interleaved, load_average, median, verdict

TARGET = 0.65


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="batches with each job count")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    exe = Path(sys.executable).with_name("llmstrategy")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "llmstrategy.cli"]

    def batch(jobs: int) -> None:
        out = work / f"jobs{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        args = ["render", *map(str, PROFILES), "--out", str(out), "--jobs", str(jobs)]
        proc = subprocess.run([*cmd, *args], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit(f"render --jobs {jobs} failed: {proc.stderr[-2000:]}")

    batch(1)  # warm-up, not counted: fills the OS file cache
    t2, t1 = interleaved(lambda: batch(2), lambda: batch(1), max(1, args.runs))
    shutil.rmtree(work, ignore_errors=True)
    print(f"{len(PROFILES)} profiles; {load_average()}")
    print("jobs=2: " + ", ".join(f"{t:.1f}" for t in t2) + " s")
    print("jobs=1: " + ", ".join(f"{t:.1f}" for t in t1) + " s")
    verdict(
        "batch jobs=2/jobs=1",
        median(t2) / median(t1),
        TARGET,
        extra={"jobs2_s": round(median(t2), 2), "jobs1_s": round(median(t1), 2), "profiles": len(PROFILES)},
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
