"""The decision engine: each branch of the decision path, hard constraints, scores,
weights, disagreement between path and matrix, and the JSON contract."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import DATA, make_profile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmstrategy.cli import main
from llmstrategy.decision import mcda
from llmstrategy.decision.ratings import derive_weights, load_ratings
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.criteria import CRITERIA, CRITERION_IDS
from llmstrategy.inputs.profile import load_profile
from llmstrategy.pipeline import evaluate

DAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(DATA)


def run(catalog, **changes):
    a, d = evaluate(make_profile(**changes), catalog, on_date=DAY, samples=300)
    return a, d


def steps(d) -> dict[str, str]:
    return {s.question: s.answer for s in d.path.steps}


def test_rules_suffice_gives_no_llm(catalog):
    _, d = run(catalog, rules_suffice=True)
    assert d.strategy_id == "no_llm"
    assert d.path.steps[0].answer.startswith("yes")
    assert any("no LLM" in r for r in d.rationale)
    assert d.runner_up_id is not None  # the best LLM option is still named


def test_data_may_not_leave_rules_out_every_third_party_strategy(catalog):
    _a, d = run(
        catalog, data_may_leave=False, data_sensitivity="regulated", team={"ml_engineers": 1, "infra_engineers": 1}
    )
    for st_, ok, why in zip(d.scores.strategies, d.scores.feasible, d.scores.reasons, strict=True):
        if st_.deployment.value in ("api", "hybrid"):
            assert not ok and any("data_may_leave" in w for w in why)
    assert d.strategy_id is not None and d.strategy_id.startswith("self_host")
    assert d.runner_up_id is None or d.runner_up_id.startswith("self_host")
    assert "forbidden" in d.rationale[1] and "yes" in d.rationale[1]


def test_pre_mvp_goes_api_first_and_rag_for_changing_knowledge(catalog):
    _, d = run(catalog, stage="pre_mvp", knowledge_changes_often=True, team={"ml_engineers": 1, "infra_engineers": 1})
    assert d.path.strategy_id == "api+rag"
    assert d.strategy_id == "api+rag"
    assert "API-first" in steps(d)["Pre-MVP or still validating user value?"]


def test_the_matrix_never_overrules_the_adaptation_the_paths_evidence_decided(catalog):
    # No engineer at all: self-hosting is ruled out, leaving api and api+rag. The matrix
    # (time to production, team, upfront cost weigh more pre-MVP) ranks plain prompting first,
    # but the path printed "the knowledge changes: retrieval", so retrieval stays and the
    # rationale names the conflict (the matrix may overrule a deployment, not this evidence).
    _, d = run(catalog, stage="pre_mvp", knowledge_changes_often=True)
    assert d.path.strategy_id == "api+rag"
    assert d.strategy_id == "api+rag"
    top = d.scores.strategies[d.scores.ranked()[0]].id
    assert top == "api" and "api+rag" in d.rationale[-1]


def test_pre_mvp_team_without_engineers_cannot_self_host(catalog):
    _, d = run(catalog, stage="pre_mvp", team={"ml_engineers": 0, "infra_engineers": 0})
    i = d.scores.index("self_host")
    assert not d.scores.feasible[i]
    assert any("engineer" in r for r in d.scores.reasons[i])


def test_large_projected_usage_leads_to_self_hosting(catalog):
    # 300M requests/day × 1,500 tokens ≈ 1.4e13 tokens/month: far past the break-even
    _, d = run(catalog, requests_per_day=3e8, team={"ml_engineers": 3, "infra_engineers": 3})
    answer = steps(d)["Will projected usage make API costs painful soon?"]
    assert answer.startswith("yes")
    assert d.path.strategy_id.startswith(("self_host", "hybrid"))


def test_complex_task_at_large_volume_explores_hybrid(catalog):
    _, d = run(catalog, requests_per_day=3e8, task_complexity="high", team={"ml_engineers": 3, "infra_engineers": 3})
    assert d.path.strategy_id.startswith("hybrid")


def test_small_volume_stays_with_apis(catalog):
    _, d = run(catalog, requests_per_day=500)
    assert steps(d)["Will projected usage make API costs painful soon?"].startswith("no")
    assert d.path.strategy_id == "api"
    assert d.strategy_id == "api"


def test_systematic_failures_with_labels_fine_tune_through_the_provider_first(catalog):
    _, d = run(catalog, systematic_failures=True, labeled_examples=5000, needs_consistent_format=True)
    assert d.path.strategy_id == "api+fine_tune"
    assert "through the provider first" in " ".join(d.rationale)


def test_systematic_failures_without_labels_wait_for_data(catalog):
    _, d = run(catalog, systematic_failures=True, labeled_examples=0)
    assert d.path.strategy_id == "api"
    assert "no labeled examples" in " ".join(d.rationale)
    for st_, ok in zip(d.scores.strategies, d.scores.feasible, strict=True):
        if st_.uses_fine_tune:
            assert not ok
    assert any("labeled examples" in r for r in d.revisit_when)


def test_path_and_matrix_disagreement_is_explained(catalog):
    # pre-MVP says API-first; a profile that puts nearly all weight on privacy makes the
    # matrix prefer self-hosting by far more than the margin.
    _, d = run(catalog, stage="pre_mvp", weights={"data_privacy": 50}, team={"ml_engineers": 2, "infra_engineers": 1})
    assert d.path.strategy_id == "api"
    assert d.strategy_id is not None and d.strategy_id.startswith("self_host")
    text = " ".join(d.rationale)
    assert "clearly higher" in text and "data privacy" in text


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    leave=st.booleans(),
    stage=st.sampled_from(["pre_mvp", "validated", "scaling"]),
    rpd=st.floats(10, 1e7),
    labels=st.sampled_from([0, 500, 20000]),
    failures=st.booleans(),
    fresh=st.booleans(),
    ml=st.integers(0, 3),
    infra=st.integers(0, 3),
    complexity=st.sampled_from(["low", "medium", "high"]),
)
def test_an_infeasible_strategy_is_never_recommended(
    catalog, leave, stage, rpd, labels, failures, fresh, ml, infra, complexity
):
    _, d = run(
        catalog,
        data_may_leave=leave,
        stage=stage,
        requests_per_day=rpd,
        labeled_examples=labels,
        systematic_failures=failures,
        knowledge_changes_often=fresh,
        task_complexity=complexity,
        team={"ml_engineers": ml, "infra_engineers": infra},
    )
    for sid in (d.strategy_id, d.runner_up_id):
        if sid is not None and sid != "no_llm":
            assert d.scores.feasible[d.scores.index(sid)], sid
    ranks = sorted(int(r) for r, f in zip(d.scores.rank, d.scores.feasible, strict=True) if f)
    assert ranks == list(range(1, len(ranks) + 1))


def test_scores_are_topsis_and_weighted_sum_of_the_feasible_matrix(catalog):
    _, d = run(catalog, knowledge_changes_often=True)
    s = d.scores
    ok = np.array(s.feasible)
    w = np.array([s.weights.values[k] for k in CRITERION_IDS])
    benefit = np.array([CRITERIA[k][0] == "benefit" for k in CRITERION_IDS])
    np.testing.assert_allclose(s.topsis[ok], mcda.topsis(s.matrix[ok], w, benefit))
    np.testing.assert_allclose(s.weighted_sum[ok], mcda.weighted_sum(s.matrix[ok], w, benefit))
    assert np.isnan(s.topsis[~ok]).all()


def test_cost_criterion_is_cost_per_accepted_task(catalog):
    a, d = run(catalog)
    s = d.scores
    i = s.index("api")
    per_request = a.cost("api").monthly_usd / a.workload.requests_per_month
    assert s.cost_per_accepted_task_usd[i] <= per_request / s.pass_rate[i] + 1e-12
    assert s.cost_per_accepted_task_usd[i] > per_request  # failures cost something


def test_weights_follow_the_profile_and_its_overrides(catalog):
    r = load_ratings(DATA)
    base = derive_weights(make_profile(), r)
    sensitive = derive_weights(make_profile(data_sensitivity="regulated"), r)
    assert sum(base.values.values()) == pytest.approx(1)
    assert sensitive.values["data_privacy"] > base.values["data_privacy"]
    assert any("Data privacy" in x for x in sensitive.applied)
    own = derive_weights(make_profile(weights={"latency": 10}), r)
    assert own.overridden == ("latency",)
    assert own.values["latency"] == max(own.values.values())


def test_ratings_file_errors_name_the_field(tmp_path):
    import shutil

    from llmstrategy.errors import CatalogError

    shutil.copy(DATA / "strategies.yaml", tmp_path / "strategies.yaml")
    text = (tmp_path / "strategies.yaml").read_text().replace("data_privacy: 1           #", "data_privacy: -1 #")
    (tmp_path / "strategies.yaml").write_text(text)
    with pytest.raises(CatalogError, match=r"deployments|api\.data_privacy"):
        load_ratings(tmp_path)


EXPECTED: dict[str, str | tuple[str, ...]] = {
    "startup_support_assistant": "api+rag",  # pre-MVP: API-first; knowledge changes → RAG (seed 000)
    "hospital_discharge_summaries": "self_host",  # data may not leave (seed 003 step 1)
    "internal_kb_qa": "api+rag",  # fast-changing documents → RAG (seed 001 rule)
    # systematic format failures + labels call for fine-tuning, but no provider fine-tunes for a new
    # customer (OpenAI closed; Together and Fireworks serve tuned models on dedicated GPUs only) and
    # self-hosting a tuned model at 15k requests/day costs far more per accepted task for ~2 points:
    # seed 004 step 7 says it does not pay yet. The deployment is close: the path's "API stays
    # cheaper" against a core differentiator with confidential data and an ML team, which the
    # matrix weighs above the cost gap at specialist-cloud GPU prices; either, never fine-tuned
    "contract_clause_drafting": ("api", "self_host"),
    "ticket_routing_rules": "no_llm",  # rules suffice (seed 004 step 2)
}


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_example_profiles_get_the_recommendation_a_reader_of_the_seeds_expects(catalog, stem):
    _, d = evaluate(load_profile(DATA / "profiles" / f"{stem}.yaml"), catalog, on_date=DAY, samples=300)
    assert d.strategy_id is not None and d.strategy_id.split("+")[0] in (
        EXPECTED[stem] if isinstance(EXPECTED[stem], tuple) else (EXPECTED[stem].split("+")[0],)
    )
    if not isinstance(EXPECTED[stem], tuple):
        assert d.strategy_id.startswith(EXPECTED[stem])
    else:
        assert "fine_tune" not in d.strategy_id


def test_json_contract_and_determinism():
    path = str(DATA / "profiles" / "internal_kb_qa.yaml")
    args = ["analyze", path, "--json", "--as-of", "2026-11-23", "--seed", "7", "--samples", "500"]
    r1 = CliRunner().invoke(main, args)
    r2 = CliRunner().invoke(main, args)
    assert r1.exit_code == 0, r1.output
    assert r1.output == r2.output
    d = json.loads(r1.output)
    for key in ("scores", "recommendation", "sensitivity", "break_even", "weights"):
        assert key in d
    row = d["scores"][0]
    for key in (
        "strategy",
        "deployment",
        "adaptation",
        "weighted_sum",
        "topsis",
        "rank",
        "feasible",
        "infeasible_reasons",
    ):
        assert key in row
    rec = d["recommendation"]
    for key in (
        "strategy",
        "deployment",
        "adaptation",
        "runner_up",
        "rationale",
        "decision_path",
        "traps",
        "revisit_when",
        "roadmap",
        "checklist",
    ):
        assert key in rec
    assert {"question", "answer", "evidence"} <= set(rec["decision_path"][0])
    shares = d["sensitivity"]["win_share"]
    assert sum(shares.values()) == pytest.approx(1)
    other = CliRunner().invoke(main, [*args[:-3], "8", "--samples", "500"])
    assert json.loads(other.output)["sensitivity"] != d["sensitivity"]


def test_recommendation_in_each_future_equals_the_deterministic_one_at_base_inputs(catalog):
    from llmstrategy.decision.recommend import recommend_many

    r = load_ratings(DATA)
    for stem in ("contract_clause_drafting", "ecommerce_catalog_enrichment", "internal_kb_qa", "ticket_routing_rules"):
        a, d = evaluate(load_profile(DATA / "profiles" / f"{stem}.yaml"), catalog, on_date=DAY, samples=300)
        ids = [x.id for x, ok in zip(d.scores.strategies, d.scores.feasible, strict=True) if ok]
        ones = {i: np.ones(5) for i in ids}
        month = (a.extras["break_even"]["month_reached"] or {}).get("api_vs_self_host")
        painful = np.full(5, month is not None and month < a.profile.horizon_months)
        assert set(recommend_many(d, r, ones, painful)) == {d.strategy_id}, stem


def test_costlier_api_futures_move_the_recommendation(catalog):
    from llmstrategy.decision.recommend import recommend_many

    r = load_ratings(DATA)
    _a, d = evaluate(load_profile(DATA / "profiles" / "ecommerce_catalog_enrichment.yaml"), catalog, on_date=DAY)
    assert d.strategy_id == "api"
    ids = [x.id for x, ok in zip(d.scores.strategies, d.scores.feasible, strict=True) if ok]
    ratio = {i: np.array([1.0, 1.0]) for i in ids}
    for i in ids:
        if i.startswith("api"):
            ratio[i] = np.array([1.0, 30.0])  # the second future: every API bill 30× higher
    # in the second future self-hosting is no dearer by the horizon's end: the path itself moves
    out = recommend_many(d, r, ratio, np.array([False, True]))
    assert out[0] == "api"
    assert str(out[1]).startswith(("self_host", "hybrid"))


def test_uncertainty_block_of_the_json_contract(catalog):
    a, d = evaluate(load_profile(DATA / "profiles" / "ecommerce_catalog_enrichment.yaml"), catalog, on_date=DAY)
    u = a.extras["uncertainty"]
    feasible = {x.id for x, ok in zip(d.scores.strategies, d.scores.feasible, strict=True) if ok}
    assert set(u["win_probability"]) == feasible
    assert sum(v["cheapest"] for v in u["win_probability"].values()) == pytest.approx(1)
    assert sum(u["recommended_probability"].values()) == pytest.approx(1)
    assert set(u["recommended_probability"]) <= feasible
    for row in u["strategies"]:
        q = row["horizon_total_usd"]
        assert q["p10_usd"] <= q["p50_usd"] <= q["p90_usd"]
    shares = sorted(u["recommended_probability"].values(), reverse=True)
    drv = a.extras["drivers"]
    if len(shares) > 1 and shares[1] >= 0.05 and not drv["statements"]:
        # a runner-up that wins often, yet no statement: only when no leaf of the tree has another
        # label as its majority, i.e. the tree predicts the majority everywhere
        assert drv["tree_accuracy"] == pytest.approx(drv["majority_share"])
    if drv["statements"]:
        assert drv["tree_accuracy"] > drv["majority_share"]


def test_fast_scores_with_one_varying_column_equal_the_batch_methods():
    from llmstrategy.decision.scoring import scores_with_cost_column

    rng = np.random.default_rng(3)
    m = rng.uniform(0.5, 9, size=(7, 5))
    m[:, 3] = 2.0  # a constant column
    w = rng.dirichlet(np.ones(5))
    b = np.array([True, False, True, False, False])
    col = m[:, 1][None, :] * rng.lognormal(0, 0.5, size=(40, 7))
    mats = np.repeat(m[None], 40, axis=0)
    mats[:, :, 1] = col
    tp, ws = scores_with_cost_column(m, w, b, 1, col)
    np.testing.assert_allclose(tp, mcda.topsis_batch(mats, w, b), rtol=1e-10)
    np.testing.assert_allclose(ws, mcda.weighted_sum_batch(mats, w, b), rtol=1e-10)


def test_fine_tuning_must_pay_for_itself(catalog):
    # format at volume triggers fine-tuning (seed 000), but at 3M requests/day provider
    # fine-tuning costs far more per accepted task and both methods rank it lower (seed 004 step 7)
    _a, d = evaluate(load_profile(DATA / "profiles" / "ecommerce_catalog_enrichment.yaml"), catalog, on_date=DAY)
    roi = next(st for st in d.path.steps if st.question == "Does fine-tuning pay for itself?")
    assert roi.answer.startswith("no") and "cost per accepted task" in roi.evidence
    assert not d.path.strategy_id.endswith("fine_tune")
    assert any("systematic_failures" in x for x in d.revisit_when)
    # the same workload with systematic failures: accuracy retries cannot buy
    p = load_profile(DATA / "profiles" / "ecommerce_catalog_enrichment.yaml").with_updates(systematic_failures=True)
    _, d2 = evaluate(p, catalog, on_date=DAY, samples=300)
    roi2 = next(st for st in d2.path.steps if st.question == "Does fine-tuning pay for itself?")
    assert roi2.answer.startswith("yes: a clear return in accuracy") and "retries cannot buy" in roi2.answer
    assert d2.path.strategy_id.endswith("fine_tune")


def test_core_differentiator_is_a_path_step_and_weighs_customization(catalog):
    r = load_ratings(DATA)
    core = derive_weights(make_profile(core_differentiator=True), r)
    not_core = derive_weights(make_profile(core_differentiator=False), r)
    assert core.values["customization"] > not_core.values["customization"]
    assert not_core.values["time_to_production"] > core.values["time_to_production"]
    _, d = run(catalog, core_differentiator=True)
    assert steps(d)["Is it a core differentiator?"].startswith("yes")


def test_revisit_speaks_of_the_data_policy_when_the_api_is_ruled_out(catalog):
    _, d = evaluate(load_profile(DATA / "profiles" / "hospital_discharge_summaries.yaml"), catalog, on_date=DAY)
    assert d.revisit_when[0].startswith("The data policy changes")
    assert not any("API becomes cheaper again" in x for x in d.revisit_when)
