"""Cost components of routing inside your own cloud (``large_*``/``small_*``) read as people's
words, share their kind's column in the line-item table and their kind's group in the chart;
every hosted model's token bill is one column in print."""

from __future__ import annotations

from llmstrategy.views.breakdown import group_of
from llmstrategy.views.names import component_label


def test_a_routed_part_reads_as_its_kind():
    assert component_label("large_provisioned_capacity") == (
        "Large model: "
        + component_label("provisioned_capacity")[:1].lower()
        + component_label("provisioned_capacity")[1:]
    )
    assert component_label("small_managed_endpoint_instances", short=True) == "Endpoint instances"
    assert component_label("large_api_spillover", short=True) == "API tokens"  # spill-over is billed per token
    assert group_of("large_provisioned_capacity") == group_of("provisioned_capacity") == "Reserved cloud capacity"
    assert group_of("small_api_spillover") == "Tokens (hosted API)"
    assert group_of("fallback_upkeep") == "Staff to run the servers"


def test_every_hosted_token_bill_shares_one_short_column():
    keys = ("api_inference", "api_frontier", "api_large_model", "api_small_model")
    assert {component_label(k, short=True) for k in keys} == {"API tokens"}
    assert len({component_label(k) for k in keys}) == len(keys)  # the long labels still tell them apart
