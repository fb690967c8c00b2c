"""People's words for the engine's ids: strategy names, cost-component labels, and the
engine's own sentences (decision path, break-even reasons, revisit triggers) rewritten for a
reader: strategy ids as names, profile field names as words, seed references dropped (the
methodology keeps them), numbers of a million or more written short.

The report shows these everywhere but in its methodology, its appendix tables and the CSV
and JSON exports, which keep the raw ids. Pure functions of text; nothing here computes.
"""

from __future__ import annotations

import re

from llmstrategy.fmt import fmt_month, humanize_numbers

#: strategy id → its name in sentences
STRATEGY_NAMES: dict[str, str] = {
    "api": "Hosted API",
    "api+rag": "Hosted API with retrieval",
    "api+fine_tune": "Hosted API, fine-tuned",
    "api+rag+fine_tune": "Hosted API with retrieval, fine-tuned",
    "self_host": "Self-hosted open model",
    "self_host+rag": "Self-hosted open model with retrieval",
    "self_host+fine_tune": "Self-hosted open model, fine-tuned",
    "self_host+rag+fine_tune": "Self-hosted open model with retrieval, fine-tuned",
    "hybrid": "Self-hosted model with a hosted frontier model for hard cases",
    "hybrid+rag": "Self-hosted model with retrieval and a hosted frontier model for hard cases",
    "hybrid+fine_tune": "Self-hosted model, fine-tuned, with a hosted frontier model for hard cases",
    "hybrid+rag+fine_tune": "Self-hosted model with retrieval, fine-tuned, with a hosted frontier model for hard cases",
    "private_cloud": "Model deployed privately in your own cloud account",
    "private_cloud+rag": "Model deployed privately in your own cloud account, with retrieval",
    "private_cloud+fine_tune": "Model deployed privately in your own cloud account, fine-tuned",
    "private_cloud+rag+fine_tune": "Model deployed privately in your own cloud account, with retrieval, fine-tuned",
    "routed": "A small and a large model, easy requests routed to the small one",
    "routed+rag": "A small and a large model with retrieval, easy requests routed to the small one",
    "routed+fine_tune": "A small and a large model, fine-tuned, easy requests routed to the small one",
    "routed+rag+fine_tune": (
        "A small and a large model with retrieval, fine-tuned, easy requests routed to the small one"
    ),
    "no_llm": "No LLM",
}

#: strategy id → a short name for chart legends, axes and narrow table cells
SHORT_NAMES: dict[str, str] = {
    "api": "Hosted API",
    "api+rag": "Hosted API + retrieval",
    "api+fine_tune": "Hosted API, fine-tuned",
    "api+rag+fine_tune": "Hosted API + retrieval, fine-tuned",
    "self_host": "Self-hosted",
    "self_host+rag": "Self-hosted + retrieval",
    "self_host+fine_tune": "Self-hosted, fine-tuned",
    "self_host+rag+fine_tune": "Self-hosted + retrieval, fine-tuned",
    "hybrid": "Hybrid (self-hosted + frontier API)",
    "hybrid+rag": "Hybrid + retrieval",
    "hybrid+fine_tune": "Hybrid, fine-tuned",
    "hybrid+rag+fine_tune": "Hybrid + retrieval, fine-tuned",
    "private_cloud": "Private cloud capacity",
    "private_cloud+rag": "Private cloud + retrieval",
    "private_cloud+fine_tune": "Private cloud, fine-tuned",
    "private_cloud+rag+fine_tune": "Private cloud + retrieval, fine-tuned",
    "routed": "Routed (small + large model)",
    "routed+rag": "Routed + retrieval",
    "routed+fine_tune": "Routed, fine-tuned",
    "routed+rag+fine_tune": "Routed + retrieval, fine-tuned",
    "no_llm": "No LLM",
}


def strategy_name(sid: str | None, *, short: bool = False) -> str:
    """The people's name of a strategy id (``api+rag`` → ``Hosted API with retrieval``);
    ``short`` for legends and axes. An unknown id is shown with spaces for ``_`` and ``+``."""
    if sid is None:
        return "—"
    names = SHORT_NAMES if short else STRATEGY_NAMES
    if sid in names:
        return names[sid]
    return sid.replace("_", " ").replace("+", " + ")


