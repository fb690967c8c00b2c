"""Local attention layers (sliding window, chunked) hold and read only their window of the KV
cache (issue 15): ``kv_cache_bytes`` = 2 × KV heads × head dim × bytes × (global layers × c +
local layers × min(c, window)), used by the memory fit, the memory-bound batch and each decode
step's KV reads. Figures below are worked by hand from each model's config.json."""

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from llmstrategy.economics.replica_memory import kv_cache_bytes, kv_cache_bytes_per_token
from llmstrategy.economics.sizing import SizingParams, decode_step_s, efficiencies, size_replica
from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import load_catalog, load_models
from llmstrategy.inputs.catalog_write import models_csv

CAT = load_catalog()
P = replace(SizingParams.from_catalog(CAT), max_batch_size=1024)  # memory binds first; the logits buffer grows with it
GEMMA3 = CAT.models["gemma-3-27b"]
H100 = CAT.gpus["h100-sxm"]

#: (window [tokens], local layers, layers) read from each config.json (sources in models.csv)
EXPECTED = {
    "gemma-3-27b": (1024, 52, 62),
    "gemma-4-31b": (1024, 50, 60),
    "gemma-4-26b-a4b": (1024, 25, 30),
    "gpt-oss-120b": (128, 18, 36),
    "gpt-oss-20b": (128, 12, 24),
    "llama-4-scout": (8192, 36, 48),
    "llama-4-maverick": (8192, 36, 48),
}


def _global(model):
    """The same model with every layer global (the columns blank)."""
    return model.model_copy(update={"local_attention_window_tokens": None, "local_attention_layers": None})


def test_models_csv_carries_each_open_models_local_attention_from_its_config():
    for mid, (window, local, layers) in EXPECTED.items():
        m = CAT.models[mid]
        assert (m.local_attention_window_tokens, m.local_attention_layers, m.layers) == (window, local, layers), mid
        assert "local attention" in m.source and "config" in m.source, mid  # sourced
    others = [m for m in CAT.models.values() if m.open_weight and m.id not in EXPECTED]
    assert others and all(m.local_attention_layers is None and m.local_attention_window_tokens is None for m in others)


def test_gemma3_kv_cache_at_8k_by_hand():
    """62 layers, 16 KV heads x 128 dims, BF16: 8,192 bytes per layer and token; 10 global layers
    hold 8,000 tokens, 52 sliding-window layers 1,024: (80,000 + 53,248) x 8,192 bytes, a
    quarter of the 62 x 8,000 x 8,192 that counting every layer at full context gives."""
    assert kv_cache_bytes(GEMMA3, "bf16", 8000) == (10 * 8000 + 52 * 1024) * 8192 == 1_091_567_616
    assert kv_cache_bytes(_global(GEMMA3), "bf16", 8000) == 62 * 8000 * 8192
    assert kv_cache_bytes(GEMMA3, "fp8", 8000) == (10 * 8000 + 52 * 1024) * 4096
    # within the window every layer holds the whole context
    assert kv_cache_bytes(GEMMA3, "bf16", 1000) == kv_cache_bytes_per_token(GEMMA3, "bf16") * 1000


