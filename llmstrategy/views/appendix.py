"""The report's appendix, where the raw ids and the seeds' references live: the decision path
as the seeds put it (each step with its source), the checklist's sources, the strategy ids the
CSV and JSON exports use, seed 001's cost tiers checked, and every formula with the defaults
it uses. Returns HTML strings; computes nothing.

Every text that comes from a profile is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from llmstrategy.decision.recommend import Decision
from llmstrategy.fmt import fmt_count, fmt_usd
from llmstrategy.views.matrix import _text_columns
from llmstrategy.views.names import STRATEGY_NAMES
from llmstrategy.views.styling import style_of

E = html.escape


def decision_rules_html(d: Decision) -> str:
    """The decision path word for word, each step with the seed it follows; the rationale;
    the checklist's sources; and the strategy ids of the exports beside their names."""
    steps = "".join(
        f"<tr><td class='lls-text lls-wrap'>{E(s.question)}</td><td class='lls-text lls-wrap'>{E(s.answer)}</td>"
        f"<td class='lls-text lls-wrap'>{E(s.evidence)}</td><td class='lls-text lls-wrap'>{E(s.source)}</td></tr>"
        for s in d.path.steps
    )
    rationale = "".join(f"<li>{E(x)}</li>" for x in d.rationale)
    sources = "".join(
        f"<tr><td class='lls-text lls-wrap'>{E(c['item'])}</td><td class='lls-text'>{E(c['source'])}</td></tr>"
        for c in d.checklist
    )
    ids = "".join(
        f"<tr><td class='lls-text'><code>{E(k)}</code></td><td class='lls-text'>{E(v)}</td></tr>"
        for k, v in STRATEGY_NAMES.items()
    )
    return (
        "<h3>The decision path, as the seeds put it</h3>"
        "<table class='lls-table'><thead><tr><th class='lls-text'>Question</th><th class='lls-text'>Answer</th>"
        "<th class='lls-text'>Profile values</th><th class='lls-text'>Source</th></tr></thead>"
        f"<tbody>{steps}</tbody></table><p>The engine's rationale, word for word:</p><ul>{rationale}</ul>"
        "<h3>Where the checklist comes from</h3><table class='lls-table'><thead><tr><th class='lls-text'>Item</th>"
        f"<th class='lls-text'>Source</th></tr></thead><tbody>{sources}</tbody></table>"
        "<h3>Strategy ids in the CSV and JSON exports</h3><table class='lls-table'><thead><tr>"
        "<th class='lls-text'>Id</th><th class='lls-text'>Name in this report</th></tr></thead>"
        f"<tbody>{ids}</tbody></table>"
    )


def seed_check_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    keep = [
        "tier",
        "monthly_tokens",
        "seed_api_usd",
        "reproduced_api_usd",
        "seed_self_host_usd",
        "reproduced_self_host_usd",
        "seed_verdict",
        "engine_api_usd",
        "engine_gpus",
        "engine_gpu_fleet_usd",
        "engine_self_host_usd",
        "engine_verdict",
    ]
    return df[keep]


def seed_check_html(check: Any) -> str:
    df = seed_check_frame(check.rows)
    usd = [c for c in df.columns if c.endswith("_usd")]
    fm: dict[str, Any] = dict.fromkeys(usd, lambda x: fmt_usd(x))
    fm["monthly_tokens"] = lambda x: fmt_count(x)
    fm["engine_gpus"] = lambda x: f"{x:,.0f}"
    labels = {
        "tier": "Tier",
        "monthly_tokens": "Tokens/month",
        "seed_api_usd": "Seed: API",
        "reproduced_api_usd": "Engine, seed's assumptions: API",
        "seed_self_host_usd": "Seed: self-host",
        "reproduced_self_host_usd": "Engine, seed's assumptions: self-host",
        "seed_verdict": "Seed verdict",
        "engine_api_usd": "First principles: API",
        "engine_gpus": "First principles: GPUs",
        "engine_gpu_fleet_usd": "First principles: GPU fleet",
        "engine_self_host_usd": "First principles: self-host with staff",
        "engine_verdict": "First-principles verdict",
    }
    st = style_of(df).format(fm, escape="html", na_rep="—").hide(axis="index")
    st = _text_columns(st, df, ["tier", "seed_verdict", "engine_verdict"])
    st = st.relabel_index([E(labels[c]) for c in df.columns], axis="columns")
    st = st.set_table_attributes('class="lls-table"')
    words = "".join(f"<li>{E(x)}</li>" for x in check.explanation)
    assumptions = ", ".join(f"{E(k)} = {E(str(v['value']))}" for k, v in check.assumptions.items())
    return (
        st.to_html()
        + f"<p>First-principles assumptions (data/seed_cost_tiers.yaml): {assumptions}.</p><ul>{words}</ul>"
    )


def methodology_html(sections: Sequence[Any]) -> str:
    out = []
    for s in sections:
        inputs = "".join(
            f"<li><code>{E(r['key'])}</code> = {E(str(r['value']))} {E(str(r['unit']))} "
            f"<span class='lls-source'>({E(str(r['source']))}; {E(str(r['as_of']))})</span></li>"
            for r in s.inputs
        )
        out.append(
            f"<h3>{E(s.title)}</h3><p>{E(s.formula)}</p>" + (f"<ul class='lls-inputs'>{inputs}</ul>" if inputs else "")
        )
    return "<div class='lls-methodology'>" + "".join(out) + "</div>"
