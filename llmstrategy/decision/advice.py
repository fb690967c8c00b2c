"""What goes with a recommendation: seed 004's traps that apply, when to revisit (with the
break-even volume and the month growth reaches it), seed 003's phases on the profile's
timeline, and seeds 000/002's production checklist ranked for the chosen strategy.
"""

from __future__ import annotations

import math
from typing import Any

from llmstrategy.decision.path import Step
from llmstrategy.decision.ratings import Ratings
from llmstrategy.decision.scoring import Scores
from llmstrategy.economics.analysis import Analysis
from llmstrategy.economics.context import sends_data_to_third_party
from llmstrategy.fmt import fmt_usd
from llmstrategy.inputs.strategies import NO_LLM_ID, Deployment


def traps(
    a: Analysis, s: Scores, rec_id: str | None, ft_returns: tuple[str, ...] = (), min_pass_gain: float = 0.03
) -> list[dict[str, str]]:
    """Seed 004's expensive traps that apply to this profile and recommendation. A trap that
    applies to the recommended strategy itself carries ``answer``: why the recommendation stands
    (the recommendation never walks into a trap unanswered)."""
    p = a.profile
    out: list[dict[str, str]] = []
    if rec_id is None or rec_id == NO_LLM_ID:
        return out
    st = next(x for x in s.strategies if x.id == rec_id)
    ft_anywhere = st.uses_fine_tune or any(
        x.uses_fine_tune and s.feasible[i] and s.rank[i] == 1 for i, x in enumerate(s.strategies)
    )
    if ft_anywhere and (p.stage == "pre_mvp" or p.labeled_examples < 100):
        trap = {
            "trap": "Fine-tuning too early",
            "why": f"stage {p.stage}, {p.labeled_examples:,} labeled examples: validate the need before locking "
            "in cost",
        }
        if st.uses_fine_tune:
            trap["answer"] = "fine-tuning is kept for " + (" and ".join(ft_returns) or "the profile's signals")
        out.append(trap)
    if st.uses_fine_tune:
        base = [
            s.pass_rate[i]
            for i, x in enumerate(s.strategies)
            if s.feasible[i] and not x.uses_fine_tune and x.deployment == st.deployment
        ]
        gain = s.pass_rate[s.index(rec_id)] - max(base) if base else math.nan
        if math.isfinite(gain) and gain < min_pass_gain:
            out.append(
                {
                    "trap": "Chasing small gains",
                    "why": f"fine-tuning adds {gain * 100:+.1f} points of expected pass rate over the best "
                    "non-fine-tuned option",
                    "answer": "fine-tuning is kept for "
                    + (" and ".join(r for r in ft_returns if not r.startswith("accuracy")) or "the profile's signals")
                    + ", not for accuracy",
                }
            )
        if p.knowledge_changes_often:
            out.append(
                {
                    "trap": "Overfitting to current needs",
                    "why": "the knowledge changes often; a fine-tuned model freezes today's data",
                    "answer": "retrieval keeps the knowledge current"
                    if st.uses_rag
                    else "retraining on fresh data is priced in; add retrieval when a corpus exists",
                }
            )
    if st.deployment in (Deployment.SELF_HOST, Deployment.HYBRID) or st.uses_fine_tune:
        c = a.cost(rec_id)
        staff = sum(
            v for k, v in c.monthly_components_usd.items() if k in ("operations_staff", "rag_upkeep", "retraining")
        )
        out.append(
            {
                "trap": "Ignoring total cost of ownership",
                "why": f"staff, retraining and upkeep are ${staff:,.0f} of ${c.monthly_usd:,.0f} per month, plus "
                f"${c.upfront_usd:,.0f} up front",
                "answer": "priced in: the monthly and one-off costs shown include them",
            }
        )
    if st.deployment in (Deployment.SELF_HOST, Deployment.HYBRID) and p.team.infra_engineers < 2:
        c = a.cost(rec_id)
        ops = (
            sum(
                float(c.monthly_components_usd[k])
                for k in ("operations_staff", "fleet_operations")
                if k in c.monthly_components_usd
            )
            / a.context.engineer_monthly_usd
        )
        out.append(
            {
                "trap": "Owning the maintenance burden",
                "why": f"{p.team.infra_engineers:g} infra engineer(s) would own updates, evals and incident response",
                "answer": f"{ops:.1f} engineers of operations staff are priced in; staff the on-call rotation "
                "before launch",
            }
        )
    return out


