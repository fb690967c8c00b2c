"""Problem fit (seed 002), warnings, the confidence words, and the team limit at every stage."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import DATA, make_profile

from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.pipeline import evaluate

DAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def cat():
    return load_catalog(DATA)


def run(cat, **changes):
    return evaluate(make_profile(**changes), cat, on_date=DAY, samples=200, with_sensitivity=False)


def test_a_task_no_llm_can_reach_with_no_check_gets_no_llm_and_the_review_option(cat):
    a, d = run(cat, required_accuracy=0.999)
    assert d.strategy_id == "no_llm" and d.runner_up_id not in (None, "no_llm")
    assert d.fit is not None and not d.fit.llm_alone_fits and not d.fit.human_review
    assert "not fit" in d.rationale[0] and "human review" in d.rationale[0]
    rec = a.extras["recommendation"]
    assert rec["human_review"] is True and rec["fit"]["best_pass_rate"] < 0.999


def test_with_a_downstream_check_it_is_an_llm_with_human_review_priced_per_failure(cat):
    _a, d = run(cat, required_accuracy=0.999, errors_caught_downstream=True, human_review_usd_per_task=6)
    assert d.strategy_id not in (None, "no_llm") and d.fit is not None and d.fit.human_review
    i = d.scores.index(d.strategy_id)
    per_req = _a.cost(d.strategy_id).monthly_usd / _a.workload.requests_per_month
    assert d.scores.cost_per_accepted_task_usd[i] == pytest.approx(per_req + (1 - d.scores.pass_rate[i]) * 6)


def test_a_reachable_accuracy_keeps_the_llm_alone(cat):
    _a, d = run(cat, required_accuracy=0.8)
    assert d.fit is not None and d.fit.llm_alone_fits and not d.fit.human_review


def test_a_team_without_engineers_cannot_self_host_at_any_stage(cat):
    for stage in ("pre_mvp", "validated", "scaling"):
        _a, d = run(cat, stage=stage, requests_per_day=3e7, team={"ml_engineers": 0, "infra_engineers": 0})
        for st, ok in zip(d.scores.strategies, d.scores.feasible, strict=True):
            if st.deployment.value in ("self_host", "hybrid"):
                assert not ok
        assert d.strategy_id is None or not d.strategy_id.startswith(("self_host", "hybrid"))


def test_warnings_flag_absurd_inputs_and_retiring_named_models(cat):
    a, _ = run(cat, monthly_growth=9.0, requests_per_day=1e12, assumptions={"api_model": "gpt-4o"})
    text = " ".join(a.extras["warnings"])
    assert "monthly_growth" in text and "requests_per_day" in text and "gpt-4o" in text and "retires" in text
    clean, _ = run(cat)
    assert clean.extras["warnings"] == []


def test_confidence_is_part_of_the_recommendation(cat):
    a, _ = evaluate(make_profile(), cat, on_date=DAY, samples=200)
    conf = a.extras["recommendation"]["confidence"]
    assert conf["level"] in ("high", "moderate", "low") and 0 <= conf["share"] <= 1 and conf["reasons"]


def test_a_measured_pass_rate_meets_a_requirement_only_on_evidence(cat):
    # 999 of 1,000 observed: the 95 % Wilson lower bound (99.44 %) is below 99.9 %: not enough
    few = [{"model": "gpt-oss-120b", "passed": 999, "total": 1000}]
    pin = {"api_model": "gpt-oss-120b", "self_host_model": "gpt-oss-120b"}
    _a, d = run(cat, required_accuracy=0.999, evals=few, assumptions=pin)
    assert d.strategy_id == "no_llm" and "lower end of a measured rate" in d.rationale[0]
    # 99,990 of 100,000: the lower bound (99.98 %) clears it
    many = [{"model": "gpt-oss-120b", "passed": 99_990, "total": 100_000}]
    _a, d = run(cat, required_accuracy=0.999, evals=many, assumptions=pin)
    assert d.strategy_id not in (None, "no_llm") and d.fit is not None and d.fit.llm_alone_fits


def test_cli_evals_file_feeds_the_analysis(tmp_path, write_profile):
    import json

    from click.testing import CliRunner

    from llmstrategy.cli import main

    ev = tmp_path / "ev.csv"
    ev.write_text("model,passed,total\ngpt-oss-120b,99990,100000\n")
    prof = write_profile(required_accuracy=0.999, assumptions={"api_model": "gpt-oss-120b"})
    out = CliRunner().invoke(main, ["analyze", str(prof), "--json", "--samples", "100", "--evals", str(ev)])
    assert out.exit_code == 0, out.output
    rec = json.loads(out.output)["recommendation"]
    assert rec["fit"]["llm_alone_fits"] is True
    bad = CliRunner().invoke(main, ["analyze", str(prof), "--evals", str(tmp_path / "missing.csv")])
    assert bad.exit_code == 2 and "missing.csv" in bad.output and "Traceback" not in bad.output


def test_measured_pass_rates_are_labelled_and_their_sampling_error_reaches_the_monte_carlo(cat):
    import numpy as np

    from llmstrategy.decision.ratings import load_ratings
    from llmstrategy.decision.recommend import pass_rate_draws, recommend_many

    pin = {"api_model": "gpt-oss-120b"}
    evals = [{"model": "gpt-oss-120b", "passed": 45, "total": 50}]
    a, d = run(cat, evals=evals, assumptions=pin)
    sources = {row["strategy"]: row["pass_rate_source"] for row in a.extras["scores"]}
    assert sources["api"] == "measured (45/50)"
    assert all(v.startswith(("measured", "proxy")) for v in sources.values())
    draws = pass_rate_draws(a, d.scores, 4000, np.random.default_rng(0))
    api = draws["api"]
    base = float(d.scores.pass_rate[d.scores.index("api")])
    # Beta(46, 6) has mean 46/52 and sd ~0.044: the draws spread around the expected rate
    assert api.mean() == pytest.approx(base + 46 / 52 - 0.9, abs=0.005)
    assert 0.03 < api.std() < 0.06
    # with every draw at the expected rate, each future's recommendation is the deterministic one
    r = load_ratings(DATA)
    ids = [x.id for x, ok in zip(d.scores.strategies, d.scores.feasible, strict=True) if ok]
    ones = {i: np.ones(3) for i in ids}
    flat = {sid: np.full(3, float(d.scores.pass_rate[d.scores.index(sid)])) for sid in draws}
    assert list(recommend_many(d, r, ones, None, flat)) == [d.strategy_id] * 3
