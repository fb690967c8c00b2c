"""Self-host sizing from first principles: memory fit, a roofline for speed, latency caps.

Glossary (units in names): ``*_gb`` [GB = 1e9 bytes], ``*_s`` [seconds], ``*_ms``
[milliseconds], ``tflops`` [1e12 FLOP/s], ``tb_s`` [1e12 bytes/s].

Memory (one replica over ``tp × pp`` GPUs):
  weights = parameters × bytes per parameter (bf16 2, fp8 1, int4 0.5), the embedding and LM
  head in BF16 at any precision (:func:`embedding_params`; each decode step reads the LM head,
  not the embedding table);
  KV cache of a sequence at context c = 2 × KV heads × head dim × bytes per element (fp8 1,
  else 2) × (global layers × c + local layers × min(c, window)) (:func:`kv_cache_bytes`: the
  sliding-window / chunked layers of ``models.csv`` ``local_attention_*`` keep only their window;
  without them every layer is global, 2 × layers × KV heads × head dim × bytes per token);
  KV-cache room = what the engine leaves of the driver's memory (:mod:`.gpu_memory`) after the
  weights and its runtime memory (:mod:`.runtime_memory`); it must hold one full-length request;
  the batch it holds is the room / a sequence's KV cache at its average length (input + output / 2).
  Tensor and expert parallelism shard every weight once over the replica's GPUs; attention
  data parallelism (``attention_dp``: each GPU runs attention for its own sequences, only the
  routed experts are sharded) keeps a copy of the non-expert parameters (``models.csv``
  ``non_expert_params_b``) on every GPU: weights = (total + (GPUs − 1) × non-expert) × bytes.

Speed (a roofline per kernel class, per decode step of a batch of B sequences):
  weight bytes = active weight bytes (MoE: share of experts that B tokens touch, 1 − (1 − a)^B
  with a = active / total parameters; under attention data parallelism every GPU reads its own
  copy of the non-expert weights each step, GPUs × non-expert, plus the experts the B tokens
  touch, a = active experts' share of the expert parameters); KV bytes = B × KV cache at the average context;
  BW = GPUs × bandwidth × bandwidth efficiency; peak = GPUs × peak FLOP/s × compute efficiency
  (efficiencies: the GPU's own measured ones in ``gpus.csv`` when given, else ``self_host.*``);
  the weight GEMMs take max(weight bytes / BW, 2 × active parameters × B / peak) and the
  attention kernels, which run after them, read the KV cache: + KV bytes / BW;
  step = that × (1 + TP penalty × log2(tp) + PP penalty × (pp − 1)) + all-reduce, where
  all-reduce = 2 per layer × (alpha + B × hidden size × 2 bytes × 2(tp − 1)/tp over one direction
  of the GPU link (``nvlink_gb_s`` / 2: NVLink or Infinity Fabric, PCIe for cards without)).
  Prefill of one request = 2 × active parameters × input tokens / peak × the penalty, plus the
  all-reduce of its input tokens.
  A replica serves requests/s = 1 / (prefill + output tokens × step / B). Time per output token
  with B sequences in flight (continuous batching: while one request decodes its output the
  B − 1 others end and their successors' prefills run in the batch) = step × pp + (B − 1) ×
  prefill / output tokens, B / that ≈ the throughput (Little's law); a batch started together
  (``benchmark_latency``) prefills once, up front (:func:`at_batch`).

Latency class: ``interactive`` takes the largest batch within the TPOT target and requires TTFT
(prefill + one step) within its target; ``batch`` fills memory (up to ``max_batch_size``).
Factors and defaults: ``data/assumptions.yaml`` (``self_host.*``) with their sources.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.gpu_memory import memory_label
from llmstrategy.economics.replica_memory import (
    BYTES_PER_PARAM,
    embedding_params,
    kv_cache_bytes,
    kv_cache_bytes_per_token,
    non_expert_params,
    replica_weights_gb,
)
from llmstrategy.economics.runtime_memory import RuntimeMemoryParams, kv_budget_gb
from llmstrategy.inputs.catalog import Catalog, GpuSpec, ModelSpec

TP_DEGREES = (1, 2, 4, 8)
MAX_PIPELINE_STAGES = 4
PCIE_GEN4_X16_GB_S = 64.0  # both directions; a GPU with no link figure talks over PCIe


@dataclass(frozen=True)
class SizingParams:
    """Efficiency factors and caps (``data/assumptions.yaml`` → ``self_host``)."""

    memory_overhead_share: float = 0.10
    bandwidth_efficiency: float = 0.75
    compute_efficiency: float = 0.55
    tp_comm_penalty_per_doubling: float = 0.08
    pp_penalty_per_stage: float = 0.10
    max_batch_size: int = 256
    allreduce_latency_us: float = 0.0  # one small tensor-parallel all-reduce, whatever its size
    engine: str = "vllm"  # how the KV cache is sized (runtime_memory.ENGINES)
    runtime: RuntimeMemoryParams = field(default_factory=RuntimeMemoryParams)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> SizingParams:
        v = catalog.value
        return cls(
            memory_overhead_share=float(v("self_host.memory_overhead_share")),
            bandwidth_efficiency=float(v("self_host.bandwidth_efficiency")),
            compute_efficiency=float(v("self_host.compute_efficiency")),
            tp_comm_penalty_per_doubling=float(v("self_host.tp_comm_penalty_per_doubling")),
            pp_penalty_per_stage=float(v("self_host.pp_penalty_per_stage")),
            max_batch_size=int(v("self_host.max_batch_size")),
            allreduce_latency_us=float(v("self_host.allreduce_latency_us")),
            runtime=RuntimeMemoryParams.from_catalog(catalog),
        )


@dataclass(frozen=True)
class ReplicaSizing:
    """One model replica on one layout: memory, batch, latency and capacity."""

    model_id: str
    gpu_id: str
    precision: str
    latency: str
    tensor_parallel: int
    pipeline_stages: int
    gpus_per_replica: int
    fits: bool
    reason: str
    weights_gb: float = math.nan
    kv_cache_bytes_per_token: float = math.nan  # if every layer were global (kv_cache_bytes: local layers)
    kv_budget_gb: float = math.nan
    memory_batch: int = 0
    batch_size: int = 0
    time_per_output_token_ms: float = math.nan
    time_to_first_token_ms: float = math.nan
    requests_per_second: float = 0.0
    output_tokens_per_second_per_gpu: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def peak_tflops(gpu: GpuSpec, precision: str) -> float:
    """Dense peak [TFLOP/s] for the precision's math: FP8 where the GPU has it, else BF16
    (int4 and FP8-on-Ampere are weight-only: they compute at the BF16 rate)."""
    if precision == "fp8" and gpu.fp8_dense_tflops:
        return gpu.fp8_dense_tflops
    return gpu.bf16_dense_tflops


def _penalty(tp: int, pp: int, params: SizingParams) -> float:
    """Step-time factor for GEMMs split over ``tp`` GPUs (smaller per-GPU GEMMs, per-layer
    synchronisation) and ``pp`` stages; the all-reduce's bytes are :func:`allreduce_s`."""
    return 1.0 + params.tp_comm_penalty_per_doubling * math.log2(tp) + params.pp_penalty_per_stage * (pp - 1)


