"""Problem fit (seed 002): is an LLM fit for this task at all?

Seed 002 asks for tasks with a tolerance for imperfection ("95% accuracy is valuable") and
outputs that are easy to verify; tasks that need 99.9% (financial calculations, medical
diagnoses) are a poor fit. With ``required_accuracy`` in the profile, the rule is:

* some feasible strategy's expected pass rate reaches it → an LLM alone is fit;
* none does, but errors are caught downstream (``errors_caught_downstream``) → an LLM with
  human review: a person checks the outputs, and each failed task costs
  ``human_review_usd_per_task`` (in the cost per accepted task);
* none does and nothing catches the errors → an LLM alone is not fit: the recommendation is no
  LLM, and the best LLM strategy is named as the option *with* human review.

Expected pass rates are proxies capped at ``quality.pass_rate_max`` (no proxy claims more); a
measured pass rate from the user's own evals (its Wilson lower bound) can show more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from llmstrategy.decision.scoring import Scores
from llmstrategy.fmt import fmt_percent
from llmstrategy.inputs.profile import Profile


@dataclass(frozen=True)
class Fit:
    """The answer to "is an LLM fit for this task?" with the evidence behind it."""

    required_accuracy: float | None
    best_pass_rate: float | None  # the highest expected pass rate of a feasible strategy
    best_strategy: str | None
    llm_alone_fits: bool
    human_review: bool  # the recommendation relies on a person checking the outputs
    statement: str

    @property
    def rules_out_llm(self) -> bool:
        """No strategy reaches the required accuracy and nothing catches the errors."""
        return not self.llm_alone_fits and not self.human_review

    def as_dict(self) -> dict[str, Any]:
        return {
            "required_accuracy": self.required_accuracy,
            "best_pass_rate": self.best_pass_rate,
            "best_strategy": self.best_strategy,
            "llm_alone_fits": self.llm_alone_fits,
            "human_review": self.human_review,
            "statement": self.statement,
        }


def problem_fit(p: Profile, s: Scores, measured_shortfall: Mapping[str, float] | None = None) -> Fit:
    """Apply the rule of the module docstring to the feasible strategies' pass rates, each less
    ``measured_shortfall[strategy]`` (a measured rate's distance to its 95 % Wilson lower bound:
    a requirement is met on evidence, not on a lucky sample)."""
    short = measured_shortfall or {}
    ok = [i for i, f in enumerate(s.feasible) if f]

    def sure(i: int) -> float:
        return float(s.pass_rate[i]) - short.get(s.strategies[i].id, 0.0)

    best_i = max(ok, key=sure) if ok else None
    best = sure(best_i) if best_i is not None and np.isfinite(s.pass_rate[best_i]) else None
    best_id = s.strategies[best_i].id if best_i is not None else None
    need = p.required_accuracy
    if need is None or best is None:
        return Fit(need, best, best_id, True, False, "")
    digits = 2 if need >= 0.99 else 1  # 99.9% vs 99.94% must not both print as 99.9%
    lower = " (the lower end of a measured rate's 95% interval)" if best_id in short else ""
    reach = f"the best expected pass rate is {fmt_percent(best, digits)}{lower} ({best_id})"
    if best >= need:
        return Fit(
            need,
            best,
            best_id,
            True,
            False,
            f"An LLM alone is fit: {reach}, at least the required {fmt_percent(need, digits)}.",
        )
    if p.errors_caught_downstream:
        cost = (
            f", each at ${p.human_review_usd_per_task:,.2f} of review"
            if p.human_review_usd_per_task is not None
            else " (set human_review_usd_per_task to price the review)"
        )
        return Fit(
            need,
            best,
            best_id,
            False,
            True,
            f"No option reaches the required {fmt_percent(need, digits)} alone: {reach}. Errors are caught downstream, "
            f"so an LLM fits with human review: a person fixes the {fmt_percent(1 - best, digits)} of tasks that fail"
            f"{cost}.",
        )
    return Fit(
        need,
        best,
        best_id,
        False,
        False,
        f"An LLM alone is not fit for this task: it must be right {fmt_percent(need, digits)} of the time with "
        f"nothing to catch its errors, and {reach} (seed 002: tasks that need 99.9% accuracy are a poor fit). "
        "Keep a deterministic or rule-based solution (no LLM), or add human review of every output (set "
        "errors_caught_downstream and human_review_usd_per_task) and re-run.",
    )
