"""llmstrategy: a computable workbook for choosing an LLM stack.

The package is laid out as the pipeline runs, one subpackage per stage, imports only going
down: :mod:`llmstrategy.inputs` (profile, catalogs, workload, strategy space) →
:mod:`llmstrategy.economics` (what each strategy costs) → :mod:`llmstrategy.decision`
(scores, decision path, recommendation, Monte Carlo) → :mod:`llmstrategy.views` (charts,
tables, text) and :mod:`llmstrategy.pipeline` (one call from a profile to everything) →
:mod:`llmstrategy.notebook` (the notebooks' cells), :mod:`llmstrategy.report` (HTML reports)
→ :mod:`llmstrategy.cli`. The leaf modules :mod:`errors`, :mod:`files` and :mod:`fmt` import
nothing of the package. Style: pure functions on frozen, validated values in the stages;
units in names (``monthly_usd``, ``tokens_per_month``); rounding and ``$`` only in
:mod:`llmstrategy.fmt`; one exception tree under :class:`LLMStrategyError`. Heavy libraries
(plotly, papermill, scikit-learn) are imported where they are used.
"""

from llmstrategy.errors import LLMStrategyError

__version__ = "0.1.0"

__all__ = ["LLMStrategyError", "__version__"]