def efficiencies(gpu: GpuSpec, params: SizingParams) -> tuple[float, float]:
    """(bandwidth, compute) efficiency: the GPU's own from ``gpus.csv`` if given, else ``self_host.*``."""
    return (
        gpu.memory_bandwidth_efficiency or params.bandwidth_efficiency,
        gpu.compute_efficiency or params.compute_efficiency,
    )


def allreduce_s(
    model: ModelSpec, gpu: GpuSpec, tp: int, tokens: NDArray[np.float64] | float, latency_us: float = 0.0
) -> Any:
    """Seconds of tensor-parallel all-reduce for ``tokens`` tokens in one pass: 2 all-reduces per
    layer (after attention and after the MLP), each ``latency_us`` (alpha: the time of a small one,
    whatever its size) + tokens × hidden size × 2 bytes (BF16 activations) of which a ring moves
    2(tp − 1)/tp through each GPU's link, one direction of ``nvlink_gb_s`` (the catalog's figure is
    both directions). 0 without tensor parallelism."""
    if tp <= 1:
        return np.zeros_like(np.asarray(tokens, dtype=float)) if isinstance(tokens, np.ndarray) else 0.0
    link_bytes_s = (gpu.nvlink_gb_s or PCIE_GEN4_X16_GB_S) / 2.0 * 1e9
    volume = 2.0 * (model.layers or 0) * np.asarray(tokens, dtype=float) * float(model.hidden_size or 0) * 2.0
    out = volume * 2.0 * (tp - 1) / tp / link_bytes_s + 2.0 * (model.layers or 0) * latency_us * 1e-6
    return out if isinstance(tokens, np.ndarray) else float(out)


