"""Refresh data/gpu_offers.csv: the on-demand markets from a SkyPilot catalog checkout, the
``owned`` market from data/gpu_owned_inputs.csv; the other markets' rows (commitments) are kept.

    python tools/import_gpu_offers.py CATALOG [CATALOG ...] [--as-of YYYY-MM-DD] [--source TEXT]
        [--statistic provider_median|pooled_median] [--offers data/gpu_offers.csv] [--dry-run]

CATALOG is a folder of ``<cloud>/vms.csv`` files (``catalogs/v9`` of a clone of
github.com/skypilot-org/skypilot-catalog) or such files themselves. The write is atomic: on any
error the offers file is left as it was. Exit code 2 on bad input, with one line naming the file,
the line and the column.

The command line will call the same functions (``llmstrategy gpus import``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmstrategy.errors import LLMStrategyError  # noqa: E402
from llmstrategy.inputs.gpu_offers import (  # noqa: E402
    ON_DEMAND_MARKETS,
    load_offers,
    merge_offers,
    offers_csv,
    read_gpu_ids,
    write_offers,
)
from llmstrategy.inputs.gpu_owned import owned_offers  # noqa: E402
from llmstrategy.inputs.skypilot_import import STATISTICS, scan_skypilot  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("catalog", nargs="+", type=Path, help="a catalogs/v<N> folder, or <cloud>/vms.csv files")
    ap.add_argument("--as-of", type=date.fromisoformat, default=date.today(), help="date of the snapshot")
    ap.add_argument("--source", help="how to cite the catalog (repository, version, commit)")
    ap.add_argument("--statistic", choices=STATISTICS, default="provider_median")
    ap.add_argument("--offers", type=Path, default=ROOT / "data" / "gpu_offers.csv")
    ap.add_argument("--gpus", type=Path, default=ROOT / "data" / "gpus.csv")
    ap.add_argument("--owned-inputs", type=Path, default=ROOT / "data" / "gpu_owned_inputs.csv")
    ap.add_argument("--dry-run", action="store_true", help="print the CSV instead of writing it")
    args = ap.parse_args(argv)
    try:
        known = read_gpu_ids(args.gpus)
        catalog = args.catalog[0] if len(args.catalog) == 1 and args.catalog[0].is_dir() else args.catalog
        result = scan_skypilot(catalog, args.gpus, as_of=args.as_of, source=args.source, statistic=args.statistic)
        owned = owned_offers(args.owned_inputs, known) if args.owned_inputs.is_file() else []
        existing = load_offers(args.offers, known) if args.offers.is_file() else ()
        rows = merge_offers(existing, result.rows + owned, replace_markets=(*ON_DEMAND_MARKETS, "owned"))
        if args.dry_run:
            sys.stdout.write(offers_csv(rows))
            changed = False
        else:
            changed = write_offers(args.offers, rows, known_gpus=known)
    except LLMStrategyError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for reason, n in sorted(result.skipped.items()):
        print(f"skipped {n} row(s): {reason}", file=sys.stderr)
    print(
        f"{len(result.quotes)} quotes from {len(result.files)} file(s) -> {len(result.rows)} on-demand rows, "
        f"{len(owned)} owned rows; {args.offers} {'written' if changed else 'unchanged'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