#: cost component → plain label (monthly and one-off)
COMPONENT_LABELS: dict[str, str] = {
    "api_inference": "Tokens (hosted API)",
    "api_spillover": "Tokens above the reservation, billed pay-as-you-go in your cloud account",
    "api_frontier": "Tokens sent to the frontier model (hard cases)",
    "api_large_model": "Tokens sent to the large model (hard requests)",
    "api_small_model": "Tokens sent to the small model (easy requests)",
    "router": "Router (reads each request to choose the model)",
    "fallback_api": "Fallback provider's tokens while the main one is down",
    "fallback_upkeep": "Keeping the fallback provider tested",
    "fallback_setup": "Setting up a fallback provider",
    "gpu_fleet": "GPUs",
    "fleet_operations": "GPU operations (hosting, networking, monitoring)",
    "operations_staff": "Staff to run the servers",
    "retraining": "Retraining the fine-tuned model",
    "rag_query_embedding": "Retrieval: embedding the questions",
    "rag_corpus_embedding": "Retrieval: re-embedding the documents",
    "rag_vector_store": "Retrieval: vector database",
    "rag_upkeep": "Retrieval: an engineer's upkeep",
    "rag_setup": "Building retrieval (engineer time)",
    "rag_initial_embedding": "Embedding the documents once",
    "self_host_setup": "Setting up self-hosting (engineer time)",
    "router_setup": "Building the router and testing its split",
    "fine_tune_setup": "Preparing fine-tuning (engineer time)",
    "training": "Training runs",
    "labeling": "Labeling examples",
    "provisioned_capacity": "Reserved model capacity in your cloud account",
    "managed_endpoint_instances": "Instances of your model's managed endpoint in your cloud account",
    "tuned_model_endpoint": "The provider's GPUs reserved to serve your tuned model",
    "tuned_model_hosting": "The provider's monthly fee for hosting your tuned model",
    "private_cloud_setup": "Setting up the reserved capacity (engineer time)",
}


#: cost component → a short label for table headers
COMPONENT_SHORT: dict[str, str] = {
    "api_inference": "API tokens",
    "api_spillover": "API tokens",
    "api_frontier": "API tokens",
    "gpu_fleet": "GPUs",
    "fleet_operations": "GPU operations",
    "operations_staff": "Server staff",
    "retraining": "Retraining",
    "rag_query_embedding": "Question embedding",
    "rag_corpus_embedding": "Document embedding",
    "rag_vector_store": "Vector database",
    "rag_upkeep": "Retrieval upkeep",
    "rag_setup": "Retrieval build",
    "rag_initial_embedding": "First embedding",
    "self_host_setup": "Self-host set-up",
    "router_setup": "Router build",
    "fine_tune_setup": "Fine-tune prep",
    "training": "Training",
    "labeling": "Labeling",
    "provisioned_capacity": "Reserved capacity",
    "managed_endpoint_instances": "Endpoint instances",
    "tuned_model_endpoint": "Provider's GPUs",
    "tuned_model_hosting": "Tuned-model hosting",
    "api_large_model": "API tokens",
    "api_small_model": "API tokens",
    "router": "Router",
    "fallback_api": "Fallback tokens",
    "fallback_upkeep": "Fallback upkeep",
    "fallback_setup": "Fallback set-up",
    "private_cloud_setup": "Private cloud set-up",
}


#: a routed part's prefix (routing inside your own cloud) → the words before its component's label
PART_WORDS = {"large_": "Large model: ", "small_": "Small model: "}


def component_label(key: str, *, short: bool = False) -> str:
    """The plain label of a cost component (``rag_upkeep`` → ``Retrieval: an engineer's
    upkeep``; a routed part's ``large_provisioned_capacity`` → ``Large model: reserved model
    capacity …``); ``short`` for a table header, where a part's component shares its kind's column."""
    for prefix, words in PART_WORDS.items():
        if key.startswith(prefix) and len(key) > len(prefix):
            inner = component_label(key.removeprefix(prefix), short=short)
            return inner if short else words + inner[:1].lower() + inner[1:]
    if short and key in COMPONENT_SHORT:
        return COMPONENT_SHORT[key]
    return COMPONENT_LABELS.get(key, key.replace("_", " ").capitalize())


