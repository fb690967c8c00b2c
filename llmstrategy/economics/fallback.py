"""Availability and a fallback provider (seeds 002 and 003: "have fallback providers"; "use a
hosted frontier model … as a backup").

Availability belongs to the company that answers the API call, the *host*, not the maker of the
model: an open-weight model is priced at a hosting provider (the prefix of its ``litellm_id``:
``deepinfra/…`` is DeepInfra), a first-party key (``gpt-5``, ``claude-…``) at its maker. A
fallback must run at another host: Llama on DeepInfra is no fallback for Qwen on DeepInfra.

A deployment answers a share ``A`` of the time (``data/assumptions.yaml`` → ``availability``:
per hosted provider, private cloud, self-hosted fleet). Several models serving shares of the
requests answer the request-weighted mean. When the profile's ``availability_target`` is above
``A``, a fallback serves while the primary is down: a hosted model at another host (the
cheapest that meets the task), billed for the share ``1 − A`` of the requests, plus a one-off
set-up and a small upkeep; together they answer ``1 − (1 − A)(1 − A_fallback)``. The hybrid
carries its own fallback: its frontier API takes the self-hosted share when the fleet is down.
A strategy that still misses the target, or whose data may not go to a hosted fallback, is
ruled out with the reason.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from llmstrategy.economics.api import api_monthly_usd, api_price, choose_api_model
from llmstrategy.economics.context import PricingContext, StrategyCost, context_needed, infeasible, request_shape
from llmstrategy.economics.hosted import api_model_problem
from llmstrategy.fmt import fmt_nines as pct
from llmstrategy.inputs.catalog import ModelSpec
from llmstrategy.inputs.strategies import Deployment, Strategy

#: LiteLLM provider prefix → the host's name (a prefix not listed is its own name)
HOSTS = {
    "deepinfra": "DeepInfra",
    "nebius": "Nebius",
    "groq": "Groq",
    "fireworks_ai": "Fireworks AI",
    "together_ai": "Together AI",
    "gemini": "Google",
    "vertex_ai": "Google",
    "deepseek": "DeepSeek",
    "zai": "Z.ai",
    "mistral": "Mistral AI",
    "xai": "xAI",
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "bedrock": "AWS Bedrock",
    "azure": "Azure",
}


def api_host(m: ModelSpec) -> str:
    """Who answers this model's priced API calls: the host of its ``litellm_id`` prefix
    (``deepinfra/meta-llama/…`` → DeepInfra; a Bedrock id ``anthropic.claude-…`` → AWS Bedrock),
    the model's maker for a first-party key without a prefix (``gpt-5``) or no key."""
    key = m.litellm_id or ""
    if "/" in key:
        prefix = key.split("/", 1)[0].lower()
        return HOSTS.get(prefix, prefix)
    if re.match(r"^[a-z]+\.[a-z]", key) and ":" in key:  # Bedrock model ids: anthropic.claude-…-v1:0
        return HOSTS["bedrock"]
    return m.provider


def provider_availability(provider: str, ctx: PricingContext) -> float:
    """A hosted provider's availability [share]: ``availability.providers.<provider>`` (lower
    case, non-alphanumerics as ``_``), else ``availability.providers.default``."""
    key = "availability.providers." + re.sub(r"[^a-z0-9]+", "_", provider.lower()).strip("_")
    return float(ctx.catalog.value(key if key in ctx.catalog.defaults else "availability.providers.default"))


def _model_availability(mid: str | None, ctx: PricingContext) -> float:
    m = ctx.catalog.models.get(mid or "")
    return provider_availability(api_host(m) if m is not None else "", ctx)


def availability(cost: StrategyCost, ctx: PricingContext) -> tuple[float, tuple[str, ...]]:
    """(availability [share of requests answered], the providers it depends on) before any
    added fallback. Routed: share-weighted over its two models; hybrid: the fleet, backed by the
    frontier API for its share when the fleet is down."""
    v = ctx.catalog.value
    dep = cost.strategy.deployment
    share = float(cost.details.get("frontier_share", 0.0))
    if dep is Deployment.SELF_HOST:
        return float(v("availability.self_host")), ("your fleet",)
    if dep is Deployment.PRIVATE_CLOUD or cost.details.get("deployment_kind") == "routed_own_cloud":
        return float(v("availability.private_cloud")), ("your cloud",)
    if dep is Deployment.HYBRID:
        fleet, api = float(v("availability.self_host")), _model_availability(cost.models.get("frontier"), ctx)
        own = 1 - (1 - fleet) * (1 - api)  # the frontier API takes the fleet's share while it is down
        return share * api + (1 - share) * own, ("your fleet", _provider(cost.models.get("frontier"), ctx))
    if dep is Deployment.ROUTED:
        large, small = cost.models.get("frontier"), cost.models.get("small")
        a = share * _model_availability(large, ctx) + (1 - share) * _model_availability(small, ctx)
        return a, tuple(sorted({_provider(large, ctx), _provider(small, ctx)}))
    mid = cost.models.get("api")
    return _model_availability(mid, ctx), (_provider(mid, ctx),)


