"""GPU memory is the total the driver reports (gpus.csv ``driver_memory_mib``), each figure sourced,
and the sizing reads it in one place (``economics/gpu_memory.py``) (issue 15)."""

import re

import pytest

from llmstrategy.economics.gpu_memory import MIB_BYTES, gpu_memory_bytes, gpu_memory_gb, memory_label
from llmstrategy.economics.sizing import SizingParams, replica_weights_gb, size_replica
from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import load_catalog, load_gpus

CAT = load_catalog()
GPUS = CAT.gpus
HBM = ("h100-sxm", "h200", "a100-80gb", "mi300x", "b200")
GDDR = ("l40s", "l4", "a10g")

#: what each source quotes (nvidia-smi memory.total [MiB]; rocm-smi VRAM total [bytes] for MI300X)
QUOTED = {
    "h100-sxm": "81559MiB",
    "h200": "143771MiB",
    "a100-80gb": "81920MiB",
    "l40s": "46068 MiB",
    "l4": "23034MiB",
    "a10g": "23028MiB",
    "b200": "183359MiB",
    "mi300x": "206141652992",
}


def test_every_gpu_has_a_sourced_driver_figure():
    assert set(GPUS) == set(QUOTED)
    for gid, g in GPUS.items():
        assert g.driver_memory_mib and g.driver_memory_source, gid
        assert QUOTED[gid] in g.driver_memory_source and "github.com/" in g.driver_memory_source, gid
        digits = int(re.sub(r"\D", "", QUOTED[gid]))
        mib = digits if gid != "mi300x" else digits // MIB_BYTES
        assert g.driver_memory_mib == mib, gid
    assert GPUS["mi300x"].driver_memory_mib * MIB_BYTES == 206_141_652_992  # 192 GiB exactly


def test_driver_total_exceeds_the_listed_figure_by_about_7_percent_on_hbm_and_under_1_on_gddr():
    for gid in HBM:
        assert 0.06 < gpu_memory_gb(GPUS[gid]) / GPUS[gid].memory_gb - 1 < 0.08, gid
    for gid in GDDR:
        assert 0.0 < gpu_memory_gb(GPUS[gid]) / GPUS[gid].memory_gb - 1 < 0.01, gid
    assert gpu_memory_bytes(GPUS["h100-sxm"]) == pytest.approx(85.52e9, rel=1e-4)


def test_without_a_driver_figure_the_listed_one_is_used():
    g = GPUS["h100-sxm"].model_copy(update={"driver_memory_mib": None, "driver_memory_source": None})
    assert gpu_memory_bytes(g) == 80e9
    assert memory_label(g) == "80 GB"
    assert memory_label(GPUS["h100-sxm"]) == "80 GB (85.5 GB as the driver reports)"


def test_sizing_budgets_the_driver_bytes():
    """KV-cache room = GPUs × driver bytes × (1 − overhead share) − weights − runtime memory, by hand for Llama 3.1 8B
    at FP8 on one H100: 81,559 MiB × 0.9 = 76.97 GB, less 8.03e9 weights and the BF16 head/embedding."""
    m, g = CAT.models["llama-3.1-8b"], GPUS["h100-sxm"]
    p = SizingParams.from_catalog(CAT)
    kw = dict(input_tokens=1000, output_tokens=1000, latency="batch", tpot_slo_ms=1e9, ttft_slo_ms=1e9, params=p)
    s = size_replica(m, g, "fp8", 1, 1, **kw)
    usable_gb = 81559 * 2**20 * (1 - p.memory_overhead_share) / 1e9
    # less vLLM's runtime memory (runtime_memory.py): 0.27 + 1.03 GiB + 4 FP32 copies of 256 x 128,256 logits
    runtime_gb = (0.27 + 1.03 + 4 * 256 * 128256 * 4 / 2**30) * 2**30 / 1e9
    assert s.kv_budget_gb == pytest.approx(usable_gb - replica_weights_gb(m, "fp8", 1) - runtime_gb)
    assert usable_gb == pytest.approx(76.97, abs=0.01)
    listed = g.model_copy(update={"driver_memory_mib": None, "driver_memory_source": None})
    s80 = size_replica(m, listed, "fp8", 1, 1, **kw)
    assert s.kv_budget_gb - s80.kv_budget_gb == pytest.approx((85.52e9 - 80e9) * 0.9 / 1e9, rel=1e-3)
    assert s.memory_batch > s80.memory_batch


def test_a_model_too_big_names_both_figures():
    s = size_replica(
        CAT.models["llama-3.1-405b"],
        GPUS["h100-sxm"],
        "bf16",
        1,
        1,
        input_tokens=1000,
        output_tokens=500,
        latency="batch",
        tpot_slo_ms=1e9,
        ttft_slo_ms=1e9,
        params=SizingParams.from_catalog(CAT),
    )
    assert not s.fits and "do not fit in 1 × 80 GB (85.5 GB as the driver reports)" in s.reason


def test_a_driver_figure_without_its_source_is_refused(tmp_path):
    text = (CAT.data_dir / "gpus.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    head = lines[0].split(",")
    assert head[3:6] == ["memory_gb", "driver_memory_mib", "driver_memory_source"]
    # the H100 row: blank its source cell (the first quoted cell after memory_gb)
    row = lines[1]
    start = row.index(',"nvidia-smi')
    end = row.index('",', start + 2)
    bad = tmp_path / "gpus.csv"
    bad.write_text("\n".join([lines[0], row[:start] + "," + row[end + 1 :]]) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_gpus(bad)
    assert "driver_memory_mib" in str(info.value) and "driver_memory_source" in str(info.value)
    assert str(bad) in str(info.value)
