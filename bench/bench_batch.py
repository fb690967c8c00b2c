"""Benchmark 2: batch scaling, ``render_batch(jobs=2)`` vs ``jobs=1`` on every example profile.

Both in this process through ``llmstrategy.report.render_batch`` (the same call as
``llmstrategy render --jobs N``), alternated, into separate output folders. Prints the
wall time with 2 jobs / with 1 job (median of the runs). Target ≤ 0.65 on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from _bench import AS_OF, PROFILES, ROOT, interleaved, load_average, median, verdict

TARGET = 0.65


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2, help="batches with each job count")
    args = ap.parse_args()

    from llmstrategy.report import render_batch

    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))

    def batch(jobs: int) -> None:
        out = work / f"jobs{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        results = render_batch(PROFILES, out_dir=out, jobs=jobs, as_of=AS_OF, progress=False)
        failed = [r for r in results if not r.ok]
        if failed:
            sys.exit(f"{len(failed)} render(s) failed, e.g. {failed[0].profile_path}: {failed[0].error}")

    render_batch(PROFILES[:1], out_dir=work / "warm", jobs=1, as_of=AS_OF, progress=False)  # imports, caches
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
