import pytest

from llmstrategy.errors import LLMStrategyError
from llmstrategy.inputs.strategies import STRATEGIES, Adaptation, Deployment, Strategy, strategy, strategy_ids


def test_twenty_strategies_with_the_contract_ids():
    assert strategy_ids() == [
        "api",
        "api+rag",
        "api+fine_tune",
        "api+rag+fine_tune",
        "self_host",
        "self_host+rag",
        "self_host+fine_tune",
        "self_host+rag+fine_tune",
        "hybrid",
        "hybrid+rag",
        "hybrid+fine_tune",
        "hybrid+rag+fine_tune",
        "private_cloud",
        "private_cloud+rag",
        "private_cloud+fine_tune",
        "private_cloud+rag+fine_tune",
        "routed",
        "routed+rag",
        "routed+fine_tune",
        "routed+rag+fine_tune",
    ]
    assert len(set(STRATEGIES)) == 20


def test_round_trip_and_flags():
    for s in STRATEGIES:
        assert strategy(s.id) == s
        d = s.as_dict()
        assert d["deployment"] == s.deployment.value and d["adaptation"] == s.adaptation.value
    s = strategy("self_host+rag+fine_tune")
    assert s == Strategy(Deployment.SELF_HOST, Adaptation.RAG_FINE_TUNE)
    assert s.uses_rag and s.uses_fine_tune and not s.sends_data_to_third_party
    assert strategy("hybrid").sends_data_to_third_party
    assert strategy("routed+rag").sends_data_to_third_party


def test_unknown_id_lists_valid_ones():
    with pytest.raises(LLMStrategyError, match="expected one of: api, api\\+rag"):
        strategy("self-host")
