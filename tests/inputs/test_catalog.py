"""Catalogs: the real data/ files load with sources; unknown ids and bad CSVs are one clear line."""

from __future__ import annotations

import csv
import json
import os
import pickle
from pathlib import Path

import pytest
from conftest import DATA, LITELLM_SNAPSHOT, MODELS_HEADER, TINY_GPUS, TINY_MODELS

from llmstrategy.errors import CatalogError, UnknownIdError
from llmstrategy.inputs.catalog import (
    load_catalog,
    load_defaults,
    load_gpus,
    load_models,
    nearest_ids,
)

SEED_MODELS = ["gpt-4o", "claude-opus-4", "claude-sonnet-4", "llama-3.1-405b", "llama-3.1-70b", "deepseek-v3"]
SEED_GPUS = ["h100-sxm", "h200", "a100-80gb", "l40s", "l4", "a10g", "mi300x"]
GPU_HEADER = TINY_GPUS.splitlines()[0]
GPU_ROW = TINY_GPUS.splitlines()[1]
BIG = TINY_MODELS[0]  # id 'big', input 2.5, output 10


@pytest.fixture(scope="module")
def real():
    return load_catalog(DATA)


# --- the real catalogs ----------------------------------------------------------------------


def test_real_catalogs_load_with_defaults(real):
    assert len(real.models) >= 20
    assert len(real.gpus) >= 7
    assert real.files["models"] == DATA / "models.csv"
    # the engine's defaults resolve (each leaf carries unit/source/as_of)
    assert real.value("engineer_monthly_usd") > 0
    for level in ("low", "medium", "high"):
        assert 0 < real.value(f"quality_needed.{level}") <= 100
    for row in real.sources_table():
        assert row["source"] and row["as_of"], row["key"]


def test_default_catalog_is_the_repository_data(real, monkeypatch):
    monkeypatch.delenv("LLMSTRATEGY_DATA_DIR", raising=False)
    assert set(load_catalog().models) == set(real.models)


def test_every_row_has_source_and_as_of(real):
    for m in real.models.values():
        assert m.source.strip(), m.id
        assert m.as_of is not None, m.id
    for g in real.gpus.values():
        assert g.source.strip(), g.id
        assert g.price_source and g.price_source.strip(), g.id
        assert g.as_of is not None, g.id


def test_every_source_column_is_filled_in_the_raw_csv():
    # the raw cells, not the parsed rows: a blank cell must not slip through as a default
    for name, cols in (("models.csv", ("source", "as_of")), ("gpus.csv", ("source", "as_of", "price_source"))):
        with (DATA / name).open(newline="", encoding="utf-8") as fh:
            for line in csv.DictReader(fh):
                for col in cols:
                    assert (line[col] or "").strip(), f"{name} {line['id']} {col}"


def test_seed_models_present(real):
    for mid in SEED_MODELS:
        assert mid in real.models, mid
    gpt4o = real.models["gpt-4o"]
    assert gpt4o.has_api_price and not gpt4o.open_weight
    assert gpt4o.input_usd_per_mtok == pytest.approx(2.5)
    assert gpt4o.output_usd_per_mtok == pytest.approx(10)
    assert real.models["claude-opus-4"].has_api_price
    assert real.models["claude-sonnet-4"].has_api_price


@pytest.mark.parametrize("mid", ["llama-3.1-405b", "llama-3.1-70b", "deepseek-v3"])
def test_seed_open_weight_models_have_architecture(real, mid):
    m = real.models[mid]
    assert m.open_weight
    assert m.can_self_host
    assert m.total_params_b and m.layers and m.kv_heads and m.head_dim
    assert m.active_params_b is not None and m.active_params_b <= m.total_params_b


def test_every_open_weight_row_can_be_self_hosted(real):
    open_rows = [m for m in real.models.values() if m.open_weight]
    assert len(open_rows) >= 3
    for m in open_rows:
        assert m.can_self_host, f"{m.id} is open-weight but lacks architecture columns"


