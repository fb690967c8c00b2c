"""The calibration table: every published measurement, its prediction and their ratio,
each within 1.5× (issue 15, "Accuracy of the sizing model")."""

import pytest

from llmstrategy.economics.calibration import METRICS, TOLERANCE, UNITS, compare, load_measurements
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


#: Measurements the model misses by more than 1.5x today, each with why (issue 15 stays open
#: until this is empty). Pinned both ways: a new miss fails, and so does a listed one that now
#: fits (remove it from the list).
KNOWN_OUTSIDE: dict[str, str] = {
    "trtllm10-scout-h100-tp4-1k1k": (
        "1.51 with attention data parallelism modelled (1.66 without): the replicated 11.1B non-expert "
        "parameters cost 33 GB of KV room (batch 1024 -> 987) and every GPU reads its copy each step; on the "
        "same page's decode-heavy Scout shapes (128/2048, 500/2000, 1000/2000) the model stays 1.7-1.8x high on "
        "H100 and 1.2-1.4x on H200, so something H100-specific is missing, most likely memory the engine uses "
        "beyond weights and KV cache (the FP8 checkpoint's BF16 embeddings and LM head, per-rank buffers): "
        "no sourced figure found"
    ),
    "vllm-gptoss120b-mi300x-tp1-1k1k-c256-tpot": (
        "TPOT grows by 27 ms from 64 to 256 sequences (the source's sweep: 31.4, 36.6, 41.3, 58.3 ms at 64, 96, "
        "128, 256, about 0.14 ms per added sequence) where the model's KV reads and compute add 10 ms: per-sequence "
        "costs (MXFP4 dequantisation without FP4 units on CDNA3, MoE routing, scheduling) are not modelled and no "
        "published per-token figure for them was found; the throughput and c64 rows of the same sweep are within 1.5x"
    ),
}


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
    assert {r["model_id"] for r in flagged} == {"llama-4-scout", "llama-4-maverick", "qwen3-235b-a22b"}
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
