"""Self-host sizing: hand-computed memory and speed, layout choice, latency caps,
calibration against published measurements, monotonicity."""

import csv
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from conftest import DATA, make_profile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_calibration import KNOWN_OUTSIDE

from llmstrategy.economics.api import RequestShape
from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.replica_memory import (
    embedding_params,
    kv_cache_bytes_per_token,
    replica_weights_gb,
    weights_gb,
)
from llmstrategy.economics.serving import self_host_settings, size_fleet
from llmstrategy.economics.sizing import (
    SizingParams,
    allreduce_s,
    decode_step_s,
    efficiencies,
    peak_tflops,
    prefill_s,
    serving_tpot_s,
    size_replica,
)
from llmstrategy.inputs.catalog import load_catalog

CAT = load_catalog()
P = SizingParams.from_catalog(CAT)


def _no_vocab(mid: str):
    """The catalog model without its vocabulary size: the hand computations below leave the BF16
    embedding and LM head out (test_embedding_and_lm_head_stay_bf16_in_quantised_checkpoints adds them)."""
    return CAT.models[mid].model_copy(update={"vocab_size": None})


L70, L8, L405 = _no_vocab("llama-3.1-70b"), _no_vocab("llama-3.1-8b"), _no_vocab("llama-3.1-405b")
H100 = CAT.gpus["h100-sxm"]


def _size(
    model, gpu, precision, tp, pp=1, *, inp=1000, out=500, latency="batch", tpot=50.0, ttft=2000.0, params=P, adp=False
):
    return size_replica(
        model,
        gpu,
        precision,
        tp,
        pp,
        input_tokens=inp,
        output_tokens=out,
        latency=latency,
        tpot_slo_ms=tpot,
        ttft_slo_ms=ttft,
        params=params,
        attention_dp=adp,
    )


def test_memory_hand_computed():
    assert weights_gb(L70, "bf16") == pytest.approx(70.6 * 2)
    assert weights_gb(L70, "fp8") == pytest.approx(70.6)
    assert weights_gb(L70, "int4") == pytest.approx(70.6 * 0.5)
    # 2 × 80 layers × 8 KV heads × 128 head dim × 1 byte (FP8 KV cache)
    assert kv_cache_bytes_per_token(L70, "fp8") == 2 * 80 * 8 * 128
    assert kv_cache_bytes_per_token(L70, "bf16") == 2 * 80 * 8 * 128 * 2


