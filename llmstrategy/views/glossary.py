"""The report's short glossary of the terms that must stay (TOPSIS, pass rate, P10/P90,
tensor parallel, fp8, MMLU-Pro...), and :func:`term`, the link to an entry from where a
term appears. Entries are anchors ``#gl-<key>`` inside the glossary section; the report's
script opens the section when a link is followed.
"""

from __future__ import annotations

import html

#: key → (term, explanation), in reading order
GLOSSARY: dict[str, tuple[str, str]] = {
    "hosted-api": (
        "Hosted API",
        "A model run by a provider (OpenAI, Anthropic, Google, Mistral...) and paid per token: nothing to operate.",
    ),
    "self-hosted": (
        "Self-hosted open model",
        "An open-weight model (one whose weights can be downloaded) run on GPUs you rent or own; the data "
        "never leaves, but you pay for GPUs and the people who run them.",
    ),
    "hybrid": (
        "Hybrid",
        "A self-hosted model answers most requests; the hard ones go to a hosted frontier model.",
    ),
    "private-cloud": (
        "Private cloud capacity",
        "A model run for you inside your own cloud account, paid by the hour whatever the load: a vendor's model "
        "on reserved capacity (Azure, AWS Bedrock or Google Cloud provisioned throughput), or an open model on a "
        "managed endpoint (SageMaker, Azure ML) that the vendor's instances serve.",
    ),
    "routing": (
        "Routing",
        "A small classifier reads each request and sends the easy ones to a cheap model and the hard ones to a "
        "large one; published routers kept 95 % of the large model's quality with 14-65 % of the requests.",
    ),
    "availability": (
        "Availability and fallback",
        "The share of the time the service answers. A second provider that takes over while the first is down "
        "(a fallback) raises it, for a small standing cost.",
    ),
    "frontier": ("Frontier model", "One of the most capable (and most expensive) hosted models of the day."),
    "retrieval": (
        "Retrieval (RAG)",
        "Retrieval-augmented generation: each question first looks up the relevant passages in your documents "
        "and gives them to the model, so answers follow your current knowledge.",
    ),
    "fine-tuning": (
        "Fine-tuning",
        "Training a model further on your own labeled examples so it keeps a format, a style or a vocabulary.",
    ),
    "tokens": ("Tokens", "The pieces of text models read and write (about ¾ of a word); APIs charge per token."),
    "pass-rate": (
        "Pass rate",
        "The expected share of tasks a strategy gets right, from benchmark scores or your own evaluations.",
    ),
    "accepted-work": (
        "Cost of accepted work",
        "The cost per task that passes: failed tasks are retried or fixed, and that is counted.",
    ),
    "benchmarks": (
        "MMLU-Pro and other benchmarks",
        "Public tests of model ability (MMLU-Pro: knowledge and reasoning; GPQA Diamond: hard science "
        "questions; LiveCodeBench and SWE-bench: code; IFBench: following instructions). Scores are % correct.",
    ),
    "topsis": (
        "TOPSIS",
        "A way to rank options on many criteria at once: the closer an option is to the ideal on every weighted "
        "criterion (and the farther from the worst), the higher its score (0 to 1).",
    ),
    "weighted-sum": (
        "Weighted sum",
        "Each criterion rescaled from worst (0) to best (1) among the options, multiplied by its weight, added up.",
    ),
    "monte-carlo": (
        "Simulated futures (Monte Carlo)",
        "The costs recomputed for thousands of random but plausible futures: other volumes, growth, prices, "
        "GPU use, retries and salaries, and self-hosted GPUs that serve slower or faster than sized (as far as the "
        "sizing model has missed the published measurements it is checked against).",
    ),
    "percentiles": (
        "P10, P50, P90",
        "Of the simulated futures, 10% cost less than P10 (the low case), half less than P50 (the median) and "
        "90% less than P90 (the high case).",
    ),
    "break-even": ("Break-even", "The monthly volume above which running your own model costs less than the API."),
    "pareto": (
        "Pareto frontier",
        "The models no other model beats on both price and quality: the sensible ones to choose from.",
    ),
    "tensor-parallel": (
        "Tensor parallel, pipeline stages",
        "Ways to split one copy of a model over several GPUs: tensor parallel splits every layer across the GPUs "
        "of one server; pipeline stages put groups of layers on different servers.",
    ),
    "precision": (
        "Precision (bf16, fp8, int4)",
        "How many bits store each model weight (16, 8 or 4): fewer bits need less GPU memory and run faster, "
        "at a small cost in quality.",
    ),
    "latency": (
        "Time to first token",
        "How long a user waits before the answer starts to appear.",
    ),
    "gpu-pricing": (
        "On-demand and reserved GPUs",
        "On demand: rented by the hour and scaled with the load. Reserved: rented for a term at a lower price, "
        "sized for the peak.",
    ),
}


def term(text: str, key: str) -> str:
    """``text`` (escaped) linked to its glossary entry."""
    return f'<a class="lls-term" href="#gl-{key}">{html.escape(text)}</a>'


def glossary_html() -> str:
    items = "".join(
        f'<dt id="gl-{key}">{html.escape(word)}</dt><dd>{html.escape(text)}</dd>'
        for key, (word, text) in GLOSSARY.items()
    )
    return f'<dl class="lls-glossary">{items}</dl>'
