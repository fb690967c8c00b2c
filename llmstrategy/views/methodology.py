"""The report's methodology: every formula the engine applies, with the catalog defaults it
uses (value, unit, source, date) looked up at run time, so the text cannot drift from the
numbers. Pure: returns data; :mod:`notebook` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llmstrategy.inputs.catalog import Catalog

#: (section, formula in words, dotted catalog keys it uses)
FORMULAS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Workload",
        "A month is 365/12 days. Requests/month = requests_per_day × 365/12; tokens = input + output "
        "tokens per request × requests; peak requests/s = requests_per_day / 86,400 × peak_to_average.",
        (),
    ),
    (
        "Hosted API",
        "Billable requests = requests × (1 − cache_hit_rate) × (1 + retry_rate); monthly cost = billable × "
        "(input tokens × input price + output tokens × output price) / 1e6. Batch-latency profiles pay batch "
        "prices where published; a prompt above a long-context threshold pays that tier for the whole request. "
        "The model is the cheapest catalog model meeting the task's quality need and window, not retired.",
        ("quality_needed.low", "quality_needed.medium", "quality_needed.high"),
    ),
    (
        "Retrieval (RAG)",
        "Adds the retrieved tokens to every request's input; query embedding = requests × (1 − cache) × query "
        "tokens × embedding price; corpus embedding = corpus tokens × refreshes/month × embedding price; vector "
        "store = base + GB stored × $/GB-month; upkeep = a share of an engineer; set-up in engineer-months.",
        (
            "rag.embedding.usd_per_mtok",
            "rag.chunking.query_tokens",
            "rag.vector_store.base_monthly_usd",
            "rag.vector_store.usd_per_gb_month",
            "rag.setup.engineer_months",
            "rag.setup.maintenance_engineer_fraction",
        ),
    ),
    (
        "Self-host sizing",
        "Weights = parameters × bytes per parameter (bf16 2, fp8 1, int4 0.5); KV cache of a sequence of c tokens = "
        "2 × KV heads × head dim × bytes × (global layers × c + local layers × min(c, window)), the sliding-window "
        "or chunked layers keeping only their window. A replica (tensor parallel 1/2/4/8; pipeline stages when no "
        "node holds the model) must hold the weights and one full-length request's KV cache. KV-cache room, as "
        "each engine sizes it "
        "from the memory the driver reports (M) and its runtime memory (R: non-torch memory, CUDA graphs, the "
        "sampler's FP32 logits of its maximum batch): vLLM (1 − overhead share) × M − weights − R; TensorRT-LLM its "
        "free-memory fraction × (M − weights − R); SGLang (1 − overhead share) × M − weights − non-torch memory. "
        "Decode step = max(bytes read / (bandwidth × efficiency), 2 × active parameters × batch / (peak FLOP/s × "
        "efficiency)) × (1 + TP penalty × log2 TP + PP penalty × (stages − 1)) + 2 all-reduces per layer when tensor "
        "parallel (a fixed latency each + the bytes over the GPU link); prefill = 2 × active parameters × "
        "input tokens / achieved FLOP/s. Interactive profiles cap the batch at the time-per-output-token target "
        "and check time to first token (prefill + one step + a network round trip: within the region for your own "
        "fleet, between regions for a provider's GPUs, as a hosted API's measured figure includes its own path); "
        "batch profiles fill memory up to the engine's maximum batch.",
        (
            "self_host.memory_overhead_share",
            "self_host.trtllm_free_gpu_memory_fraction",
            "self_host.runtime_non_torch_gib_single_gpu",
            "self_host.runtime_non_torch_gib_multi_gpu",
            "self_host.runtime_cuda_graph_gib",
            "self_host.runtime_logits_copies",
            "self_host.bandwidth_efficiency",
            "self_host.compute_efficiency",
            "self_host.tp_comm_penalty_per_doubling",
            "self_host.pp_penalty_per_stage",
            "self_host.allreduce_latency_us",
            "self_host.max_batch_size",
            "self_host.default_tpot_slo_ms",
            "self_host.default_ttft_slo_ms",
            "self_host.network_round_trip_in_region_ms",
            "self_host.network_round_trip_remote_ms",
        ),
    ),
    (
        "Self-host cost",
        "GPU cost = GPUs × 730 h × $/GPU-hour for the cheapest model × GPU × layout at each volume. On demand "
        "(autoscaled) pays average load / (capacity × utilization), at least one replica; reserved pays the peak "
        "all month at the reserved price (on-demand × (1 − discount) where none is published). Operations add a "
        "share of an engineer; set-up is engineer-months.",
        (
            "self_host.default_gpu_utilization",
            "self_host.default_gpu_pricing",
            "self_host.reserved_discount",
            "self_host.ops_engineer_fraction",
            "self_host.setup_engineer_months",
            "engineer_monthly_usd",
        ),
    ),
    (
        "Fine-tuning",
        "Training tokens = labeled examples × tokens per example × epochs; provider training = tokens × the "
        "provider's training price, then the fine-tuned model's own prices; self-hosted LoRA = 6 × parameters × "
        "tokens × LoRA share FLOPs at the achieved share of BF16 peak. Labeling = examples × $/example; "
        "retraining = (one run + refresh share × labeling) / months between runs. Fine-tuning shrinks the prompt "
        "and lowers the quality a model needs (a smaller model can replace a larger one).",
        (
            "fine_tune.epochs",
            "fine_tune.usd_per_labeled_example",
            "fine_tune.retrain_every_months",
            "fine_tune.refresh_share",
            "fine_tune.prompt_reduction",
            "fine_tune.quality_uplift",
            "fine_tune.lora_flops_share",
            "fine_tune.training_compute_efficiency",
        ),
    ),
    (
        "Routing",
        "A router reads each prompt (an embedding call) and sends a share s of requests to the large model, the "
        "rest to the cheapest model meeting one complexity level less. s and the quality kept are RouteLLM's "
        "published operating points for the benchmark the task resembles (MT Bench for chat and summaries, MMLU "
        "for extraction and classification, GSM8K for reasoning, code and agents), or the profile's routing: "
        "block. Blended pass rate = max(small alone, quality kept × large alone). Routed hosted APIs price both "
        "models; the hybrid is the same split with the small model self-hosted.",
        (
            "routing.strong_share_open_ended",
            "routing.strong_share_knowledge",
            "routing.strong_share_reasoning",
            "routing.quality_retained",
            "routing.router_usd_per_mtok",
            "routing.router_latency_ms",
            "routing.setup_engineer_months",
            "hybrid.router_setup_engineer_months",
            "default_frontier_model",
        ),
    ),
    (
        "Availability and fallback",
        "Availability A = share of requests answered: per hosted provider, private cloud or self-hosted fleet; "
        "share-weighted over a routed pair; a hybrid's frontier API takes over while its fleet is down. Below the "
        "profile's availability_target, a hosted model of another provider (the cheapest that meets the task) "
        "serves the share 1 − A at its price, plus set-up and upkeep: together 1 − (1 − A)(1 − A_fallback).",
        (
            "availability.providers.default",
            "availability.private_cloud",
            "availability.self_host",
            "availability.fallback_setup_engineer_months",
            "availability.fallback_upkeep_engineer_fraction",
        ),
    ),
    (
        "Break-even",
        "Every monthly component but the GPU fleet (and a fine-tuned model's retraining) is affine in volume, and "
        "the fleet is the cheapest of pieces c·max(1, qR) (on demand) or c·max(1, ⌈qR⌉) (reserved). The set of "
        "volumes where self-hosting costs at most the API is solved in closed form per piece and united; the "
        "break-even is where its unbounded part starts. No grid is read.",
        (),
    ),
    (
        "Decision",
        "Criteria: seed 001's ratings (data/strategies.yaml) composed per strategy, plus the engine's upfront "
        "cost, cost per accepted task and the fleet's time to first token. Pass rate = clip({pass_rate_at_need:g} + "
        "{pass_rate_per_point:g} × quality gap, {pass_rate_min:g}, {pass_rate_max:g}) with uplifts for RAG "
        "(+{rag_uplift_points:g} points on knowledge tasks) and fine-tuning (+{fine_tune_uplift_points:g} on "
        "format or domain tasks), and penalties without them (−{systematic_failure_penalty_points:g} under "
        "systematic failures, −{stale_knowledge_penalty_points:g} when knowledge changes often); "
        "cost per accepted task = min(cost per request / "
        "pass rate, cost per request + (1 − pass rate) × frontier cost per request). Weights: base × the "
        "profile's conditions, overridden by the profile, normalized. Scores: weighted sum (min-max) and TOPSIS "
        "(vector normalization) over feasible strategies. The decision path's strategy is recommended unless it is "
        "infeasible or the top-scoring strategy beats it by more than {score_margin:g} on both methods.",
        (),
    ),
)


@dataclass(frozen=True)
class MethodSection:
    title: str
    formula: str
    inputs: tuple[dict[str, Any], ...]  # key, value, unit, source, as_of


def methodology(catalog: Catalog) -> list[MethodSection]:
    """Each formula with the current value, unit and source of every default it uses
    (the decision's numbers come from ``data/strategies.yaml``)."""
    from llmstrategy.decision.ratings import load_ratings

    r = load_ratings(catalog.data_dir)
    numbers = {**r.quality, **r.recommendation}
    out = []
    for title, template, keys in FORMULAS:
        formula = template.format(**numbers) if "{" in template else template
        rows = []
        for k in keys:
            s = catalog.defaults.get(k)
            if s is not None:
                rows.append({"key": k, "value": s.value, "unit": s.unit, "source": s.source, "as_of": s.as_of})
        out.append(MethodSection(title, formula, tuple(rows)))
    return out
