"""Thin wrapper, kept for old instructions: ``llmstrategy gpus import`` replaced this script.

    python tools/import_gpu_offers.py CATALOG [CATALOG ...] [--as-of YYYY-MM-DD] [--source TEXT]
        [--statistic provider_median|pooled_median] [--offers data/gpu_offers.csv] [--dry-run] [--force]

is ``llmstrategy gpus import`` with the same arguments (see ``llmstrategy gpus import --help``;
the GPU list and the owned-cost inputs are read from the data folder, ``$LLMSTRATEGY_DATA_DIR``
or the repository's ``data/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from llmstrategy.cli import main as cli


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        cli.main(["gpus", "import", *args], prog_name="import_gpu_offers.py", standalone_mode=False)
    except SystemExit as done:
        return int(done.code or 0)
    except Exception as err:  # click's usage errors (bad option): one line, exit code 2
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
