"""The calibration table: every published measurement, its prediction and their ratio,
each within 1.5× (issue 15, "Accuracy of the sizing model")."""

import pytest

from llmstrategy.economics.calibration import (
    METRICS,
    TOLERANCE,
    UNITS,
    compare,
    load_measurements,
    within_tolerance,
)
from llmstrategy.economics.sizing import SizingParams
from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import load_catalog

CAT = load_catalog()
ROWS = load_measurements(CAT.data_dir / "measurements.csv")
TABLE = {r["measurement"]: r for r in compare(CAT, ROWS)}


def test_table_lists_every_measurement_with_prediction_and_ratio():
    assert list(TABLE) == [r["id"] for r in ROWS]
    for row in TABLE.values():
        assert row["predicted"] > 0 and row["measured"] > 0
        assert row["ratio"] == pytest.approx(row["predicted"] / row["measured"])
        assert row["unit"] == UNITS[row["metric"]]  # TPOT rows in ms, latency rows in s, not tokens/s


def test_report_table_says_how_many_rows_fit_and_why_the_others_miss():
    from llmstrategy.notebook.models import calibration_table

    class _S:
        catalog = CAT

    html = calibration_table.__wrapped__(_S()).to_html()
    inside = len(TABLE) - len(KNOWN_OUTSIDE)
    assert KNOWN_OUTSIDE and f"{inside} of {len(TABLE)} within 1.5×, the others say why" in html
    assert "why outside 1.5×" in html
    why = next(iter(KNOWN_OUTSIDE.values()))
    assert why[:60].replace("'", "&#x27;") in html.replace("&#39;", "&#x27;")
    assert all(TABLE[m]["why outside 1.5×"] == w for m, w in KNOWN_OUTSIDE.items())


def test_report_table_shows_each_row_in_its_own_unit():
    from llmstrategy.notebook.models import calibration_table

    class _S:
        catalog = CAT

    html = calibration_table.__wrapped__(_S()).to_html()  # the cell function itself, not its live area
    assert "Measured tokens/s per GPU" not in html
    assert "12.8 ms per output token" in html and "3.53 s per request" in html
    assert "15,245 output tokens/s per GPU" in html


def test_max_throughput_rows_use_the_engines_own_batch_cap():
    """A max-throughput row is sized up to the engine's ``max_batch_size`` of that run (the
    trtllm-bench heuristic for TensorRT-LLM, not vLLM's 256): a smaller cap predicts less."""
    row = next(r for r in ROWS if r["id"] == "trtllm10-maverick-h200-tp8-1k1k")
    assert int(row["max_batch_size"]) > 256
    capped = compare(CAT, [dict(row, max_batch_size="256")])[0]
    assert capped["predicted"] < 0.5 * TABLE[row["id"]]["predicted"]
    # blank: the default self_host.max_batch_size
    assert SizingParams.from_catalog(CAT).max_batch_size == 256
    assert compare(CAT, [dict(row, max_batch_size="")])[0]["predicted"] == pytest.approx(capped["predicted"])


def test_at_least_20_sourced_measurements_across_engines_gpus_and_metrics():
    assert len(ROWS) >= 20
    assert all(r["source"].startswith("http") and r["as_of"] and r["notes"] for r in ROWS)
    assert {r["metric"] for r in ROWS} == set(METRICS)
    assert len({r["gpu_id"] for r in ROWS}) >= 5
    engines = " ".join(r["framework"] for r in ROWS)
    assert all(e in engines for e in ("TensorRT-LLM", "vLLM", "SGLang"))
    moe = [r for r in ROWS if CAT.models[r["model_id"]].active_params_b != CAT.models[r["model_id"]].total_params_b]
    assert moe and len(moe) < len(ROWS)
    # time per output token at a given batch is checked against a measured latency
    assert any(r["metric"] == "time_per_output_token_ms" and r["concurrency"] for r in ROWS)
    # B200 (issue 15): FP8 runs from two engines, both a time per output token and a throughput
    b200 = [r for r in ROWS if r["gpu_id"] == "b200"]
    assert len(b200) >= 6 and all(r["precision"] == "fp8" for r in b200)
    assert {r["metric"] for r in b200} >= {"time_per_output_token_ms", "output_tokens_per_second_per_gpu"}
    engines_b200 = {e for e in ("SGLang", "TensorRT-LLM") if any(e in r["framework"] for r in b200)}
    assert engines_b200 == {"SGLang", "TensorRT-LLM"}
    inside = [r for r in b200 if r["id"] not in KNOWN_OUTSIDE]
    assert len(inside) >= 6 and all(1 / TOLERANCE <= TABLE[r["id"]]["ratio"] <= TOLERANCE for r in inside)


