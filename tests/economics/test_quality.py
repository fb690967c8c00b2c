"""Quality by capability (data/quality.yaml, data/benchmarks.csv), the user's own evals, and the
hard limits the economics stage applies when it picks a model: latency, lifecycle, team, labels."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import DATA, make_profile

from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.finetune import fine_tune_inputs, labeling_usd, relabeling_usd
from llmstrategy.economics.hosted import expected_pass_rate, latency_problem, lifecycle_problem, select_api_model
from llmstrategy.economics.price import price
from llmstrategy.economics.quality import meets, proxy_pass_rate, quality_gap, quality_need
from llmstrategy.errors import ProfileError
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.evals import EvalResult, load_evals
from llmstrategy.inputs.strategies import strategy

DAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def cat():
    return load_catalog(DATA)


def ctx_for(cat, **changes):
    return pricing_context(make_profile(**changes), cat, on_date=DAY)


def test_each_task_type_is_judged_on_its_own_benchmark(cat):
    need = quality_need(make_profile(task_type="coding", task_complexity="high"), cat)
    assert need.primary.benchmarks == ("livecodebench", "swe_bench_verified")
    assert need.primary.min_scores == (45.0, 72.0)  # GPT-4.1 and Claude Sonnet 4 anchor "high"
    reasoning = quality_need(make_profile(task_type="reasoning", task_complexity="high"), cat)
    assert reasoning.primary.min_scores == (70.0,)  # reasoning has its own anchors (DeepSeek-R1)
    chat = quality_need(make_profile(task_type="chat", task_complexity="high"), cat)
    assert chat.primary.benchmarks[0] == "mmlu_pro" and chat.primary.min_scores[0] == 72.0


def test_a_3b_active_model_no_longer_passes_for_a_high_complexity_coding_assistant(cat):
    need = quality_need(make_profile(task_type="coding", task_complexity="high"), cat)
    small = cat.models["qwen3-coder-30b-a3b"]  # LiveCodeBench 40.3 < 45
    assert meets(small, need, cat) is not None
    # ... while on MMLU-Pro alone (the old rule) it passed the chat bar
    assert meets(small, quality_need(make_profile(task_complexity="medium"), cat), cat) is None


def test_a_model_without_the_primary_benchmark_does_not_qualify(cat):
    need = quality_need(make_profile(task_type="agentic", task_complexity="medium"), cat)
    m = cat.models["llama-3.1-70b"]  # no SWE-bench Verified score published
    assert "no published swe_bench_verified score" in (meets(m, need, cat) or "")
    assert quality_gap(m, need, cat) is None


def test_languages_add_a_multilingual_requirement_with_a_penalty_when_unmeasured(cat):
    en = quality_need(make_profile(), cat)
    multi = quality_need(make_profile(languages=["en", "ja"]), cat)
    assert len(multi.requirements) == len(en.requirements) + 1
    m = cat.models["mistral-small-24b"]  # no multilingual score: qualifies, 5 points off
    assert meets(m, multi, cat) is None
    gap_en = quality_gap(m, en, cat)
    assert gap_en is not None and quality_gap(m, multi, cat) == pytest.approx(min(gap_en, -5.0))


def test_the_pass_rate_proxy_is_clipped():
    params = {"pass_rate_at_need": 0.85, "pass_rate_per_point": 0.01, "pass_rate_min": 0.3, "pass_rate_max": 0.98}
    assert proxy_pass_rate(0.0, params) == pytest.approx(0.85)
    assert proxy_pass_rate(5.0, params) == pytest.approx(0.90)
    assert proxy_pass_rate(50.0, params) == pytest.approx(0.98)
    assert proxy_pass_rate(-80.0, params) == pytest.approx(0.30)


def test_measured_evals_replace_the_proxy_and_can_rule_a_model_out(cat):
    ctx = ctx_for(cat, evals=[{"model": "gpt-oss-120b", "passed": 980, "total": 1000}])
    assert expected_pass_rate(cat.models["gpt-oss-120b"], ctx) == pytest.approx(0.98)
    bad = ctx_for(cat, evals=[{"model": "mistral-small-24b", "passed": 50, "total": 100}])
    model, _why = select_api_model(strategy("api"), bad)
    assert model is not None and model.id != "mistral-small-24b"
    lo, hi = EvalResult(model="x", passed=95, total=100).wilson_interval()
    assert lo == pytest.approx(0.8882, abs=1e-3) and hi == pytest.approx(0.9785, abs=1e-3)  # Wilson 95 %


def test_evals_files_csv_and_promptfoo(tmp_path: Path):
    csv = tmp_path / "e.csv"
    csv.write_text("model,passed,total,latency_ms\ngpt-oss-120b,90,100,800\n")
    assert load_evals(csv) == [EvalResult(model="gpt-oss-120b", passed=90, total=100, latency_ms=800.0)]
    pf = tmp_path / "e.json"
    rows = [{"provider": {"id": "openai:gpt-5", "label": "gpt-5"}, "success": s} for s in (True, True, False)]
    pf.write_text(json.dumps({"results": {"results": rows}}))
    assert load_evals(pf) == [EvalResult(model="gpt-5", passed=2, total=3)]
    bad = tmp_path / "bad.csv"
    bad.write_text("model,passed,total\nx,5,3\n")
    with pytest.raises(ProfileError, match=r"bad.csv.*line 2.*more than total"):
        load_evals(bad)
    bad.write_text("model,passed,total\nx,true,3\n")
    with pytest.raises(ProfileError, match="line 2: expected a whole number"):
        load_evals(bad)


def test_a_latency_target_rules_out_slow_hosted_models(cat):
    ctx = ctx_for(cat, latency_slo_ms=300)
    slow = [m for m in cat.models.values() if m.has_api_price and latency_problem(m, strategy("api"), ctx)]
    assert slow, "a 300 ms target must rule some hosted models out"
    model, _why = select_api_model(strategy("api"), ctx)
    if model is not None:
        lat = cat.api_latency[model.id]
        assert lat.ttft_ms is not None and lat.ttft_ms <= 300
    # retrieval adds its 300 ms: nothing hosted reaches a 300 ms target with RAG
    assert select_api_model(strategy("api+rag"), ctx)[0] is None


def test_models_retiring_inside_the_horizon_are_skipped(cat):
    ctx = ctx_for(cat, horizon_months=24)
    gpt4o = cat.models["gpt-4o"]  # retires 2027-01-14
    assert "inside the 24-month horizon" in (lifecycle_problem(gpt4o, ctx) or "")
    model, _ = select_api_model(strategy("api"), ctx)
    assert model is not None and (model.deprecation_date is None or model.deprecation_date > ctx.usable_until)


def test_labeling_counts_only_the_examples_still_missing(cat):
    needed = int(cat.value("fine_tune.examples_needed"))
    usd = float(cat.value("fine_tune.usd_per_labeled_example"))
    few = fine_tune_inputs(make_profile(labeled_examples=200), cat)
    many = fine_tune_inputs(make_profile(labeled_examples=needed * 10), cat)
    assert labeling_usd(few) == pytest.approx((needed - 200) * usd)
    assert labeling_usd(many) == 0.0  # more data never makes fine-tuning look dearer to start
    assert relabeling_usd(many) > relabeling_usd(few)  # but refreshing a larger set costs more


def test_self_hosting_without_an_infra_engineer_hires_one_when_allowed(cat):
    team = {"ml_engineers": 1, "infra_engineers": 0, "can_hire": True, "hire_usd_per_engineer": 40_000}
    sc = price(strategy("self_host"), ctx_for(cat, requests_per_day=200_000, team=team), [1e6])
    assert sc.feasible and sc.upfront_components_usd["hiring"] == 40_000
    assert sc.details["engineers_to_hire"] == 1 and sc.details["hire_months"] == 4  # hiring.months


def test_operations_staff_grows_with_the_fleet(cat):
    ctx = ctx_for(cat, requests_per_day=2_000_000, team={"ml_engineers": 2, "infra_engineers": 2})
    sc = price(strategy("self_host"), ctx, [1e6, 1e9])
    ops = sc.monthly_components_usd["fleet_operations"]
    per_gpu = float(cat.value("self_host.ops_engineers_per_gpu")) * ctx.engineer_monthly_usd
    gpus = [row["gpus"] for row in sc.details["fleet_by_volume"]]
    assert ops == pytest.approx([g * per_gpu for g in gpus])
    assert ops[1] > 5 * ops[0]
    assert sc.monthly_components_usd["operations_staff"][0] == pytest.approx(
        float(cat.value("self_host.ops_engineer_fraction")) * ctx.engineer_monthly_usd
    )


def test_retrieval_replaces_reference_material_stuffed_into_the_prompt(cat):
    ctx = ctx_for(cat, input_tokens_per_request=62_000, context_tokens_needed=60_000, rag={"corpus_tokens": 5e6})
    plain = price(strategy("api"), ctx, [1e5])
    rag = price(strategy("api+rag"), ctx, [1e5])
    retrieved = ctx.rag.retrieved_tokens_per_request
    assert rag.details["input_tokens_per_request"] == 62_000 - 60_000 + retrieved
    assert plain.details["input_tokens_per_request"] == 62_000
    # a summary of the document itself is not reference material: no replacement
    summ = ctx_for(cat, task_type="summarization", input_tokens_per_request=62_000, context_tokens_needed=60_000)
    assert summ.profile.stuffed_context_tokens == 0
