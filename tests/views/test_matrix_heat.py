"""The criteria matrix's heat map: each cell carries a class per tenth of its criterion's range
(green is better in the criterion's own direction), styled by one scoped CSS rule per shade
rather than one rule and one id per cell, so the report stays within its size budget."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import DATA

from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.profile import load_profile
from llmstrategy.pipeline import evaluate
from llmstrategy.views.matrix import matrix_frame, matrix_styled


@pytest.fixture(scope="module")
def decision():
    _, d = evaluate(
        load_profile(DATA / "profiles" / "internal_kb_qa.yaml"), load_catalog(), on_date=date(2026, 11, 30), samples=100
    )
    return d


def test_cells_carry_shade_classes_and_no_ids(decision):
    html = matrix_styled(decision).to_html()
    assert not re.search(r'<td[^>]* id="', html)  # no per-cell ids
    rules = re.findall(r"\.lls-h(\d+) \{\s*background-color: (rgb\([^)]*\))", html)
    assert sorted(int(n) for n, _ in rules) == list(range(11))
    assert dict(rules)["10"] == "rgb(175,255,200)" and dict(rules)["0"] == "rgb(255,200,200)"


def test_the_cheapest_option_is_green_and_the_dearest_red(decision):
    df = matrix_frame(decision)
    df = df[df["rank"].notna()].reset_index(drop=True)
    html = matrix_styled(decision).to_html()
    body = html.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    col = list(df.columns).index("monthly_cost")  # the strategy column first, then the criteria in order
    shades = [re.findall(r'<td class="([^"]*)"', r)[col] for r in rows]
    cheapest, dearest = int(df["monthly_cost"].astype(float).idxmin()), int(df["monthly_cost"].astype(float).idxmax())
    assert "lls-h10" in shades[cheapest] and "lls-h0" in shades[dearest]