def revisit_when(a: Analysis, rec_id: str | None, d_steps: tuple[Step, ...] = ()) -> list[str]:
    """Events that should reopen the decision, with the volumes and months that trigger them."""
    p = a.profile
    out: list[str] = []
    be = a.extras.get("break_even", {})
    tok = be.get("api_vs_self_host_monthly_tokens")
    month = (be.get("month_reached") or {}).get("api_vs_self_host")
    if rec_id and rec_id.startswith(("api", "routed")) and tok:
        when = f"growth reaches it in month {month}" if month is not None else "growth alone does not reach it"
        team = (p.team.ml_engineers > 0 and p.team.infra_engineers > 0) or p.team.can_hire
        who = "" if team else " for a team with ML and infrastructure engineers, which this one lacks"
        out.append(f"Volume passes {tok:,.0f} tokens/month, where self-hosting becomes cheaper{who} ({when}).")
    elif not p.data_may_leave:
        api = next((c for c in a.costs if c.strategy.id == "api" and c.feasible), None)
        mine = next((c for c in a.costs if c.strategy.id == rec_id and c.feasible), None)
        if api is not None and mine is not None:  # what the policy costs, in this profile's own figures
            than = "less" if api.monthly_usd < mine.monthly_usd else "more"
            out.append(
                f"The data policy changes (data_may_leave): a hosted API, ruled out today, would cost "
                f"{fmt_usd(api.monthly_usd)} a month, {than} than the {fmt_usd(mine.monthly_usd)} recommended."
            )
        else:
            out.append(
                "The data policy changes (data_may_leave): the API and hybrid strategies, ruled out today, would "
                + (f"be cheaper than self-hosting below {tok:,.0f} tokens/month." if tok else "be priced in.")
            )
    elif rec_id and rec_id.startswith(("self_host", "hybrid")) and tok:
        out.append(f"Volume falls below {tok:,.0f} tokens/month, where the API becomes cheaper again.")
    if p.stage == "pre_mvp":
        out.append("The use case is validated: re-run the analysis for a validated product (stage: validated).")
    if any(st.question == "Does fine-tuning pay for itself?" and st.answer.startswith("no") for st in d_steps):
        out.append(
            "Prompting and retrieval still leave the same failures in format, style or jargon "
            "(systematic_failures: true): fine-tuning then pays for itself (seed 003 step 4)."
        )
    if p.systematic_failures and p.labeled_examples == 0:
        out.append("You have 100-10K labeled examples of the desired output (seed 001): fine-tuning becomes possible.")
    if rec_id and rec_id != NO_LLM_ID:
        c = a.cost(rec_id)
        horizon_end = a.on_date.toordinal() + int(p.horizon_months * 365 / 12)
        for role, mid in c.models.items():
            m = a.context.catalog.models.get(mid)
            if m is not None and m.deprecation_date is not None and m.deprecation_date.toordinal() <= horizon_end:
                out.append(f"{mid} ({role}) is retired on {m.deprecation_date.isoformat()}, within the horizon.")
    out.append("Model or GPU prices change: refresh the price catalogs (llmstrategy prices import) and re-run.")
    return out


def roadmap(a: Analysis, r: Ratings, rec_id: str | None) -> list[dict[str, Any]]:
    """Seed 003's three phases on this profile's timeline (month each becomes worth it)."""
    p = a.profile
    be = a.extras.get("break_even", {})
    validation = 0 if p.stage != "pre_mvp" else int(r.recommendation.get("validation_months", 3))
    own_month = (be.get("month_reached") or {}).get("api_vs_self_host")
    if not p.data_may_leave:
        own_month = 0
    # where the model runs when the data may not leave: your servers, or your own cloud account
    own_cloud = rec_id is not None and (
        rec_id.startswith("private_cloud")
        or (rec_id.startswith("routed") and a.cost(rec_id).details.get("deployment_kind") == "routed_own_cloud")
    )
    where = "a model deployed privately in your own cloud account" if own_cloud else "self-hosted open model"
    return [
        {
            "phase": "Phase 1 – Learn fast",
            "start_month": 0,
            "what": "API models only; focus on UX, retrieval and understanding user value"
            if p.data_may_leave
            else f"{where} (data may not leave); focus on UX, retrieval and evaluation",
            "trigger": "now",
        },
        {
            "phase": "Phase 2 – Optimize & specialize",
            "start_month": validation,
            "what": "fine-tuning for key tasks; caching, routing and lightweight evaluation; "
            "try open models where they clearly win",
            "trigger": "the use case is validated" if validation else "already validated",
        },
        {
            "phase": "Phase 3 – Scale & own more",
            "start_month": own_month,
            "what": "self-hosted models plus selective APIs; observability, governance, incident response",
            "trigger": (
                (
                    "data may not leave: your own cloud account from the start"
                    if own_cloud
                    else "data may not leave: self-hosting from the start"
                )
                if not p.data_may_leave
                else "volume reaches the self-hosting break-even "
                f"({be.get('api_vs_self_host_monthly_tokens'):,.0f} tokens/month)"
                if own_month is not None
                else "not within reach: " + str((be.get("reason") or {}).get("api_vs_self_host", ""))
            ),
        },
    ]


