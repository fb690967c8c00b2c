"""The hosted model a hybrid sends its hard cases to (issue 15: GPT-6 Astra's GPQA Diamond 96.1 made
it the hybrid's frontier at $10/$50, a straw option that stretched the matrix's cost scale and
flipped a case): when the default (GPT-4o) does not last the horizon, it is the model ``api`` would
choose for the whole task, as routing chooses its large model; a hybrid whose two parts would run
one model is ruled out, as routing is."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from conftest import make_profile

from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.hosted import frontier_model, select_api_model
from llmstrategy.economics.price import price
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.strategies import strategy

DAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def _ctx(cat, **changes):
    return pricing_context(make_profile(**changes), cat, on_date=DAY)


def test_past_the_default_the_frontier_is_the_api_choice_not_the_top_score(cat):
    ctx = _ctx(cat, task_type="reasoning", task_complexity="high", horizon_months=12)  # GPT-4o retires 2027-01-14
    f = frontier_model(ctx)
    assert f is not None and f.id == select_api_model(strategy("api"), ctx)[0].id
    top = max(
        (m for m in cat.models.values() if cat.scores.get(m.id, {}).get("gpqa_diamond") is not None),
        key=lambda m: cat.scores[m.id]["gpqa_diamond"],
    )
    assert top.id == "gpt-6-astra" and f.id != top.id  # the best score is not chosen for its score alone


def test_the_default_and_a_named_frontier_still_rule(cat):
    assert frontier_model(_ctx(cat, horizon_months=1)).id == "gpt-4o"
    named = _ctx(cat, horizon_months=12, assumptions={"frontier_model": "gpt-6-astra"})
    assert frontier_model(named).id == "gpt-6-astra"


def test_a_hybrid_whose_parts_run_one_model_is_ruled_out(cat):
    ctx = _ctx(
        cat, horizon_months=12, assumptions={"self_host_model": "gemma-4-26b-a4b", "frontier_model": "gemma-4-26b-a4b"}
    )
    sc = price(strategy("hybrid"), ctx, np.array([30_000.0]))
    assert not sc.feasible
    assert "nothing to route: gemma-4-26b-a4b is already the model you would self-host" in "; ".join(sc.reasons)