def test_architecture_values_are_plausible(real):
    assert real.models["llama-3.1-70b"].layers == 80
    assert real.models["llama-3.1-405b"].total_params_b == pytest.approx(405, rel=0.02)
    ds = real.models["deepseek-v3"]
    assert ds.total_params_b == pytest.approx(671, rel=0.01)
    assert ds.active_params_b == pytest.approx(37, rel=0.01)


def test_seed_gpus_present(real):
    for gid in SEED_GPUS:
        assert gid in real.gpus, gid
    h100, h200 = real.gpus["h100-sxm"], real.gpus["h200"]
    assert h100.memory_gb == 80 and h200.memory_gb == 141
    assert real.gpus["mi300x"].memory_gb == 192
    assert real.gpus["a100-80gb"].memory_gb == 80
    assert real.gpus["l4"].memory_gb == 24
    assert h200.memory_bandwidth_tb_s > h100.memory_bandwidth_tb_s
    for g in real.gpus.values():
        assert g.on_demand_usd_per_gpu_hour > 0


def test_quality_scores_have_a_source(real):
    for m in real.models.values():
        if m.quality_score is not None:
            assert m.quality_source and m.quality_source.strip(), m.id


# --- unknown ids --------------------------------------------------------------------------


def test_unknown_model_lists_nearest(real):
    with pytest.raises(UnknownIdError) as info:
        real.model("gpt4o")
    msg = str(info.value)
    assert "unknown model id 'gpt4o'" in msg
    assert "nearest: gpt-4o" in msg  # the best match comes first
    assert "\n" not in msg
    assert isinstance(info.value, CatalogError)


def test_unknown_id_names_field_and_profile_path(real):
    with pytest.raises(UnknownIdError) as info:
        real.model("claude-opus4", field="assumptions.api_model", path="p.yaml")
    msg = str(info.value)
    assert msg.startswith("p.yaml: field 'assumptions.api_model': ")
    assert "claude-opus-4" in msg


def test_unknown_gpu_lists_nearest(real):
    with pytest.raises(UnknownIdError) as info:
        real.gpu("h100")
    assert "h100-sxm" in str(info.value)
    assert str(DATA / "gpus.csv") in str(info.value)


def test_unknown_id_with_nothing_close_points_to_the_file(real):
    with pytest.raises(UnknownIdError) as info:
        real.model("zzzzzzzz")
    assert f"see {DATA / 'models.csv'}" in str(info.value)


def test_nearest_ids_order_and_limit():
    ids = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "claude-opus-4"]
    assert nearest_ids("gpt4o", ids)[0] == "gpt-4o"
    assert len(nearest_ids("gpt", ids, n=2)) <= 2
    assert nearest_ids("qqqqqqqq", ids) == []


def test_unknown_id_error_pickles_with_path_and_field(real):
    with pytest.raises(UnknownIdError) as info:
        real.model("gpt4o", field="assumptions.api_model", path="p.yaml")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is UnknownIdError
    assert str(again) == str(info.value)


def test_missing_default_key(real):
    with pytest.raises(CatalogError, match=r"missing default 'no\.such\.key'"):
        real.value("no.such.key")


# --- bad catalog CSVs ---------------------------------------------------------------------


