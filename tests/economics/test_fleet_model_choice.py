"""The self-hosted model is chosen by cost per accepted task, once, at the profile's own volume
(issue 14/15: the fine-tuned fleet of a format-failure case was Llama 3.1 8B, cheapest per
request, so "does fine-tuning pay?" compared a weak tuned model with a strong prompted one)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import DATA

from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.fleet import chosen_model
from llmstrategy.economics.hosted import expected_pass_rate
from llmstrategy.economics.price import price
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.profile import load_profile
from llmstrategy.inputs.strategies import strategy

CASES = Path(__file__).resolve().parents[1] / "cases" / "profiles"


@pytest.fixture(scope="module")
def cat():
    return load_catalog(DATA)


class _Opt:
    """The one field of a FleetOption that chosen_model reads."""

    def __init__(self, model):
        self.model = model


def test_a_dearer_model_that_passes_more_tasks_wins(cat):
    """cost per accepted task = request cost / pass rate: $110 at 99 % beats $100 at 80 %."""
    strong, weak = cat.models["gpt-oss-20b"], cat.models["llama-3.1-8b"]
    rates = {strong.id: 0.99, weak.id: 0.80}

    def accepted(m, usd):
        return usd / rates[m.id]

    opts = (_Opt(weak), _Opt(strong), _Opt(weak))
    assert chosen_model(opts, np.array([100.0, 110.0, 130.0]), 1000.0, accepted).id == strong.id  # type: ignore[arg-type]
    # a model the cost makes dear enough loses again: $130 / 0.99 > $100 / 0.80
    assert chosen_model(opts, np.array([100.0, 130.0, 130.0]), 1000.0, accepted).id == weak.id  # type: ignore[arg-type]
    # equal cost per accepted task: the cheaper fleet
    rates[strong.id] = 0.80
    assert chosen_model(opts, np.array([100.0, 100.0, 90.0]), 1000.0, accepted).id == weak.id  # type: ignore[arg-type]


def test_the_format_failure_case_tunes_a_model_that_passes_more(cat):
    """Before: self_host+fine_tune tuned llama-3.1-8b (85.6 % expected) and lost to prompting a
    stronger hosted model (88.4 %). Now the tuned model is the one cheapest per accepted task among
    those near the best tuned pass rate (systematic failures: retries cannot buy accuracy), and it
    is no weaker than the cheapest-per-request one."""
    p = load_profile(CASES / "format_failures_10k_labels.yaml")
    ctx = pricing_context(p, cat)
    sc = price(strategy("self_host+fine_tune"), ctx, [1e6])
    chosen = cat.models[sc.models["self_host"]]
    assert chosen.id != "llama-3.1-8b"
    assert expected_pass_rate(chosen, ctx) > expected_pass_rate(cat.models["llama-3.1-8b"], ctx)


def test_the_model_does_not_change_with_the_volumes_priced(cat):
    """Chosen at the profile's volume: pricing (0, r, 2r) or r alone gives the same model and,
    at r, the same cost (the break-even and the Monte Carlo rely on it)."""
    p = load_profile(CASES / "format_failures_10k_labels.yaml")
    for sid in ("self_host", "self_host+fine_tune", "hybrid"):
        # the hybrid's hard cases to a named model: the api choice (its default) is the model self-hosted
        named = {"frontier_model": "claude-opus-4.7"} if sid == "hybrid" else {}
        ctx = pricing_context(p.with_updates(assumptions=named), cat)
        a = price(strategy(sid), ctx, [0.0, 2e6, 4e6])
        b = price(strategy(sid), ctx, [2e6])
        assert a.models == b.models, sid
        assert float(a.monthly_usd[1]) == pytest.approx(float(b.monthly_usd[0]), rel=1e-12), sid
        assert {pc.model_id for pc in a.gpu_pieces} == {a.models["self_host"]}, sid


def test_a_host_s_window_is_not_the_weights_window(cat):
    """context_window_tokens is what the priced provider accepts (DeepSeek's API: 64K for V3);
    self-hosting the weights gets their own window (128K). A 100K-token request can be served
    by your own fleet of deepseek-v3, never by its API."""
    from conftest import make_profile

    from llmstrategy.economics.fleet import candidate_models
    from llmstrategy.economics.quality import quality_need

    m = cat.models["deepseek-v3"]
    assert (m.context_window_tokens, m.self_host_window_tokens) == (65_536, 131_072)
    assert cat.models["gpt-oss-20b"].self_host_window_tokens == cat.models["gpt-oss-20b"].context_window_tokens
    p = make_profile(assumptions={"self_host_model": "deepseek-v3"}, task_complexity="low")
    ctx = pricing_context(p, cat)
    assert candidate_models(ctx, quality_need(p, cat), 100_000) == [m]
    p2 = make_profile(assumptions={"api_model": "deepseek-v3"}, task_complexity="low", context_tokens_needed=100_000)
    from llmstrategy.economics.hosted import select_api_model

    model, why = select_api_model(strategy("api"), pricing_context(p2, cat))
    assert model is None and "65,536" in why


def test_the_tuned_choice_may_give_up_no_more_than_a_clear_return(cat):
    """Where retries cannot buy accuracy, the decision path counts fine_tune_min_pass_gain as a
    clear return; a tuned-model choice may not give up more than that to be cheaper per accepted
    task (quality.fine_tune_max_pass_loss, kept equal to it)."""
    import yaml

    rec = yaml.safe_load((DATA / "strategies.yaml").read_text(encoding="utf-8"))["recommendation"]
    loss = float(cat.value("quality.fine_tune_max_pass_loss"))
    assert loss == float(rec["fine_tune_min_pass_gain"]["value"])
    p = load_profile(CASES / "format_failures_10k_labels.yaml")
    assert p.systematic_failures
    ctx = pricing_context(p, cat)
    from llmstrategy.economics.fleet import candidate_models

    need = ctx.quality.lowered(float(cat.value("fine_tune.quality_uplift")))
    rates = {m.id: expected_pass_rate(m, ctx, need) for m in candidate_models(ctx, need, 2000)}
    assert max(rates.values()) - min(rates.values()) > loss  # the pool has weaker, cheaper models
    for sid in ("self_host+fine_tune", "private_cloud+fine_tune", "api+fine_tune"):
        sc = price(strategy(sid), ctx, [1e6])
        assert sc.feasible, sid
        chosen = next(iter(sc.models.values()))
        assert rates.get(chosen, expected_pass_rate(cat.models[chosen], ctx, need)) >= max(rates.values()) - loss, sid


def test_where_retries_buy_accuracy_the_cheapest_per_accepted_task_stays(cat):
    """The same case without systematic failures: the tuned fleet may be a weaker model that is
    cheaper per accepted task (retrying a failed task until it passes is then what that cost prices)."""
    p = load_profile(CASES / "format_failures_10k_labels.yaml").with_updates(systematic_failures=False)
    ctx = pricing_context(p, cat)
    need = ctx.quality.lowered(float(cat.value("fine_tune.quality_uplift")))
    free = price(strategy("self_host+fine_tune"), ctx, [1e6])
    held = price(strategy("self_host+fine_tune"), pricing_context(p.with_updates(systematic_failures=True), cat), [1e6])
    m_free, m_held = (cat.models[x.models["self_host"]] for x in (free, held))
    assert m_free.id != m_held.id  # without the rule the choice is another, weaker model
    assert expected_pass_rate(m_free, ctx, need) < expected_pass_rate(m_held, ctx, need) - float(
        cat.value("quality.fine_tune_max_pass_loss")
    )
