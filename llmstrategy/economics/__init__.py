"""Stage 2, economics: what each strategy costs for one profile.

Request shapes and the pricing context, API, RAG, fine-tuning and self-hosting costs,
sizing, fleets, calibration, break-even, the cost summary over volumes and months, and the
seed cost-tier check. Imports only :mod:`llmstrategy.inputs` (and the leaf modules).
"""
