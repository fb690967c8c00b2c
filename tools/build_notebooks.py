"""Write the notebooks in notebooks/ from the cell lists below (no outputs).

The notebooks are thin: every code cell calls one function of llmstrategy.notebook.
Run `python tools/build_notebooks.py` after editing a cell list here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

PARAMETERS = """# Parameters (papermill overrides these in report mode)
profile_path = "../data/profiles/startup_support_assistant.yaml"
data_dir = None  # catalog folder (None means the repository's data/)
as_of = None  # analysis date YYYY-MM-DD (None means today)
report_mode = False  # True gives static figures and tables for HTML export"""

OPEN = """import llmstrategy.notebook as lls

s = lls.open_session(profile_path, data_dir=data_dir, as_of=as_of, report_mode=report_mode)
lls.header(s, "{title}")"""

COST_CURVES = [
    ("params", PARAMETERS),
    ("code", OPEN.format(title="Cost curves")),
    ("code", "lls.kpis(s)"),
    ("md", "## Workload\nDerived from the profile. A month is 365/12 days; tokens are input + output."),
    ("code", "lls.workload_table(s)"),
    (
        "md",
        "## Cost by strategy\n"
        "API: billable requests = requests × (1 − cache hit rate) × (1 + retry rate); cost = billable × "
        "(input tokens × input price + output tokens × output price) / 1e6. RAG adds the retrieved tokens "
        "to every request's input, query and corpus embedding, the vector store, upkeep, and a one-off set-up. "
        "The horizon total adds the one-off costs to the monthly costs of each month at its grown volume.",
    ),
    ("code", "lls.costs_table(s)"),
    ("code", "lls.components_table(s)"),
    (
        "md",
        "## Cost curves\nMonthly cost at each monthly token volume, other profile settings fixed (log–log). "
        "The dashed line marks this workload; dotted lines mark the volumes above which self-hosting (or the "
        "hybrid) costs at most the API, solved exactly on the piecewise cost functions. Strategies the decision "
        "engine rules out for this profile are left out. In JupyterLab, the what-if widgets re-price everything in "
        "this notebook (the tables above and the charts below move with them); **Reset** goes back to the "
        "parameters cell.",
    ),
    ("code", "lls.cost_curves_view(s)"),
    ("md", "### Break-even volumes"),
    ("code", "lls.break_even(s)"),
    ("md", "## Over the horizon"),
    ("code", "lls.horizon_figure(s)"),
    (
        "md",
        "### How sure? Monte Carlo over volume, growth, prices, utilization, retry and cache rates, engineer cost "
        "and self-hosted speed against the sizing model\n"
        "Distributions in `data/uncertainty.yaml`; seeded, so the report is reproducible.",
    ),
    ("code", "lls.uncertainty_figure(s)"),
    ("code", "lls.uncertainty(s)"),
    (
        "md",
        "## Seed 001's cost tiers, checked\nThe seed's table reproduced under its own assumptions (every token "
        "at GPT-4o's input price, 2,000 USD per GPU-month, its GPU counts), beside the same five volumes from first "
        "principles.",
    ),
    ("code", "lls.seed_check(s)"),
    (
        "md",
        "## Models for this workload\nEvery catalog model the profile allows, priced on this workload's request "
        "shape (hosted API prices, or self-hosting when the data may not leave). Quality is judged as the engine "
        "judges it: on the benchmarks of the capabilities the task needs (SWE-bench Verified for agents, GPQA for "
        "reasoning, ...), at the minimum its complexity sets, or by your own evals. The frontier joins the models "
        "no other model beats on both cost and quality.",
    ),
    ("code", "lls.models_figure(s)"),
    ("code", "lls.models_table(s)"),
    (
        "md",
        "## Self-hosted fleets\nEach self-hosted strategy's model, GPU and layout at this workload. Sizing: weights = "
        "parameters × bytes per parameter; KV cache per token = 2 × layers × KV heads × head dim × bytes; decode "
        "step = weight matrices (bytes / achieved bandwidth, or 2 × active parameters × batch / achieved FLOP/s if "
        "slower) + attention over the KV cache + the tensor-parallel all-reduce; interactive workloads cap the "
        "batch so each token, counting the prefills of requests that join the batch, arrives within the "
        "time-per-token target.",
    ),
    ("code", "lls.sizing_table(s)"),
    (
        "md",
        "### The sizing model against published measurements\nEvery row is a published run "
        "(throughput, time per output token at a given concurrency, or batch latency), each in its own unit; the "
        "model predicts the same configuration. Tests keep every ratio within 1.5×, or name the row and why not.",
    ),
    ("code", "lls.calibration_table(s)"),
    (
        "md",
        "## Assumptions and sources\nEvery default the engine used; model and GPU prices carry their own "
        "`source` and `as_of` in `data/models.csv` and `data/gpus.csv`.",
    ),
    ("code", "lls.sources_table(s)"),
    ("md", "## Methodology\nEvery formula the engine applies, with the defaults it uses and their sources."),
    ("code", "lls.methodology(s)"),
    ("code", "lls.footer(s)"),
]

