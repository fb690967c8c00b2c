"""Seed 003 §6 step 4, "fine-tune through the API first, then self-hosted if needed", now that a
provider can serve a tuned model (on its dedicated endpoint): the path moves to your own tuned
model when the provider cannot tune one, when the provider's does not pay for itself and yours
does, or when both pay and a team that already runs models has the cheaper one per accepted
task; and it says so with the figures that support it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from conftest import ROOT

from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.profile import load_profile
from llmstrategy.pipeline import evaluate

DAY = date(2026, 11, 30)
CASES = ROOT / "tests" / "cases" / "profiles"
QUESTION = "Can a provider fine-tune for you?"


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def _gemma3_only(cat):
    """Provider fine-tuning limited to Together's tuned Gemma 3 27B (a weaker base than Gemma 4)."""
    keep = tuple(o for o in cat.finetune_offers if (o.provider, o.model_id) == ("Together AI", "gemma-3-27b"))
    return replace(cat, finetune_offers=keep)


def _run(cat, stem: str, **changes):
    p = load_profile(CASES / f"{stem}.yaml")
    if changes:
        p = p.with_updates(**changes)
    _, d = evaluate(p, cat, on_date=DAY, samples=200)
    step = next((s for s in d.path.steps if s.question == QUESTION), None)
    return d, step


def _figures(d, sid: str) -> tuple[float, float]:
    i = d.scores.index(sid)
    return float(d.scores.pass_rate[i]), float(d.scores.cost_per_accepted_task_usd[i])


def test_a_provider_fine_tune_that_does_not_pay_gives_way_to_your_own(cat):
    d, step = _run(_gemma3_only(cat), "format_failures_10k_labels")
    assert step is not None and step.answer.startswith("yes, but it does not pay for itself")
    provider, own, base = (_figures(d, s) for s in ("api+fine_tune", "self_host+fine_tune", "api"))
    assert provider[0] - base[0] < 0.03 <= own[0] - base[0]  # the evidence supports the answer
    assert d.strategy_id == "self_host+fine_tune" and d.path.fine_tune_self_hosted
    assert f"{provider[0]:.1%}" in step.evidence and f"{own[0]:.1%}" in step.evidence


def test_when_both_pay_a_team_that_runs_models_takes_the_cheaper_per_accepted_task(cat):
    d, step = _run(_gemma3_only(cat), "scaling_strong_ml_team_heavy_volume")
    assert step is not None and step.answer.startswith("yes, but your team's own tuned open model costs less")
    provider, own = _figures(d, "api+fine_tune"), _figures(d, "self_host+fine_tune")
    assert own[1] < provider[1]
    assert d.strategy_id == "self_host+fine_tune"
    assert "ml_engineers: 4, infra_engineers: 4" in step.evidence


def test_without_a_team_that_runs_models_the_provider_comes_first(cat):
    team = {"ml_engineers": 1, "infra_engineers": 0, "can_hire": True}
    d, step = _run(_gemma3_only(cat), "scaling_strong_ml_team_heavy_volume", team=team)
    assert step is not None and step.answer == (
        "yes: fine-tune through the provider (your own tuned model costs less per accepted task, but needs a team "
        "that runs models)"
    )
    provider, own = _figures(d, "api+fine_tune"), _figures(d, "self_host+fine_tune")
    assert own[1] < provider[1]
    assert d.path.strategy_id == "api+fine_tune"


def test_a_provider_fine_tune_that_pays_and_costs_less_stays(cat):
    """Providers' reserved GPUs at half today's hourly rates: the tuned Gemma 4 26B-A4B they serve
    (two replicas, N+1) costs less per accepted task than the team's own tuned model, so the path
    fine-tunes through the provider. (At today's rates the team's own is cheaper: the case agrees.)"""
    half = tuple(e.model_copy(update={"usd_per_gpu_hour": e.usd_per_gpu_hour / 2}) for e in cat.dedicated)
    d, step = _run(replace(cat, dedicated=half), "scaling_strong_ml_team_heavy_volume")
    assert step is not None
    assert step.answer == "yes: fine-tune through the provider, for no more per accepted task than your own tuned model"
    provider, own = _figures(d, "api+fine_tune"), _figures(d, "self_host+fine_tune")
    assert provider[1] <= own[1]
    assert d.path.strategy_id == "api+fine_tune" and d.path.fine_tune_returns


def test_no_provider_serving_a_tuned_model_sends_you_to_your_own(cat):
    d, step = _run(replace(cat, dedicated=()), "format_failures_10k_labels")
    assert step is not None and step.answer.startswith("no: consider fine-tuning your own open model")
    assert step.evidence.startswith("no provider fine-tunes a model that meets")
    assert d.strategy_id == "self_host+fine_tune"


def test_moving_to_your_own_tuned_model_answers_the_volume_step_that_said_stay(cat):
    """At today's rates the volume question says "stay with APIs" (untuned, self-hosting breaks even
    after the horizon) and the provider step then moves to the team's own tuned model: the provider
    step says why the earlier answer no longer decides, and the first page gives both comparisons
    instead of "a hosted API stays cheaper" over a self-hosted recommendation."""
    from llmstrategy.decision.path import SUPERSEDES_VOLUME_STEP, TUNED_OWN_CHEAPER
    from llmstrategy.views.onepage import why_lines

    p = load_profile(CASES / "scaling_strong_ml_team_heavy_volume.yaml")
    a, d = evaluate(p, cat, on_date=DAY, samples=200)
    volume = next(s for s in d.path.steps if s.question.startswith("Will projected usage"))
    step = next(s for s in d.path.steps if s.question == QUESTION)
    assert volume.answer.startswith("no: stay with APIs")
    assert d.strategy_id == "self_host+fine_tune" and d.path.fine_tune_self_hosted
    assert step.answer.endswith(SUPERSEDES_VOLUME_STEP) and TUNED_OWN_CHEAPER in d.path.deployment_signal
    first = why_lines(a, d)[0]
    own, provider = _figures(d, "self_host+fine_tune"), _figures(d, "api+fine_tune")
    assert own[1] < provider[1]
    assert first.startswith("Untuned, a hosted API stays cheaper")
    assert f"${own[1] * 1000:,.2f} per 1,000 accepted tasks" in first and f"${provider[1] * 1000:,.2f} at" in first


def test_a_provider_that_stays_keeps_the_plain_volume_line(cat):
    from llmstrategy.views.onepage import why_lines

    half = tuple(e.model_copy(update={"usd_per_gpu_hour": e.usd_per_gpu_hour / 2}) for e in cat.dedicated)
    p = load_profile(CASES / "scaling_strong_ml_team_heavy_volume.yaml")
    a, d = evaluate(p, replace(cat, dedicated=half), on_date=DAY, samples=200)
    assert d.strategy_id.startswith("api") and not d.path.fine_tune_self_hosted
    first = why_lines(a, d)[0]
    assert first.startswith("A hosted API stays cheaper") and "Fine-tuned" not in first


def test_the_report_does_not_call_computed_evidence_the_profile(cat):
    """Step evidence mixes the profile's fields with figures the analysis computed (pass rates,
    costs per accepted task): the report labels it "Based on", not "From the profile"."""
    from llmstrategy.views.summary_html import decision_path_html

    d, step = _run(cat, "scaling_strong_ml_team_heavy_volume")
    html = decision_path_html(d, horizon_months=24)
    assert "From the profile" not in html and html.count("Based on: ") == len(d.path.steps)
    assert "per accepted task" in step.evidence  # a computed figure, not a profile field
