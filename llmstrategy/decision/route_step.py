"""The decision path's routing question (seed 002: "use the smallest model that works"; seed 003:
"easy to mix different models (e.g. smaller for routing, larger for final answers)").

Asked when the path stays with hosted APIs, or with a private deployment in the team's own cloud
(routing then runs there: both models priced as private deployments): routing
(:mod:`llmstrategy.economics.routing`) is kept when it lowers the cost per accepted task, loses
at most ``routing_max_pass_loss`` of pass rate (``data/strategies.yaml``), and its saving pays
the router's set-up back within the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmstrategy.decision.ratings import Ratings
from llmstrategy.decision.scoring import Scores
from llmstrategy.economics.analysis import Analysis
from llmstrategy.inputs.strategies import Adaptation, Deployment, Strategy


@dataclass(frozen=True)
class RouteAnswer:
    """Whether to route, in words, with the figures that decided it."""

    route: bool
    answer: str
    evidence: str
    saving_monthly_usd: float = 0.0  # (single − routed cost per accepted task) × accepted tasks a month


def max_pass_loss(r: Ratings) -> float:
    """The pass-rate loss routing may cost (``recommendation.routing_max_pass_loss``) [share]."""
    return float(r.recommendation.get("routing_max_pass_loss", 0.03))


#: the single-model deployment routing is compared with → the kind the routed cost must be priced as
ROUTES_LIKE = {Deployment.API: "hosted_api", Deployment.PRIVATE_CLOUD: "routed_own_cloud"}


def route_answer(
    a: Analysis, r: Ratings, s: Scores, adaptation: Adaptation, deployment: Deployment = Deployment.API
) -> RouteAnswer | None:
    """Routed vs the single model of ``deployment`` (a hosted API, or a private deployment in your
    cloud), same adaptation; None when either is infeasible or the routed cost runs elsewhere.
    Payback [months] = extra set-up USD / (saving per accepted task × accepted tasks a month)."""
    api_id = Strategy(deployment, adaptation).id
    routed_id = Strategy(Deployment.ROUTED, adaptation).id
    i, j = s.index(api_id), s.index(routed_id)
    if not s.feasible[i]:
        return None
    if not s.feasible[j]:
        reasons = a.cost(routed_id).reasons
        if deployment is Deployment.PRIVATE_CLOUD and reasons:  # asked, and the engine says why not
            return RouteAnswer(False, "no: routing is ruled out inside your cloud", "; ".join(reasons))
        return None
    if a.cost(routed_id).details.get("deployment_kind", "hosted_api") != ROUTES_LIKE.get(deployment):
        return None
    c_api, c_routed = float(s.cost_per_accepted_task_usd[i]), float(s.cost_per_accepted_task_usd[j])
    p_api, p_routed = float(s.pass_rate[i]), float(s.pass_rate[j])
    loss = p_api - p_routed
    accepted_per_month = a.workload.requests_per_month
    saving_monthly_usd = (c_api - c_routed) * accepted_per_month
    extra_upfront_usd = a.cost(routed_id).upfront_usd - a.cost(api_id).upfront_usd
    payback_months = extra_upfront_usd / saving_monthly_usd if saving_monthly_usd > 0 else float("inf")
    horizon = a.profile.horizon_months
    evidence = (
        f"cost per accepted task ${c_routed:,.3g} routed vs ${c_api:,.3g} on one model, "
        + (
            f"${saving_monthly_usd:,.0f} a month saved"
            if saving_monthly_usd >= 0
            else f"${-saving_monthly_usd:,.0f} a month more"
        )
        + f" over {accepted_per_month:,.0f} tasks; expected pass rate {p_routed:.1%} vs {p_api:.1%}; the "
        f"router's set-up (${extra_upfront_usd:,.0f}) "
        + (
            f"pays back in {payback_months:,.1f} months (horizon {horizon})"
            if payback_months != float("inf")
            else "never pays back"
        )
    )
    large = a.cost(routed_id).models.get("frontier", "")
    small = a.cost(routed_id).models.get("small", "")
    if c_routed >= c_api:
        return RouteAnswer(False, "no: routing does not lower the cost per accepted task", evidence)
    if loss > max_pass_loss(r):
        return RouteAnswer(
            False,
            f"no: routing saves money but loses {loss * 100:.1f} points of pass rate (at most "
            f"{max_pass_loss(r) * 100:g} is acceptable)",
            evidence,
        )
    if payback_months > horizon:
        return RouteAnswer(False, "no: the saving does not pay for the router within the horizon", evidence)
    return RouteAnswer(
        True, f"yes: route easy requests to {small} and hard ones to {large}", evidence, saving_monthly_usd
    )
