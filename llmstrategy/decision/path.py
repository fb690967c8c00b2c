"""The seeds' decision path as two questions, the deployment and the adaptation: seed 004
step 2 (is an LLM needed), seed 003 §6 (data forbidden, pre-MVP, API costs painful soon),
seed 004 step 3 (core differentiator), seed 003 step 4 and seed 000 (fine-tuning triggers),
seed 004 step 7 (does fine-tuning pay for itself) and seed 001 (start with RAG). Each step
keeps the profile value that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmstrategy.decision.ratings import Ratings
from llmstrategy.decision.scoring import Scores
from llmstrategy.economics.analysis import Analysis
from llmstrategy.inputs.strategies import NO_LLM_ID, Adaptation, Deployment, Strategy


@dataclass(frozen=True)
class Step:
    question: str
    answer: str
    evidence: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"question": self.question, "answer": self.answer, "evidence": self.evidence, "source": self.source}


@dataclass(frozen=True)
class DecisionPath:
    """The path's outcome: a strategy id (or ``no_llm``) and the steps that decided it."""

    strategy_id: str
    steps: tuple[Step, ...]
    deployment_signal: str
    adaptation_signal: str
    volume_question: bool = False  # the deployment hung on "will API costs become painful soon?"
    deployment_if_painful: str = "self_host"


