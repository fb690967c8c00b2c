"""Hosted-API costs: what a provider bills for a workload, vectorized over volume.

Prices are USD per 1M tokens. Formulas (per month):

* billable requests = requests × (1 − cache_hit_rate) × (1 + retry_rate)
  (a cache hit costs nothing; a retry is billed like the first try)
* cost per request = (input tokens × input price + output tokens × output price) / 1e6
* monthly cost = billable requests × cost per request

Batch-latency workloads pay the provider's batch price where the catalog has one.
Long-context tiers (a higher price above a prompt-length threshold) apply to the whole
request once its input is above the threshold, as the providers bill it; a batch
request in the long tier pays the long price × the batch/standard ratio.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmstrategy.inputs.catalog import ModelSpec

TOKENS_PER_MTOK = 1e6


@dataclass(frozen=True)
class RequestShape:
    """Tokens in one request after adaptation (e.g. RAG adds retrieved context) [tokens]."""

    input_tokens: float
    output_tokens: float

    @property
    def context_tokens(self) -> float:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class ApiPrice:
    """The price a model bills for one request shape [USD per 1M tokens]."""

    model_id: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    tier: str  # "standard", "batch", "long_context" or "batch+long_context"
    reasoning_tokens_per_output_token: float = 0.0  # hidden reasoning, billed as output

    def request_usd(self, shape: RequestShape) -> float:
        """Cost of one request [USD] = (input × input price + output × (1 + reasoning
        tokens per output token) × output price) / 1e6: reasoning models bill their hidden
        reasoning tokens at the output price."""
        billed_output = shape.output_tokens * (1.0 + self.reasoning_tokens_per_output_token)
        return (
            shape.input_tokens * self.input_usd_per_mtok + billed_output * self.output_usd_per_mtok
        ) / TOKENS_PER_MTOK


def api_price(
    model: ModelSpec,
    shape: RequestShape,
    *,
    batch: bool,
    fine_tuned: bool = False,
    reasoning_tokens_per_output_token: float = 0.0,
) -> ApiPrice:
    """The per-token prices ``model`` bills for requests of ``shape``.

    ``batch`` selects the provider's batch price where published; ``fine_tuned`` uses
    the provider's fine-tuned-model inference prices; a model that reasons by default
    (``reasoning_by_default``) also bills ``reasoning_tokens_per_output_token`` hidden tokens
    per output token. Raises ``ValueError`` for a model without an API price (callers check
    :attr:`ModelSpec.has_api_price`).
    """
    r = reasoning_tokens_per_output_token if model.reasoning_by_default else 0.0
    if fine_tuned:
        if model.finetuned_input_usd_per_mtok is None or model.finetuned_output_usd_per_mtok is None:
            raise ValueError(f"model '{model.id}' has no fine-tuned inference price")
        return ApiPrice(
            model.id, model.finetuned_input_usd_per_mtok, model.finetuned_output_usd_per_mtok, "fine_tuned", r
        )
    if model.input_usd_per_mtok is None or model.output_usd_per_mtok is None:
        raise ValueError(f"model '{model.id}' has no API price")
    inp, out = model.input_usd_per_mtok, model.output_usd_per_mtok
    tiers: list[str] = []
    long_ctx = (
        model.long_context_threshold_tokens is not None
        and shape.input_tokens > model.long_context_threshold_tokens
        and model.long_input_usd_per_mtok is not None
    )
    if batch and model.batch_input_usd_per_mtok is not None and model.batch_output_usd_per_mtok is not None:
        in_ratio = model.batch_input_usd_per_mtok / inp if inp > 0 else 1.0
        out_ratio = model.batch_output_usd_per_mtok / out if out > 0 else 1.0
        tiers.append("batch")
    else:
        in_ratio = out_ratio = 1.0
    if long_ctx:
        inp = float(model.long_input_usd_per_mtok)  # type: ignore[arg-type]
        out = float(model.long_output_usd_per_mtok or out)
        tiers.append("long_context")
    return ApiPrice(model.id, inp * in_ratio, out * out_ratio, "+".join(tiers) or "standard", r)


def billable_requests(requests_per_month: ArrayLike, cache_hit_rate: float, retry_rate: float) -> NDArray[np.float64]:
    """Requests the provider bills: ``requests × (1 − cache_hit_rate) × (1 + retry_rate)``."""
    return np.asarray(requests_per_month, dtype=float) * (1.0 - cache_hit_rate) * (1.0 + retry_rate)


def api_monthly_usd(
    requests_per_month: ArrayLike,
    price: ApiPrice,
    shape: RequestShape,
    *,
    cache_hit_rate: float = 0.0,
    retry_rate: float = 0.0,
) -> NDArray[np.float64]:
    """Monthly API bill [USD] = billable requests × cost per request."""
    return billable_requests(requests_per_month, cache_hit_rate, retry_rate) * price.request_usd(shape)


def per_1k_requests_usd(monthly_usd: ArrayLike, requests_per_month: ArrayLike) -> NDArray[np.float64]:
    """Cost per 1,000 successful requests [USD] (seed 001: track cost per task, not per token)."""
    req = np.asarray(requests_per_month, dtype=float)
    usd = np.asarray(monthly_usd, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(req > 0, usd / req * 1000.0, 0.0)


@dataclass(frozen=True)
class ModelChoice:
    """The model chosen for a role, with the rule that chose it."""

    model: ModelSpec | None
    reason: str


Qualifies = Callable[[ModelSpec], "str | None"]


def eligible_api_models(
    models: Iterable[ModelSpec],
    *,
    context_tokens: float,
    quality_needed: float = 0.0,
    on_date: date | None = None,
    qualifies: Qualifies | None = None,
) -> list[ModelSpec]:
    """Models with an API price, a window ≥ ``context_tokens``, not retired before ``on_date``,
    and that ``qualifies`` (None: no objection), or else whose MMLU-Pro quality ≥ ``quality_needed``."""
    out = []
    for m in models:
        if not m.has_api_price or m.context_window_tokens < context_tokens:
            continue
        if qualifies is not None:
            if qualifies(m) is not None:
                continue
        elif m.quality_score is None or m.quality_score < quality_needed:
            continue
        if on_date is not None and m.deprecation_date is not None and m.deprecation_date <= on_date:
            continue
        out.append(m)
    return out


def choose_api_model(
    models: Iterable[ModelSpec],
    shape: RequestShape,
    *,
    quality_needed: float = 0.0,
    batch: bool,
    context_tokens: float | None = None,
    on_date: date | None = None,
    reasoning_tokens_per_output_token: float = 0.0,
    qualifies: Qualifies | None = None,
    need_text: str | None = None,
    accepted_usd: Callable[[ModelSpec, float], float] | None = None,
) -> ModelChoice:
    """The cheapest catalog model for this workload that is good and large enough.

    Among models with an API price whose context window holds ``context_tokens``
    (default: the request's input + output tokens), which ``qualifies`` accepts (capability,
    lifecycle, latency; without it, MMLU-Pro quality ≥ ``quality_needed``) and which are not
    retired on ``on_date``, pick the lowest cost per request for this request shape (its own
    input/output mix and latency tier), or per accepted task when ``accepted_usd(model,
    request_usd)`` is given (seed 001: track cost per task), ties broken by higher quality, then id.
    """
    pool = list(models)
    need = shape.context_tokens if context_tokens is None else context_tokens
    what = need_text or f"quality ≥ {quality_needed:g}"
    ok = eligible_api_models(
        pool, context_tokens=need, quality_needed=quality_needed, on_date=on_date, qualifies=qualifies
    )
    if not ok:
        fits = [m for m in pool if m.has_api_price and m.context_window_tokens >= need]
        if not fits:
            return ModelChoice(None, f"no catalog API model has a context window of {need:,.0f} tokens")
        if qualifies is not None:
            why = sorted({str(qualifies(m)) for m in fits if qualifies(m) is not None})
            return ModelChoice(
                None, f"no catalog API model with a large enough window meets {what} ({'; '.join(why[:3])})"
            )
        best = max((m.quality_score or 0.0) for m in fits)
        return ModelChoice(
            None,
            f"no catalog API model with a large enough window reaches quality {quality_needed:g} (best {best:g})",
        )

    def cost(m: ModelSpec) -> float:
        usd = api_price(m, shape, batch=batch, reasoning_tokens_per_output_token=reasoning_tokens_per_output_token)
        return usd.request_usd(shape) if accepted_usd is None else accepted_usd(m, usd.request_usd(shape))

    ranked = sorted(ok, key=lambda m: (cost(m), -(m.quality_score or 0.0), m.id))
    m = ranked[0]
    per = "per request" if accepted_usd is None else "per accepted task"
    return ModelChoice(
        m,
        f"cheapest {per} of {len(ok)} catalog API models with {what} and a window ≥ {need:,.0f} tokens",
    )
