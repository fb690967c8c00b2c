"""A managed endpoint of an open-weight model in the team's own cloud account (SageMaker real-time
inference, an Azure Machine Learning managed online endpoint, Vertex AI online prediction): the
second kind of ``private_cloud`` besides provisioned throughput (:mod:`private_cloud`).

The model is sized with the self-hosting machinery (:func:`serving.layout_pieces`: every layout of
every qualifying model on the instance's GPU, under the profile's latency targets) and billed the
way the vendors bill: whole instances, per instance-hour, while they run. One instance holds
``GPUs per instance / GPUs per replica`` model replicas (a layout must divide the instance); the
fleet covers the peak all month, like a provisioned reservation: instances =
max(1, ⌈served requests × peak_to_average / (seconds per month × instance capacity × (1 −
peak_headroom))⌉) + a spare for an interactive service (N+1), cost = instances × USD per
instance-hour × 730. The vendor runs the instances, the host and the serving container, replaces
failed instances and rolls upgrades out on capacity of its own, so no operations staff per GPU is
added; but a failed instance serves nothing until it is replaced, so an interactive service keeps
one spare (``self_host.spare_replicas_interactive``; AWS Config's managed rule
``sagemaker-endpoint-config-prod-instance-count`` flags a production endpoint of one instance as
non-compliant). The team still owns the
model (choice, upgrades, scaling policy, monitoring): ``self_host.ops_engineer_fraction`` of an
engineer (``operations_staff``, the same for every option, so the cheapest instances at each
volume are the cheapest endpoint and the break-even stays exact). Set-up is a
private deployment's (``private_cloud.setup_engineer_months``), plus hiring the ML engineer a team
without one lacks when it may hire (``hiring``). The listed on-demand instance price is used
whatever the profile's ``gpu_pricing``: no commitment price is in the data.

Fine-tuned (``fine_tune``, ``rag_fine_tune``): the team tunes an open model (LoRA, merged into the
weights, so the served model has the base's size) in its own account and serves it on the same
endpoint, priced as self-hosted fine-tuning is (:mod:`finetune`): labeled examples are required,
the quality need is lowered by ``fine_tune.quality_uplift`` and the prompt shortened by
``prompt_reduction``; one training run = GPU-hours of the model on the instance's GPU × the
instance's price per GPU-hour (the data holds no separate training-instance price: Vertex AI's
training SKUs equal its prediction SKUs, SageMaker's were not read); retraining per month = (run +
relabeling) / months between runs, a fixed cost of the model × instance option, so it takes part in
the choice; one-off: the first run, labeling the missing examples and ``fine_tune.setup_engineer_months``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.context import (
    GpuPiece,
    PricingContext,
    StrategyCost,
    add_rag,
    context_needed,
    fine_tune_shape,
    infeasible,
)
from llmstrategy.economics.finetune import (
    FineTuneInputs,
    fine_tune_details,
    fine_tune_inputs,
    fine_tune_upfront_usd,
    retraining_usd_per_month,
    training_run_usd,
)
from llmstrategy.economics.fleet import candidate_models
from llmstrategy.economics.hosted import tuned_choice_pool
from llmstrategy.economics.quality import QualityNeed
from llmstrategy.economics.selfhost import hire_months, hire_usd_per_engineer
from llmstrategy.economics.serving import (
    ServingSetup,
    layout_pieces,
    self_host_settings,
    serving_setup,
    with_hidden_reasoning,
)
from llmstrategy.economics.sizing import ReplicaSizing
from llmstrategy.inputs.catalog import ModelSpec
from llmstrategy.inputs.managed_endpoints import ManagedEndpointOffer
from llmstrategy.inputs.strategies import Strategy
from llmstrategy.inputs.workload import DAYS_PER_MONTH, HOURS_PER_MONTH, SECONDS_PER_DAY

SECONDS_PER_MONTH = DAYS_PER_MONTH * SECONDS_PER_DAY
#: the monthly components that are the cheapest piece's cost (instances, and a tuned model's retraining)
ENDPOINT_COMPONENTS = ("managed_endpoint_instances",)
FINE_TUNED_COMPONENTS = ("managed_endpoint_instances", "retraining")
#: what a training run on the endpoint's vendor is priced at
TRAINING_PRICE_BASIS = "the endpoint instance's on-demand price per GPU-hour (no training-instance price in the data)"


@dataclass(frozen=True)
class EndpointOption:
    """One way to serve the load: a model in one layout on one vendor instance type."""

    model: ModelSpec
    offer: ManagedEndpointOffer
    sizing: ReplicaSizing
    replicas_per_instance: int
    piece: GpuPiece  # a "replica" of the piece is one instance

    @property
    def instance_requests_per_second(self) -> float:
        """What one instance serves within the latency targets [req/s]."""
        return self.replicas_per_instance * self.sizing.requests_per_second


def endpoint_setup(strategy: Strategy, ctx: PricingContext) -> ServingSetup:
    """The self-hosting serving setup (a tuned model's shorter prompt), sized for the peak all
    month, with the spare an interactive service keeps."""
    s = self_host_settings(ctx)
    return replace(serving_setup(fine_tune_shape(strategy, ctx), ctx, s), reserved=True)


#: a fixed monthly cost of serving a model on an instance type [USD/month] (a tuned model's retraining)
FixedCost = Callable[[ModelSpec, ManagedEndpointOffer], float]


def endpoint_options(
    strategy: Strategy, ctx: PricingContext, need: QualityNeed | None = None, fixed: FixedCost | None = None
) -> tuple[list[EndpointOption], list[str]]:
    """Every model that meets ``need`` (default: the task's) × offered instance × layout that
    divides the instance, volume in requests/month before cache and retries, with ``fixed(model,
    offer)`` as the piece's fixed monthly cost; and why the rest were left out."""
    p = ctx.profile
    reasons: list[str] = []
    window = max(context_needed(strategy, ctx), fine_tune_shape(strategy, ctx).context_tokens)
    models = candidate_models(ctx, need or ctx.quality, window)
    if isinstance(models, str):
        return [], [models]
    if fixed is not None:  # a tuned model: near the best tuned pass rate where retries cannot buy accuracy
        keep = tuned_choice_pool(models, ctx, need or ctx.quality)
        models = [m for m in models if m.id in keep]
    offers = [o for o in ctx.catalog.managed_endpoints if p.assumptions.gpu in (None, o.gpu_id)]
    if not offers:
        return [], [f"no managed-endpoint instance with {p.assumptions.gpu} (data/managed_endpoints.csv)"]
    base = endpoint_setup(strategy, ctx)
    served_per_request = (1.0 - p.cache_hit_rate) * (1.0 + p.retry_rate)
    out: list[EndpointOption] = []
    for m in models:
        u = with_hidden_reasoning(base, m, ctx.reasoning_tokens_per_output_token)
        for o in offers:
            lp = layout_pieces(m, ctx.catalog.gpus[o.gpu_id], o.usd_per_gpu_hour, u)
            if isinstance(lp, str):
                reasons.append(f"{o.instance_type}: {lp}")
                continue
            _, fitting, pieces, _ = lp
            for r, pc in zip(fitting, pieces, strict=True):
                if o.gpus_per_instance % r.gpus_per_replica:
                    reasons.append(f"{o.instance_type}: {m.id} needs {r.gpus_per_replica} GPUs per replica")
                    continue
                k = o.gpus_per_instance // r.gpus_per_replica
                piece = GpuPiece(
                    model_id=m.id,
                    gpu_id=o.instance_type,
                    tensor_parallel=r.tensor_parallel,
                    pipeline_stages=r.pipeline_stages,
                    usd_per_replica_month=o.usd_per_instance_hour * HOURS_PER_MONTH,
                    replicas_per_request_month=pc.replicas_per_request_month / k * served_per_request,
                    reserved=True,
                    fixed_usd_per_month=fixed(m, o) if fixed else 0.0,
                    spare_replicas=u.spare_replicas,  # a whole spare instance
                )
                out.append(EndpointOption(m, o, r, k, piece))
    return out, reasons


def _undominated(options: list[EndpointOption]) -> list[EndpointOption]:
    """Options no other beats in price per instance, instances per request and fixed cost (a
    dominated option is never the cheapest, so leaving it out is exact); ties keep the first."""
    cols = np.array(
        [
            [o.piece.usd_per_replica_month, o.piece.replicas_per_request_month, o.piece.fixed_usd_per_month]
            for o in options
        ]
    ).T
    le = np.all(cols[:, :, None] <= cols[:, None, :], axis=0)
    lt = np.any(cols[:, :, None] < cols[:, None, :], axis=0)
    earlier = np.arange(len(options))[:, None] < np.arange(len(options))[None, :]
    beaten = le & (lt | earlier)
    np.fill_diagonal(beaten, False)
    return [o for o, b in zip(options, beaten.any(axis=0), strict=True) if not b]


def managed_endpoint_cost(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``private_cloud`` as a managed endpoint of an open-weight model, tuned or not (see the
    module docstring)."""
    if not ctx.catalog.managed_endpoints:
        return infeasible(strategy, req, "no managed-endpoint instance in the data (data/managed_endpoints.csv)")
    ft = fine_tune_inputs(ctx.profile, ctx.catalog)
    tuned = strategy.uses_fine_tune
    if tuned and ft.labeled_examples <= 0:
        return infeasible(strategy, req, "fine-tuning needs labeled examples (labeled_examples is 0)")
    v = ctx.catalog.value
    ops = float(v("self_host.ops_engineer_fraction")) * ctx.engineer_monthly_usd
    need = ctx.quality.lowered(ft.quality_uplift) if tuned else ctx.quality
    options, reasons = endpoint_options(strategy, ctx, need, _retraining(ctx, ft) if tuned else None)
    if not options:
        why = "; ".join(list(dict.fromkeys(reasons))[:3])
        return infeasible(strategy, req, "no open-weight model fits a managed-endpoint instance: " + why)
    options = _undominated(options)
    instances = np.stack([o.piece.monthly_usd(req) for o in options])
    fixed = np.array([o.piece.fixed_usd_per_month for o in options])
    choice = np.argmin(instances + fixed[:, None], axis=0)
    cols = np.arange(req.size)
    monthly: dict[str, NDArray[np.float64]] = {"managed_endpoint_instances": instances[choice, cols]}
    if tuned:
        monthly["retraining"] = fixed[choice]
    monthly["operations_staff"] = np.full_like(req, ops)  # the team's share: the model is yours to run
    upfront = {"private_cloud_setup": float(v("private_cloud.setup_engineer_months")) * ctx.engineer_monthly_usd}
    first = options[int(choice[0])]
    details = {
        **_details(first, strategy, ctx, req, len(options)),
        "quality_needed": need.primary.min_scores[0],
        "operations_usd_per_month": ops,
    }
    if tuned:
        gpu = ctx.catalog.gpus[first.offer.gpu_id]
        params_b = float(first.model.total_params_b or 0)
        upfront.update(
            fine_tune_upfront_usd(
                ft, training_run_usd(ft, params_b, gpu, first.offer.usd_per_gpu_hour), ctx.engineer_monthly_usd
            )
        )
        details.update(fine_tune_details(ft, params_b, gpu, first.offer.usd_per_gpu_hour))
        details.update(training_instance_type=first.offer.instance_type, training_price_basis=TRAINING_PRICE_BASIS)
    team = ctx.profile.team
    if team.ml_engineers <= 0 and team.can_hire:  # the model needs an ML engineer the team lacks
        upfront["hiring"] = hire_usd_per_engineer(ctx)
        details.update(engineers_to_hire=1, hire_months=hire_months(ctx))
    add_rag(strategy, ctx, req, monthly, upfront)
    return StrategyCost(
        strategy,
        req,
        monthly,
        upfront,
        {"private_cloud": first.model.id},
        details,
        gpu_pieces=tuple(o.piece for o in options),
        piece_components=FINE_TUNED_COMPONENTS if tuned else ENDPOINT_COMPONENTS,
    )


def _retraining(ctx: PricingContext, ft: FineTuneInputs) -> FixedCost:
    """Retraining per month of a model tuned on an offer's instances [USD/month]: one run (LoRA
    GPU-hours of the model on the instance's GPU × its price per GPU-hour) and the relabeling,
    over the months between runs."""

    def retrain(m: ModelSpec, o: ManagedEndpointOffer) -> float:
        run = training_run_usd(ft, float(m.total_params_b or 0), ctx.catalog.gpus[o.gpu_id], o.usd_per_gpu_hour)
        return retraining_usd_per_month(ft, run)

    return retrain


def _details(
    o: EndpointOption, strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64], n_options: int
) -> dict[str, Any]:
    """The month-0 endpoint: its instances at the peak and what they carry."""
    p = ctx.profile
    served = float(req[0]) * (1.0 - p.cache_hit_rate) * (1.0 + p.retry_rate)
    instances = float(o.piece.replicas(np.array([float(req[0])]))[0])
    peak = served * p.peak_to_average / SECONDS_PER_MONTH
    capacity = (instances - o.piece.spare_replicas) * o.instance_requests_per_second  # the spare carries none
    r = o.sizing
    shape = fine_tune_shape(strategy, ctx)
    return {
        "model_choice": f"cheapest of {n_options} model x instance x layout options that meet "
        f"{ctx.quality.describe()} and the latency targets",
        "deployment_kind": "managed_endpoint",
        "vendor": o.offer.vendor,
        "offering": o.offer.offering,
        "instance_type": o.offer.instance_type,
        "region": o.offer.region,
        "usd_per_instance_hour": o.offer.usd_per_instance_hour,
        "usd_per_gpu_hour": o.offer.usd_per_gpu_hour,
        "gpu": o.offer.gpu_id,
        "gpus_per_instance": o.offer.gpus_per_instance,
        "precision": r.precision,
        "tensor_parallel": r.tensor_parallel,
        "pipeline_stages": r.pipeline_stages,
        "replicas_per_instance": o.replicas_per_instance,
        "instances": instances,
        "spare_instances": o.piece.spare_replicas,
        "gpus": instances * o.offer.gpus_per_instance,
        "peak_requests_per_second": peak,
        "peak_capacity_requests_per_second": capacity,
        "peak_load_to_capacity": peak / capacity if capacity > 0 else float("inf"),
        "time_to_first_token_ms": r.time_to_first_token_ms,
        "time_per_output_token_ms": r.time_per_output_token_ms,
        "input_tokens_per_request": shape.input_tokens,
        "output_tokens_per_request": shape.output_tokens,
    }
