"""The pricing context and what every pricer returns.

:class:`PricingContext` resolves a profile against the catalog defaults once;
:class:`StrategyCost` is a strategy's cost at each monthly volume, as named monthly and
one-off components; :class:`GpuPiece` is one way to serve the load on GPUs. The helpers
here (request shape, window needed, RAG components) are shared by the pricers in
:mod:`hosted` and :mod:`selfhost`; :mod:`price` dispatches a strategy to its pricer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import RequestShape
from llmstrategy.economics.finetune import fine_tune_inputs
from llmstrategy.economics.quality import QualityNeed, Requirement, quality_need
from llmstrategy.economics.rag import RagInputs, rag_inputs, rag_monthly_components_usd, rag_upfront_components_usd
from llmstrategy.errors import ProfileError
from llmstrategy.inputs.catalog import Catalog
from llmstrategy.inputs.profile import Profile
from llmstrategy.inputs.strategies import Strategy


@dataclass(frozen=True)
class PricingContext:
    """A profile with the defaults resolved that every pricer needs."""

    profile: Profile
    catalog: Catalog
    on_date: date
    engineer_monthly_usd: float
    quality_needed: float
    batch: bool
    rag: RagInputs
    reasoning_tokens_per_output_token: float = 0.0  # for models that reason by default
    need: QualityNeed | None = None  # capabilities the task needs (None: MMLU-Pro at quality_needed)

    @property
    def usable_until(self) -> date:
        """The horizon's last day: a model retiring before it would need a migration."""
        months = self.profile.horizon_months
        y, m = divmod(self.on_date.month - 1 + months, 12)
        day = min(self.on_date.day, 28)
        return date(self.on_date.year + y, m + 1, day)

    @property
    def quality(self) -> QualityNeed:
        """:attr:`need`, or MMLU-Pro at :attr:`quality_needed` when none was resolved."""
        if self.need is not None:
            return self.need
        return QualityNeed(
            self.profile.task_type,
            self.profile.task_complexity,
            (Requirement("quality", ("mmlu_pro",), (self.quality_needed,)),),
        )


def pricing_context(profile: Profile, catalog: Catalog, *, on_date: date | None = None) -> PricingContext:
    """Resolve the profile's assumptions against the catalog defaults.

    ``engineer_monthly_usd`` comes from the profile or ``data/assumptions.yaml``; the
    quality threshold from ``quality_needed.<task_complexity>``; ``batch`` is true for
    batch-latency profiles (they pay batch prices). Unknown model or GPU ids in the
    profile's ``assumptions`` raise a one-line error with the nearest ids.
    """
    a = profile.assumptions
    path = profile.source_path
    for fld in ("api_model", "frontier_model", "self_host_model"):
        mid = getattr(a, fld)
        if mid is not None:
            catalog.model(mid, field=f"assumptions.{fld}", path=path)
    if a.gpu is not None:
        catalog.gpu(a.gpu, field="assumptions.gpu", path=path)
    if a.api_model is not None and not catalog.models[a.api_model].has_api_price:
        raise ProfileError(
            f"model '{a.api_model}' has no API price in the catalog (expected a hosted model)",
            path=path,
            field="assumptions.api_model",
        )
    need = quality_need(profile, catalog)
    return PricingContext(
        profile=profile,
        catalog=catalog,
        on_date=on_date or date.today(),
        engineer_monthly_usd=float(
            a.engineer_monthly_usd if a.engineer_monthly_usd is not None else catalog.value("engineer_monthly_usd")
        ),
        quality_needed=need.primary.min_scores[0],
        need=need,
        batch=profile.latency == "batch",
        rag=rag_inputs(profile, catalog),
        reasoning_tokens_per_output_token=float(
            a.reasoning_tokens_per_output_token
            if a.reasoning_tokens_per_output_token is not None
            else catalog.value("reasoning_tokens_per_output_token")
        ),
    )