def decode_step_s(
    model: ModelSpec,
    gpu: GpuSpec,
    precision: str,
    tp: int,
    pp: int,
    batch: NDArray[np.float64],
    avg_context_tokens: float,
    params: SizingParams,
    attention_dp: bool = False,
) -> NDArray[np.float64]:
    """Seconds per decode step for each batch size in ``batch`` (vectorized)."""
    b = np.asarray(batch, dtype=float)
    gpus = tp * pp
    total = float(model.total_params_b or 0.0) * 1e9
    active = float(model.active_params_b or model.total_params_b or 0.0) * 1e9
    if attention_dp:  # every GPU reads its whole copy of the non-expert weights, then its experts
        ne = non_expert_params(model, True)
        experts = max(total - ne, 0.0)
        share = min(max((active - ne) / experts, 0.0), 1.0) if experts > 0 else 0.0
        touched = 1.0 - np.power(1.0 - share, b)
        weight_bytes = (gpus * ne + experts * touched) * BYTES_PER_PARAM[precision]
    else:
        share = active / total if total > 0 else 1.0
        touched = 1.0 - np.power(1.0 - share, b) if share < 1.0 else np.ones_like(b)
        weight_bytes = total * BYTES_PER_PARAM[precision] * touched
    # each copy's LM head is read at BF16; its embedding table is gathered (B rows), not streamed
    lm_head = (gpus if attention_dp else 1) * embedding_params(model) / 2.0
    weight_bytes = weight_bytes + lm_head * (2.0 - 2.0 * BYTES_PER_PARAM[precision])
    kv_bytes = b * kv_cache_bytes(model, precision, avg_context_tokens)
    bw_eff, cmp_eff = efficiencies(gpu, params)
    bandwidth = gpus * gpu.memory_bandwidth_tb_s * 1e12 * bw_eff
    t_gemm = np.maximum(
        weight_bytes / bandwidth, 2.0 * active * b / (gpus * peak_tflops(gpu, precision) * 1e12 * cmp_eff)
    )
    t_attention = kv_bytes / bandwidth
    t_allreduce = allreduce_s(model, gpu, tp, b, params.allreduce_latency_us)
    return np.asarray((t_gemm + t_attention) * _penalty(tp, pp, params) + t_allreduce, dtype=float)


def prefill_s(
    model: ModelSpec, gpu: GpuSpec, precision: str, tp: int, pp: int, input_tokens: float, params: SizingParams
) -> float:
    """Seconds to prefill one request's input (compute-bound, plus its all-reduce)."""
    active = float(model.active_params_b or model.total_params_b or 0.0) * 1e9
    flops = 2.0 * active * input_tokens
    cmp_eff = efficiencies(gpu, params)[1]
    return float(
        flops / (tp * pp * peak_tflops(gpu, precision) * 1e12 * cmp_eff) * _penalty(tp, pp, params)
        + allreduce_s(model, gpu, tp, float(input_tokens), params.allreduce_latency_us)
    )


