"""Benchmark 5: report size, as HTML bytes of a rendered report / bytes of the plotly.js bundle
it embeds, and the report's bytes absolute.

Renders the full report of one example profile (or every example profile with ``--all``)
through ``llmstrategy.report.render_one`` with the default bundle (the vendored basic partial
bundle, ``llmstrategy/views/vendor/``) or, with ``--plotly full``, the full plotly.js that the
plotly package ships (``LLMSTRATEGY_PLOTLY=full``). Divides each HTML's UTF-8 size by the size
of the bundle it embeds, checks that bundle is embedded exactly once, whole, however many
figures the report has, and prints the rest of the page (its own content). Targets: ratio
≤ 1.3 and at most 1.5 MB per report (issue 18); the last line is the worst report's ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from _bench import AS_OF, PROFILE, PROFILES, ROOT, verdict

TARGET = 1.3
MAX_BYTES = 1_500_000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default=str(PROFILE), help="example profile to render")
    ap.add_argument("--all", action="store_true", help="every profile in data/profiles/ (2 render processes)")
    ap.add_argument("--plotly", choices=["basic", "full"], default="basic", help="the bundle to embed")
    args = ap.parse_args()
    os.environ["LLMSTRATEGY_PLOTLY"] = args.plotly

    from llmstrategy.report import render_batch
    from llmstrategy.views.plotly_offline import plotly_js

    js = plotly_js(args.plotly)
    bundle = len(js.encode("utf-8"))
    banner = js[: js.index("*/")].splitlines()[1].strip("* ")
    profiles = PROFILES if args.all else [Path(args.profile)]
    out = Path(tempfile.mkdtemp(prefix="bench_size_"))
    try:
        results = render_batch(profiles, out_dir=out, as_of=AS_OF, jobs=2, progress=False)
        print(f"plotly.js bundle: {banner}, {bundle:,} bytes")
        rows = []
        for r in results:
            if not r.ok or r.html_path is None:
                sys.exit(f"render failed: {r.profile_path}: {r.error}")
            page = Path(r.html_path).read_text(encoding="utf-8")
            size = len(page.encode("utf-8"))
            copies = page.count(js)
            figures = page.count("Plotly.newPlot(")
            ratio = size / bundle if copies == 1 else float("inf")
            ok = copies == 1 and size <= MAX_BYTES and ratio <= TARGET
            rows.append((ratio, size, figures, copies, Path(r.profile_path).stem))
            print(
                f"  {Path(r.profile_path).stem:32s} {size:>10,} bytes  {ratio:.3f}× bundle  figures {figures}"
                f"  bundles {copies}  rest {size - copies * bundle:>8,} bytes  {'ok' if ok else 'OVER'}"
            )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    ratio, size, figures, copies, stem = max(rows)
    if copies != 1:
        print(f"FAIL: the bundle must be embedded exactly once, found {copies} in {stem}")
    largest = max(r[1] for r in rows)
    print(f"largest report {largest:,} bytes (target ≤ {MAX_BYTES:,}): {'PASS' if largest <= MAX_BYTES else 'FAIL'}")
    verdict(
        f"report bytes/plotly.js bytes ({args.plotly} bundle)",
        ratio,
        TARGET,
        extra={
            "html_bytes": size,
            "largest_html_bytes": largest,
            "max_bytes": MAX_BYTES,
            "bundle_bytes": bundle,
            "bundle": banner,
            "figures": figures,
            "bundles": copies,
            "profile": stem,
            "reports": len(rows),
        },
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
