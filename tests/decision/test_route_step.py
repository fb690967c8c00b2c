"""The decision path's routing question: routes only when the saving per accepted task is real,
the pass rate holds and the router pays back within the horizon; the evidence it prints backs it."""

from __future__ import annotations

import re

import pytest
from conftest import DATA, evaluate_case

from llmstrategy.decision.ratings import load_ratings
from llmstrategy.decision.route_step import max_pass_loss, route_answer
from llmstrategy.inputs.strategies import Adaptation


def _answer(name: str):
    a, d = evaluate_case(name)
    return a, d, route_answer(a, load_ratings(DATA), d.scores, Adaptation.PROMPTING)


@pytest.mark.parametrize(
    ("name", "routes"), [("named_frontier_routing_pays", True), ("api_mixed_easy_hard_routing", False)]
)
def test_the_answer_follows_its_own_printed_figures(name, routes):
    a, d, ans = _answer(name)
    assert ans is not None and ans.route is routes
    routed, single = (float(x) for x in re.findall(r"\$([\d.e-]+) (?:routed|on one model)", ans.evidence))
    saving = float(re.search(r"\$([\d,]+) a month", ans.evidence).group(1).replace(",", ""))
    months = float(re.search(r"pays back in ([\d,.]+) months", ans.evidence).group(1).replace(",", ""))
    upfront = a.cost("routed").upfront_usd - a.cost("api").upfront_usd
    assert saving == pytest.approx((single - routed) * a.workload.requests_per_month, rel=0.01, abs=1)
    assert months == pytest.approx(upfront / saving, rel=0.02, abs=0.05)  # printed to 0.1 month
    assert (months <= a.profile.horizon_months and routed < single) is routes
    step = [s for s in d.path.steps if s.question.startswith("Can a smaller model")]
    assert step and step[0].answer.startswith("yes" if routes else "no")
    assert (d.path.strategy_id == "routed") is routes


def test_the_tolerated_pass_loss_is_data():
    assert max_pass_loss(load_ratings(DATA)) == pytest.approx(0.03)


def test_a_private_deployment_is_asked_too_and_says_why_routing_is_out():
    """Inside your own cloud the question is asked as well; when routing is ruled out there (both
    shares would run the same model) the answer is no, with the engine's reason as its evidence."""
    a, d = evaluate_case("regulated_own_cloud_routing_hard_chat")
    assert d.strategy_id == "private_cloud"
    step = next(s for s in d.path.steps if s.question.startswith("Can a smaller model"))
    assert not a.cost("routed").feasible
    assert step.answer == "no: routing is ruled out inside your cloud"
    assert step.evidence == "; ".join(a.cost("routed").reasons)
