"""The decision cases (tests/cases/): each profile's recommended deployment, adaptation and
monthly cost against the answer written before the engine ran (expected.yaml), or against the
pinned, explained disagreement (disagreements.yaml); and coherence over every case and example:
the recommendation is feasible, fine-tuning only with a measured return, every trap against the
recommendation answered, every decision-path answer backed by the evidence it prints."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml
from cases import AS_OF, CASES, CASES_DIR, Case, evaluate_case

DISAGREEMENTS = {d["case"]: d for d in yaml.safe_load((CASES_DIR / "disagreements.yaml").read_text(encoding="utf-8"))}
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "data" / "profiles").glob("*.yaml"))


def test_there_are_at_least_24_cases_each_with_a_reason():
    assert len(CASES) >= 24
    assert all(len(c.why) > 40 for c in CASES)
    assert set(DISAGREEMENTS) <= {c.name for c in CASES}
    assert all(len(d["why"]) > 40 and d["verdict"] for d in DISAGREEMENTS.values())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case_gets_the_expected_answer_or_its_explained_disagreement(case: Case):
    got = evaluate_case(case)
    d = DISAGREEMENTS.get(case.name)
    if d is None:
        assert not got.problems(case), f"{case.name}: {got.problems(case)} (why expected: {case.why})"
        return
    g = d["given"]
    assert got.deployment == g["deployment"] and (got.adaptation or "") == (g.get("adaptation") or "")
    lo, hi = g["monthly_usd"]
    assert lo <= got.monthly_usd <= hi, f"{case.name}: ${got.monthly_usd:,.2f} outside the pinned {lo}-{hi}"
    assert got.problems(case), f"{case.name} now agrees with expected.yaml: remove its disagreement entry"


def test_human_review_is_flagged_where_the_cases_expect_it():
    for case in CASES:
        if case.human_review:
            assert evaluate_case(case).human_review, case.name


def _evaluate(path: Path):
    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.pipeline import evaluate

    return evaluate(load_profile(path), load_catalog(), on_date=AS_OF, samples=200, with_sensitivity=False)


ALL_PROFILES = [c.profile_path for c in CASES] + EXAMPLES


@pytest.mark.parametrize("path", ALL_PROFILES, ids=lambda p: p.stem)
def test_the_recommendation_never_contradicts_its_own_evidence(path: Path):
    from llmstrategy.decision.path import fine_tune_returns, min_gain
    from llmstrategy.decision.ratings import load_ratings
    from llmstrategy.decision.route_step import max_pass_loss

    a, d = _evaluate(path)
    s, rec = d.scores, d.strategy_id
    # the recommendation is feasible (or no LLM)
    if rec not in (None, "no_llm"):
        assert s.feasible[s.index(rec)], (rec, s.reasons[s.index(rec)])
        # fine-tuning only with a measured return printed by the path
        if "fine_tune" in rec:
            assert d.path.fine_tune_returns, rec
        # feasible at peak load: the fleet or the reserved units carry the peak request rate
        details = a.cost(rec).details
        load = details.get("peak_load_to_capacity")
        if rec.split("+")[0] in ("self_host", "hybrid", "private_cloud"):
            assert load is not None and load <= 1.0 + 1e-9, (rec, load)
        # an availability target is met by the recommendation (with its fallback when it needs one)
        target = a.profile.availability_target
        if target is not None:
            assert details["availability"] >= target, (rec, details["availability"], target)
    # every trap that applies to the recommended strategy is answered
    for t in d.traps:
        if t["trap"] != "Fine-tuning too early" or (rec and "fine_tune" in rec):
            assert t.get("answer"), t
    # the fine-tuning step's answer is what its own numbers say
    r = load_ratings(a.context.catalog.data_dir)
    for st in d.path.steps:
        if st.question != "Does fine-tuning pay for itself?":
            continue
        m = re.search(r"with fine-tuning \(([^)]+)\) vs \$[\d.,]+ without \(([^)]+)\)", st.evidence)
        assert m, st.evidence
        i, j = s.index(m.group(1)), s.index(m.group(2))
        gain = float(s.pass_rate[i] - s.pass_rate[j])
        returns = fine_tune_returns(
            a.profile,
            gain,
            float(s.cost_per_accepted_task_usd[i]),
            float(s.cost_per_accepted_task_usd[j]),
            min_gain(r),
            float(s.pass_rate[j]),
        )
        assert st.answer.startswith("yes") == bool(returns), (st.answer, st.evidence)
    # "API costs painful soon?" answers yes exactly when the break-even is reached within the horizon
    for st in d.path.steps:
        if st.question.startswith("Will projected usage"):
            month = (a.extras["break_even"].get("month_reached") or {}).get("api_vs_self_host")
            soon = month is not None and month < a.profile.horizon_months
            assert st.answer.startswith("yes") == soon, (st.answer, st.evidence)
    # "no hosted API can do it" only when every hosted strategy is ruled out
    for st in d.path.steps:
        if st.question == "Can a hosted API do this task at all?":
            hosted = ("api", "api+rag", "routed", "routed+rag")
            assert st.answer.startswith("no") and not any(s.feasible[s.index(x)] for x in hosted), st
    # the routing step's answer is what its own figures say
    for st in d.path.steps:
        if st.question.startswith("Can a smaller model"):
            if st.answer == "no: routing is ruled out inside your cloud":
                assert st.answer.startswith("no") and not s.feasible[s.index("routed")], st
                continue
            m = re.search(r"\$([\d.e-]+) routed vs \$([\d.e-]+) on one model", st.evidence)
            p_r, p_a = (float(x) / 100 for x in re.findall(r"([\d.]+)%", st.evidence)[:2])
            months = re.search(r"pays back in ([\d,.]+) months", st.evidence)
            assert m, st.evidence
            routes = (
                float(m.group(1)) < float(m.group(2))
                and p_a - p_r <= max_pass_loss(r) + 1e-3
                and months is not None
                and float(months.group(1).replace(",", "")) <= a.profile.horizon_months
            )
            assert st.answer.startswith("yes") == routes, (st.answer, st.evidence)
    # an LLM is never recommended alone for a task it cannot reach the required accuracy on
    fit = d.fit
    if fit is not None and fit.required_accuracy is not None and not fit.llm_alone_fits:
        assert fit.human_review or rec == "no_llm"
    assert all(math.isfinite(x) for x in s.pass_rate[list(s.feasible)] if s.feasible)
