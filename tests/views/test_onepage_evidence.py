"""The first page says where the expected pass rate comes from (your evals or a benchmark
proxy) and, with an availability target, how often the recommendation answers."""

from __future__ import annotations

from conftest import DATA, make_profile

from llmstrategy.fmt import fmt_nines
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.pipeline import evaluate
from llmstrategy.views.onepage import sure_html


def _sure(**changes):
    a, d = evaluate(make_profile(**changes), load_catalog(DATA), samples=100, with_sensitivity=False)
    return a, d, sure_html(a)


def test_a_proxy_pass_rate_says_it_is_not_measured():
    _a, _d, html = _sure()
    assert "estimate from public benchmarks" in html and "measured on your own evals" not in html


def test_a_measured_pass_rate_says_how_many_passed():
    a, d, _ = _sure()
    model = a.cost(d.strategy_id).models["api"]
    a, d, html = _sure(evals=[{"model": model, "passed": 183, "total": 200}])
    assert a.cost(d.strategy_id).models.get("api") == model  # 91.5 % measured keeps the same choice
    assert "measured on your own evals (183/200 passed)" in html


def test_an_availability_target_shows_the_fallback_and_the_nines():
    a, d, html = _sure(availability_target=0.999)
    details = a.cost(d.strategy_id).details
    assert f"Answers {fmt_nines(details['availability'])} of the time" in html
    assert "target 99.9 %" in html
    if details.get("fallback_model"):
        assert f"at {details['providers'][-1]} as a fallback" in html  # the host that answers, not the maker


def test_nines_keep_the_digits_that_differ():
    assert [fmt_nines(x) for x in (0.99999, 0.999, 0.995, 0.999975)] == ["99.999 %", "99.9 %", "99.5 %", "99.997 %"]


def test_a_routed_recommendation_says_why_in_words_and_figures():
    from pathlib import Path

    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.views.onepage import why_lines

    path = Path(__file__).resolve().parents[1] / "cases" / "profiles" / "named_frontier_routing_pays.yaml"
    a, d = evaluate(load_profile(path), load_catalog(DATA), samples=100, with_sensitivity=False)
    assert d.strategy_id == "routed"
    first = why_lines(a, d)[0]
    assert "cannot run one" in first and "a month less than one model" in first
    i, j = d.scores.index("routed"), d.scores.index("api")
    saving = (d.scores.cost_per_accepted_task_usd[j] - d.scores.cost_per_accepted_task_usd[i]) * (
        a.workload.requests_per_month
    )
    assert f"${saving:,.0f} a month less" in first


def test_next_steps_start_from_the_phase_the_team_is_in():
    """A validated product with a fine-tuning recommendation is past "API models only": the
    first page's "Now:" is the last roadmap phase that starts today (seed 003's roadmap)."""
    from llmstrategy.views.onepage import current_phase, summary_page_html

    a, d = evaluate(
        make_profile(stage="validated", systematic_failures=True, needs_consistent_format=True, labeled_examples=5000),
        load_catalog(DATA),
        samples=100,
        with_sensitivity=False,
    )
    now = [ph for ph in d.roadmap if ph["start_month"] == 0]
    assert len(now) >= 2 and current_phase(d.roadmap) is now[-1]
    html = summary_page_html(a, d)
    assert "Now: " + now[-1]["what"].split(";")[0] in html and "Now: API models only" not in html
    early = [{"phase": "1", "start_month": 0, "what": "a"}, {"phase": "2", "start_month": 3, "what": "b"}]
    assert current_phase(early)["what"] == "a"