#: Measurements the model misses by more than 1.5x today: the rows of measurements.csv that say why
#: (``outside_tolerance_why``, shown next to the ratio in the report). Pinned both ways: a new miss
#: fails, and so does a listed one that now fits (blank its reason).
KNOWN_OUTSIDE: dict[str, str] = {r["id"]: r["outside_tolerance_why"] for r in ROWS if r["outside_tolerance_why"]}


@pytest.mark.parametrize("mid", list(TABLE))
def test_each_prediction_within_tolerance_of_its_measurement(mid):
    ratio = TABLE[mid]["ratio"]
    inside = 1 / TOLERANCE <= ratio <= TOLERANCE
    if mid in KNOWN_OUTSIDE:
        assert not inside, f"{mid} is now within {TOLERANCE}x ({ratio:.2f}): remove it from KNOWN_OUTSIDE"
    else:
        assert inside, f"{mid}: predicted/measured = {ratio:.2f}"


def test_most_measurements_are_within_tolerance():
    assert set(KNOWN_OUTSIDE) <= set(TABLE)
    assert len(TABLE) - len(KNOWN_OUTSIDE) >= 20


def test_attention_dp_rows_are_the_sourced_moe_runs():
    """The flag is set only where the source says the run used attention data parallelism
    (TensorRT-LLM's MoE command), on MoE models with a sourced non-expert count, and it moves
    the prediction: without it the Maverick H100 run is predicted 2x too high."""
    flagged = [r for r in ROWS if r["attention_dp"] == "true"]
    assert {r["model_id"] for r in flagged} == {"llama-4-scout", "llama-4-maverick", "qwen3-235b-a22b", "gpt-oss-120b"}
    assert all(r["attention_dp"] in ("", "true") for r in ROWS)
    for r in flagged:
        m = CAT.models[r["model_id"]]
        assert m.non_expert_params_b and m.non_expert_params_source and m.active_params_b < m.total_params_b
        assert "enable_attention_dp: true" in r["notes"] and "perf-overview.md" in r["source"]
        assert "attention data parallel" in TABLE[r["id"]]["gpu"]
    row = next(r for r in ROWS if r["id"] == "trtllm10-maverick-h100-tp8-1k1k")
    sharded = compare(CAT, [dict(row, attention_dp="")])[0]
    assert sharded["ratio"] > 2.0 and 1 / TOLERANCE <= TABLE[row["id"]]["ratio"] <= TOLERANCE
    with pytest.raises(CatalogError, match="attention_dp 'yes'"):
        compare(CAT, [dict(row, attention_dp="yes")])


VOCAB = {  # the values requested for models.csv's vocab_size (each model's config.json)
    "llama-3.1-8b": 128256,
    "llama-3.1-70b": 128256,
    "llama-3.3-70b": 128256,
    "llama-3.1-405b": 128256,
    "mixtral-8x7b": 32000,
    "llama-4-scout": 202048,
    "llama-4-maverick": 202048,
    "qwen3-235b-a22b": 151936,
    "deepseek-r1": 129280,
    "gpt-oss-120b": 201088,
}


def _with_vocab(on: bool = True):
    """The catalog with the vocabulary sizes above (``on``), or with none."""
    from dataclasses import replace

    models = dict(CAT.models)
    for k, v in VOCAB.items():
        models[k] = models[k].model_copy(update={"vocab_size": v if on else None})
    return replace(CAT, models=models)


