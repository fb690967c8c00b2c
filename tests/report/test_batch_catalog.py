"""A batch loads the catalog once for its CSV tables: :func:`batch_catalog` memoizes
``load_catalog`` until a catalog file changes, and never memoizes an error."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from llmstrategy.errors import LLMStrategyError
from llmstrategy.report.render import batch_catalog

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 23)


def test_the_catalog_is_loaded_once_until_a_file_changes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    first = batch_catalog(str(data), DAY)
    assert batch_catalog(str(data), DAY) is first
    models = data / "models.csv"
    models.write_text(models.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # size changes
    again = batch_catalog(str(data), DAY)
    assert again is not first
    assert batch_catalog(str(data), DAY) is again


def test_an_error_is_raised_each_time(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "assumptions.yaml").write_text("not: [a, mapping", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(LLMStrategyError):
            batch_catalog(str(data), DAY)
