"""A private-cloud recommendation reads as one everywhere: the roadmap deploys in your cloud
account (not a self-hosted open model), 'what would change it' prices the data policy in the
profile's own figures, and the first page says where the model runs."""

from __future__ import annotations

import re

from conftest import evaluate_case

from llmstrategy.views.onepage import summary_page_html


def test_the_own_cloud_case_says_where_it_runs_and_what_the_policy_costs():
    a, d = evaluate_case("regulated_own_cloud_routing_hard_chat")
    assert d.strategy_id == "private_cloud"
    assert d.roadmap[0]["what"].startswith("a model deployed privately in your own cloud account")
    line = next(x for x in d.revisit_when if x.startswith("The data policy changes"))
    api, rec = (float(x.replace(",", "")) for x in re.findall(r"\$([\d,.]+)", line)[:2])
    assert api == round(a.cost("api").monthly_usd) and rec == round(a.cost("private_cloud").monthly_usd)
    assert ("less" in line) == (api < rec)
    html = summary_page_html(a, d)
    assert "runs in your own cloud account" in html and "servers you control" not in html