def test_every_row_within_tolerance_once_models_have_a_vocabulary_size():
    """Issue 15's target: with the BF16 embedding and LM head of quantised checkpoints counted
    (a vocabulary size per model) and GPU memory at the driver's total less the engine's runtime
    memory, every measurement but the listed ones (KNOWN_OUTSIDE, a low-concurrency latency floor the
    roofline lacks) is within 1.5x, Llama 4 Scout on 4 x H100 too. Where memory binds the batch
    (Scout on 4 x H100, Maverick on 8 x H100) the BF16 head and embedding take KV-cache room: a
    smaller batch, a lower prediction."""
    assert {r["model_id"] for r in ROWS} <= set(VOCAB)
    assert all(CAT.models[k].vocab_size == v for k, v in VOCAB.items())  # models.csv carries them
    table = {r["measurement"]: r for r in compare(_with_vocab(), ROWS)}
    bare = {r["measurement"]: r for r in compare(_with_vocab(on=False), ROWS)}
    assert {m for m, r in table.items() if not 1 / TOLERANCE <= r["ratio"] <= TOLERANCE} == set(KNOWN_OUTSIDE)
    assert within_tolerance(list(table.values())) == len(table) - len(KNOWN_OUTSIDE)  # the report's "N of M"
    scout = table["trtllm10-scout-h100-tp4-1k1k"]
    assert scout["predicted"] < bare["trtllm10-scout-h100-tp4-1k1k"]["predicted"]  # less KV room, smaller batch
    assert scout["ratio"] == pytest.approx(1.48, abs=0.01)
    mav = "trtllm10-maverick-h100-tp8-1k1k"
    assert table[mav]["predicted"] < 0.95 * bare[mav]["predicted"]
    assert 1 / TOLERANCE <= table[mav]["ratio"] <= TOLERANCE
    # FP8: the LM head read at 2 bytes and the embedding table not read cancel; max-throughput rows
    # of dense FP8 models move only through memory
    row = "trtllm10-l31-8b-h200-500-2000"
    assert table[row]["ratio"] == pytest.approx(bare[row]["ratio"], abs=0.01)


def test_time_per_output_token_at_concurrency_counts_the_other_requests_prefills():
    """A serving benchmark's TPOT ((latency - TTFT) / (output - 1), vLLM and SGLang bench) includes the
    prefills of the requests that replace finished ones: step + (C - 1) x prefill / output tokens.
    Without them gpt-oss-120b at 256 sequences on one MI300X was predicted at 0.50x."""
    from llmstrategy.economics.sizing import at_batch, prefill_s

    tpot_rows = [r for r in ROWS if r["metric"] == "time_per_output_token_ms"]
    assert tpot_rows and all(r["concurrency"] for r in tpot_rows)  # each checked at its own batch
    row = next(r for r in ROWS if r["id"] == "vllm-gptoss120b-mi300x-tp1-1k1k-c256-tpot")
    m, g = CAT.models[row["model_id"]], CAT.gpus[row["gpu_id"]]
    p = SizingParams.from_catalog(CAT)
    ab = at_batch(m, g, "int4", 1, 1, 256, input_tokens=921.5, output_tokens=921.5, params=p)
    pre_ms = prefill_s(m, g, "int4", 1, 1, 921.5, p) * 1000
    assert ab["time_per_output_token_ms"] == pytest.approx(ab["decode_step_ms"] + 255 * pre_ms / 921.5)
    assert TABLE[row["id"]]["predicted"] == pytest.approx(ab["time_per_output_token_ms"])
    assert ab["decode_step_ms"] / float(row["value"]) < 1 / TOLERANCE  # the bare step alone misses
    # and the same sweep's throughput is C / TPOT: the two predictions agree as the measurements do
    thr = TABLE["vllm-gptoss120b-mi300x-tp1-1k1k-c256"]
    assert thr["predicted"] * ab["time_per_output_token_ms"] / 1000 == pytest.approx(256, rel=0.01)


def test_inferencex_rows_use_the_mean_request_shape():
    """InferenceX draws lengths uniformly from [0.8 x 1024, 1024] (--random-range-ratio 0.8): the
    requests average 921.5 tokens in and out, not the configured 1024."""
    rows = [r for r in ROWS if "InferenceX" in r["framework"]]
    assert len(rows) == 16
    assert all(r["input_tokens"] == r["output_tokens"] == "921.5" for r in rows)
    assert all("random-range-ratio 0.8" in r["notes"] and "[819, 1024]" in r["notes"] for r in rows)
    assert TABLE[rows[0]["id"]]["input/output tokens"] == "921.5/921.5"