#: profile field → words (the rest lose their underscores)
FIELD_WORDS: dict[str, str] = {
    "data_may_leave": "data may leave the organisation",
    "data_sensitivity": "data sensitivity",
    "rules_suffice": "rules suffice",
    "knowledge_changes_often": "knowledge changes often",
    "needs_consistent_format": "needs a consistent format",
    "systematic_failures": "systematic failures",
    "core_differentiator": "core differentiator",
    "labeled_examples": "labeled examples",
    "domain_specificity": "domain specificity",
    "cache_hit_rate": "cache hit rate",
    "errors_caught_downstream": "errors caught downstream",
    "human_review_usd_per_task": "human review cost per task",
    "required_accuracy": "required accuracy",
    "can_hire": "can hire",
    "mmlu_pro": "MMLU-Pro",
    "api_model": "API model",
    "self_host_model": "self-hosted model",
    "frontier_model": "frontier model",
    "hybrid_frontier_share": "share sent to the frontier model",
    "gpu_utilization": "GPU utilization",
    "gpqa_diamond": "GPQA Diamond",
}

_VALUES = {"pre_mvp": "pre-MVP"}
_IDS = sorted((k for k in STRATEGY_NAMES if k != "hybrid"), key=len, reverse=True)
_ID_RE = re.compile(r"(?<![\w+.\-/])(" + "|".join(re.escape(k) for k in _IDS) + r")(?![\w+])")
# bare "hybrid" is an English word too ("hybrid (vector + keyword) search"): replaced only in
# the engine's sentences about strategies (``bare_hybrid``), never in a checklist item
_HYBRID_RE = re.compile(r"(?<![\w+.\-/])hybrid(?![\w+])(?! \(vector| search| strateg)")
_SEED = r"seeds? \d{3}\b(?:[^();:]*?(?=[;)])|(?:\s*(?:§\s*\d+|step \d+|'[^']*'|decision rule))*)"
# "(seed 004 step 2)", "(seed 003 §6 step 4; seed 000 'When to fine-tune')": dropped whole
_SEED_PAREN = re.compile(r"\s*\((?:\s*" + _SEED + r"\s*;?)+\)", re.I)
# "(seed 002: tasks that need 99.9% accuracy are a poor fit)": the reference goes, the words stay
_SEED_LABEL = re.compile(r"(?<=\()\s*" + _SEED + r"\s*:\s*", re.I)
_SEED_ANY = re.compile(r"[,;]?\s*\(?" + _SEED + r"\)?", re.I)
_DOTTED = re.compile(r"\b(team|rag|assumptions|weights)\.([a-z][a-z0-9_]*)\b")
_SNAKE = re.compile(r"(?<![\w.\-/])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w.\-/])")
_BOOL = re.compile(r":\s*(true|false)\b")
#: engine phrases that read badly once their field names are words
_PHRASES = (
    (re.compile(r"\bdata_may_leave is false\b"), "the data may not leave the organisation"),
    (re.compile(r"\bdata_may_leave is true\b"), "the data may leave the organisation"),
    (
        re.compile(r"\b([a-z_]+) is (true|false)\b"),
        lambda m: f"{m.group(1)}: {'yes' if m.group(2) == 'true' else 'no'}",
    ),
)
_MONTH = re.compile(r"\b(in|by|from) month (\d+)\b")


def strip_seed_refs(text: str) -> str:
    """``text`` without its references to the seed documents (``(seed 004 step 2)``,
    ``seed 001: ...``), which the methodology lists instead."""
    out = _SEED_LABEL.sub("", _SEED_PAREN.sub("", text))
    out = _SEED_ANY.sub("", out)
    return re.sub(r"\s+([.,;:)])", r"\1", re.sub(r"\(\s*\)", "", out)).strip()


