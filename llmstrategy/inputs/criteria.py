"""Names of the decision criteria, shared by profiles (``weights``) and the scoring engine.

Each criterion has a direction: ``benefit`` (more is better) or ``cost`` (less is better).
"""

from __future__ import annotations

#: criterion id → (direction, plain-words label)
CRITERIA: dict[str, tuple[str, str]] = {
    "time_to_production": ("cost", "Time to production"),
    "upfront_cost": ("cost", "Upfront cost"),
    "monthly_cost": ("cost", "Ongoing cost per accepted task"),
    "data_privacy": ("benefit", "Data privacy"),
    "customization": ("benefit", "Customization"),
    "maintenance": ("cost", "Maintenance burden"),
    "latency": ("cost", "Latency"),
    "team": ("cost", "Team required"),
    "quality": ("benefit", "Quality on this task"),
    "knowledge_freshness": ("benefit", "Knowledge freshness"),
    "hallucination_risk": ("cost", "Hallucination risk"),
    "availability": ("benefit", "Availability"),
}

CRITERION_IDS: tuple[str, ...] = tuple(CRITERIA)
