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
  40k tokens: CodeLlama, Mixtral; :data:`ENGINE_LOGS` shows them).

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
from typing import Any, Protocol

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


#: Published engine start-up logs: (source, model, vocabulary, GPUs of the replica, max sequences
#: of the profiling run, logged activation peak GiB, logged non-torch GiB or None). vLLM prints
#: "model weights take X GiB; non_torch_memory takes Y GiB; PyTorch activation peak memory takes
#: Z GiB" (v0) or the same three figures in its memory profile (v1).
LLMD_V019 = (
    "github.com/llm-d-incubation/llm-d-planner accuracy/results/v0.19.0/accuracy_report.md"
    " @fbd68515a903397a1b785a2189dc7512b0d55680 (vLLM v0.19.0, H100-80GB, max_num_seqs 1024)"
)
_V019 = (  # model, vocabulary, GPUs, activation peak GiB, non-torch GiB (None: not in the report)
    ("Llama-3.1-8B-Instruct TP1", 128256, 1, 1.89, 0.25),
    ("Llama-3.1-8B-Instruct TP2", 128256, 2, 1.89, 2.07),
    ("Llama-3.1-8B-Instruct TP4", 128256, 4, 1.89, 2.13),
    ("Qwen2.5-7B-Instruct TP1", 152064, 1, 2.21, 0.24),
    ("Qwen2.5-7B-Instruct TP2", 152064, 2, 2.21, 2.06),
    ("Qwen2.5-7B-Instruct TP4", 152064, 4, 2.21, 2.13),
    ("gemma-2-9b-it", 256000, 1, 3.62, None),
    ("granite-3.1-8b-instruct", 49155, 1, 0.75, None),
    ("phi-4", 100352, 1, 1.52, None),
    ("Mistral-Small-3.1-24B", 131072, 1, 2.03, None),
    ("Qwen3-30B-A3B", 151936, 1, 2.68, None),
    ("DeepSeek-V2-Lite-Chat", 102400, 1, 1.93, None),
    ("CodeLlama-7b-hf", 32016, 1, 0.77, None),
    ("Mixtral-8x7B", 32000, 1, 1.21, None),
)
#: Published engine start-up logs: source, model, vocabulary, GPUs of the replica, max sequences of
#: the profiling run, logged activation peak and non-torch memory [GiB] (vLLM prints "model weights
#: take X GiB; non_torch_memory takes Y GiB; PyTorch activation peak memory takes Z GiB").
ENGINE_LOGS: tuple[dict[str, Any], ...] = (
    *(
        {
            "source": LLMD_V019,
            "model": m,
            "vocab": voc,
            "gpus": g,
            "max_num_seqs": 1024,
            "activation_gib": a,
            "non_torch_gib": n,
        }
        for m, voc, g, a, n in _V019
    ),
    {
        "source": "github.com/vllm-project/vllm pull 10511 (2024-12-14 comment: vllm serve Meta-Llama-3-8B, H100, TP1)",
        "model": "Meta-Llama-3-8B TP1 (vLLM v0, max_num_seqs 256)",
        "vocab": 128256,
        "gpus": 1,
        "max_num_seqs": 256,
        "activation_gib": 1.26,
        "non_torch_gib": None,  # 1.79 logged: v0 then counted the cuBLAS/NCCL warm-up differently
    },
    {
        "source": "github.com/vllm-project/vllm pull 10511 (2024-12-14 comment: same, -tp 2)",
        "model": "Meta-Llama-3-8B TP2 (vLLM v0, max_num_seqs 256)",
        "vocab": 128256,
        "gpus": 2,
        "max_num_seqs": 256,
        "activation_gib": 1.26,
        "non_torch_gib": None,
    },
)
