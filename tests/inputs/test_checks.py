"""A typo in data/ is a one-line error naming the file and the key, not a silent change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA

from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import load_catalog


@pytest.fixture
def data(tmp_path: Path) -> Path:
    for f in DATA.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path


@pytest.mark.parametrize(
    ("file", "old", "new", "match"),
    [
        (
            "assumptions.yaml",
            "value: gpt-4o\n",
            "value: gpt-4oo\n",
            r"assumptions.yaml: field 'default_frontier_model'",
        ),
        (
            "quality.yaml",
            "[swe_bench_verified]",
            "[swe_bench_verifed]",
            r"quality.yaml.*unknown benchmark 'swe_bench_verifed'",
        ),
        ("benchmarks.csv", "gpt-4o,gpqa_diamond", "gpt-4oo,gpqa_diamond", r"benchmarks.csv.*unknown model 'gpt-4oo'"),
        ("benchmarks.csv", "gpt-4o,gpqa_diamond", "gpt-4o,gpqa", r"benchmarks.csv.*unknown benchmark 'gpqa'"),
        ("api_latency.csv", "gpt-4o,", "gpt-4oo,", r"api_latency.csv.*unknown model 'gpt-4oo'"),
        ("finetune_offers.csv", ",gpt-4o,", ",gpt-4oo,", r"finetune_offers.csv.*unknown model 'gpt-4oo'"),
    ],
)
def test_a_typo_in_data_names_the_file_and_field(data: Path, file: str, old: str, new: str, match: str) -> None:
    path = data / file
    text = path.read_text()
    assert old in text, (file, old)
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(CatalogError, match=match) as info:
        load_catalog(data)
    assert "\n" not in str(info.value)
