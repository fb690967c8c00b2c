"""The serving engine's own memory on each GPU, and the KV-cache room it leaves.

An engine sizes its KV cache after loading the weights and running a profiling pass; what that
pass leaves allocated or reserves is the runtime memory, per GPU:

- non-torch memory: the CUDA context and cuBLAS workspaces on one GPU, plus NCCL and custom
  all-reduce buffers once the replica spans GPUs (``non_torch_gib_single_gpu`` /
  ``non_torch_gib_multi_gpu``);
- CUDA graphs: the captured decode graphs' memory pool (``cuda_graph_gib``);
- the activation peak, here its largest part: the FP32 logits of the sampler's dummy run over the
  engine's maximum number of sequences, ``logits_copies`` × max sequences × vocabulary × 4 bytes.
  Gathered logits are whole on every tensor-parallel rank, so the term does not shrink with TP,
  as the logged peaks do not. The forward pass's own activations (max batched tokens × hidden and
  MLP widths) are not counted: they exceed the logits only for small vocabularies (under about
  40k tokens: CodeLlama, Mixtral; the published start-up logs in ``data/engine_startup_logs.csv``,
  which ``tests/test_runtime_memory.py`` checks this model against, show them).

How each engine turns that into KV-cache room (per GPU; T = the driver's total, W = weights):

- vLLM: ``gpu_memory_utilization`` × T − W − runtime (vllm/worker/worker.py
  determine_num_available_blocks, and v1/worker/gpu_worker.py determine_available_memory:
  requested memory − non-KV-cache memory = weights + activation peak + non-torch);
- TensorRT-LLM: ``free_gpu_memory_fraction`` (default 0.9) × (T − W − runtime)
  (tensorrt_llm/_torch/pyexecutor/_util.py KvCacheCreator._cal_max_memory: (total − peak of the
  profiling run) × fraction; the TensorRT backend likewise takes the fraction of the memory free
  after the engine and its activation buffers are loaded);
- SGLang: ``mem_fraction_static`` × T − W − non-torch (python/sglang/srt/model_executor/
  model_runner.py profile_max_num_token: free memory after the weights − T × (1 −
  mem_fraction_static)); its activations and CUDA graphs live in the 1 − mem_fraction_static share.

The engine's fraction is ``self_host.memory_overhead_share`` (1 − 0.9) for vLLM and SGLang, and
``self_host.trtllm_free_gpu_memory_fraction`` for TensorRT-LLM. Units: ``*_gib`` [GiB = 2^30
bytes], ``*_gb`` [GB = 1e9 bytes].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from llmstrategy.economics.gpu_memory import gpu_memory_gb
from llmstrategy.inputs.catalog import Catalog, GpuSpec, ModelSpec

GIB_BYTES = 2**30
FP32_BYTES = 4.0
ENGINES = ("vllm", "tensorrt-llm", "sglang")


@dataclass(frozen=True)
class RuntimeMemoryParams:
    """Runtime memory per GPU (``data/assumptions.yaml`` → ``self_host.runtime_*``)."""

    non_torch_gib_single_gpu: float = 0.27
    non_torch_gib_multi_gpu: float = 2.1
    cuda_graph_gib: float = 1.03
    logits_copies: float = 4.0
    trtllm_free_gpu_memory_fraction: float = 0.9

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> RuntimeMemoryParams:
        v = catalog.value
        return cls(
            non_torch_gib_single_gpu=float(v("self_host.runtime_non_torch_gib_single_gpu")),
            non_torch_gib_multi_gpu=float(v("self_host.runtime_non_torch_gib_multi_gpu")),
            cuda_graph_gib=float(v("self_host.runtime_cuda_graph_gib")),
            logits_copies=float(v("self_host.runtime_logits_copies")),
            trtllm_free_gpu_memory_fraction=float(v("self_host.trtllm_free_gpu_memory_fraction")),
        )


class EngineSettings(Protocol):
    """What :func:`kv_budget_gb` reads of :class:`~llmstrategy.economics.sizing.SizingParams`."""

    @property
    def engine(self) -> str: ...
    @property
    def memory_overhead_share(self) -> float: ...
    @property
    def max_batch_size(self) -> int: ...
    @property
    def runtime(self) -> RuntimeMemoryParams: ...


def engine_of(framework: str) -> str:
    """The engine family of a measurement's ``framework`` text (``"TensorRT-LLM 1.0 (trtllm-bench)"``
    → ``"tensorrt-llm"``); ValueError for one this module does not know."""
    text = framework.lower()
    for name, key in (("tensorrt-llm", "tensorrt-llm"), ("sglang", "sglang"), ("vllm", "vllm")):
        if key in text:
            return name
    raise ValueError(f"framework {framework!r} names no known engine (expected one of {', '.join(ENGINES)})")


def non_torch_gib(gpus: int, p: RuntimeMemoryParams) -> float:
    """CUDA context and library workspaces [GiB per GPU], with NCCL buffers when ``gpus`` > 1."""
    return p.non_torch_gib_multi_gpu if gpus > 1 else p.non_torch_gib_single_gpu


def logits_gib(vocab: int | None, max_num_seqs: int, p: RuntimeMemoryParams) -> float:
    """The sampler's activation peak [GiB per GPU]: ``logits_copies`` FP32 copies of the logits of
    ``max_num_seqs`` sequences; 0 for a model without a ``vocab_size``."""
    return p.logits_copies * max_num_seqs * float(vocab or 0) * FP32_BYTES / GIB_BYTES


def runtime_memory_gib(model: ModelSpec, gpus: int, max_num_seqs: int, p: RuntimeMemoryParams) -> float:
    """Runtime memory [GiB per GPU] = non-torch + CUDA graphs + the sampler's logits."""
    vocab = getattr(model, "vocab_size", None)
    return non_torch_gib(gpus, p) + p.cuda_graph_gib + logits_gib(vocab, max_num_seqs, p)


def kv_budget_gb(model: ModelSpec, gpu: GpuSpec, gpus: int, replica_weights_gb: float, params: EngineSettings) -> float:
    """KV-cache room of a replica over ``gpus`` GPUs [GB], as ``params.engine`` sizes it (module
    docstring), with the sampler's logits of ``params.max_batch_size`` sequences."""
    engine, p, share = params.engine, params.runtime, params.memory_overhead_share
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r} (expected one of {', '.join(ENGINES)})")
    total_gb, weights_gb = gpu_memory_gb(gpu), replica_weights_gb / gpus
    runtime_gb = runtime_memory_gib(model, gpus, params.max_batch_size, p) * GIB_BYTES / 1e9
    if engine == "tensorrt-llm":
        per_gpu = p.trtllm_free_gpu_memory_fraction * (total_gb - weights_gb - runtime_gb)
    elif engine == "sglang":
        per_gpu = (1.0 - share) * total_gb - weights_gb - non_torch_gib(gpus, p) * GIB_BYTES / 1e9
    else:
        per_gpu = (1.0 - share) * total_gb - weights_gb - runtime_gb
    return gpus * per_gpu
