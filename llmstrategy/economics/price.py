"""Price any strategy of the space for one profile, vectorized over monthly volume.

A *pricer* is a pure function ``(strategy, context, requests_per_month) → StrategyCost``.
This module is the only place that knows every pricer (:mod:`hosted`, :mod:`selfhost`) and
sits above them: no pricer imports it. Adaptations are layered inside the pricers with the
shared helpers of :mod:`context`. Every pricer returns its monthly cost as named components
(arrays shaped like ``requests_per_month``) and its one-off costs as named components, so
reports can show where each dollar comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from llmstrategy.economics.context import PricingContext, StrategyCost, infeasible
from llmstrategy.economics.fallback import with_availability
from llmstrategy.economics.hosted import price_api
from llmstrategy.economics.private_cloud import price_private_cloud
from llmstrategy.economics.provider_finetune import price_api_fine_tune
from llmstrategy.economics.routed_tuned import price_routed_fine_tuned
from llmstrategy.economics.routing import price_routed, price_routed_own_cloud, runs_in_own_cloud
from llmstrategy.economics.selfhost import price_hybrid, price_self_host
from llmstrategy.inputs.strategies import STRATEGIES, Adaptation, Deployment, Strategy

Pricer = Callable[[Strategy, PricingContext, NDArray[np.float64]], StrategyCost]


def price_routing(strategy: Strategy, ctx: PricingContext, req: NDArray[np.float64]) -> StrategyCost:
    """``routed`` where the profile lets the models run: inside the team's own cloud (both models
    as private deployments, the small one tuned with fine-tuning) when the data may only go there,
    else between hosted APIs (:func:`price_routed_fine_tuned` with a fine-tuned small model)."""
    if runs_in_own_cloud(ctx.profile):
        return price_routed_own_cloud(strategy, ctx, req, price_private_cloud)
    if strategy.uses_fine_tune:
        return price_routed_fine_tuned(strategy, ctx, req)
    return price_routed(strategy, ctx, req)


@lru_cache(maxsize=1)
def pricers() -> dict[tuple[Deployment, Adaptation], Pricer]:
    """(deployment, adaptation) → pricer, for all 20 strategies."""
    table: dict[tuple[Deployment, Adaptation], Pricer] = {
        (Deployment.API, Adaptation.PROMPTING): price_api,
        (Deployment.API, Adaptation.RAG): price_api,
        (Deployment.API, Adaptation.FINE_TUNE): price_api_fine_tune,
        (Deployment.API, Adaptation.RAG_FINE_TUNE): price_api_fine_tune,
    }
    for a in Adaptation:
        table[(Deployment.SELF_HOST, a)] = price_self_host
        table[(Deployment.HYBRID, a)] = price_hybrid
        table[(Deployment.PRIVATE_CLOUD, a)] = price_private_cloud
        table[(Deployment.ROUTED, a)] = price_routing
    return table


def can_price(strategy: Strategy) -> bool:
    return (strategy.deployment, strategy.adaptation) in pricers()


def priced_strategies() -> list[Strategy]:
    """The strategies this engine can price, in canonical order."""
    return [s for s in STRATEGIES if can_price(s)]


def price(strategy: Strategy, ctx: PricingContext, requests_per_month: ArrayLike) -> StrategyCost:
    """Price ``strategy`` at each monthly volume [requests/month]."""
    req = np.atleast_1d(np.asarray(requests_per_month, dtype=float))
    pricer = pricers().get((strategy.deployment, strategy.adaptation))
    if pricer is None:
        return infeasible(strategy, req, "not priced by this version of the engine")
    return with_availability(pricer(strategy, ctx, req), ctx)