def _models_err(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "models.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_models(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(str(path) + ":")
    return msg


def _csv(*rows: str) -> str:
    return MODELS_HEADER + "\n" + "\n".join(rows) + "\n"


def test_tiny_catalog_is_valid(tiny_data):
    rows = load_models(tiny_data / "models.csv")
    assert list(rows) == ["big", "small", "longctx", "open70", "retired"]
    assert rows["open70"].can_self_host and not rows["open70"].has_api_price


@pytest.mark.parametrize(
    ("old", "new", "field", "expect"),
    [
        (",2.5,10,", ",abc,10,", "input_usd_per_mtok", "valid number"),
        (",2.5,10,", ",-2.5,10,", "input_usd_per_mtok", "greater than or equal to 0"),
        (",128000,16384,", ",0,16384,", "context_window_tokens", "greater than 0"),
        (",128000,16384,", ",128k,16384,", "context_window_tokens", "valid integer"),
        (",73,test,", ",173,test,", "quality_score", "less than or equal to 100"),
        ("big,Big,acme,false", "big,Big,acme,maybe", "open_weight", "valid boolean"),
        ("test,2026-01-01", "test,2026-13-01", "as_of", "valid date"),
        ("test,2026-01-01", ",2026-01-01", "source", "valid string"),
        ("test,2026-01-01", "test,", "as_of", "valid date"),
    ],
)
def test_bad_cell_names_file_line_field(tmp_path, old, new, field, expect):
    assert old in BIG
    msg = _models_err(tmp_path, _csv(TINY_MODELS[1], BIG.replace(old, new, 1)))
    assert f"field '{field}'" in msg
    assert "line 3 (id 'big')" in msg
    assert expect in msg


def test_bad_cell_shows_the_value(tmp_path):
    msg = _models_err(tmp_path, _csv(BIG.replace(",2.5,10,", ",2.5usd,10,", 1)))
    assert "(got '2.5usd')" in msg


def test_only_one_of_input_output_price(tmp_path):
    msg = _models_err(tmp_path, _csv(TINY_MODELS[1], BIG.replace(",2.5,10,", ",2.5,,", 1)))
    assert "give both input and output prices or neither" in msg
    assert "field 'output_usd_per_mtok'" in msg
    assert "line 3" in msg and "'big'" in msg
    msg = _models_err(tmp_path, _csv(BIG.replace(",2.5,10,", ",,10,", 1)))
    assert "field 'input_usd_per_mtok'" in msg and "line 2" in msg


def test_duplicate_id(tmp_path):
    msg = _models_err(tmp_path, _csv(BIG, TINY_MODELS[1], BIG))
    assert "line 4: duplicate id 'big'" in msg
    assert "field 'id'" in msg


def test_line_numbers_count_blank_lines(tmp_path):
    # header = line 1, big = line 2, two blank lines, small = line 5, bad big = line 6
    text = MODELS_HEADER + "\n" + BIG + "\n\n\n" + TINY_MODELS[1] + "\n" + BIG + "\n"
    assert "line 6: duplicate id 'big'" in _models_err(tmp_path, text)


def test_missing_column(tmp_path):
    header = MODELS_HEADER.replace(",source,as_of", ",as_of")
    row = BIG.replace(",test,2026-01-01", ",2026-01-01")
    msg = _models_err(tmp_path, header + "\n" + row + "\n")
    assert "missing column(s) source" in msg
    assert "expected header: id,name," in msg


def test_optional_column_may_be_omitted(tmp_path):
    # litellm_id is optional: a catalog without it still loads
    cols = MODELS_HEADER.split(",")
    i = cols.index("litellm_id")
    row = BIG.split(",")
    del cols[i], row[i]
    path = tmp_path / "models.csv"
    path.write_text(",".join(cols) + "\n" + ",".join(row) + "\n")
    assert load_models(path)["big"].litellm_id is None


def test_unknown_column(tmp_path):
    msg = _models_err(tmp_path, MODELS_HEADER + ",colour\n" + BIG + ",red\n")
    assert "unknown column(s) colour" in msg


def test_more_cells_than_header(tmp_path):
    msg = _models_err(tmp_path, _csv(TINY_MODELS[1], BIG + ",extra"))
    assert "line 3 has more cells than the header" in msg


def test_fewer_cells_than_header(tmp_path):
    msg = _models_err(tmp_path, _csv("big,Big"))
    assert "line 2" in msg and "field 'provider'" in msg


def test_empty_file(tmp_path):
    msg = _models_err(tmp_path, "")
    assert "empty file" in msg
    assert "expected a CSV header: id,name," in msg


def test_header_only(tmp_path):
    assert "catalog has no rows" in _models_err(tmp_path, MODELS_HEADER + "\n")


def test_not_utf8(tmp_path):
    assert "not a UTF-8 CSV file" in _models_err(tmp_path, b"\xff\xfe\x00garbage\x81\n")


def test_byte_order_mark_is_accepted(tmp_path):
    # spreadsheet exports start with a BOM; it is not part of the 'id' column name
    path = tmp_path / "models.csv"
    path.write_bytes(("\ufeff" + _csv(BIG)).encode("utf-8"))
    assert list(load_models(path)) == ["big"]


def test_missing_file(tmp_path):
    with pytest.raises(CatalogError, match="catalog file not found") as info:
        load_models(tmp_path / "nope.csv")
    assert str(tmp_path / "nope.csv") in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "field", "expect"),
    [
        (",989,", ",lots,", "bf16_dense_tflops", "valid number"),
        (",4.0,", ",-4.0,", "on_demand_usd_per_gpu_hour", "greater than 0"),
        (",80,", ",0,", "memory_gb", "greater than 0"),
    ],
)
def test_bad_gpu_cell(tmp_path, old, new, field, expect):
    path = tmp_path / "gpus.csv"
    path.write_text(GPU_HEADER + "\n" + GPU_ROW.replace(old, new, 1) + "\n")
    with pytest.raises(CatalogError) as info:
        load_gpus(path)
    msg = str(info.value)
    assert "\n" not in msg and str(path) in msg
    assert f"field '{field}'" in msg and "line 2 (id 'h100-sxm')" in msg and expect in msg


