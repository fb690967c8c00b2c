"""How sure the recommendation is, in words: the lower of its win share under random
re-weightings of the criteria (:func:`scoring.sensitivity`) and its share of the simulated
futures in which it stays the recommendation (the Monte Carlo). "high" from
``CONFIDENCE_HIGH``, "moderate" from ``CONFIDENCE_MODERATE``, else "low": words for a reader,
not a statistical test. Both the report and the terminal summary print this one answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONFIDENCE_HIGH = 0.7
CONFIDENCE_MODERATE = 0.4


def confidence(
    rec: str | None, sensitivity: Mapping[str, Any], uncertainty: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """``{"level", "share", "reasons"}`` for recommendation ``rec``, or None when nothing measures it."""
    bits = []
    share = (sensitivity.get("win_share") or {}).get(rec or "")
    if share is not None:
        bits.append(f"it ranks first in {share:.0%} of random re-weightings of the criteria")
    p_rec = ((uncertainty or {}).get("recommended_probability") or {}).get(rec or "")
    if p_rec is not None:
        bits.append(
            f"it stays the recommendation in {p_rec:.0%} of {(uncertainty or {}).get('samples', 0):,} simulated futures"
        )
    if not bits:
        return None
    level = min(x for x in (share, p_rec) if x is not None)
    word = "high" if level >= CONFIDENCE_HIGH else "moderate" if level >= CONFIDENCE_MODERATE else "low"
    return {"level": word, "share": float(level), "reasons": bits}