PROFILE_PARAMETERS = (
    PARAMETERS
    + """
save_dir = "../data/profiles"  # where "Save profile" writes YAML
report_dir = "../reports"  # where "Render report" writes HTML"""
)

WORKLOAD_PROFILE = [
    ("params", PROFILE_PARAMETERS),
    ("code", OPEN.format(title="Workload profile")),
    (
        "md",
        "## Profile\nEvery field of the profile, with what it means. In JupyterLab each one has a widget (log-scale "
        "sliders for volume and tokens, with the exact value in the box beside them); the derived workload above the "
        "tabs and every table below update as you change them. **Save profile** writes the YAML to "
        "`data/profiles/`; **Render report** then writes the strategy report into `reports/` and links it; "
        "**Reset** goes back to the parameters cell.",
    ),
    ("code", "lls.profile_editor(s, save_dir=save_dir, report_dir=report_dir)"),
    ("md", "## Derived workload\nA month is 365/12 days; tokens are input + output."),
    ("code", "lls.workload_table(s)"),
    ("code", "lls.footer(s)"),
]

MODEL_COMPARISON = [
    ("params", PARAMETERS),
    ("code", OPEN.format(title="Model comparison")),
    ("code", "lls.model_constraints(s)"),
    (
        "md",
        "## Quality and cost\nEach model allowed by the profile, priced on this workload (cost per 1,000 requests "
        "= monthly cost / requests per month × 1,000). The Pareto frontier joins the models that no other model "
        "beats on both cost and quality: pick from it. In JupyterLab, filter by provider, open or closed weights, "
        "minimum context and minimum quality.",
    ),
    ("code", "lls.models_view(s)"),
    ("md", "## Ruled out\nCatalog models the profile's constraints exclude."),
    ("code", "lls.models_excluded_table(s)"),
    ("code", "lls.footer(s)"),
]

DECISION_MATRIX = [
    ("params", PARAMETERS),
    ("code", OPEN.format(title="Decision matrix")),
    ("code", "lls.executive_summary(s)"),
    (
        "md",
        "## The matrix\nThe 12 strategies (deployment × adaptation) on 11 criteria. Qualitative ratings come "
        "from seed 001's tables (`data/strategies.yaml`); cost of accepted work, upfront cost, pass rate and a "
        "self-hosted fleet's latency come from the engine for this profile. Ruled-out strategies are listed under it "
        "with the reason. In JupyterLab, move a weight slider: the ranking, the recommendation, the executive "
        "summary above and the weights, scores and sensitivity below all update; **Reset** goes back to the "
        "parameters cell.",
    ),
    ("code", "lls.decision_matrix_view(s)"),
    ("md", "## Weights\nBase weights adjusted by the profile's conditions (each from a seed), then normalized."),
    ("code", "lls.weights(s)"),
    (
        "md",
        "## Weighted sum and TOPSIS\nWeighted sum on min-max normalized criteria; TOPSIS on vector-normalized "
        "criteria (relative closeness to the ideal). Both are public functions in `llmstrategy.decision.mcda`, "
        "cross-checked against pymcdm in the tests.",
    ),
    ("code", "lls.scores_figure(s)"),
    (
        "md",
        "## Sensitivity\nFor each criterion, the range of its weight over which the top strategy stays first "
        "(the other weights rescaled proportionally); and the share of 2,000 random weightings (Dirichlet "
        "around the profile's weights) in which each strategy ranks first.",
    ),
    ("code", "lls.sensitivity_figure(s)"),
    ("code", "lls.footer(s)"),
]


def section(key: str, title: str, hint: str, *, appendix: bool = False) -> tuple[str, str, dict[str, Any]]:
    """A markdown heading that opens a collapsible section of the HTML report: the report
    template wraps it and the cells after it, up to the next section (or a cell made with
    ``end``), in a ``<details>`` with this id, title and one-line hint, and lists it in the
    table of contents. In JupyterLab it is a plain heading."""
    meta = {"id": key, "title": title, "hint": hint}
    if appendix:
        meta["appendix"] = True
    return ("md", f"## {title}\n{hint}", {"lls_section": meta})


