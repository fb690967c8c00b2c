"""data/engine_startup_logs.csv and its loader (llmstrategy/inputs/engine_logs.py): every row
sourced and dated, and a malformed file is one line naming the file, the line and the field."""

from datetime import date
from pathlib import Path

import pytest

from llmstrategy.errors import CatalogError
from llmstrategy.inputs.engine_logs import FILE_NAME, load_engine_startup_logs

DATA = Path(__file__).resolve().parents[2] / "data"
HEADER = "model,vocab_size,gpus,max_num_seqs,activation_gib,non_torch_gib,source,as_of,notes,outside_tolerance_why\n"
GOOD = "Llama-3.1-8B-Instruct TP1,128256,1,1024,1.89,0.25,llm-d report,2026-04-22,,\n"


def _load(tmp_path: Path, text: str):
    path = tmp_path / FILE_NAME
    path.write_text(text, encoding="utf-8")
    return path, lambda: load_engine_startup_logs(path)


def test_every_row_of_the_data_file_is_sourced_dated_and_explained():
    rows = load_engine_startup_logs(DATA / FILE_NAME)
    assert len(rows) == 16
    for r in rows:
        assert r.source and date(2024, 1, 1) <= r.as_of <= date(2026, 11, 30), r.model
        assert r.non_torch_gib is not None or r.notes, r.model
    llama = next(r for r in rows if r.model == "Llama-3.1-8B-Instruct TP2")
    assert (llama.vocab_size, llama.gpus, llama.max_num_seqs) == (128256, 2, 1024)
    assert (llama.activation_gib, llama.non_torch_gib) == (1.89, 2.07)


def test_a_good_file_loads(tmp_path):
    _, load = _load(tmp_path, HEADER + GOOD)
    (row,) = load()
    assert row.activation_gib == 1.89 and row.non_torch_gib == 0.25 and row.notes is None


def test_a_non_numeric_activation_is_one_line_naming_file_line_and_field(tmp_path):
    path, load = _load(tmp_path, HEADER + GOOD + GOOD.replace("TP1", "TP2").replace(",1.89,", ",lots,"))
    with pytest.raises(CatalogError) as info:
        load()
    msg = str(info.value)
    assert "\n" not in msg and str(path) in msg
    assert "field 'activation_gib'" in msg and "line 3" in msg and "valid number" in msg


@pytest.mark.parametrize(
    ("row", "field", "expected"),
    [
        (GOOD.replace(",0.25,", ",,"), "notes", "expected a reason in notes"),
        (GOOD.replace(",1024,", ",0,"), "max_num_seqs", "greater than or equal to 1"),
        (GOOD.replace(",2026-04-22,", ",22/04/2026,"), "as_of", "valid date"),
        (GOOD.replace(",llm-d report,", ",,"), "source", "valid string"),
    ],
)
def test_bad_cells_name_their_field(tmp_path, row, field, expected):
    _, load = _load(tmp_path, HEADER + row)
    with pytest.raises(CatalogError, match=expected) as info:
        load()
    assert f"field '{field}'" in str(info.value) and "line 2" in str(info.value)


def test_a_wrong_header_a_repeated_model_and_a_missing_file(tmp_path):
    _, load = _load(tmp_path, HEADER.replace(",notes", "") + GOOD.rstrip(",\n") + "\n")
    with pytest.raises(CatalogError, match="expected the columns model,vocab_size"):
        load()
    _, load = _load(tmp_path, HEADER + GOOD + GOOD)
    with pytest.raises(CatalogError, match="listed twice") as info:
        load()
    assert "field 'model'" in str(info.value)
    with pytest.raises(CatalogError, match="not found"):
        load_engine_startup_logs(tmp_path / "nope.csv")
