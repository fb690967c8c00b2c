"""The memory a serving engine sees on one GPU: the one place the sizing reads it.

``gpus.csv`` lists each GPU's memory twice: ``memory_gb``, the marketing figure ("H100 80GB"),
and ``driver_memory_mib``, the total the driver reports (``nvidia-smi --query-gpu=memory.total``
[MiB], ``rocm-smi --showmeminfo vram`` [bytes] / 2^20), each with its source. Engines size their
KV cache from the driver's figure: vLLM's ``gpu_memory_utilization`` (0.9) is a share of the total
``torch.cuda.mem_get_info`` reports, and ``trtllm-bench`` sizes its batch from NVML's total
(``tensorrt_llm/bench/build/utils.py`` ``get_device_memory``). For HBM parts the two differ by
about 7 %: an H100's "80 GB" is 81,559 MiB = 85.5e9 bytes, an MI300X's "192 GB" is 196,592 MiB =
206.1e9 bytes. A GPU without a sourced driver figure stays on its listed one (GB = 1e9 bytes).

Units: ``*_bytes`` [bytes], ``*_gb`` [GB = 1e9 bytes], ``*_mib`` [MiB = 2^20 bytes].
"""

from __future__ import annotations

from llmstrategy.inputs.catalog import GpuSpec

MIB_BYTES = 2**20
GB_BYTES = 1e9


def gpu_memory_bytes(gpu: GpuSpec) -> float:
    """Total memory of one GPU [bytes]: ``driver_memory_mib`` × 2^20 when ``gpus.csv`` gives
    the driver's figure, else the listed ``memory_gb`` × 1e9."""
    if gpu.driver_memory_mib:
        return float(gpu.driver_memory_mib) * MIB_BYTES
    return float(gpu.memory_gb) * GB_BYTES


def gpu_memory_gb(gpu: GpuSpec) -> float:
    """Total memory of one GPU [GB = 1e9 bytes] (:func:`gpu_memory_bytes`)."""
    return gpu_memory_bytes(gpu) / GB_BYTES


def memory_label(gpu: GpuSpec) -> str:
    """The GPU's memory for people: the listed figure, and the driver's where it differs
    (``80 GB (85.5 GB as the driver reports)``)."""
    listed = f"{gpu.memory_gb:g} GB"
    if not gpu.driver_memory_mib:
        return listed
    return f"{listed} ({gpu_memory_gb(gpu):,.1f} GB as the driver reports)"
