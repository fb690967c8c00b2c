"""Benchmark 2: batch scaling, ``llmstrategy render --jobs 2`` vs ``--jobs 1`` on a 24-profile batch.

The batch is ``_bench.batch_profiles`` (the example profiles in turn, volumes varied;
``--batch N`` for another size). Each process renders its share in one warm kernel (the
default; ``--kernel fresh``: a new kernel per notebook, ``LLMSTRATEGY_KERNEL=fresh``).

Each batch is one run of the real command in a fresh process (so both pay the same
start-up: with ``--jobs 2`` the workers import papermill and nbconvert themselves, with
``--jobs 1`` the main process does), alternated, into separate output folders. Prints the
wall time with 2 jobs / with 1 job (median of the runs). Target ≤ 0.65 on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _bench import BATCH_SIZE, ROOT, batch_profiles, interleaved, load_average, median, verdict

TARGET = 0.65


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="batches with each job count")
    ap.add_argument("--batch", type=int, default=BATCH_SIZE, help="profiles in the batch")
    ap.add_argument("--kernel", choices=("warm", "fresh"), default="warm", help="LLMSTRATEGY_KERNEL for the batches")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    profiles = batch_profiles(work / "profiles", args.batch)
    env = {**os.environ, "LLMSTRATEGY_KERNEL": args.kernel}
    exe = Path(sys.executable).with_name("llmstrategy")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "llmstrategy.cli"]

    def batch(jobs: int) -> None:
        out = work / f"jobs{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        argv = ["render", *map(str, profiles), "--out", str(out), "--jobs", str(jobs)]
        proc = subprocess.run([*cmd, *argv], capture_output=True, text=True, check=False, env=env)
        if proc.returncode != 0:
            sys.exit(f"render --jobs {jobs} failed: {proc.stderr[-2000:]}")

    batch(1)  # warm-up, not counted: fills the OS file cache
    t2, t1 = interleaved(lambda: batch(2), lambda: batch(1), max(1, args.runs))
    shutil.rmtree(work, ignore_errors=True)
    n = len(profiles)
    print(f"{n} profiles, {args.kernel} kernels; {load_average()}")
    print("jobs=2: " + ", ".join(f"{t:.1f}" for t in t2) + f" s ({median(t2) / n:.2f} s a report)")
    print("jobs=1: " + ", ".join(f"{t:.1f}" for t in t1) + f" s ({median(t1) / n:.2f} s a report)")
    verdict(
        "batch jobs=2/jobs=1",
        median(t2) / median(t1),
        TARGET,
        extra={"jobs2_s": round(median(t2), 2), "jobs1_s": round(median(t1), 2), "profiles": n, "kernel": args.kernel},
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
