"""The calibration table: every published measurement, its prediction and their ratio,
each within 1.5× (issue 15, "Accuracy of the sizing model")."""

import pytest

from llmstrategy.economics.calibration import METRICS, TOLERANCE, compare, load_measurements
from llmstrategy.inputs.catalog import load_catalog

CAT = load_catalog()
ROWS = load_measurements(CAT.data_dir / "measurements.csv")
TABLE = {r["measurement"]: r for r in compare(CAT, ROWS)}


def test_table_lists_every_measurement_with_prediction_and_ratio():
    assert list(TABLE) == [r["id"] for r in ROWS]
    for row in TABLE.values():
        assert row["predicted_tokens_per_s_per_gpu"] > 0 and row["measured_tokens_per_s_per_gpu"] > 0
        assert row["ratio"] == pytest.approx(
            row["predicted_tokens_per_s_per_gpu"] / row["measured_tokens_per_s_per_gpu"]
        )


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
    "trtllm017-l31-70b-l40s-tp4-500-2000": "PCIe-only all-reduce on 4x L40S: the parallelism penalty is too mild",
    "trtllm10-maverick-h200-tp8-1k1k": "TensorRT-LLM runs MoE batches far above the 256-sequence cap of the model",
    "vllm-rocm-l31-405b-mi300x-tp8-128-128": "MI300X with ROCm reaches well under its datasheet roofline",
    "vllm-rocm-l31-405b-mi300x-tp8-128-2048": "MI300X with ROCm reaches well under its datasheet roofline",
    "vllm-rocm-l31-405b-mi300x-tp8-latency-b64": "MI300X with ROCm reaches well under its datasheet roofline",
    "vllm-rocm-l31-405b-mi300x-tp8-latency-b256": "MI300X with ROCm reaches well under its datasheet roofline",
    "vllm-gptoss120b-mi300x-tp1-1k1k-c64-tpot": "MI300X with ROCm reaches well under its datasheet roofline",
    "vllm-gptoss120b-mi300x-tp1-1k1k-c256-tpot": "MI300X with ROCm reaches well under its datasheet roofline",
    "vllm-gptoss120b-mi300x-tp1-1k1k-c256": "MI300X with ROCm reaches well under its datasheet roofline",
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