def serving_tpot_s(step_s: Any, pp: int, batch: Any, prefill_s: float, output_tokens: float) -> Any:
    """Time per output token [s] with ``batch`` sequences in flight under continuous batching:
    the decode step × pipeline stages plus the prefills of the batch − 1 requests that replace
    finished ones while this one decodes its ``output_tokens`` (vLLM's and SGLang's TPOT,
    (latency − TTFT) / (output − 1), counts them: they share the GPU's steps)."""
    return step_s * pp + (np.asarray(batch, dtype=float) - 1.0) * prefill_s / max(output_tokens, 1.0)


def at_batch(
    model: ModelSpec,
    gpu: GpuSpec,
    precision: str,
    tp: int,
    pp: int,
    batch: int,
    *,
    input_tokens: float,
    output_tokens: float,
    params: SizingParams,
    attention_dp: bool = False,
) -> dict[str, float]:
    """The roofline at exactly ``batch`` concurrent sequences (a benchmark's fixed concurrency):
    time per output token [ms] of a serving run (:func:`serving_tpot_s`); the bare decode step
    [ms] × pp; latency of a batch started together [s] = batch × prefill + output tokens × step
    × pp (``benchmark_latency``: prefills once, up front); output tokens/s per GPU = batch ×
    output / (batch × prefill + output × step) / GPUs, as in :func:`size_replica`."""
    avg_ctx = input_tokens + output_tokens / 2.0
    step = float(
        decode_step_s(model, gpu, precision, tp, pp, np.array([float(batch)]), avg_ctx, params, attention_dp)[0]
    )
    t_prefill = prefill_s(model, gpu, precision, tp, pp, input_tokens, params)
    busy_s = batch * t_prefill + output_tokens * step
    return {
        "time_per_output_token_ms": float(serving_tpot_s(step, pp, batch, t_prefill, output_tokens)) * 1000.0,
        "decode_step_ms": step * pp * 1000.0,
        "request_latency_s": batch * t_prefill + output_tokens * step * pp,
        "output_tokens_per_second_per_gpu": batch * output_tokens / busy_s / (tp * pp),
    }


