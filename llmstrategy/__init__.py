"""llmstrategy: a computable workbook for choosing an LLM stack.

The pipeline, one module per stage: :mod:`profile` → :mod:`workload` → :mod:`costs`
(API, RAG, …) → :mod:`analysis`; presentation in :mod:`charts` and :mod:`tables`;
notebooks and HTML in :mod:`report`; the command line in :mod:`cli`.
Heavy libraries (plotly, papermill, scikit-learn) are imported where they are used.
"""

from llmstrategy.errors import LLMStrategyError

__version__ = "0.1.0"

__all__ = ["LLMStrategyError", "__version__"]