def plain_text(text: str, *, horizon_months: int | None = None, bare_hybrid: bool = False, short: bool = False) -> str:
    """An engine sentence for a reader: strategy ids as names (``short`` ones if asked), field
    names as words, ``true``/``false`` as yes/no, seed references dropped, large numbers
    short, and a month beyond the horizon said so."""
    names = SHORT_NAMES if short else STRATEGY_NAMES
    out = strip_seed_refs(str(text))
    out = _ID_RE.sub(lambda m: names[m.group(1)], out)
    if bare_hybrid:
        out = _HYBRID_RE.sub(names["hybrid"], out)
    for pattern, repl in _PHRASES:
        out = pattern.sub(repl, out)
    out = _BOOL.sub(lambda m: ": yes" if m.group(1) == "true" else ": no", out)
    out = _DOTTED.sub(lambda m: f"{m.group(1)}: {m.group(2)}", out)  # team.can_hire → team: can hire
    out = _SNAKE.sub(
        lambda m: _VALUES.get(m.group(1)) or FIELD_WORDS.get(m.group(1)) or m.group(1).replace("_", " "), out
    )
    out = humanize_numbers(out)
    if horizon_months is not None:
        out = _MONTH.sub(lambda m: _month_words(m, horizon_months), out)
    return out


def _month_words(m: re.Match[str], horizon_months: int) -> str:
    month = int(m.group(2))
    if month <= 0:
        return "already"
    if month >= horizon_months:
        return f"{m.group(0)}, {fmt_month(month, horizon_months).split(' (')[0]}"
    return m.group(0)


#: the decision path's questions, as a person would ask them
QUESTIONS: dict[str, str] = {
    "Do rules, search or classic ML suffice?": (
        "Could rules, search or classic machine learning do the job without an LLM?"
    ),
    "Is sending data to a third-party model forbidden?": "Must the data stay inside the organisation?",
    "Pre-MVP or still validating user value?": "Is the product still being validated with its users?",
    "Will projected usage make API costs painful soon?": (
        "Will a hosted API become expensive at the volume expected within the horizon?"
    ),
    "Is it a core differentiator?": "Is this feature what sets the product apart?",
    "Systematic failures a better model won't fix (style, format, jargon)?": (
        "Does the model fail in the same ways (style, format, jargon) that a better model would not fix?"
    ),
    "Can a provider fine-tune for you?": "Can a provider fine-tune a model for you?",
    "Does fine-tuning pay for itself?": "Does fine-tuning pay for itself?",
    "Does the task need knowledge the model lacks or that changes?": (
        "Does the task need knowledge the model lacks, or that changes often?"
    ),
}

#: the path's usual answers, in plain words (others go through :func:`plain_text`)
ANSWERS: dict[str, str] = {
    "yes: skip the LLM": "Yes: skip the LLM",
    "yes: self-hosted or private deployment": "Yes: run an open model on your own servers (or a private deployment)",
    "yes: API-first, designed for swappability": (
        "Yes: start with a hosted API, built so the model can be swapped later"
    ),
    "yes: self-host": "Yes: run an open model on your own servers",
    "yes: hybrid (open model for common paths, API for hard cases)": (
        "Yes: a self-hosted model for most requests and a hosted frontier model for the hard cases"
    ),
    "no: stay with APIs; optimize prompts, caching and calling patterns": (
        "No: stay with a hosted API; work on prompts, caching and how often it is called"
    ),
    "no: invest in RAG, UX and evaluation before fine-tuning": (
        "No: invest in retrieval, the user experience and evaluation before fine-tuning"
    ),
    "yes: retrieval (RAG)": "Yes: add retrieval, which looks the answers up in your documents",
    "no: prompting is enough": "No: good prompts are enough",
}


def plain_step(question: str, answer: str, evidence: str, *, horizon_months: int | None = None) -> tuple[str, str, str]:
    """One step of the decision path as (question, answer, what in the profile decided it)."""
    q = QUESTIONS.get(question) or plain_text(question, horizon_months=horizon_months, bare_hybrid=True)
    a = ANSWERS.get(answer) or plain_text(answer, horizon_months=horizon_months, bare_hybrid=True)
    e = plain_text(evidence, horizon_months=horizon_months, bare_hybrid=True)
    return q, a[:1].upper() + a[1:], e