def test_duplicate_gpu(tmp_path):
    path = tmp_path / "gpus.csv"
    path.write_text(GPU_HEADER + "\n" + GPU_ROW + "\n" + GPU_ROW + "\n")
    with pytest.raises(CatalogError, match="line 3: duplicate id 'h100-sxm'"):
        load_gpus(path)


def test_bad_catalog_in_a_data_dir_names_that_file(tiny_data):
    (tiny_data / "models.csv").write_text(_csv(BIG.replace(",2.5,10,", ",-1,10,", 1)))
    with pytest.raises(CatalogError) as info:
        load_catalog(tiny_data)
    assert str(tiny_data / "models.csv") in str(info.value)
    assert "input_usd_per_mtok" in str(info.value)


def test_defaults_need_source_and_as_of(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("x:\n  value: 1\n  unit: usd\n  source: somewhere\n")
    with pytest.raises(CatalogError) as info:
        load_defaults(path)
    assert "'as_of' is required" in str(info.value) and "field 'x'" in str(info.value)
    path.write_text("x: [unclosed\n")
    with pytest.raises(CatalogError, match="invalid YAML"):
        load_defaults(path)
    path.write_text("- 1\n")
    with pytest.raises(CatalogError, match="expected a mapping"):
        load_defaults(path)


def test_price_multipliers_scale_inference_and_gpu_prices_only():
    from conftest import DATA

    from llmstrategy.inputs.catalog import load_catalog

    cat = load_catalog(DATA)
    what_if = cat.with_price_multipliers(api=2.0, gpu=0.5)
    m, m2 = cat.models["gpt-4o"], what_if.models["gpt-4o"]
    assert m2.input_usd_per_mtok == 2 * m.input_usd_per_mtok
    assert m2.output_usd_per_mtok == 2 * m.output_usd_per_mtok
    assert m2.finetune_training_usd_per_mtok == m.finetune_training_usd_per_mtok  # training held
    g, g2 = cat.gpus["h100-sxm"], what_if.gpus["h100-sxm"]
    assert g2.on_demand_usd_per_gpu_hour == 0.5 * g.on_demand_usd_per_gpu_hour
    assert cat.models["gpt-4o"].input_usd_per_mtok == m.input_usd_per_mtok  # the original is untouched
    with pytest.raises(CatalogError):
        cat.with_price_multipliers(api=0)


XAI = ("grok-4.3", "grok-4.5", "grok-4.7", "grok-build-0.1")


def test_xai_models_carry_what_the_engine_needs(real):
    # issue 15: xAI is one of the major providers; its current first-party models are priced
    grok = {i: m for i, m in real.models.items() if m.provider == "xAI"}
    assert set(XAI) <= set(grok)
    for m in grok.values():
        assert m.litellm_id and m.litellm_id.startswith("xai/") and not m.open_weight
        assert m.has_api_price and m.cached_input_usd_per_mtok is not None
        assert m.max_output_tokens and m.context_window_tokens >= m.max_output_tokens // 2
        assert m.reasoning_by_default and m.long_context_threshold_tokens == 200000
        assert m.deprecation_date is None and m.source and m.as_of
    # the ones with a published score qualify on it (GPQA Diamond where no MMLU-Pro exists)
    for mid in ("grok-4.3", "grok-4.5", "grok-build-0.1"):
        assert "gpqa_diamond" in real.scores[mid] and "aa_lcr" in real.scores[mid]
        assert real.api_latency[mid].output_tokens_per_second
    assert "grok-4.7" not in real.scores  # no published score found: never chosen automatically
    g = real.models["grok-4.3"]
    assert (g.input_usd_per_mtok, g.output_usd_per_mtok, g.context_window_tokens) == (1.25, 2.5, 1_000_000)


@pytest.mark.skipif(not LITELLM_SNAPSHOT.is_file() and not os.environ.get("CI"), reason="LiteLLM snapshot missing")
def test_xai_rows_match_the_litellm_snapshot(real):
    snapshot = json.loads(LITELLM_SNAPSHOT.read_text(encoding="utf-8"))
    for mid in XAI:
        m, entry = real.models[mid], snapshot[real.models[mid].litellm_id]
        assert entry["litellm_provider"] == "xai" and entry.get("deprecation_date") is None
        assert m.input_usd_per_mtok == pytest.approx(entry["input_cost_per_token"] * 1e6)
        assert m.output_usd_per_mtok == pytest.approx(entry["output_cost_per_token"] * 1e6)
        assert m.cached_input_usd_per_mtok == pytest.approx(entry["cache_read_input_token_cost"] * 1e6)
        assert m.long_input_usd_per_mtok == pytest.approx(entry["input_cost_per_token_above_200k_tokens"] * 1e6)
        assert (m.context_window_tokens, m.max_output_tokens) == (entry["max_input_tokens"], entry["max_output_tokens"])


def test_claude_sonnet_5_is_priced_at_its_standard_rate_and_thinks_by_default(real):
    # the introductory $2/$10 ended on 2026-08-31 (data/price_history.csv); adaptive thinking is on
    # by default on Claude Sonnet 5 (platform.claude.com whats-new-sonnet-5)
    m = real.models["claude-sonnet-5"]
    assert (m.input_usd_per_mtok, m.output_usd_per_mtok, m.cached_input_usd_per_mtok) == (3, 15, 0.3)
    assert (m.batch_input_usd_per_mtok, m.batch_output_usd_per_mtok) == (1.5, 7.5)
    assert m.reasoning_by_default


#: issue 15, second pass: current first-party models with published scores (data/benchmarks.csv)
CURRENT = {
    "gpt-5.6-luna": "gpt-5.6-luna",
    "gpt-5.6-terra": "gpt-5.6-terra",
    "gpt-5.6-sol": "gpt-5.6-sol",
    "claude-opus-5": "claude-opus-5",
    "gemini-3.1-flash-lite": "gemini/gemini-3.1-flash-lite",
    "gemini-3.5-flash-lite": "gemini/gemini-3.5-flash-lite",
    "qwen3.8-max": "dashscope/qwen3.8-max",
}


def test_current_models_carry_what_the_engine_needs(real):
    for mid, key in CURRENT.items():
        m = real.models[mid]
        assert m.litellm_id == key and not m.open_weight and m.has_api_price, mid
        assert m.cached_input_usd_per_mtok is not None and m.cached_input_usd_per_mtok < m.input_usd_per_mtok, mid
        assert m.context_window_tokens > m.max_output_tokens > 0 and m.reasoning_by_default, mid
        # qualifies on GPQA Diamond where no MMLU-Pro exists, with a long-context score and a measured speed
        assert {"gpqa_diamond", "aa_lcr"} <= set(real.scores[mid]) and m.quality_score is None, mid
        assert real.api_latency[mid].output_tokens_per_second, mid
    # GPT-5.6 bills input above 272k tokens at twice the price (output 1.5x)
    for mid in ("gpt-5.6-luna", "gpt-5.6-terra", "gpt-5.6-sol"):
        m = real.models[mid]
        assert m.long_context_threshold_tokens == 272000
        assert m.long_input_usd_per_mtok == pytest.approx(2 * m.input_usd_per_mtok)
        assert m.long_output_usd_per_mtok == pytest.approx(1.5 * m.output_usd_per_mtok)
    assert str(real.models["gemini-3.1-flash-lite"].deprecation_date) == "2027-05-07"


@pytest.mark.skipif(not LITELLM_SNAPSHOT.is_file() and not os.environ.get("CI"), reason="LiteLLM snapshot missing")
def test_current_models_match_the_litellm_snapshot(real):
    snapshot = json.loads(LITELLM_SNAPSHOT.read_text(encoding="utf-8"))
    for mid in CURRENT:
        m, entry = real.models[mid], snapshot[CURRENT[mid]]
        assert m.input_usd_per_mtok == pytest.approx(entry["input_cost_per_token"] * 1e6), mid
        assert m.output_usd_per_mtok == pytest.approx(entry["output_cost_per_token"] * 1e6), mid
        assert m.cached_input_usd_per_mtok == pytest.approx(entry["cache_read_input_token_cost"] * 1e6), mid
        if m.batch_input_usd_per_mtok is not None:
            assert m.batch_input_usd_per_mtok == pytest.approx(entry["input_cost_per_token_batches"] * 1e6), mid
            assert m.batch_output_usd_per_mtok == pytest.approx(entry["output_cost_per_token_batches"] * 1e6), mid
        assert (m.context_window_tokens, m.max_output_tokens) == (entry["max_input_tokens"], entry["max_output_tokens"])


#: issue 15, open-weight pass: current open-weight models, the maker as provider, priced at one host
OPEN_CURRENT = {
    "gemma-4-31b": ("Google", "deepinfra/google/gemma-4-31B-it", False),
    "gemma-4-26b-a4b": ("Google", "deepinfra/google/gemma-4-26B-A4B-it", False),
    "kimi-k2.6": ("Moonshot AI", "deepinfra/moonshotai/Kimi-K2.6", True),
}


def test_current_open_weight_models_can_be_hosted_or_self_hosted(real):
    for mid, (maker, key, thinks) in OPEN_CURRENT.items():
        m = real.models[mid]
        assert m.open_weight and m.can_self_host and m.provider == maker and m.litellm_id == key, mid
        assert m.has_api_price and m.reasoning_by_default is thinks, mid
        assert m.active_params_b is not None and m.active_params_b <= m.total_params_b, mid
        # no MMLU-Pro for 2026 models: they qualify on GPQA Diamond, with IFBench and AA-LCR
        assert {"gpqa_diamond", "ifbench", "aa_lcr"} <= set(real.scores[mid]) and m.quality_score is None, mid
        assert real.api_latency[mid].output_tokens_per_second, mid
    # the scores are the variant the API serves by default: Gemma 4 does not think unless asked
    assert real.scores["gemma-4-31b"]["gpqa_diamond"] == pytest.approx(76.3)
    # Gemma 4 26B-A4B: 2.39B of 26B outside the routed experts, 4B active per token
    g = real.models["gemma-4-26b-a4b"]
    assert g.non_expert_params_b == pytest.approx(2.39) and g.non_expert_params_source
    assert (g.layers, g.kv_heads, g.head_dim, g.hidden_size) == (30, 8, 256, 2816)


@pytest.mark.skipif(not LITELLM_SNAPSHOT.is_file() and not os.environ.get("CI"), reason="LiteLLM snapshot missing")
def test_current_open_weight_models_match_the_litellm_snapshot(real):
    snapshot = json.loads(LITELLM_SNAPSHOT.read_text(encoding="utf-8"))
    for mid, (_maker, key, _thinks) in OPEN_CURRENT.items():
        m, entry = real.models[mid], snapshot[key]
        assert entry.get("deprecation_date") is None, mid
        assert m.input_usd_per_mtok == pytest.approx(entry["input_cost_per_token"] * 1e6), mid
        assert m.output_usd_per_mtok == pytest.approx(entry["output_cost_per_token"] * 1e6), mid
        cached = entry.get("cache_read_input_token_cost")
        assert m.cached_input_usd_per_mtok == (pytest.approx(cached * 1e6) if cached else None), mid
        assert (m.context_window_tokens, m.max_output_tokens) == (entry["max_input_tokens"], entry["max_output_tokens"])