@dataclass(frozen=True)
class GpuPiece:
    """One way to serve the load: a model on one GPU type in one layout.

    Monthly GPU cost at ``x`` served requests/month = ``usd_per_replica_month`` × replicas,
    replicas = max(1, q·x) + spare on demand (autoscaled: average load / (capacity ×
    utilization)) or max(1, ⌈q·x⌉) + spare reserved (the peak, all month), with
    ``q = replicas_per_request_month``: 1 / (seconds per month × capacity [req/s] ×
    utilization) on demand, peak_to_average / (seconds per month × capacity × (1 − headroom))
    reserved; ``spare`` is 1 for interactive services (N+1). ``usd_per_replica_month`` = GPUs per replica ×
    730 h × USD per GPU-hour. ``fixed_usd_per_month`` is what comes with the piece's model
    whatever the volume (retraining a fine-tuned model). The fleet at each volume is the piece
    with the lowest fixed + GPU cost.
    """

    model_id: str
    gpu_id: str
    tensor_parallel: int
    pipeline_stages: int
    usd_per_replica_month: float
    replicas_per_request_month: float
    reserved: bool
    fixed_usd_per_month: float = 0.0  # costs that come with this model (e.g. its retraining)
    staff_usd_per_replica_month: float = 0.0  # the operations-staff part of usd_per_replica_month
    spare_replicas: float = 0.0  # always-on replicas beyond the load (N+1 for interactive services)
    min_replicas: float = 1.0  # the smallest deployment (a provisioned offer's minimum units / step)

    @property
    def sized_by_model(self) -> bool:
        """Whether this piece's capacity comes from the sizing model (a layout of ``tensor_parallel``
        ≥ 1 GPUs), not from a vendor's published throughput (provisioned units: ``tensor_parallel`` 0)."""
        return self.tensor_parallel > 0

    def replicas(self, requests_per_month: NDArray[np.float64]) -> NDArray[np.float64]:
        x = self.replicas_per_request_month * np.asarray(requests_per_month, dtype=float)
        if self.reserved:
            return np.maximum(self.min_replicas, np.ceil(x - 1e-9)) + self.spare_replicas
        return np.maximum(self.min_replicas, x) + self.spare_replicas

    def monthly_usd(self, requests_per_month: NDArray[np.float64]) -> NDArray[np.float64]:
        return self.usd_per_replica_month * self.replicas(requests_per_month)

    def scaled(self, served_per_request: float, fixed_usd_per_month: float | None = None) -> GpuPiece:
        """The same piece with volume measured in requests before cache, retries and routing
        (and, if given, another fixed monthly cost). A constructor call: cheaper than ``replace``."""
        return GpuPiece(
            self.model_id,
            self.gpu_id,
            self.tensor_parallel,
            self.pipeline_stages,
            self.usd_per_replica_month,
            self.replicas_per_request_month * served_per_request,
            self.reserved,
            self.fixed_usd_per_month if fixed_usd_per_month is None else fixed_usd_per_month,
            self.staff_usd_per_replica_month,
            self.spare_replicas,
            self.min_replicas,
        )


@dataclass(frozen=True)
class StrategyCost:
    """A strategy's cost at each volume in ``requests_per_month``.

    ``monthly_components_usd`` maps a component name to an array [USD/month];
    ``upfront_components_usd`` maps a one-off component to [USD]. An infeasible strategy
    has ``feasible=False``, its ``reasons``, and no components. Self-hosted strategies
    also carry ``gpu_pieces``: the ``piece_components`` (``gpu_fleet``, and ``retraining`` when
    fine-tuned) sum, at each volume, to the cheapest piece's fixed + GPU cost (volume in
    requests/month before cache, retries and routing); every other component is affine in
    volume, which is what makes the break-even exact. ``extra_pieces`` holds further
    (pieces, components) tables whose costs add to the first's (routing between two private
    deployments: the small model's reservation beside the large one's), each its own min.
    """

    strategy: Strategy
    requests_per_month: NDArray[np.float64]
    monthly_components_usd: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)
    upfront_components_usd: Mapping[str, float] = field(default_factory=dict)
    models: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    feasible: bool = True
    reasons: tuple[str, ...] = ()
    gpu_pieces: tuple[GpuPiece, ...] = ()
    piece_components: tuple[str, ...] = ()  # components that are min over gpu_pieces, not affine
    extra_pieces: tuple[tuple[tuple[GpuPiece, ...], tuple[str, ...]], ...] = ()  # more tables, costs add

    @property
    def piece_tables(self) -> tuple[tuple[tuple[GpuPiece, ...], tuple[str, ...]], ...]:
        """Every (pieces, components) table: ``gpu_pieces`` first (if any), then ``extra_pieces``."""
        first = ((self.gpu_pieces, self.piece_components),) if self.gpu_pieces else ()
        return (*first, *self.extra_pieces)

    @property
    def all_piece_components(self) -> frozenset[str]:
        """The components of every piece table (none of them affine in volume)."""
        return frozenset(name for _, names in self.piece_tables for name in names) | set(self.piece_components)

    @property
    def monthly_usd(self) -> NDArray[np.float64]:
        """Total monthly cost [USD] at each volume (NaN when infeasible)."""
        if not self.feasible:
            return np.full_like(self.requests_per_month, np.nan)
        total = np.zeros_like(self.requests_per_month)
        for arr in self.monthly_components_usd.values():
            total = total + arr
        return total

    @property
    def upfront_usd(self) -> float:
        """Total one-off cost [USD] (NaN when infeasible)."""
        if not self.feasible:
            return float("nan")
        return float(sum(self.upfront_components_usd.values()))


