"""Tables align by column, in each table's own rules (one per column), not by a class on every
cell: text left, numbers right and unbroken, a wrapping column wraps (its cells keep
``lls-wrap``); the table says so with ``lls-cols`` for print.css."""

from __future__ import annotations

import re

import pandas as pd

from llmstrategy.views.styling import styled


def _html() -> str:
    df = pd.DataFrame(
        {"model": ["a", "b"], "monthly_usd": [1.0, 2.5], "note": ["long text", "more text"], "ratio": [0.5, 1.2]}
    )
    return styled(df, {"ratio": lambda x: f"{x:.2f}×"}, caption="t").to_html()


def test_each_column_has_one_rule_and_no_cell_carries_an_alignment_class():
    html = _html()
    tid = re.search(r'id="(T_[0-9a-f]+)"', html).group(1)
    rules = re.findall(rf"#{tid} ([^{{]+) \{{([^}}]*)\}}", html)
    by_selector = {sel: props for sel, props in rules}
    assert by_selector["tr>:nth-child(1)"] == "text-align: left;"  # model: text, header too
    assert by_selector["td:nth-child(2)"] == "text-align: right;white-space: nowrap;"  # a number
    assert by_selector["tr>:nth-child(3)"] == "text-align: left;"  # note: text that wraps
    assert "td:nth-child(3)" not in by_selector  # never nowrap on a wrapping column
    assert by_selector["td:nth-child(4)"] == "text-align: right;white-space: nowrap;"  # formatted number
    assert "lls-text" not in html
    assert html.count('class="lls-wrap"') == 2  # the note cells
    assert 'class="lls-table lls-cols"' in html
    assert "\n" not in html.split("<style", 1)[1].split("</style>", 1)[0].split(">", 1)[1]  # compact rules


def test_print_css_keeps_text_cells_of_such_tables_wrapping():
    from pathlib import Path

    import llmstrategy

    css = (Path(llmstrategy.__file__).parent / "templates" / "llmstrategy" / "print.css").read_text()
    assert "table.lls-table:not(.lls-cols) td:not(.lls-text):not(.lls-wrap) { white-space: nowrap; }" in css
