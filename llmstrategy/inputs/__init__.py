"""Stage 1, inputs: the workload profile, the catalogs with their sources, the price
importer, the workload derived from a profile, the strategy space and the criteria names.

Imports nothing of the other stages (only the leaf modules :mod:`llmstrategy.errors`,
:mod:`llmstrategy.files` and :mod:`llmstrategy.fmt`).
"""