def decision_path(a: Analysis, r: Ratings, s: Scores | None = None) -> DecisionPath:
    """Seed 004 step 2, then seed 003's path for the deployment, then seed 003 step 4 /
    seed 000 / seed 001 for the adaptation (two separate questions). With the scores ``s``,
    seed 004 step 7 checks fine-tuning's return: it is kept for systematic failures (accuracy
    that retries cannot buy), a core differentiator (defensibility), or a lower cost per accepted
    task than the same strategy without fine-tuning (cost at scale), or when either scoring
    method ranks the fine-tuned strategy above it (e.g. lower hallucination risk): the seeds'
    trigger is dropped only when cost and both methods say fine-tuning is worse."""
    p = a.profile
    steps: list[Step] = []
    if p.rules_suffice:
        steps.append(
            Step(
                "Do rules, search or classic ML suffice?",
                "yes: skip the LLM",
                "rules_suffice: true",
                "seed 004 step 2",
            )
        )
        return DecisionPath(NO_LLM_ID, tuple(steps), "rules suffice", "rules suffice")
    steps.append(Step("Do rules, search or classic ML suffice?", "no", "rules_suffice: false", "seed 004 step 2"))
    be = a.extras.get("break_even", {})
    volume_q = False
    hy_month = (be.get("month_reached") or {}).get("api_vs_hybrid")
    dep_if_painful = (
        Deployment.HYBRID
        if (hy_month is not None and hy_month < p.horizon_months) or p.task_complexity == "high"
        else Deployment.SELF_HOST
    )
    if not p.data_may_leave:
        dep = Deployment.SELF_HOST
        steps.append(
            Step(
                "Is sending data to a third-party model forbidden?",
                "yes: self-hosted or private deployment",
                f"data_may_leave: false (data_sensitivity: {p.data_sensitivity})",
                "seed 003 §6 step 1",
            )
        )
        dep_signal = "data may not leave"
    else:
        steps.append(
            Step(
                "Is sending data to a third-party model forbidden?",
                "no",
                f"data_may_leave: true (data_sensitivity: {p.data_sensitivity})",
                "seed 003 §6 step 1",
            )
        )
        if p.stage == "pre_mvp":
            dep = Deployment.API
            steps.append(
                Step(
                    "Pre-MVP or still validating user value?",
                    "yes: API-first, designed for swappability",
                    "stage: pre_mvp",
                    "seed 003 §6 step 2",
                )
            )
            dep_signal = "pre-MVP"
        else:
            steps.append(
                Step("Pre-MVP or still validating user value?", "no", f"stage: {p.stage}", "seed 003 §6 step 2")
            )
            month = (be.get("month_reached") or {}).get("api_vs_self_host")
            tokens = be.get("api_vs_self_host_monthly_tokens")
            soon = month is not None and month < p.horizon_months
            volume_q = True
            evidence = (
                f"self-hosting breaks even at {tokens:,.0f} tokens/month, reached in month {month} "
                f"(horizon {p.horizon_months} months; today {be.get('profile_monthly_tokens', 0):,.0f})"
                if tokens is not None and month is not None
                else (f"break-even at {tokens:,.0f} tokens/month, not reached by growth" if tokens else "")
                or (be.get("reason") or {}).get("api_vs_self_host", "no break-even")
            )
            if soon:
                dep = dep_if_painful
                steps.append(
                    Step(
                        "Will projected usage make API costs painful soon?",
                        "yes: "
                        + (
                            "hybrid (open model for common paths, API for hard cases)"
                            if dep is Deployment.HYBRID
                            else "self-host"
                        ),
                        evidence,
                        "seed 003 §6 step 3",
                    )
                )
                dep_signal = "API costs become painful within the horizon"
            else:
                dep = Deployment.API
                steps.append(
                    Step(
                        "Will projected usage make API costs painful soon?",
                        "no: stay with APIs; optimize prompts, caching and calling patterns",
                        evidence,
                        "seed 003 §6 step 3",
                    )
                )
                dep_signal = "API stays cheaper over the horizon"
    if p.data_may_leave and p.stage != "pre_mvp":
        steps.append(
            Step(
                "Is it a core differentiator?",
                "yes: owning more (fine-tuning, self-hosting) can pay off in defensibility"
                if p.core_differentiator
                else "no: orchestrate APIs and focus on product, UX and data unless cost says otherwise",
                f"core_differentiator: {str(p.core_differentiator).lower()} (weighs customization, or time to "
                "production and maintenance, in the matrix)",
                "seed 004 step 3",
            )
        )
    # adaptation
    fmt_trigger = p.needs_consistent_format and (
        p.domain_specificity == "high"
        or p.requests_per_day > r.recommendation.get("fine_tune_volume_requests_per_day", 10_000)
    )
    wants_ft = p.systematic_failures or fmt_trigger
    ft = wants_ft and p.labeled_examples > 0 and p.stage != "pre_mvp"
    ft_evidence = (
        f"systematic_failures: {str(p.systematic_failures).lower()}, needs_consistent_format: "
        f"{str(p.needs_consistent_format).lower()}, domain_specificity: {p.domain_specificity}, "
        f"{p.requests_per_day:,.0f} requests/day, labeled_examples: {p.labeled_examples:,}, stage: {p.stage}"
    )
    if ft:
        answer = "yes: fine-tune" + (" (through the provider first)" if dep is Deployment.API else "")
    elif wants_ft:
        answer = "not yet: " + (
            "no labeled examples to train on" if p.labeled_examples == 0 else "validate the use case first"
        )
    else:
        answer = "no: invest in RAG, UX and evaluation before fine-tuning"
    steps.append(
        Step(
            "Systematic failures a better model won't fix (style, format, jargon)?",
            answer,
            ft_evidence,
            "seed 003 §6 step 4; seed 000 'When to fine-tune'; seed 004 step 6",
        )
    )
    rag = p.knowledge_changes_often or p.domain_specificity == "high" or p.rag is not None
    if ft and s is not None:
        with_ft = Strategy(dep, Adaptation.RAG_FINE_TUNE if rag else Adaptation.FINE_TUNE).id
        without = Strategy(dep, Adaptation.RAG if rag else Adaptation.PROMPTING).id
        i, j = s.index(with_ft), s.index(without)
        if s.feasible[i] and s.feasible[j]:
            c_ft, c_base = float(s.cost_per_accepted_task_usd[i]), float(s.cost_per_accepted_task_usd[j])
            cheaper = c_ft <= c_base
            # the path's trigger stands unless both methods rank fine-tuning lower (as the margin rule)
            better = bool(s.topsis[i] > s.topsis[j] or s.weighted_sum[i] > s.weighted_sum[j])
            ft = p.systematic_failures or p.core_differentiator or cheaper or better
            why = (
                "systematic failures: accuracy that retries cannot buy"
                if p.systematic_failures
                else "a core differentiator: defensibility"
                if p.core_differentiator
                else "it lowers the cost per accepted task"
                if cheaper
                else "the criteria matrix ranks it above the same strategy without fine-tuning "
                f"(TOPSIS {s.topsis[i]:.2f} vs {s.topsis[j]:.2f}, weighted sum {s.weighted_sum[i]:.2f} vs "
                f"{s.weighted_sum[j]:.2f})"
                if better
                else "no clear return: no systematic failures, not a core differentiator, it raises the cost "
                "per accepted task and both scoring methods rank it lower"
            )
            steps.append(
                Step(
                    "Does fine-tuning pay for itself?",
                    ("yes: " if ft else "no: ") + why,
                    f"cost per accepted task ${c_ft:,.5f} with fine-tuning ({with_ft}) vs ${c_base:,.5f} without "
                    f"({without}); expected pass rate {s.pass_rate[i]:.0%} vs {s.pass_rate[j]:.0%}",
                    "seed 004 step 7 (cost-benefit analysis); seed 001 (track cost per task)",
                )
            )
    steps.append(
        Step(
            "Does the task need knowledge the model lacks or that changes?",
            "yes: retrieval (RAG)" if rag else "no: prompting is enough",
            f"knowledge_changes_often: {str(p.knowledge_changes_often).lower()}, domain_specificity: "
            f"{p.domain_specificity}" + (", a rag: block is set" if p.rag is not None else ""),
            "seed 001 decision rule: start with RAG; fine-tune only when RAG cannot reach quality, style or format",
        )
    )
    ad = (
        Adaptation.RAG_FINE_TUNE
        if rag and ft
        else Adaptation.FINE_TUNE
        if ft
        else Adaptation.RAG
        if rag
        else Adaptation.PROMPTING
    )
    ad_signal = {
        Adaptation.RAG_FINE_TUNE: "knowledge need and a fine-tuning trigger",
        Adaptation.FINE_TUNE: "a fine-tuning trigger (systematic failures, format or jargon)",
        Adaptation.RAG: "knowledge need",
        Adaptation.PROMPTING: "no knowledge need, no systematic failures",
    }[ad]
    return DecisionPath(Strategy(dep, ad).id, tuple(steps), dep_signal, ad_signal, volume_q, dep_if_painful.value)
