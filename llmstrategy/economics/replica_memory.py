"""Memory of one model replica: weights (with the copies attention data parallelism keeps and the
BF16 embedding and LM head of quantised checkpoints) and the KV cache of a sequence (with the
layers of local attention holding only their window). Units in names:
``*_gb`` [GB = 1e9 bytes], ``*_params`` [count]. The formulas are in :mod:`llmstrategy.economics.sizing`'s
docstring."""

from __future__ import annotations

from llmstrategy.inputs.catalog import ModelSpec

BYTES_PER_PARAM = {"bf16": 2.0, "fp8": 1.0, "int4": 0.5}
KV_BYTES_PER_ELEMENT = {"bf16": 2.0, "fp8": 1.0, "int4": 2.0}


def weights_gb(model: ModelSpec, precision: str) -> float:
    """Weights [GB] = total parameters [billions] × bytes per parameter."""
    return float(model.total_params_b or 0.0) * BYTES_PER_PARAM[precision]


def non_expert_params(model: ModelSpec, attention_dp: bool) -> float:
    """Parameters every GPU keeps whole [count]: the non-expert ones under attention data
    parallelism, none otherwise (tensor and expert parallelism shard every weight)."""
    if not attention_dp:
        return 0.0
    if model.non_expert_params_b is None:
        raise ValueError(f"attention data parallelism needs non_expert_params_b for {model.id} in models.csv")
    return float(model.non_expert_params_b) * 1e9


def embedding_params(model: ModelSpec) -> float:
    """Token embedding + LM head parameters [count] = 2 × vocabulary × hidden size (untied), when
    the model has a ``vocab_size``; 0 without one. Quantised checkpoints keep both in BF16: ModelOpt's
    FP8/INT4/FP4 configs disable ``*lm_head*`` and quantise Linear layers only (no embedding),
    gpt-oss's MXFP4 leaves ``model.embed_tokens`` and ``lm_head`` unconverted."""
    vocab = getattr(model, "vocab_size", None)  # models.csv column (optional)
    return 2.0 * float(vocab) * float(model.hidden_size or 0) if vocab else 0.0


def replica_weights_gb(model: ModelSpec, precision: str, gpus: int, attention_dp: bool = False) -> float:
    """Weights one replica of ``gpus`` GPUs holds [GB]: every parameter once, plus gpus − 1 more
    copies of the non-expert parameters under attention data parallelism; the embedding and LM
    head of each copy at BF16 (:func:`embedding_params`)."""
    bpp, copies = BYTES_PER_PARAM[precision], (gpus if attention_dp else 1)
    extra = (gpus - 1) * non_expert_params(model, attention_dp) * bpp + copies * embedding_params(model) * (2.0 - bpp)
    return weights_gb(model, precision) + extra / 1e9


def kv_cache_bytes_per_token(model: ModelSpec, precision: str) -> float:
    """KV cache per token if every layer attends to the whole context [bytes] = 2 × layers × KV
    heads × head dim × bytes per element (:func:`kv_cache_bytes` counts local-attention layers)."""
    return 2.0 * (model.layers or 0) * (model.kv_heads or 0) * (model.head_dim or 0) * KV_BYTES_PER_ELEMENT[precision]


def kv_cache_bytes(model: ModelSpec, precision: str, context_tokens: float) -> float:
    """KV cache of one sequence at ``context_tokens`` of context [bytes] = 2 × KV heads × head dim
    × bytes per element × (global layers × c + local layers × min(c, window)).

    Local layers (``models.csv`` ``local_attention_layers``, window ``local_attention_window_tokens``
    from config.json: Gemma 3/4 and gpt-oss sliding windows, Llama 4's chunked attention) attend to
    at most the window, and serving engines keep and read only that much of their cache (vLLM's
    hybrid KV cache manager frees the blocks that leave the window); the other layers hold the
    whole context. Without the columns every layer is global: layers × c × the per-layer bytes.
    The memory fit uses a full-length request, the memory-bound batch and each decode step's KV
    reads the average context."""
    per_layer_token = 2.0 * (model.kv_heads or 0) * (model.head_dim or 0) * KV_BYTES_PER_ELEMENT[precision]
    window = model.local_attention_window_tokens
    local = (model.local_attention_layers or 0) if window else 0
    c = float(context_tokens)
    return per_layer_token * (((model.layers or 0) - local) * c + local * min(c, float(window or 0)))
