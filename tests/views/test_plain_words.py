"""People's words in the report (``views/names.py``, ``views/onepage.py``): every strategy has a
name, engine sentences lose their ids, field names and seed references, and the first page
of every example profile says the recommendation, its cost and line items, how sure, what
would change it and the next steps without a raw id."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from llmstrategy.inputs.strategies import NO_LLM_ID, strategy_ids
from llmstrategy.views.names import (
    COMPONENT_LABELS,
    SHORT_NAMES,
    STRATEGY_NAMES,
    component_label,
    plain_step,
    plain_text,
    strategy_name,
    strip_seed_refs,
)

ROOT = Path(__file__).resolve().parents[2]
PROFILES = sorted((ROOT / "data" / "profiles").glob("*.yaml"))
AS_OF = "2026-11-23"


def raw_ids() -> re.Pattern[str]:
    """A raw strategy id as a word: every id with ``+`` or ``_`` (``api+rag``, ``self_host``,
    ``no_llm``) and the bare ``api``; the bare ``hybrid`` is an English word too."""
    ids = [i for i in [*strategy_ids(), NO_LLM_ID] if "+" in i or "_" in i] + ["api"]
    alternatives = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.compile(r"(?<![\w.+/-])(" + alternatives + r")(?![\w+])")


RAW = raw_ids()


def test_every_strategy_has_a_name_and_a_short_name() -> None:
    for sid in [*strategy_ids(), NO_LLM_ID]:
        for short in (False, True):
            name = strategy_name(sid, short=short)
            assert name and not RAW.search(name), (sid, name)
            assert sid in (SHORT_NAMES if short else STRATEGY_NAMES), sid
    assert strategy_name("api+rag") == "Hosted API with retrieval"
    assert strategy_name("self_host+fine_tune") == "Self-hosted open model, fine-tuned"
    assert strategy_name("hybrid") == "Self-hosted model with a hosted frontier model for hard cases"
    assert strategy_name("no_llm") == "No LLM"
    assert strategy_name("future_thing+rag") == "future thing + rag"  # an unknown id still reads
    assert strategy_name(None) == "—"


@pytest.mark.parametrize("key", sorted(COMPONENT_LABELS))
def test_component_labels_are_words(key: str) -> None:
    for short in (False, True):
        label = component_label(key, short=short)
        assert "_" not in label and label[0].isupper(), label


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("The matrix agrees: api+rag ranks first (TOPSIS 0.66).", "The matrix agrees: Hosted API with retrieval ranks"),
        ("above 98,955,893,662 tokens/month self_host+rag costs", "above 99B tokens/month Self-hosted open model with"),
        ("rules_suffice: false", "rules suffice: no"),
        ("data_may_leave: true (data_sensitivity: internal)", "data may leave the organisation: yes (data sensitivity"),
        ("data_may_leave is false and this strategy sends data", "the data may not leave the organisation and"),
        ("stage: pre_mvp", "stage: pre-MVP"),
        ("(seed 004 step 2)", ""),
        ("pays for itself (seed 003 step 4).", "pays for itself."),
        ("a poor fit (seed 002: tasks that need 99.9% accuracy are a poor fit).", "(tasks that need 99.9% accuracy"),
        ("examples of the desired output (seed 001): fine-tuning", "examples of the desired output: fine-tuning"),
        ("x (seed 003 §6 step 4; seed 000 'When to fine-tune'; seed 004 step 6) y", "x y"),
        ("hybrid (vector + keyword) search", "hybrid (vector + keyword) search"),  # the English word stays
        ("api_model and data/models.csv", "API model and data/models.csv"),
    ],
)
def test_plain_text(text: str, want: str) -> None:
    out = plain_text(text)
    assert out.startswith(want) or want in out, out
    assert "seed " not in out and not RAW.search(out), out


@pytest.mark.parametrize(
    ("text", "horizon", "want"),
    [
        ("growth reaches it in month 58).", 12, "in month 58, beyond the 12-month horizon)."),
        ("growth reaches it in month 5.", 12, "in month 5."),
        ("growth reaches it in month 0.", 12, "growth reaches it already."),
    ],
)
def test_plain_text_says_when_a_month_is_beyond_the_horizon(text: str, horizon: int, want: str) -> None:
    assert want in plain_text(text, horizon_months=horizon)


def test_bare_hybrid_only_where_asked() -> None:
    text = "hybrid never stays at or below api's cost"
    assert plain_text(text).startswith("hybrid never")
    assert plain_text(text, bare_hybrid=True).startswith(STRATEGY_NAMES["hybrid"] + " never")
    assert plain_text(text, bare_hybrid=True, short=True).startswith(SHORT_NAMES["hybrid"] + " never")


def test_strip_seed_refs_keeps_the_sentence() -> None:
    assert strip_seed_refs("Traps to avoid (seed 004)") == "Traps to avoid"
    assert strip_seed_refs("no seed here") == "no seed here"


# ---------------------------------------------------------------- every example profile


@pytest.fixture(scope="module")
def evaluated() -> dict[str, Any]:
    from datetime import date

    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.pipeline import evaluate

    catalog = load_catalog()
    return {
        p.stem: evaluate(load_profile(p), catalog, on_date=date.fromisoformat(AS_OF), samples=200) for p in PROFILES
    }


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


@pytest.mark.parametrize("profile", [p.stem for p in PROFILES])
def test_decision_path_in_plain_words(evaluated: dict[str, Any], profile: str) -> None:
    _, d = evaluated[profile]
    for s in d.path.steps:
        for part in plain_step(s.question, s.answer, s.evidence, horizon_months=24):
            assert part and "seed " not in part and not RAW.search(part), part
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", part), part  # no field name left
            assert not re.search(r"\d{1,3}(,\d{3}){2,}", part), part  # no 9-digit counts


@pytest.mark.parametrize("profile", [p.stem for p in PROFILES])
def test_first_page_says_everything_in_plain_words(evaluated: dict[str, Any], profile: str) -> None:
    from llmstrategy.fmt import fmt_usd
    from llmstrategy.views.onepage import summary_page_html

    a, d = evaluated[profile]
    page = summary_page_html(a, d)
    text = _text(page)
    assert "seed " not in text and not RAW.search(text), RAW.search(text)
    assert strategy_name(d.strategy_id) in text
    for heading in ("Why", "What it costs", "How sure", "What would change it", "Next steps"):
        assert f"<h3>{heading}</h3>" in page
    costed = d.strategy_id if d.strategy_id != NO_LLM_ID else d.runner_up_id
    if costed:
        c = a.cost(costed)
        assert fmt_usd(c.monthly_usd) in text
        for key, usd in {**c.monthly_components_usd, **c.upfront_components_usd}.items():
            if abs(usd) >= 0.005:
                assert html.unescape(component_label(key)) in text, key
    conf = (a.extras["recommendation"].get("confidence") or {}).get("level")
    if conf:
        assert conf in text
    for statement in d.revisit_when[:3]:
        assert plain_text(statement, horizon_months=a.profile.horizon_months, bare_hybrid=True)[:30] in text
    if d.strategy_id != NO_LLM_ID:
        assert plain_text(d.checklist[0]["item"])[:30] in text
