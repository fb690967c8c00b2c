"""The methodology section reads every number it states from the data files."""

from __future__ import annotations

from conftest import DATA

from llmstrategy.decision.ratings import load_ratings
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.views.methodology import FORMULAS, methodology


def test_every_default_a_formula_names_exists_with_a_source():
    c = load_catalog(DATA)
    for _, _, keys in FORMULAS:
        for k in keys:
            assert k in c.defaults, k
            assert c.defaults[k].source, k
    sections = methodology(c)
    assert [s.title for s in sections] == [f[0] for f in FORMULAS]
    assert all("{" not in s.formula for s in sections)


def test_decision_numbers_follow_the_ratings_file(tiny_data):
    text = (
        (tiny_data / "strategies.yaml")
        .read_text()
        .replace("pass_rate_at_need: {value: 0.85", "pass_rate_at_need: {value: 0.8")
    )
    (tiny_data / "strategies.yaml").write_text(text)
    assert load_ratings(tiny_data).quality["pass_rate_at_need"] == 0.8
    decision = next(s for s in methodology(load_catalog(tiny_data)) if s.title == "Decision")
    assert "clip(0.8 +" in decision.formula
