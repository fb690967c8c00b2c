"""The seeds' decision path as two questions, the deployment and the adaptation: seed 004
step 2 (is an LLM needed), seed 003 §6 (data forbidden, pre-MVP, API costs painful soon),
seed 004 step 3 (core differentiator), seed 003 step 4 and seed 000 (fine-tuning triggers),
seed 004 step 7 (does fine-tuning pay for itself) and seed 001 (start with RAG). Each step
keeps the profile value that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from llmstrategy.decision.path_rules import (
    feasible_prompting,
    fine_tune_returns,
    min_gain,
    private_or_self_host,
    provider_or_own_fine_tune,
)
from llmstrategy.decision.ratings import Ratings
from llmstrategy.decision.route_step import route_answer
from llmstrategy.decision.scoring import Scores, has_corpus, knowledge_need
from llmstrategy.economics.analysis import Analysis
from llmstrategy.inputs.strategies import NO_LLM_ID, Adaptation, Deployment, Strategy

#: the adaptations a hosted API serves without training a model
PROVIDER_QUESTION = "Can a provider fine-tune for you?"
UNTUNED_API_CHEAPER = "API stays cheaper over the horizon"
TUNED_OWN_CHEAPER = "fine-tuned, your own model costs less per accepted task than a provider's"
#: appended to the provider step when it moves to your own servers after the volume question said no
SUPERSEDES_VOLUME_STEP = (
    ": serve it on your own servers (the volume question above compared the models untuned, where an API "
    "stays cheaper)"
)
ONE_MODEL_ADAPTATIONS = (Adaptation.PROMPTING, Adaptation.RAG)


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
    fine_tune_returns: tuple[str, ...] = ()  # why fine-tuning pays, when the path keeps it
    fine_tune_self_hosted: bool = False  # the path moved to self-hosting to fine-tune ("Can a provider fine-tune …?")
    route_saving_monthly_usd: float = 0.0  # what routing saves a month when the path routes [USD]


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
        if p.own_cloud_allowed:
            dep, why = private_or_self_host(p, s)
            steps.append(
                Step(
                    "Your own servers, or a vendor's model deployed in your cloud?",
                    ("a private deployment in your cloud" if dep is Deployment.PRIVATE_CLOUD else "self-host")
                    + f": {why}",
                    f"own_cloud_allowed: true; ml_engineers: {p.team.ml_engineers:g}, infra_engineers: "
                    f"{p.team.infra_engineers:g}, can_hire: {str(p.team.can_hire).lower()}",
                    "seed 003 §2.2 (private deployments of proprietary models in your own cloud) and §6 step 1",
                )
            )
    else:
        steps.append(
            Step(
                "Is sending data to a third-party model forbidden?",
                "no",
                f"data_may_leave: true (data_sensitivity: {p.data_sensitivity})",
                "seed 003 §6 step 1",
            )
        )
        hosted = [Strategy(d, ad).id for d in (Deployment.API, Deployment.ROUTED) for ad in ONE_MODEL_ADAPTATIONS]
        if s is not None and not any(s.feasible[s.index(x)] for x in hosted):
            dep, why = private_or_self_host(p, s)
            steps.append(
                Step(
                    "Can a hosted API do this task at all?",
                    "no: "
                    + ("a private deployment in your cloud" if dep is Deployment.PRIVATE_CLOUD else "self-host")
                    + f": {why}",
                    "; ".join(s.reasons[s.index(Deployment.API.value)])[:300],
                    "seed 003 §6 step 1 (self-hosted / private-cloud models); seed 001 (latency: API 100-2000 ms)",
                )
            )
            dep_signal = "no hosted API meets the task"
        elif p.stage == "pre_mvp":
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
            yours = (dep_if_painful, Deployment.SELF_HOST, Deployment.HYBRID)
            can_run = [d for d in yours if feasible_prompting(s, d)]
            if soon and not can_run and s is not None:  # painful, but the team cannot run its own model
                dep = Deployment.API
                why_not = "; ".join(s.reasons[s.index(dep_if_painful.value)])[:200]
                steps.append(
                    Step(
                        "Will projected usage make API costs painful soon?",
                        f"yes, but running your own model is ruled out ({why_not}): stay with APIs and cut the "
                        "cost per task (smaller models, routing, caching)",
                        evidence,
                        "seed 003 §6 step 3; seed 002 (use the smallest model that works)",
                    )
                )
                dep_signal = "API costs become painful, but self-hosting is ruled out"
            elif soon:
                dep = can_run[0]
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
                dep_signal = UNTUNED_API_CHEAPER
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
    rag = knowledge_need(p) and has_corpus(p)
    ft_returns: tuple[str, ...] = ()
    ft_self_hosted = False
    if ft and s is not None:
        ft_ad = Adaptation.RAG_FINE_TUNE if rag else Adaptation.FINE_TUNE
        with_ft = Strategy(dep, ft_ad).id
        without = Strategy(dep, Adaptation.RAG if rag else Adaptation.PROMPTING).id
        i, j = s.index(with_ft), s.index(without)
        own = Strategy(Deployment.SELF_HOST, ft_ad).id
        k = s.index(own)
        if dep is Deployment.API and s.feasible[k]:
            switch, answer, evidence = provider_or_own_fine_tune(p, r, s, with_ft, without, own)
            steps.append(
                Step(
                    PROVIDER_QUESTION,
                    answer,
                    evidence,
                    "seed 003 §6 step 4 (API-based first, then self-hosted if needed) and step 3 (own more at "
                    "scale); seed 004 step 7",
                )
            )
            if switch:
                with_ft, i = own, k
        if s.feasible[i] and s.feasible[j]:
            c_ft, c_base = float(s.cost_per_accepted_task_usd[i]), float(s.cost_per_accepted_task_usd[j])
            gain = float(s.pass_rate[i] - s.pass_rate[j])
            ft_returns = fine_tune_returns(p, gain, c_ft, c_base, min_gain(r), float(s.pass_rate[j]))
            ft = bool(ft_returns)
            if ft and with_ft.startswith("self_host") and dep is not Deployment.SELF_HOST:
                dep = Deployment.SELF_HOST
                ft_self_hosted = True
                if dep_signal == UNTUNED_API_CHEAPER:  # the volume question compared the models untuned
                    dep_signal += "; " + TUNED_OWN_CHEAPER
                    n = next(n for n, x in enumerate(steps) if x.question == PROVIDER_QUESTION)
                    steps[n] = replace(steps[n], answer=steps[n].answer + SUPERSEDES_VOLUME_STEP)
            why = (
                "a clear return in " + " and ".join(ft_returns)
                if ft
                else f"no clear return: the pass rate gains {gain * 100:+.1f} points ("
                + (
                    f"a clear return is {min_gain(r) * 100:g} or more"
                    if p.systematic_failures or p.required_accuracy is not None
                    else "retries buy accuracy: no systematic failures"
                )
                + "), the cost per accepted task "
                + ("does not fall" if c_ft >= c_base else "falls only if the gain is real")
                + (
                    ", and a core differentiator is defended by a better product, not a costlier one"
                    if p.core_differentiator
                    else ""
                )
            )
            steps.append(
                Step(
                    "Does fine-tuning pay for itself?",
                    ("yes: " if ft else "no: ") + why,
                    f"cost per accepted task ${c_ft:,.5f} with fine-tuning ({with_ft}) vs ${c_base:,.5f} without "
                    f"({without}); expected pass rate {s.pass_rate[i]:.1%} vs {s.pass_rate[j]:.1%} "
                    f"({gain * 100:+.1f} points)",
                    "seed 004 step 7 (cost-benefit analysis: accuracy, cost at scale, reliability, defensibility); "
                    "seed 001 (track cost per task)",
                )
            )
    steps.append(
        Step(
            "Does the task need knowledge the model lacks or that changes?",
            "yes: retrieval (RAG)"
            if rag
            else (
                "no corpus to retrieve from: prompting (add the documents, then retrieval)"
                if knowledge_need(p)
                else "no: prompting is enough (high domain specificity alone is jargon and style, not missing "
                "knowledge)"
                if p.domain_specificity == "high"
                else "no: prompting is enough"
            ),
            f"knowledge_changes_often: {str(p.knowledge_changes_often).lower()}, corpus: "
            + (f"{p.rag.corpus_tokens:,.0f} tokens" if p.rag is not None else "not described (rag: block)")
            + (
                f", {p.stuffed_context_tokens:,} tokens of reference material in every prompt"
                if p.stuffed_context_tokens
                else ""
            )
            + f", domain_specificity: {p.domain_specificity}",
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
    route_saving = 0.0
    if dep in (Deployment.API, Deployment.PRIVATE_CLOUD) and s is not None:
        routed = route_answer(a, r, s, ad, dep)
        if routed is not None:
            steps.append(
                Step(
                    "Can a smaller model answer the easy requests?",
                    routed.answer,
                    routed.evidence,
                    "seed 002 (use the smallest model that works); seed 003 (smaller for routing, larger for final "
                    "answers); RouteLLM for the default split",
                )
            )
            if routed.route:
                route_saving = routed.saving_monthly_usd
                dep = Deployment.ROUTED
                dep_signal += "; routing lowers the cost per accepted task"
    ad_signal = {
        Adaptation.RAG_FINE_TUNE: "knowledge need and a fine-tuning trigger",
        Adaptation.FINE_TUNE: "a fine-tuning trigger (systematic failures, format or jargon)",
        Adaptation.RAG: "knowledge need",
        Adaptation.PROMPTING: "no knowledge need, no systematic failures",
    }[ad]
    return DecisionPath(
        Strategy(dep, ad).id,
        tuple(steps),
        dep_signal,
        ad_signal,
        volume_q,
        dep_if_painful.value,
        ft_returns,
        ft_self_hosted,
        route_saving,
    )
