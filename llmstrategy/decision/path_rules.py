"""The rules the decision path applies at its forks, each a pure function of the profile and the
scores: private deployment or self-hosting (seed 003 §2.2 and §6 step 1), and whether fine-tuning
pays for itself (seed 004 step 7)."""

from __future__ import annotations

from llmstrategy.decision.ratings import Ratings
from llmstrategy.decision.scoring import Scores
from llmstrategy.inputs.profile import Profile
from llmstrategy.inputs.strategies import Deployment


def feasible_prompting(s: Scores | None, d: Deployment) -> bool:
    """Is ``d`` with prompting feasible (True when there are no scores to ask)?"""
    return s is None or bool(s.feasible[s.index(d.value)])


def private_or_self_host(p: Profile, s: Scores | None) -> tuple[Deployment, str]:
    """Seed 003's two answers when no third party may see the data but the organisation's own
    cloud may: a team that cannot run models (no ML or infra engineer, no hiring) takes the
    vendor-managed private deployment; otherwise the cheaper per accepted task of the two
    (prompting variants), and self-hosting when only it is feasible."""
    team = (p.team.ml_engineers > 0 and p.team.infra_engineers > 0) or p.team.can_hire
    if s is None:
        return (
            (Deployment.SELF_HOST, "a team that can run models")
            if team
            else (
                Deployment.PRIVATE_CLOUD,
                "no team to run a model",
            )
        )
    pc, sh = s.index(Deployment.PRIVATE_CLOUD.value), s.index(Deployment.SELF_HOST.value)
    if not s.feasible[pc]:
        return Deployment.SELF_HOST, "no provisioned offer meets the task (" + "; ".join(s.reasons[pc])[:200] + ")"
    if not team or not s.feasible[sh]:
        return Deployment.PRIVATE_CLOUD, "no ML and infrastructure team to run your own model" if not team else (
            "self-hosting is ruled out (" + "; ".join(s.reasons[sh])[:200] + ")"
        )
    c_pc, c_sh = float(s.cost_per_accepted_task_usd[pc]), float(s.cost_per_accepted_task_usd[sh])
    if c_pc <= c_sh:
        return Deployment.PRIVATE_CLOUD, f"cheaper per accepted task (${c_pc:,.5f} vs ${c_sh:,.5f} self-hosted)"
    return Deployment.SELF_HOST, f"cheaper per accepted task (${c_sh:,.5f} vs ${c_pc:,.5f} in your cloud)"


def min_gain(r: Ratings) -> float:
    """The pass-rate gain that counts as a clear return in accuracy (``data/strategies.yaml``)."""
    return float(r.recommendation.get("fine_tune_min_pass_gain", 0.03))


def fine_tune_returns(
    p: Profile, gain: float, cost_ft_usd: float, cost_base_usd: float, min_pass_gain: float, base_pass_rate: float = 0.0
) -> tuple[str, ...]:
    """Seed 004 step 7's rule, each return measurable: fine-tuning pays when it lowers the cost per
    accepted task without losing accuracy (cost at scale; that cost already prices retrying or
    escalating a failed task), or when it gains at least ``min_pass_gain`` of expected pass rate
    where retries cannot buy accuracy: systematic failures (seed 003 step 4), or a required
    accuracy the strategy without it misses (accuracy and reliability). Defensibility (a core
    differentiator) is named beside a measured return, never alone. Empty: it does not pay."""
    out = []
    retries_cannot_buy = p.systematic_failures or (
        p.required_accuracy is not None and base_pass_rate < p.required_accuracy and not p.errors_caught_downstream
    )
    if gain >= min_pass_gain and retries_cannot_buy:
        out.append(f"accuracy (+{gain * 100:.1f} points of pass rate that retries cannot buy)")
    if cost_ft_usd < cost_base_usd and gain >= 0:
        out.append(f"cost at scale (${cost_ft_usd:,.5f} vs ${cost_base_usd:,.5f} per accepted task)")
    if out and p.core_differentiator:
        out.append("defensibility (a core differentiator)")
    return tuple(out)