CHECKLIST: tuple[tuple[str, str, str], ...] = (
    (
        "evaluation_set",
        "A test set of real examples with expected outputs, run on every prompt or model change",
        "seed 002; seed 003 §5",
    ),
    ("output_validation", "Validate output structure before using it", "seed 000; seed 002"),
    ("fallbacks", "Retries with exponential backoff and a fallback provider or model", "seed 000; seed 002"),
    ("cost_monitoring", "Monitor cost per task from day one; alert on spikes", "seed 000; seed 001; seed 003 §3"),
    ("prompt_versioning", "Version prompts like code", "seed 000"),
    ("feedback_loop", "Collect user feedback: the best training data comes from users", "seed 000"),
    ("prompt_injection", "Prompt-injection defences: sanitize inputs, system prompts, output validation", "seed 002"),
    ("data_leakage", "No sensitive data in prompts to third parties without agreements", "seed 002; seed 003 §2.2"),
    ("caching", "Cache identical or near-identical requests (semantic cache)", "seed 002"),
    ("smallest_model", "Use the smallest model that works", "seed 002"),
    ("model_deprecation", "Plan for model deprecation: survive a model swap (gateway, abstraction layer)", "seed 001"),
    ("serving_ops", "Autoscaling, monitoring, patching and incident response for the serving stack", "seed 003 §4"),
    ("retrieval_quality", "Test retrieval quality; semantic chunking; hybrid (vector + keyword) search", "seed 002"),
    ("training_governance", "Training-data quality, a baseline, A/B tests and gradual rollout", "seed 003 §5"),
)


def checklist(a: Analysis, rec_id: str | None) -> list[dict[str, Any]]:
    """Seeds 000/002's production checklist, the items that matter most for this strategy first."""
    p = a.profile
    st = next((s for s in (c.strategy for c in a.costs) if s.id == rec_id), None)
    api_like = st is not None and sends_data_to_third_party(st, a.cost(st.id).details)
    own = st is not None and st.deployment in (Deployment.SELF_HOST, Deployment.HYBRID)
    c = a.cost(st.id) if st is not None else None
    deprecating = bool(c) and any(
        (m := a.context.catalog.models.get(mid)) is not None and m.deprecation_date is not None
        for mid in (c.models.values() if c else ())
    )
    why: dict[str, tuple[int, str]] = {
        "evaluation_set": (3, "every other item is measured against it"),
        "output_validation": (
            3 if p.needs_consistent_format else 2,
            "format-critical task" if p.needs_consistent_format else "LLMs will surprise you",
        ),
        "fallbacks": (
            3 if api_like else 2,
            "a third-party API will go down" if api_like else "your own fleet will fail too",
        ),
        "cost_monitoring": (
            3 if api_like or p.requests_per_day > 10_000 else 2,
            f"{p.requests_per_day:,.0f} requests/day",
        ),
        "prompt_versioning": (2, "prompts change behaviour like code"),
        "feedback_loop": (
            3 if st is not None and st.uses_fine_tune else 2,
            "feeds the next fine-tuning run" if st is not None and st.uses_fine_tune else "the data flywheel",
        ),
        "prompt_injection": (2, "user input reaches the model"),
        "data_leakage": (
            3 if api_like and p.data_sensitivity in ("confidential", "regulated") else 1,
            f"data_sensitivity: {p.data_sensitivity}",
        ),
        "caching": (3 if api_like and p.cache_hit_rate < 0.1 else 1, f"cache_hit_rate: {p.cache_hit_rate:g}"),
        "smallest_model": (2, "the cost engine already picks the cheapest model that meets the bar"),
        "model_deprecation": (
            3 if deprecating else 1,
            "a chosen model has a retirement date" if deprecating else "no announced retirement",
        ),
        "serving_ops": (3 if own else 0, "you run the fleet" if own else "not applicable"),
        "retrieval_quality": (
            3 if st is not None and st.uses_rag else 0,
            "retrieval decides answer quality" if st is not None and st.uses_rag else "not applicable",
        ),
        "training_governance": (
            3 if st is not None and st.uses_fine_tune else 0,
            "fine-tuned model" if st is not None and st.uses_fine_tune else "not applicable",
        ),
    }
    items = [
        {"id": i, "item": text, "priority": why[i][0], "why": why[i][1], "source": src}
        for i, text, src in CHECKLIST
        if why[i][0] > 0
    ]
    items.sort(key=lambda x: -int(str(x["priority"])))
    return items