def size_replica(
    model: ModelSpec,
    gpu: GpuSpec,
    precision: str,
    tp: int,
    pp: int,
    *,
    input_tokens: float,
    output_tokens: float,
    latency: str,
    tpot_slo_ms: float,
    ttft_slo_ms: float,
    params: SizingParams,
    hidden_tokens_before_answer: float = 0.0,
    attention_dp: bool = False,
    network_round_trip_ms: float = 0.0,
) -> ReplicaSizing:
    """Size one replica of ``model`` on ``tp × pp`` GPUs for requests of this shape. Time to first
    token = prefill + one decode step + ``hidden_tokens_before_answer`` (a reasoning model's
    hidden reasoning, decoded before the first visible token) × the step at the chosen batch +
    ``network_round_trip_ms`` (the caller's path to it). ``attention_dp``: see the module docstring."""
    base = ReplicaSizing(
        model_id=model.id,
        gpu_id=gpu.id,
        precision=precision,
        latency=latency,
        tensor_parallel=tp,
        pipeline_stages=pp,
        gpus_per_replica=tp * pp,
        fits=False,
        reason="",
    )
    if not model.can_self_host:
        return replace(base, reason=f"{model.id} has no open weights or no known architecture")
    gpus = tp * pp
    w_gb = replica_weights_gb(model, precision, gpus, attention_dp)
    kv_tok = kv_cache_bytes_per_token(model, precision)
    budget_gb = kv_budget_gb(model, gpu, gpus, w_gb, params)
    full_len = input_tokens + output_tokens
    base = replace(base, weights_gb=w_gb, kv_cache_bytes_per_token=kv_tok, kv_budget_gb=budget_gb)
    if budget_gb * 1e9 < kv_cache_bytes(model, precision, full_len):
        return replace(
            base,
            reason=f"weights ({w_gb:,.0f} GB) plus one {full_len:,.0f}-token request do not fit in "
            f"{gpus} × {memory_label(gpu)}",
        )
    avg_ctx = input_tokens + output_tokens / 2.0
    mem_batch = int(min(budget_gb * 1e9 // max(kv_cache_bytes(model, precision, avg_ctx), 1.0), 1e9))
    cap = max(1, min(mem_batch, params.max_batch_size))
    batches = np.arange(1, cap + 1, dtype=float)
    step = decode_step_s(model, gpu, precision, tp, pp, batches, avg_ctx, params, attention_dp)
    t_prefill = prefill_s(model, gpu, precision, tp, pp, input_tokens, params)
    tpot = serving_tpot_s(step, pp, batches, t_prefill, output_tokens)
    if latency == "interactive":
        ok = np.nonzero(tpot * 1000.0 <= tpot_slo_ms)[0]
        if ok.size == 0:
            return replace(
                base,
                memory_batch=mem_batch,
                time_per_output_token_ms=float(tpot[0] * 1000),
                reason=f"even one sequence takes {tpot[0] * 1000:,.0f} ms per token (target {tpot_slo_ms:g} ms)",
            )
        i = int(ok[-1])
    else:
        i = cap - 1
    ttft_ms = (t_prefill + float(tpot[0]) + hidden_tokens_before_answer * float(tpot[i])) * 1e3 + network_round_trip_ms
    if latency == "interactive" and ttft_ms > ttft_slo_ms:
        return replace(
            base,
            memory_batch=mem_batch,
            time_to_first_token_ms=ttft_ms,
            reason=f"time to first token {ttft_ms:,.0f} ms exceeds the {ttft_slo_ms:g} ms target",
        )
    b = float(batches[i])
    seconds_per_request = t_prefill + output_tokens * float(step[i]) / b
    rps = 1.0 / seconds_per_request
    return replace(
        base,
        fits=True,
        memory_batch=mem_batch,
        batch_size=int(b),
        time_per_output_token_ms=float(tpot[i] * 1000.0),
        time_to_first_token_ms=ttft_ms,
        requests_per_second=rps,
        output_tokens_per_second_per_gpu=rps * output_tokens / gpus,
    )


def layouts(gpu: GpuSpec) -> list[tuple[int, int]]:
    """(TP, pipeline stages): TP over 1, 2, 4, 8 GPUs of a node; stages across nodes at full-node TP."""
    tps = [t for t in TP_DEGREES if t <= gpu.max_gpus_per_node]
    out = [(t, 1) for t in tps]
    out += [(tps[-1], p) for p in range(2, MAX_PIPELINE_STAGES + 1)]
    return out


def size_all_layouts(
    model: ModelSpec,
    gpu: GpuSpec,
    precision: str,
    **kw: Any,
) -> list[ReplicaSizing]:
    """Every layout of :func:`layouts`; pipeline layouts only when no single node fits.

    Pure and independent of volume, so results are memoized (every argument is immutable):
    pricing the 12 strategies, the break-even and the Monte Carlo size each model × GPU once."""
    return list(_size_all_layouts(model, gpu, precision, tuple(sorted(kw.items()))))


@lru_cache(maxsize=8192)
def _size_all_layouts(
    model: ModelSpec, gpu: GpuSpec, precision: str, kw_items: tuple[tuple[str, Any], ...]
) -> tuple[ReplicaSizing, ...]:
    kw = dict(kw_items)
    results = [size_replica(model, gpu, precision, tp, pp, **kw) for tp, pp in layouts(gpu) if pp == 1]
    if not any(r.fits for r in results):
        results += [size_replica(model, gpu, precision, tp, pp, **kw) for tp, pp in layouts(gpu) if pp > 1]
    return tuple(results)
