"""Stage 3, decision: criteria ratings, scoring, MCDA, the seeds' decision path, the
recommendation, advice (traps, roadmap, checklist), the Monte Carlo and what drives the choice.

Imports only :mod:`llmstrategy.economics` and :mod:`llmstrategy.inputs` (and the leaf modules).
"""