def test_gemma3_memory_bound_batch_at_8k_counts_the_window():
    """One H100, FP8, 7,000 tokens in and 2,000 out (average context 8,000): the batch memory holds
    is the KV budget over (10 x 8,000 + 52 x 1,024) x 4,096 bytes per sequence."""
    kw: dict[str, Any] = dict(
        input_tokens=7000, output_tokens=2000, latency="batch", tpot_slo_ms=50, ttft_slo_ms=2000, params=P
    )
    r = size_replica(GEMMA3, H100, "fp8", 1, 1, **kw)
    assert r.fits
    per_seq = (10 * 8000 + 52 * 1024) * 4096.0
    assert r.memory_batch == int(r.kv_budget_gb * 1e9 // per_seq)
    full = size_replica(_global(GEMMA3), H100, "fp8", 1, 1, **kw)
    assert full.memory_batch == int(full.kv_budget_gb * 1e9 // (62 * 8000 * 4096.0))
    assert r.memory_batch > 3.5 * full.memory_batch
    assert r.output_tokens_per_second_per_gpu > 2 * full.output_tokens_per_second_per_gpu


def test_memory_fit_of_one_full_length_request_counts_the_window():
    """Gemma 3 27B in BF16 on one H100: a 128,000-token request needs 62 x 128,000 x 8,192 bytes
    (65 GB) if every layer were global, which the ~17 GB left after the weights cannot hold; with
    52 layers at 1,024 tokens it needs (10 x 128,000 + 52 x 1,024) x 8,192 bytes (10.9 GB), which fits."""
    kw: dict[str, Any] = dict(
        input_tokens=120_000, output_tokens=8_000, latency="batch", tpot_slo_ms=50, ttft_slo_ms=1e9, params=P
    )
    windowed = size_replica(GEMMA3, H100, "bf16", 1, 1, **kw)
    every_layer = size_replica(_global(GEMMA3), H100, "bf16", 1, 1, **kw)
    need_gb = (10 * 128_000 + 52 * 1024) * 8192 / 1e9
    assert need_gb < windowed.kv_budget_gb < 62 * 128_000 * 8192 / 1e9
    assert windowed.fits and not every_layer.fits and "do not fit" in every_layer.reason


def test_decode_step_reads_only_the_window_of_local_layers():
    """At one GPU (no penalty, no all-reduce) the step shrinks by B x the KV bytes the local layers
    no longer read, over the achieved bandwidth."""
    b = np.array([1.0, 64.0])
    ctx = 8000.0
    t_win = decode_step_s(GEMMA3, H100, "fp8", 1, 1, b, ctx, P)
    t_all = decode_step_s(_global(GEMMA3), H100, "fp8", 1, 1, b, ctx, P)
    bandwidth = H100.memory_bandwidth_tb_s * 1e12 * efficiencies(H100, P)[0]
    saved = b * 52 * (ctx - 1024) * 4096 / bandwidth
    assert t_all - t_win == pytest.approx(saved)


def test_models_without_the_columns_and_contexts_inside_the_window_are_unchanged():
    """A model with every layer global keeps 2 x layers x KV heads x head dim x bytes per token;
    Llama 4's 8,192-token chunks change nothing at 1k/1k (the calibration rows), only beyond."""
    l70 = CAT.models["llama-3.1-70b"]
    assert l70.local_attention_layers is None
    for c in (1.0, 1500.0, 131072.0):
        assert kv_cache_bytes(l70, "fp8", c) == kv_cache_bytes_per_token(l70, "fp8") * c == 2 * 80 * 8 * 128 * c
    scout = CAT.models["llama-4-scout"]
    assert kv_cache_bytes(scout, "fp8", 2000) == kv_cache_bytes(_global(scout), "fp8", 2000)
    assert kv_cache_bytes(scout, "fp8", 32768) == 2 * 8 * 128 * (12 * 32768 + 36 * 8192)
    kw: dict[str, Any] = dict(
        input_tokens=1000, output_tokens=1000, latency="batch", tpot_slo_ms=50, ttft_slo_ms=2000, params=P
    )
    h200 = CAT.gpus["h200"]
    assert size_replica(scout, h200, "fp8", 4, 1, **kw) == size_replica(_global(scout), h200, "fp8", 4, 1, **kw)


def test_gemma4_26b_a4b_on_l40s_batch_grows_with_rag_context():
    """The model the engine most often self-hosts: at 1,500 tokens of average context each sequence
    holds 25 x 1,024 + 5 x 1,500 layer-tokens instead of 30 x 1,500 (x0.74), at 8,000 tokens
    25 x 1,024 + 5 x 8,000 instead of 30 x 8,000 (x0.27): the memory-bound batch grows about 1.35x and 3.7x."""
    g4, l40s = CAT.models["gemma-4-26b-a4b"], CAT.gpus["l40s"]
    for inp, out, factor in ((1000, 1000, (30 * 1500) / (25 * 1024 + 5 * 1500)), (7500, 1000, 240_000 / 65_600)):
        kw: dict[str, Any] = dict(
            input_tokens=inp, output_tokens=out, latency="batch", tpot_slo_ms=50, ttft_slo_ms=2000, params=P
        )
        win = size_replica(g4, l40s, "fp8", 1, 1, **kw)
        full = size_replica(_global(g4), l40s, "fp8", 1, 1, **kw)
        assert win.memory_batch / full.memory_batch == pytest.approx(factor, rel=0.06)
        assert win.output_tokens_per_second_per_gpu > full.output_tokens_per_second_per_gpu


@pytest.mark.parametrize(
    "update",
    [
        {"local_attention_window_tokens": 1024, "local_attention_layers": None},  # window without layers
        {"local_attention_window_tokens": None, "local_attention_layers": 10},  # layers without window
        {"local_attention_window_tokens": 1024, "local_attention_layers": 63},  # more than the 62 layers
    ],
)
def test_catalog_rejects_an_incomplete_or_impossible_local_attention(tmp_path, update):
    path = tmp_path / "models.csv"
    path.write_text(models_csv([GEMMA3.model_copy(update=update)]), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_models(path)
    assert "local_attention_layers" in str(err.value) and "models.csv" in str(err.value)


def test_catalog_writer_keeps_the_columns():
    """``llmstrategy prices import`` rewrites models.csv from ModelSpec's fields: the columns and
    their values survive a write and a read."""
    text = models_csv(list(CAT.models.values()))
    header = text.splitlines()[0].split(",")
    assert header.index("local_attention_window_tokens") == header.index("vocab_size") + 1
    assert header.index("local_attention_layers") == header.index("vocab_size") + 2
    assert header == (CAT.data_dir / "models.csv").read_text(encoding="utf-8").splitlines()[0].split(",")


def test_local_attention_values_survive_a_rewrite(tmp_path):
    path = tmp_path / "models.csv"
    path.write_text(models_csv(list(CAT.models.values())), encoding="utf-8")
    again = load_models(path)
    for mid, (window, local, _layers) in EXPECTED.items():
        assert (again[mid].local_attention_window_tokens, again[mid].local_attention_layers) == (window, local)
    assert again["qwen3-30b-a3b"].local_attention_layers is None
