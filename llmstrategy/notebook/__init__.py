"""What the notebooks call: one function per cell, in report mode (static HTML) or
interactive mode (ipywidgets). Presentation glue only; numbers come from the core.

This package is the one stable import path for notebooks: every cell does
``import llmstrategy.notebook as lls`` and calls ``lls.<name>(...)``. The functions live in
modules of one job each (:mod:`.session`, :mod:`.costs`, :mod:`.models`, :mod:`.profile`,
:mod:`.decision`) and are all re-exported here; import them from ``llmstrategy.notebook``,
never from those modules, which may be rearranged.
"""

from __future__ import annotations

from llmstrategy.notebook.costs import (
    break_even,
    components_table,
    cost_breakdown_figure,
    cost_curves_figure,
    cost_curves_view,
    costs_table,
    horizon_figure,
    seed_check,
    uncertainty,
    uncertainty_figure,
    workload_table,
)
from llmstrategy.notebook.decision import (
    checklist,
    decision_matrix,
    decision_matrix_view,
    decision_path,
    decision_rules,
    executive_summary,
    glossary,
    methodology,
    revisit,
    roadmap_view,
    scores_figure,
    sensitivity_figure,
    summary_page,
    traps,
    weights,
)
from llmstrategy.notebook.models import (
    MODEL_COLUMNS,
    calibration_table,
    model_constraints,
    models_excluded_table,
    models_figure,
    models_table,
    models_view,
    sizing_table,
)
from llmstrategy.notebook.profile import profile_editor, profile_table
from llmstrategy.notebook.session import Session, footer, header, kpis, open_session, sources_table

__all__ = [
    "MODEL_COLUMNS",
    "Session",
    "break_even",
    "calibration_table",
    "checklist",
    "components_table",
    "cost_breakdown_figure",
    "cost_curves_figure",
    "cost_curves_view",
    "costs_table",
    "decision_matrix",
    "decision_matrix_view",
    "decision_path",
    "decision_rules",
    "executive_summary",
    "footer",
    "glossary",
    "header",
    "horizon_figure",
    "kpis",
    "methodology",
    "model_constraints",
    "models_excluded_table",
    "models_figure",
    "models_table",
    "models_view",
    "open_session",
    "profile_editor",
    "profile_table",
    "revisit",
    "roadmap_view",
    "scores_figure",
    "seed_check",
    "sensitivity_figure",
    "sizing_table",
    "sources_table",
    "summary_page",
    "traps",
    "uncertainty",
    "uncertainty_figure",
    "weights",
    "workload_table",
]