def _provider(mid: str | None, ctx: PricingContext) -> str:
    m = ctx.catalog.models.get(mid or "")
    return api_host(m) if m is not None else "unknown"


def with_availability(cost: StrategyCost, ctx: PricingContext) -> StrategyCost:
    """``cost`` with its availability in ``details`` and, when ``availability_target`` asks for
    more, a fallback priced in (``fallback_api`` monthly, ``fallback_setup`` one-off,
    ``fallback_upkeep`` monthly) or the strategy ruled out with the reason."""
    if not cost.feasible:
        return cost
    a, providers = availability(cost, ctx)
    details = {**cost.details, "availability": a, "availability_single": a, "providers": list(providers)}
    target = ctx.profile.availability_target
    if target is None or a >= target:
        return replace(cost, details=details)
    req = cost.requests_per_month
    p = ctx.profile
    if not p.data_may_leave:
        return infeasible(
            cost.strategy,
            req,
            f"answers {pct(a)} of the time, below the {pct(target)} availability target, and the data may not go "
            "to a hosted fallback (a second region of your own is not priced by this version)",
        )
    fb = fallback_model(cost, ctx, exclude=set(providers))
    if fb is None:
        return infeasible(
            cost.strategy,
            req,
            f"answers {pct(a)} of the time, below the {pct(target)} availability target, and no hosted model of "
            "another provider meets the task as a fallback",
        )
    a_fb = provider_availability(api_host(fb), ctx)
    combined = 1 - (1 - a) * (1 - a_fb)
    if combined < target:
        return infeasible(
            cost.strategy,
            req,
            f"answers {pct(combined)} of the time even with {fb.id} as a fallback, below the {pct(target)} target",
        )
    shape = request_shape(Strategy(Deployment.API, cost.strategy.adaptation), ctx)
    price = api_price(
        fb, shape, batch=ctx.batch, reasoning_tokens_per_output_token=ctx.reasoning_tokens_per_output_token
    )
    v = ctx.catalog.value
    monthly: dict[str, NDArray[np.float64]] = {
        **cost.monthly_components_usd,
        "fallback_api": api_monthly_usd(
            req * (1 - a), price, shape, cache_hit_rate=p.cache_hit_rate, retry_rate=p.retry_rate
        ),
        "fallback_upkeep": np.full_like(
            req, float(v("availability.fallback_upkeep_engineer_fraction")) * ctx.engineer_monthly_usd
        ),
    }
    upfront = {
        **cost.upfront_components_usd,
        "fallback_setup": float(v("availability.fallback_setup_engineer_months")) * ctx.engineer_monthly_usd,
    }
    details.update(
        availability=combined,
        fallback_model=fb.id,
        fallback_availability=a_fb,
        providers=[*providers, api_host(fb)],
    )
    return replace(cost, monthly_components_usd=monthly, upfront_components_usd=upfront, details=details)


def fallback_model(cost: StrategyCost, ctx: PricingContext, *, exclude: set[str]) -> ModelSpec | None:
    """The cheapest hosted model at a host (:func:`api_host`) not in ``exclude`` that meets the
    task (quality, latency, window, horizon) for this strategy's request shape, or None."""
    s = Strategy(Deployment.API, cost.strategy.adaptation)
    shape = request_shape(s, ctx)
    pool = [m for m in ctx.catalog.models.values() if api_host(m) not in exclude]
    choice = choose_api_model(
        pool,
        shape,
        batch=ctx.batch,
        context_tokens=context_needed(s, ctx),
        on_date=ctx.on_date,
        reasoning_tokens_per_output_token=ctx.reasoning_tokens_per_output_token,
        qualifies=lambda m: api_model_problem(m, s, ctx),
    )
    return choice.model
