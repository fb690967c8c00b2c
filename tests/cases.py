"""The decision cases of ``tests/cases/``: profiles with the answer the seeds' rules and
engineering sense give, written before the engine ran on them (``tests/cases/README.md``), and
what the engine gives for each. Used by ``tests/test_cases.py`` and ``tools/cases_table.py``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).resolve().parent / "cases"
AS_OF = date(2026, 11, 29)


@dataclass(frozen=True)
class Case:
    name: str
    deployment: tuple[str, ...]
    adaptation: tuple[str, ...]
    human_review: bool
    monthly_usd: tuple[float, float]
    why: str

    @property
    def profile_path(self) -> Path:
        return CASES_DIR / "profiles" / f"{self.name}.yaml"


def _cases() -> list[Case]:
    raw = yaml.safe_load((CASES_DIR / "expected.yaml").read_text(encoding="utf-8"))
    return [
        Case(
            r["case"],
            tuple(r["deployment"]),
            tuple(r.get("adaptation") or ()),
            bool(r.get("human_review", False)),
            (float(r["monthly_usd"][0]), float(r["monthly_usd"][1])),
            str(r["why"]).strip(),
        )
        for r in raw
    ]


CASES = _cases()


@dataclass(frozen=True)
class Given:
    """What the engine recommends for one case."""

    deployment: str
    adaptation: str
    human_review: bool
    monthly_usd: float
    result: dict[str, Any]

    def problems(self, case: Case) -> list[str]:
        out = []
        if self.deployment not in case.deployment:
            out.append(f"deployment {self.deployment}, expected {'/'.join(case.deployment)}")
        if case.adaptation and self.adaptation not in case.adaptation:
            out.append(f"adaptation {self.adaptation}, expected {'/'.join(case.adaptation)}")
        lo, hi = case.monthly_usd
        cost = self.monthly_usd
        if not (math.isfinite(cost) and lo * (1 - 1e-9) <= cost <= hi * (1 + 1e-9)):
            out.append(f"${cost:,.2f}/month outside ${lo:,.6g}–${hi:,.6g}")
        return out


@cache
def evaluate_case(case: Case) -> Given:
    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.pipeline import evaluate

    catalog = load_catalog()
    a, _d = evaluate(load_profile(case.profile_path), catalog, on_date=AS_OF, samples=200, with_sensitivity=False)
    rec = a.extras["recommendation"]
    sid = rec.get("strategy") or "no_llm"
    costs = {c["strategy"]: c for c in a.extras.get("costs", [])} if isinstance(a.extras.get("costs"), list) else {}
    monthly = 0.0
    if sid != "no_llm":
        monthly = next((c.monthly_usd for c in a.costs if c.strategy.id == sid), math.nan)
    del costs
    return Given(
        rec.get("deployment") or "no_llm",
        rec.get("adaptation") or "",
        bool(rec.get("human_review", False)),
        float(monthly),
        rec,
    )