#: deployment kinds (a cost's ``details.deployment_kind``) that keep the data in the team's own cloud
#: although their deployment is one that usually sends it to a provider
OWN_CLOUD_KINDS = frozenset({"routed_own_cloud"})


def sends_data_to_third_party(strategy: Strategy, details: Mapping[str, Any]) -> bool:
    """Whether a priced strategy sends requests to a third party's model: its deployment's rule
    (:attr:`Strategy.sends_data_to_third_party`), except where it was priced in the team's own
    cloud (routing between two private deployments)."""
    return strategy.sends_data_to_third_party and details.get("deployment_kind") not in OWN_CLOUD_KINDS


def infeasible(strategy: Strategy, req: NDArray[np.float64], *reasons: str, **kw: Any) -> StrategyCost:
    return StrategyCost(strategy=strategy, requests_per_month=req, feasible=False, reasons=tuple(reasons), **kw)


def request_shape(strategy: Strategy, ctx: PricingContext) -> RequestShape:
    """Tokens per request under this strategy's adaptation: RAG adds the retrieved context and
    replaces the reference material a prompt would otherwise carry (``stuffed_context_tokens``)."""
    p = ctx.profile
    if not strategy.uses_rag:
        return RequestShape(float(p.input_tokens_per_request), float(p.output_tokens_per_request))
    prompt = p.input_tokens_per_request - p.stuffed_context_tokens + ctx.rag.retrieved_tokens_per_request
    return RequestShape(float(max(prompt, 1)), float(p.output_tokens_per_request))


def context_needed(strategy: Strategy, ctx: PricingContext) -> float:
    """Window the model must hold [tokens]: the profile's need, and at least the request
    (input + retrieved + output); under RAG, retrieval holds the stuffed reference material."""
    p = ctx.profile
    need = p.context_tokens
    if strategy.uses_rag and p.stuffed_context_tokens:
        need = 0
    return float(max(need, request_shape(strategy, ctx).context_tokens))


def add_rag(
    strategy: Strategy,
    ctx: PricingContext,
    req: NDArray[np.float64],
    monthly: dict[str, NDArray[np.float64]],
    upfront: dict[str, float],
) -> None:
    """Add RAG's own monthly and one-off components when the strategy uses retrieval."""
    if not strategy.uses_rag:
        return
    monthly.update(
        rag_monthly_components_usd(
            ctx.rag, req, cache_hit_rate=ctx.profile.cache_hit_rate, engineer_monthly_usd=ctx.engineer_monthly_usd
        )
    )
    upfront.update(rag_upfront_components_usd(ctx.rag, engineer_monthly_usd=ctx.engineer_monthly_usd))


def fine_tune_shape(strategy: Strategy, ctx: PricingContext) -> RequestShape:
    """Tokens per request of a fine-tuned model: the prompt shrinks by the profile's
    ``prompt_reduction`` (instructions trained into the weights); retrieved context stays."""
    shape = request_shape(strategy, ctx)
    if not strategy.uses_fine_tune:
        return shape
    ft = fine_tune_inputs(ctx.profile, ctx.catalog)
    p = ctx.profile
    extra = shape.input_tokens - p.input_tokens_per_request  # retrieved context is not trained away
    return RequestShape(p.input_tokens_per_request * (1.0 - ft.prompt_reduction) + extra, shape.output_tokens)
