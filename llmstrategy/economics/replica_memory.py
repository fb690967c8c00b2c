"""Memory of one model replica: weights (with the copies attention data parallelism keeps and the
BF16 embedding and LM head of quantised checkpoints) and the KV cache per token. Units in names:
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
    """KV cache per token [bytes] = 2 × layers × KV heads × head dim × bytes per element."""
    return 2.0 * (model.layers or 0) * (model.kv_heads or 0) * (model.head_dim or 0) * KV_BYTES_PER_ELEMENT[precision]