def test_70b_fp8_on_one_80gb_gpu_has_almost_no_room_for_kv_cache():
    one, two = _size(L70, H100, "fp8", 1), _size(L70, H100, "fp8", 2)
    # vLLM's room: the driver's 81,559 MiB x 0.9 - 70.6 GB weights - runtime memory (0.27 GiB
    # non-torch + 1.03 GiB CUDA graphs; no logits term without a vocabulary) = 4.97 GB; a sequence
    # averages 1000 + 250 tokens
    room = 81559 * 2**20 * 0.9 / 1e9 - 70.6 - (0.27 + 1.03) * 2**30 / 1e9
    assert one.fits and one.kv_budget_gb == pytest.approx(room) and room == pytest.approx(4.97, abs=0.01)
    assert one.memory_batch == int(room * 1e9 // (2 * 80 * 8 * 128 * 1250)) == 24
    # two GPUs: each keeps 2.1 GiB of NCCL buffers, and the room is 15x larger
    assert two.kv_budget_gb == pytest.approx(2 * (81559 * 2**20 * 0.9 / 1e9 - 35.3 - (2.1 + 1.03) * 2**30 / 1e9))
    assert two.memory_batch > 10 * one.memory_batch
    assert two.output_tokens_per_second_per_gpu > 2 * one.output_tokens_per_second_per_gpu
    # BF16 does not fit on one GPU at all, and 405B BF16 fits in no single node
    assert not _size(L70, H100, "bf16", 1).fits
    assert not _size(L405, H100, "bf16", 8).fits and _size(L405, H100, "bf16", 8, 2).fits


def test_decode_step_roofline_hand_computed():
    # 8B BF16, batch 1, 1250-token average context on one H100:
    # weights 8.03e9 × 2 bytes, then the KV cache (2 × 32 × 8 × 128 × 2) × 1250, both at 3.35e12 × 0.75
    bw = 3.35e12 * P.bandwidth_efficiency
    expected = 8.03e9 * 2 / bw + 131072 * 1250 / bw
    got = decode_step_s(L8, H100, "bf16", 1, 1, np.array([1.0]), 1250.0, P)[0]
    assert got == pytest.approx(expected)
    # a huge batch: the weight GEMMs become compute-bound, 2 × 8.03e9 × B / (989e12 × efficiency),
    # and the attention kernels still read every sequence's KV cache after them
    b = 100_000.0
    cmp_ = 2 * 8.03e9 * b / (989e12 * P.compute_efficiency)
    assert cmp_ > 8.03e9 * 2 / bw
    got = decode_step_s(L8, H100, "bf16", 1, 1, np.array([b]), 1250.0, P)[0]
    assert got == pytest.approx(cmp_ + b * 131072 * 1250 / bw)


def test_tensor_parallel_all_reduce_hand_computed_pcie_vs_nvlink():
    # 70B, TP4, one token: 2 all-reduces × 80 layers × 8192 hidden × 2 bytes, ring share 2 × 3/4,
    # over one direction of the link: H100 NVLink 900/2 GB/s, L40S PCIe Gen4 x16 64/2 GB/s
    volume = 2 * 80 * 8192 * 2 * 1.5
    assert allreduce_s(L70, H100, 4, 1.0) == pytest.approx(volume / 450e9)
    l40s = CAT.gpus["l40s"]
    assert allreduce_s(L70, l40s, 4, 1.0) == pytest.approx(volume / 32e9)
    assert allreduce_s(L70, H100, 1, 1.0) == 0.0
    # a batch of 256 on 4 × L40S spends ~31 ms a step on PCIe all-reduce, on 4 × H100 ~2 ms
    b = np.array([256.0])
    pcie = decode_step_s(L70, l40s, "fp8", 4, 1, b, 1250.0, P)[0]
    no_link = decode_step_s(L70, l40s.model_copy(update={"nvlink_gb_s": 1e6}), "fp8", 4, 1, b, 1250.0, P)[0]
    assert pcie - no_link == pytest.approx(256 * volume / 32e9, rel=1e-3) and pcie - no_link > 0.025


def test_a_gpu_with_measured_efficiencies_uses_them():
    """MI300X carries its own measured bandwidth and compute shares (gpus.csv, with source);
    CUDA GPUs leave them blank and take the self_host defaults."""
    mi = CAT.gpus["mi300x"]
    assert mi.memory_bandwidth_efficiency and mi.compute_efficiency and mi.efficiency_source
    assert H100.memory_bandwidth_efficiency is None and efficiencies(H100, P) == (
        P.bandwidth_efficiency,
        P.compute_efficiency,
    )
    one = decode_step_s(L8, mi, "bf16", 1, 1, np.array([1.0]), 1250.0, P)[0]
    datasheet = decode_step_s(
        L8, mi.model_copy(update={"memory_bandwidth_efficiency": None}), "bf16", 1, 1, np.array([1.0]), 1250.0, P
    )[0]
    assert one / datasheet == pytest.approx(P.bandwidth_efficiency / mi.memory_bandwidth_efficiency)


def test_each_all_reduce_pays_its_latency_whatever_its_size():
    """Alpha-beta: 2 all-reduces per layer, each ``allreduce_latency_us`` plus its bytes over the link;
    at one token the latency is nearly all of it (126 layers x 2 x 9 us = 2.3 ms for Llama 3.1 405B)."""
    alpha = float(CAT.value("self_host.allreduce_latency_us"))
    assert alpha > 0 and P.allreduce_latency_us == alpha
    for tokens in (1.0, 4096.0):
        bare = allreduce_s(L405, H100, 8, tokens)
        assert allreduce_s(L405, H100, 8, tokens, alpha) - bare == pytest.approx(2 * L405.layers * alpha * 1e-6)
    assert allreduce_s(L405, H100, 8, 1.0, alpha) > 50 * allreduce_s(L405, H100, 8, 1.0)  # latency-bound
    assert allreduce_s(L405, H100, 1, 1.0, alpha) == 0.0  # one GPU: no all-reduce, no latency
    one = decode_step_s(L405, H100, "fp8", 8, 1, np.array([1.0]), 1250.0, P)[0]
    without = decode_step_s(L405, H100, "fp8", 8, 1, np.array([1.0]), 1250.0, replace(P, allreduce_latency_us=0.0))[0]
    assert one - without == pytest.approx(2 * L405.layers * alpha * 1e-6)


def test_interactive_batch_is_capped_by_the_tpot_target():
    tpot = 33.0  # one sequence: ≈ 31.6 ms per token on 8 × H100 (FP8); 64 sequences: ≈ 56 ms
    inter = _size(L405, H100, "fp8", 8, latency="interactive", tpot=tpot, ttft=10_000)
    batch = _size(L405, H100, "fp8", 8, latency="batch")
    assert inter.fits and inter.time_per_output_token_ms <= tpot
    assert inter.batch_size < batch.batch_size
    b = inter.batch_size + 1.0  # one more sequence would break the target (its step + others' prefills)
    step = decode_step_s(L405, H100, "fp8", 8, 1, np.array([b]), 1250.0, P)[0]
    pre = prefill_s(L405, H100, "fp8", 8, 1, 1000.0, P)
    assert (step + (b - 1) * pre / 500.0) * 1000 > tpot
    assert serving_tpot_s(step, 1, b, pre, 500.0) * 1000 == pytest.approx((step + (b - 1) * pre / 500.0) * 1000)
    assert inter.output_tokens_per_second_per_gpu < batch.output_tokens_per_second_per_gpu
    impossible = _size(L405, H100, "fp8", 8, latency="interactive", tpot=1.0)
    assert not impossible.fits and "per token" in impossible.reason


def test_fleet_picks_the_layout_with_fewest_gpus(tmp_path):
    p = make_profile(
        requests_per_day=2_000_000,
        latency="batch",
        assumptions={"self_host_model": "llama-3.1-70b", "gpu": "h100-sxm", "precision": "fp8"},
    )
    ctx = pricing_context(p, CAT, on_date=date(2026, 11, 23))
    s = self_host_settings(ctx)
    req = np.array([1e3, 2_000_000 * 365 / 12])
    fleet = size_fleet(L70, H100, RequestShape(1000, 500), req, ctx, s)
    assert not isinstance(fleet, str)
    chosen = fleet.fitting[int(fleet.chosen[1])]
    assert chosen.tensor_parallel >= 2  # TP1 has almost no KV room
    gpus_tp1 = fleet.gpus[1]
    one = next(r for r in fleet.fitting if r.tensor_parallel == 1)
    avg_rps = req[1] / (365 / 12 * 86400)
    assert gpus_tp1 < avg_rps / (one.requests_per_second * s.gpu_utilization)
    assert (
        fleet.gpus[0] == chosen.gpus_per_replica
        or fleet.gpus[0] == fleet.fitting[int(fleet.chosen[0])].gpus_per_replica
    )


def _measurements():
    with (DATA / "measurements.csv").open() as fh:
        return list(csv.DictReader(fh))


def test_at_least_three_cited_measurements_across_sizes_and_gpus():
    rows = _measurements()
    assert len(rows) >= 3
    assert len({r["model_id"] for r in rows}) >= 3 and len({r["gpu_id"] for r in rows}) >= 2
    assert all(r["source"].startswith("http") and r["as_of"] for r in rows)


@pytest.mark.parametrize(
    "row",
    [
        r
        for r in _measurements()
        if r["metric"] == "output_tokens_per_second_per_gpu" and not r["concurrency"] and r["id"] not in KNOWN_OUTSIDE
    ],
    ids=lambda r: r["id"],
)
def test_calibration_within_2x_of_each_published_max_throughput(row):
    """Max-throughput rows through ``size_replica`` directly (the 1.5× check of every row,
    latency rows included, is tests/economics/test_calibration.py)."""
    m, g = CAT.models[row["model_id"]], CAT.gpus[row["gpu_id"]]
    params = replace(P, max_batch_size=int(row["max_batch_size"])) if row["max_batch_size"] else P
    shape = {"inp": float(row["input_tokens"]), "out": float(row["output_tokens"])}
    s = _size(m, g, row["precision"], int(row["gpus"]), params=params, adp=row["attention_dp"] == "true", **shape)
    assert s.fits
    ratio = s.output_tokens_per_second_per_gpu / float(row["value"])
    assert 0.5 <= ratio <= 2.0, f"{row['id']}: predicted/measured = {ratio:.2f}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bw_factor=st.floats(1.0, 4.0), rpd=st.floats(1e3, 5e7), batch=st.booleans())
def test_more_bandwidth_never_needs_more_gpus(bw_factor, rpd, batch):
    p = make_profile(
        requests_per_day=rpd,
        latency="batch" if batch else "interactive",
        assumptions={"self_host_model": "llama-3.1-70b", "gpu": "h100-sxm"},
    )
    ctx = pricing_context(p, CAT, on_date=date(2026, 11, 23))
    s = self_host_settings(ctx)
    req = np.array([rpd * 365 / 12])
    faster = H100.model_copy(update={"memory_bandwidth_tb_s": H100.memory_bandwidth_tb_s * bw_factor})
    a = size_fleet(L70, H100, RequestShape(1000, 500), req, ctx, s)
    b = size_fleet(L70, faster, RequestShape(1000, 500), req, ctx, s)
    assert not isinstance(a, str) and not isinstance(b, str)
    assert b.gpus[0] <= a.gpus[0] + 1e-9


# --- attention data parallelism: the non-expert weights on every GPU -------------------------------------------

MAVERICK, SCOUT = _no_vocab("llama-4-maverick"), _no_vocab("llama-4-scout")


def test_attention_dp_keeps_a_copy_of_the_non_expert_weights_on_every_gpu():
    """Hand-computed: Maverick FP8 on 8 GPUs holds 400 GB sharded once; under attention data
    parallelism 7 more copies of its 14.16B non-expert parameters (1 byte each in FP8)."""
    assert MAVERICK.non_expert_params_b == pytest.approx(14.16)
    assert replica_weights_gb(MAVERICK, "fp8", 8) == pytest.approx(400.0)
    assert replica_weights_gb(MAVERICK, "fp8", 8, attention_dp=True) == pytest.approx(400.0 + 7 * 14.16)
    assert replica_weights_gb(MAVERICK, "bf16", 1, attention_dp=True) == pytest.approx(800.0)  # one GPU: no copy
    plain = _size(MAVERICK, H100, "fp8", 8, inp=1000, out=1000, params=replace(P, max_batch_size=4096))
    adp = _size(MAVERICK, H100, "fp8", 8, inp=1000, out=1000, params=replace(P, max_batch_size=4096), adp=True)
    # 8 x 81,559 MiB x 0.9 - 400 GB - 8 x (2.1 + 1.03) GiB of runtime memory = 188.9 GB of KV cache
    # room becomes 188.9 - 99 = 89.7 GB
    room = 8 * (81559 * 2**20 * 0.9 / 1e9 - (2.1 + 1.03) * 2**30 / 1e9) - 400.0
    assert plain.kv_budget_gb == pytest.approx(room) and room == pytest.approx(188.86, abs=0.01)
    assert adp.kv_budget_gb == pytest.approx(room - 7 * 14.16)
    per_seq_gb = kv_cache_bytes_per_token(MAVERICK, "fp8") * 1500 / 1e9
    assert adp.memory_batch == int(adp.kv_budget_gb // per_seq_gb) < 0.5 * plain.memory_batch
    assert adp.output_tokens_per_second_per_gpu < 0.6 * plain.output_tokens_per_second_per_gpu


def test_attention_dp_reads_every_gpus_copy_each_step():
    """At a batch that touches every expert, a step reads total + (GPUs - 1) x non-expert bytes:
    with compute and KV cache negligible (one-token context), the step grows by that ratio."""
    b = np.array([4096.0])
    fast = replace(P, compute_efficiency=1.0)
    tiny = H100.model_copy(update={"bf16_dense_tflops": 1e9, "fp8_dense_tflops": 1e9})  # compute never binds
    t_ar = allreduce_s(SCOUT, tiny, 4, b, fast.allreduce_latency_us)
    t_plain = decode_step_s(SCOUT, tiny, "fp8", 4, 1, b, 1.0, fast) - t_ar
    t_adp = decode_step_s(SCOUT, tiny, "fp8", 4, 1, b, 1.0, fast, attention_dp=True) - t_ar
    assert t_adp[0] / t_plain[0] == pytest.approx((109.0 + 3 * 11.13) / 109.0, rel=1e-3)


def test_attention_dp_without_a_non_expert_count_is_an_error():
    with pytest.raises(ValueError, match=r"non_expert_params_b for llama-3\.1-70b"):
        _size(L70, H100, "fp8", 4, adp=True)


def test_non_expert_count_needs_its_source_and_fits_in_the_total(tmp_path):
    from llmstrategy.errors import CatalogError
    from llmstrategy.inputs.catalog import load_models

    with (DATA / "models.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    cases = (({"non_expert_params_b": "500"}, "at least as large"), ({"non_expert_params_source": ""}, "give"))
    for change, message in cases:
        edited = [dict(r, **change) if r["id"] == "llama-4-maverick" else r for r in rows]  # 400B in all
        with (tmp_path / "models.csv").open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(edited)
        with pytest.raises(CatalogError, match=f"llama-4-maverick.*{message}") as err:
            load_models(tmp_path / "models.csv")
        assert err.value.field == "non_expert_params_b"


def test_embedding_and_lm_head_stay_bf16_in_quantised_checkpoints():
    """2 × vocabulary × hidden parameters at 2 bytes whatever the precision: more memory per copy
    (every GPU's copy under attention data parallelism); per step the LM head is read at 2 bytes and
    the embedding table not at all (a lookup of B rows). No vocabulary size: no change."""
    scout = SCOUT
    assert CAT.models["llama-4-scout"].vocab_size == 202048  # models.csv, from its config.json
    assert embedding_params(scout) == 0.0 and replica_weights_gb(scout, "fp8", 4, True) == pytest.approx(
        (109 + 3 * 11.13) * 1.0
    )
    v = scout.model_copy(update={"vocab_size": 202048})
    emb = 2 * 202048 * 5120
    assert embedding_params(v) == emb
    assert replica_weights_gb(v, "fp8", 4, True) - replica_weights_gb(scout, "fp8", 4, True) == pytest.approx(
        4 * emb * 1.0 / 1e9
    )
    assert replica_weights_gb(v, "fp8", 4) - replica_weights_gb(scout, "fp8", 4) == pytest.approx(emb / 1e9)
    assert replica_weights_gb(v, "bf16", 4) == replica_weights_gb(scout, "bf16", 4)
    b = np.array([1.0])
    l8v = L8.model_copy(update={"vocab_size": 128256})
    step = {p: decode_step_s(L8, H100, p, 1, 1, b, 1250.0, P)[0] for p in ("bf16", "fp8", "int4")}
    step_v = {p: decode_step_s(l8v, H100, p, 1, 1, b, 1250.0, P)[0] for p in ("bf16", "fp8", "int4")}
    bw = H100.memory_bandwidth_tb_s * 1e12 * P.bandwidth_efficiency
    lm = 128256 * 4096
    assert step_v["fp8"] == pytest.approx(step["fp8"])  # LM head +1 byte, embedding −1 byte
    assert step_v["int4"] - step["int4"] == pytest.approx(lm * 1.0 / bw)  # 2 − 0.5 − 0.5
    assert step["bf16"] - step_v["bf16"] == pytest.approx(lm * 2.0 / bw)  # the embedding is not streamed


def test_weight_only_int4_and_mxfp4_compute_at_the_bf16_rate():
    """GPUs without FP4 units (H100, H200, A100, MI300X: CDNA3 has none) dequantise 4-bit weights
    in the kernel (vLLM on ROCm: triton matmul_ogs, mxfp4_w4a16): BF16 math, half a byte per weight."""
    for gid in ("h100-sxm", "h200", "a100-80gb", "mi300x"):
        g = CAT.gpus[gid]
        assert peak_tflops(g, "int4") == g.bf16_dense_tflops
    assert weights_gb(CAT.models["gpt-oss-120b"], "int4") == pytest.approx(116.8 * 0.5)


def test_interactive_tpot_counts_the_prefills_of_the_requests_in_flight():
    """Long inputs and short outputs: the prefills that run inside the batch dominate, so the
    interactive batch is smaller than the bare decode step would allow."""
    inter = _size(L70, H100, "fp8", 4, inp=8000, out=100, latency="interactive", tpot=50.0, ttft=10_000)
    assert inter.fits
    pre = prefill_s(L70, H100, "fp8", 4, 1, 8000.0, P)
    b = float(inter.batch_size)
    step = decode_step_s(L70, H100, "fp8", 4, 1, np.array([b]), 8050.0, P)[0]
    assert inter.time_per_output_token_ms == pytest.approx((step + (b - 1) * pre / 100.0) * 1000)
    bare = decode_step_s(L70, H100, "fp8", 4, 1, np.array([b + 1.0]), 8050.0, P)[0]
    assert bare * 1000 < 50.0  # the bare step would have let one more sequence in
    # the throughput counts every prefill once: b sequences' output over b prefills and 100 steps
    assert inter.output_tokens_per_second_per_gpu == pytest.approx(b * 100 / (b * pre + 100 * step) / 4)
