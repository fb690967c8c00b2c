"""Fine-tuning economics: training, labeling and retraining [USD], GPU-hours.

* training tokens = labeled examples × tokens per example × epochs
* provider training = training tokens × the provider's training price / 1e6
* self-hosted training FLOPs = 6 × parameters × training tokens (full fine-tuning),
  × ``lora_flops_share`` for LoRA; GPU-hours = FLOPs / (BF16 peak × efficiency) / 3600
* labeling = examples × USD per curated example
* retraining per month = (training + refresh share × examples × USD per example) / months between runs
"""

from __future__ import annotations

from dataclasses import dataclass

from llmstrategy.inputs.catalog import Catalog, GpuSpec
from llmstrategy.inputs.profile import Profile


@dataclass(frozen=True)
class FineTuneInputs:
    """Resolved fine-tuning assumptions (``data/assumptions.yaml`` → ``fine_tune``)."""

    labeled_examples: int  # held by the team already
    tokens_per_example: float
    epochs: float
    usd_per_labeled_example: float
    retrain_every_months: float
    refresh_share: float
    prompt_reduction: float
    quality_uplift: float
    lora_flops_share: float
    training_compute_efficiency: float
    setup_engineer_months: float
    examples_needed: int = 0  # the training set the method needs

    @property
    def training_examples(self) -> int:
        """Examples in the training set = max(held, needed)."""
        return max(self.labeled_examples, self.examples_needed)

    @property
    def examples_to_label(self) -> int:
        """Examples still to be labeled = max(0, needed − held)."""
        return max(0, self.examples_needed - self.labeled_examples)

    @property
    def training_tokens(self) -> float:
        """Tokens processed by one training run = training examples × tokens per example × epochs."""
        return self.training_examples * self.tokens_per_example * self.epochs


def fine_tune_inputs(profile: Profile, catalog: Catalog) -> FineTuneInputs:
    v = catalog.value
    return FineTuneInputs(
        labeled_examples=profile.labeled_examples,
        tokens_per_example=float(profile.input_tokens_per_request + profile.output_tokens_per_request),
        epochs=float(v("fine_tune.epochs")),
        usd_per_labeled_example=float(v("fine_tune.usd_per_labeled_example")),
        retrain_every_months=float(v("fine_tune.retrain_every_months")),
        refresh_share=float(v("fine_tune.refresh_share")),
        prompt_reduction=float(v("fine_tune.prompt_reduction")),
        quality_uplift=float(v("fine_tune.quality_uplift")),
        lora_flops_share=float(v("fine_tune.lora_flops_share")),
        training_compute_efficiency=float(v("fine_tune.training_compute_efficiency")),
        setup_engineer_months=float(v("fine_tune.setup_engineer_months")),
        examples_needed=int(v("fine_tune.examples_needed")),
    )


def provider_training_usd(ft: FineTuneInputs, training_usd_per_mtok: float) -> float:
    """One provider training run [USD] = training tokens × price / 1e6."""
    return ft.training_tokens * training_usd_per_mtok / 1e6


def self_host_training_gpu_hours(ft: FineTuneInputs, params_b: float, gpu: GpuSpec, *, lora: bool = True) -> float:
    """GPU-hours of one training run: 6 × N × tokens FLOPs (× LoRA share) at an achieved
    share of the GPU's dense BF16 peak."""
    flops = 6.0 * params_b * 1e9 * ft.training_tokens * (ft.lora_flops_share if lora else 1.0)
    return flops / (gpu.bf16_dense_tflops * 1e12 * ft.training_compute_efficiency) / 3600.0


def labeling_usd(ft: FineTuneInputs) -> float:
    """Labeling the examples still missing [USD] = max(0, needed − held) × USD per example
    (examples the team already holds cost nothing more)."""
    return ft.examples_to_label * ft.usd_per_labeled_example


def relabeling_usd(ft: FineTuneInputs) -> float:
    """Fresh labels for one retraining [USD] = refresh share × training examples × USD per example."""
    return ft.refresh_share * ft.training_examples * ft.usd_per_labeled_example


def retraining_usd_per_month(ft: FineTuneInputs, training_run_usd: float) -> float:
    """Retraining spread per month [USD] = (one run + relabeling) / months between runs."""
    return (training_run_usd + relabeling_usd(ft)) / ft.retrain_every_months


def training_run_usd(ft: FineTuneInputs, params_b: float, gpu: GpuSpec, usd_per_gpu_hour: float) -> float:
    """One self-run training job [USD] = GPU-hours (LoRA, :func:`self_host_training_gpu_hours`) ×
    the price of a GPU-hour where it runs (a GPU market, or a vendor's training instance)."""
    return self_host_training_gpu_hours(ft, params_b, gpu) * usd_per_gpu_hour


def fine_tune_upfront_usd(ft: FineTuneInputs, training_usd: float, engineer_monthly_usd: float) -> dict[str, float]:
    """The one-off components of fine-tuning [USD]: the first training run, labeling the examples
    still missing and the set-up (``setup_engineer_months`` × engineer cost)."""
    return {
        "training": training_usd,
        "labeling": labeling_usd(ft),
        "fine_tune_setup": ft.setup_engineer_months * engineer_monthly_usd,
    }


def fine_tune_details(ft: FineTuneInputs, params_b: float, gpu: GpuSpec, usd_per_gpu_hour: float) -> dict[str, float]:
    """The training figures a report shows for a self-run fine-tune: GPU-hours, tokens, the run,
    labeling and retraining per month."""
    run = training_run_usd(ft, params_b, gpu, usd_per_gpu_hour)
    return {
        "training_usd": run,
        "labeling_usd": labeling_usd(ft),
        "retraining_usd_per_month": retraining_usd_per_month(ft, run),
        "training_gpu_hours": self_host_training_gpu_hours(ft, params_b, gpu),
        "training_tokens": ft.training_tokens,
        "training_usd_per_gpu_hour": usd_per_gpu_hour,
    }
