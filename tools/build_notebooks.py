"""Write the notebooks in notebooks/ from the cell lists below (no outputs).

The notebooks are thin: every code cell calls one function of llmstrategy.notebook.
Run `python tools/build_notebooks.py` after editing a cell list here.
"""

from __future__ import annotations

import sys
from pathlib import Path

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
        "The dashed line marks this workload.",
    ),
    ("code", "lls.cost_curves_view(s)"),
    ("md", "## Over the horizon"),
    ("code", "lls.horizon_figure(s)"),
    (
        "md",
        "## Models for this workload\nEvery catalog model the profile allows, priced on this workload's request "
        "shape (hosted API prices, or self-hosting when the data may not leave). Quality is MMLU-Pro accuracy "
        "(%); the task's complexity sets the minimum. The frontier joins the models no other model beats on both "
        "cost and quality.",
    ),
    ("code", "lls.models_figure(s)"),
    ("code", "lls.models_table(s)"),
    (
        "md",
        "## Self-hosted fleets\nEach self-hosted strategy's model, GPU and layout at this workload. Sizing: weights = "
        "parameters × bytes per parameter; KV cache per token = 2 × layers × KV heads × head dim × bytes; decode "
        "step = max(bytes read / achieved bandwidth, 2 × active parameters × batch / achieved FLOP/s); interactive "
        "workloads cap the batch so each token arrives within the time-per-token target.",
    ),
    ("code", "lls.sizing_table(s)"),
    (
        "md",
        "### The sizing model against published measurements\nEvery row is a published max-throughput run; the "
        "model predicts the same configuration. Tests keep every ratio within 0.5× to 2×.",
    ),
    ("code", "lls.calibration_table(s)"),
    (
        "md",
        "## Assumptions and sources\nEvery default the engine used; model and GPU prices carry their own "
        "`source` and `as_of` in `data/models.csv` and `data/gpus.csv`.",
    ),
    ("code", "lls.sources_table(s)"),
    ("code", "lls.footer(s)"),
]

PROFILE_PARAMETERS = (
    PARAMETERS
    + """
save_dir = "../data/profiles"  # where "Save profile" writes YAML"""
)

WORKLOAD_PROFILE = [
    ("params", PROFILE_PARAMETERS),
    ("code", OPEN.format(title="Workload profile")),
    (
        "md",
        "## Profile\nEvery field of the profile. In JupyterLab each one has a widget (log-scale sliders for "
        "volume and tokens); the derived workload above the tabs updates as you move them, and **Save profile** "
        "writes the YAML to `data/profiles/`.",
    ),
    ("code", "lls.profile_editor(s, save_dir=save_dir)"),
    ("md", "## Derived workload\nA month is 365/12 days; tokens are input + output (as loaded)."),
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

NOTEBOOKS = {
    "cost_curves": COST_CURVES,
    "workload_profile": WORKLOAD_PROFILE,
    "model_comparison": MODEL_COMPARISON,
}


def build(name: str, cells: list[tuple[str, str]]) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    for kind, src in cells:
        if kind == "md":
            nb.cells.append(new_markdown_cell(src))
        else:
            cell = new_code_cell(src)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
            nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name.replace('_', '-')}-{i:02d}"
    path = ROOT / "notebooks" / f"{name}.ipynb"
    nbformat.validate(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    for name, cells in NOTEBOOKS.items():
        if len(sys.argv) == 1 or name in sys.argv[1:]:
            print(build(name, cells))
