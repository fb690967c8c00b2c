"""The rules the decision path applies at its forks, each a pure function of the profile and the
scores: private deployment or self-hosting (seed 003 §2.2 and §6 step 1), the provider's
fine-tuning or your own (seed 003 §6 step 4), and whether fine-tuning pays for itself (seed 004
step 7)."""

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


def provider_or_own_fine_tune(
    p: Profile, r: Ratings, s: Scores, with_ft: str, without: str, own: str
) -> tuple[bool, str, str]:
    """Seed 003 §6 step 4, "fine-tune through the API first, then self-hosted if needed", when
    your own tuned model (``own``) is feasible: move to it (True) when no provider can tune a
    model that meets the task, when the provider's tuned model (``with_ft``) does not pay for
    itself against ``without`` and yours does, or (step 3, own more at scale) when both pay and a
    team that already runs models (ML and infrastructure engineers) has the cheaper one per
    accepted task. Returns (move, answer, evidence with both pass rates and costs)."""
    i, j, k = s.index(with_ft), s.index(without), s.index(own)
    cpat = s.cost_per_accepted_task_usd

    def returns(idx: int) -> tuple[str, ...]:
        gain = float(s.pass_rate[idx] - s.pass_rate[j])
        return fine_tune_returns(p, gain, float(cpat[idx]), float(cpat[j]), min_gain(r), float(s.pass_rate[j]))

    team = p.team.ml_engineers > 0 and p.team.infra_engineers > 0
    if not s.feasible[i]:
        return True, "no: consider fine-tuning your own open model", "; ".join(s.reasons[i])
    move, answer = True, ""
    if s.feasible[j] and returns(k) and not returns(i):
        answer = "yes, but it does not pay for itself; your own tuned open model does"
    elif s.feasible[j] and returns(k) and team and float(cpat[k]) < float(cpat[i]):
        answer = "yes, but your team's own tuned open model costs less per accepted task"
    else:
        move = False
        answer = "yes: fine-tune through the provider" + (
            ", for no more per accepted task than your own tuned model"
            if float(cpat[i]) <= float(cpat[k])
            else " (your own tuned model costs less per accepted task, but needs a team that runs models)"
            if not team
            else ""
        )
    evidence = (
        f"{with_ft}: {s.pass_rate[i]:.1%} expected pass rate at ${float(cpat[i]):,.5f} per accepted task; "
        f"{own}: {s.pass_rate[k]:.1%} at ${float(cpat[k]):,.5f}"
        + (f"; without fine-tuning ({without}): {s.pass_rate[j]:.1%} at ${float(cpat[j]):,.5f}" * bool(s.feasible[j]))
        + f"; ml_engineers: {p.team.ml_engineers:g}, infra_engineers: {p.team.infra_engineers:g}"
    )
    return move, answer, evidence
