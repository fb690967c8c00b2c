"""Retrieval (RAG) costs on top of any deployment, vectorized over volume.

Inputs come from ``data/rag.yaml`` unless the profile's ``rag:`` block overrides them.
Per month:

* retrieved context: ``retrieved_tokens_per_request`` more input tokens on every request
  (priced by the deployment that serves it, not here);
* query embedding = served requests × (1 − cache_hit_rate) × query tokens × embedding price / 1e6;
* corpus embedding = corpus tokens × refreshes per month × embedding price / 1e6
  (a full re-embed on each refresh: an upper bound, incremental updates cost less);
* vector store = base monthly price + stored GB × price per GB-month, where
  GB = (corpus tokens / chunk tokens) × (dimensions × 4 B + metadata B) / 1e9;
* upkeep = ``maintenance_engineer_fraction`` × ``engineer_monthly_usd``.

One-off: ``setup_engineer_months`` × ``engineer_monthly_usd`` + the first corpus embedding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmstrategy.inputs.catalog import Catalog
from llmstrategy.inputs.profile import Profile

BYTES_PER_FLOAT32 = 4


@dataclass(frozen=True)
class RagInputs:
    """Resolved RAG inputs (profile overrides applied to the catalog defaults)."""

    corpus_tokens: float
    retrieved_tokens_per_request: int
    corpus_refreshes_per_month: float
    embedding_usd_per_mtok: float
    embedding_dimensions: int
    chunk_tokens: float
    query_tokens: float
    vector_store_base_monthly_usd: float
    vector_store_usd_per_gb_month: float
    bytes_per_vector_overhead: float
    setup_engineer_months: float
    maintenance_engineer_fraction: float
    vector_store_monthly_override_usd: float | None = None


def rag_inputs(profile: Profile, catalog: Catalog) -> RagInputs:
    """Merge the profile's ``rag`` block with the defaults of ``data/rag.yaml``."""
    from llmstrategy.inputs.profile import RagSettings

    r = profile.rag or RagSettings()
    v = catalog.value
    return RagInputs(
        corpus_tokens=r.corpus_tokens,
        retrieved_tokens_per_request=r.retrieved_tokens_per_request,
        corpus_refreshes_per_month=r.corpus_refreshes_per_month,
        embedding_usd_per_mtok=(
            r.embedding_usd_per_mtok if r.embedding_usd_per_mtok is not None else float(v("rag.embedding.usd_per_mtok"))
        ),
        embedding_dimensions=int(v("rag.embedding.dimensions")),
        chunk_tokens=float(v("rag.chunking.chunk_tokens")),
        query_tokens=float(v("rag.chunking.query_tokens")),
        vector_store_base_monthly_usd=float(v("rag.vector_store.base_monthly_usd")),
        vector_store_usd_per_gb_month=float(v("rag.vector_store.usd_per_gb_month")),
        bytes_per_vector_overhead=float(v("rag.vector_store.bytes_per_vector_overhead")),
        setup_engineer_months=(
            r.setup_engineer_months if r.setup_engineer_months is not None else float(v("rag.setup.engineer_months"))
        ),
        maintenance_engineer_fraction=float(v("rag.setup.maintenance_engineer_fraction")),
        vector_store_monthly_override_usd=r.vector_store_monthly_usd,
    )


def vector_store_gb(inputs: RagInputs) -> float:
    """Stored index size [GB] = chunks × (dimensions × 4 B + metadata B) / 1e9."""
    chunks = inputs.corpus_tokens / inputs.chunk_tokens
    return chunks * (inputs.embedding_dimensions * BYTES_PER_FLOAT32 + inputs.bytes_per_vector_overhead) / 1e9


def vector_store_monthly_usd(inputs: RagInputs) -> float:
    """Vector store bill [USD/month]: the profile's override, else base + GB × $/GB-month."""
    if inputs.vector_store_monthly_override_usd is not None:
        return inputs.vector_store_monthly_override_usd
    return inputs.vector_store_base_monthly_usd + vector_store_gb(inputs) * inputs.vector_store_usd_per_gb_month


def rag_monthly_components_usd(
    inputs: RagInputs,
    requests_per_month: ArrayLike,
    *,
    cache_hit_rate: float,
    engineer_monthly_usd: float,
) -> dict[str, NDArray[np.float64]]:
    """RAG's own monthly costs [USD], each an array shaped like ``requests_per_month``."""
    req = np.asarray(requests_per_month, dtype=float)
    price = inputs.embedding_usd_per_mtok / 1e6
    ones = np.ones_like(req)
    return {
        "rag_query_embedding": req * (1.0 - cache_hit_rate) * inputs.query_tokens * price,
        "rag_corpus_embedding": ones * inputs.corpus_tokens * inputs.corpus_refreshes_per_month * price,
        "rag_vector_store": ones * vector_store_monthly_usd(inputs),
        "rag_upkeep": ones * inputs.maintenance_engineer_fraction * engineer_monthly_usd,
    }


def rag_upfront_components_usd(inputs: RagInputs, *, engineer_monthly_usd: float) -> dict[str, float]:
    """RAG's one-off costs [USD]: set-up effort and the first corpus embedding."""
    return {
        "rag_setup": inputs.setup_engineer_months * engineer_monthly_usd,
        "rag_initial_embedding": inputs.corpus_tokens * inputs.embedding_usd_per_mtok / 1e6,
    }
