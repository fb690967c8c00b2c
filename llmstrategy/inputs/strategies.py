"""The strategy space: a deployment × an adaptation, defined once as data.

A strategy's id is the deployment alone for ``prompting``, else the deployment and
the adaptation joined by ``+`` (``rag_fine_tune`` is written ``rag+fine_tune``):
``api``, ``api+rag``, ``api+fine_tune``, ``api+rag+fine_tune``, ``self_host``, … —
20 ids, plus the outcome ``no_llm`` (seed 004, step 2: skip the LLM when rules,
search or classic ML suffice).

Seed 001's columns map onto it: API (Buy) = ``api``; Fine-Tune = ``api+fine_tune``
or ``self_host+fine_tune``; Self-Host (Build) = ``self_host``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from llmstrategy.errors import LLMStrategyError


class Deployment(StrEnum):
    """Where the model runs."""

    API = "api"  # a hosted model through a provider's API
    SELF_HOST = "self_host"  # an open-weight model on the team's own GPUs
    HYBRID = "hybrid"  # self-hosted for most traffic, hosted frontier model for the hardest share
    PRIVATE_CLOUD = "private_cloud"  # a vendor's model on capacity provisioned in the team's own cloud tenancy
    ROUTED = "routed"  # hosted APIs: a router sends easy requests to a small model, hard ones to a large one


class Adaptation(StrEnum):
    """How the model is adapted to the task."""

    PROMPTING = "prompting"
    RAG = "rag"
    FINE_TUNE = "fine_tune"
    RAG_FINE_TUNE = "rag_fine_tune"


_ADAPTATION_SUFFIX = {
    Adaptation.PROMPTING: "",
    Adaptation.RAG: "+rag",
    Adaptation.FINE_TUNE: "+fine_tune",
    Adaptation.RAG_FINE_TUNE: "+rag+fine_tune",
}

NO_LLM_ID = "no_llm"


@dataclass(frozen=True, order=True)
class Strategy:
    """One point of the strategy space."""

    deployment: Deployment
    adaptation: Adaptation

    @property
    def id(self) -> str:
        return f"{self.deployment.value}{_ADAPTATION_SUFFIX[self.adaptation]}"

    @property
    def uses_rag(self) -> bool:
        return self.adaptation in (Adaptation.RAG, Adaptation.RAG_FINE_TUNE)

    @property
    def uses_fine_tune(self) -> bool:
        return self.adaptation in (Adaptation.FINE_TUNE, Adaptation.RAG_FINE_TUNE)

    @property
    def sends_data_to_third_party(self) -> bool:
        """True for every ``api``, ``routed`` and ``hybrid`` strategy (a provider sees the data)."""
        return self.deployment in (Deployment.API, Deployment.HYBRID, Deployment.ROUTED)

    def as_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "deployment": self.deployment.value,
            "adaptation": self.adaptation.value,
        }

    def __str__(self) -> str:
        return self.id


#: Every strategy, deployments in order, then adaptations in order (20 entries).
STRATEGIES: tuple[Strategy, ...] = tuple(Strategy(d, a) for d in Deployment for a in Adaptation)

_BY_ID = {s.id: s for s in STRATEGIES}


def strategy(strategy_id: str) -> Strategy:
    """Look a strategy up by id (``"self_host+rag"``); raise with the valid ids."""
    try:
        return _BY_ID[strategy_id]
    except KeyError:
        valid = ", ".join(_BY_ID)
        raise LLMStrategyError(
            f"unknown strategy '{strategy_id}'; expected one of: {valid}, {NO_LLM_ID}",
            field="strategy",
        ) from None


def strategy_ids() -> list[str]:
    """The 20 strategy ids in canonical order."""
    return [s.id for s in STRATEGIES]
