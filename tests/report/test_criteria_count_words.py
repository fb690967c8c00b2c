"""The number of criteria a report and its index name is the matrix's own (it read 'eleven' when
there were twelve)."""

from __future__ import annotations

from pathlib import Path

from llmstrategy.inputs.criteria import CRITERIA
from llmstrategy.report.index import index_html

ROOT = Path(__file__).resolve().parents[2]
NUMBER_WORDS = ("eleven", "twelve", "thirteen")


def test_the_index_counts_the_criteria_it_names(tmp_path: Path):
    page = index_html([], tmp_path, generated="2026-11-30")
    assert f"against {len(CRITERIA)} weighted criteria" in page
    assert not any(w in page for w in NUMBER_WORDS)


def test_no_notebook_hard_codes_how_many_criteria_there_are():
    """Neither the notebooks nor tools/build_notebooks.py, which writes them."""
    for nb in [*(ROOT / "notebooks").glob("*.ipynb"), ROOT / "tools" / "build_notebooks.py"]:
        text = nb.read_text(encoding="utf-8")
        assert not any(f"{w} criteria" in text for w in ("eleven", "twelve", "thirteen")), nb.name
