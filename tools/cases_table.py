"""Print the decision cases of tests/cases/ (expected, written before running the engine) beside
what the engine gives: deployment, adaptation, human review and monthly cost.

    python tools/cases_table.py [--markdown]

Exit code 0 always: this is a report; tests/test_cases.py is the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from cases import CASES, evaluate_case  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true", help="a Markdown table")
    args = ap.parse_args()
    rows = []
    for case in CASES:
        got = evaluate_case(case)
        rows.append(
            (
                case.name,
                "/".join(case.deployment) + " · " + ("/".join(case.adaptation) or "-"),
                f"{got.deployment} · {got.adaptation or '-'}",
                f"{case.monthly_usd[0]:,.6g}–{case.monthly_usd[1]:,.6g}",
                f"{got.monthly_usd:,.2f}",
                "ok" if not got.problems(case) else "; ".join(got.problems(case)),
            )
        )
    head = ("case", "expected", "given", "expected $/month", "given $/month", "verdict")
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        for r in rows:
            print("  ".join(r))
    print(f"{sum(r[-1] == 'ok' for r in rows)} of {len(rows)} agree")


if __name__ == "__main__":
    main()