STRATEGY_REPORT: list[Any] = [
    ("params", PARAMETERS),
    ("code", OPEN.format(title="LLM strategy")),
    ("code", "lls.summary_page(s)"),
    section(
        "decision", "The decision, step by step", "the questions that decided it, traps to avoid, when to look again"
    ),
    ("code", "lls.decision_path(s)"),
    ("md", "### Traps to avoid"),
    ("code", "lls.traps(s)"),
    ("md", "### When to revisit"),
    ("code", "lls.revisit(s)"),
    section(
        "costs", "Costs", "what each option costs, where the money goes, and how that changes with volume and time"
    ),
    ("code", "lls.kpis(s)"),
    ("code", "lls.costs_table(s)"),
    ("code", "lls.cost_breakdown_figure(s)"),
    ("code", "lls.components_table(s)"),
    ("md", "### Cost by volume, and the break-even"),
    ("code", "lls.cost_curves_view(s)"),
    ("code", "lls.break_even(s)"),
    ("md", "### Over the horizon"),
    ("code", "lls.horizon_figure(s)"),
    section("certainty", "How sure?", "the costs in thousands of simulated futures, and how much the weights matter"),
    ("code", "lls.uncertainty_figure(s)"),
    ("code", "lls.uncertainty(s)"),
    ("code", "lls.sensitivity_figure(s)"),
    section("compare", "Compare the options", "every option on the weighted criteria, their scores and weights"),
    ("code", "lls.decision_matrix(s)"),
    ("code", "lls.scores_figure(s)"),
    ("code", "lls.weights(s)"),
    section("roadmap", "Roadmap and checklist", "three phases on this timeline, and what to have in production"),
    ("code", "lls.roadmap_view(s)"),
    ("md", "### Production checklist\nThe items that matter most for this strategy first."),
    ("code", "lls.checklist(s)"),
    section("models", "Models and servers", "the models the profile allows, priced on this workload; the GPU fleets"),
    ("code", "lls.models_figure(s)"),
    ("code", "lls.models_table(s)"),
    ("md", "### Self-hosted fleets"),
    ("code", "lls.sizing_table(s)"),
    section("glossary", "Glossary", "the terms this report cannot avoid"),
    ("code", "lls.glossary(s)"),
    section(
        "methodology",
        "Methodology and sources",
        "the seeds' decision rules, every assumption with its source, the checks, every formula",
        appendix=True,
    ),
    ("code", "lls.decision_rules(s)"),
    ("md", "### Assumptions and sources"),
    ("code", "lls.sources_table(s)"),
    ("md", "### Seed 001's cost tiers, checked"),
    ("code", "lls.seed_check(s)"),
    ("md", "### The sizing model against published measurements"),
    ("code", "lls.calibration_table(s)"),
    ("md", "### Formulas"),
    ("code", "lls.methodology(s)"),
    ("end", "lls.footer(s)"),
]

NOTEBOOKS = {
    "strategy_report": STRATEGY_REPORT,
    "decision_matrix": DECISION_MATRIX,
    "cost_curves": COST_CURVES,
    "workload_profile": WORKLOAD_PROFILE,
    "model_comparison": MODEL_COMPARISON,
}


def build(name: str, cells: list[Any]) -> Path:
    """Write notebooks/<name>.ipynb from its cell list."""
    path = ROOT / "notebooks" / f"{name}.ipynb"
    path.write_text(notebook_text(name, cells), encoding="utf-8")
    return path


def notebook_text(name: str, cells: list[Any]) -> str:
    """The notebook's JSON text, as committed (no outputs, stable cell ids)."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    first = True
    for kind, src, *meta in cells:
        if kind == "md":
            cell = new_markdown_cell(src)
            if meta:
                cell.metadata.update(meta[0])
                cell.metadata["lls_section"]["first"] = first
                first = False
            nb.cells.append(cell)
        else:
            cell = new_code_cell(src)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
            if kind == "end":  # closes the last collapsible section (see ``section``)
                cell.metadata["lls_section_end"] = True
            nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name.replace('_', '-')}-{i:02d}"
    nbformat.validate(nb)
    return str(nbformat.writes(nb)) + "\n"


if __name__ == "__main__":
    for name, cells in NOTEBOOKS.items():
        if len(sys.argv) == 1 or name in sys.argv[1:]:
            print(build(name, cells))
