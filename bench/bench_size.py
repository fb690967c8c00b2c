"""Benchmark 5: report size, as HTML bytes of a rendered report / bytes of plotly.js.

Renders the full report of one example profile through ``llmstrategy.report.render_one``
and divides the HTML's size by the size of the plotly.js bundle that plotly ships
(``plotly.offline.get_plotlyjs()``, UTF-8 bytes). Also checks the bundle is embedded
exactly once, however many figures the report has. Target ≤ 1.25.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

from _bench import AS_OF, PROFILE, ROOT, verdict

TARGET = 1.25


def bundle_markers(js: str) -> tuple[str, str]:
    """The bundle's version banner and an 80-character fingerprint from its middle; each
    occurs once in plotly.min.js, so counting them counts the bundles on a page."""
    banner = re.search(r"\* plotly\.js v[0-9][^\s]*", js[:300])
    if not banner:
        sys.exit("plotly.js bundle lost its version banner")
    middle = js[len(js) // 2 : len(js) // 2 + 80]
    return banner.group(0), middle


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default=str(PROFILE), help="example profile to render")
    args = ap.parse_args()

    import plotly.offline

    from llmstrategy.report import render_one

    js = plotly.offline.get_plotlyjs()
    bundle = len(js.encode("utf-8"))
    banner, middle = bundle_markers(js)
    out = Path(tempfile.mkdtemp(prefix="bench_size_"))
    r = render_one(args.profile, out_dir=out, as_of=AS_OF)
    if not r.ok or r.html_path is None:
        sys.exit(f"render failed: {r.error}")
    page = Path(r.html_path).read_text(encoding="utf-8")
    size = len(page.encode("utf-8"))
    figures = page.count("Plotly.newPlot(")
    copies = min(page.count(banner), page.count(middle))
    shutil.rmtree(out, ignore_errors=True)
    print(f"{Path(args.profile).stem}: HTML {size:,} bytes, plotly.js {bundle:,} bytes ({banner.strip('* ')})")
    rest = size - copies * bundle
    print(f"figures: {figures}; plotly.js bundles embedded: {copies}; rest of the page {rest:,} bytes")
    if copies != 1:
        print(f"FAIL: plotly.js must be embedded exactly once, found {copies}")
    verdict(
        "report bytes/plotly.js bytes",
        size / bundle if copies == 1 else float("inf"),
        TARGET,
        extra={"html_bytes": size, "bundle_bytes": bundle, "figures": figures, "bundles": copies},
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
