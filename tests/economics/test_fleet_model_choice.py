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
    stronger hosted model (88.4 %). Now the tuned model is the one cheapest per accepted task,
    and it is no weaker than the cheapest-per-request one."""
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
