"""Warnings that go with an analysis: inputs far outside what real deployments see (the
``sanity`` block of ``data/assumptions.yaml``, each threshold with its source) and models the
profile names that do not meet the task's need or retire inside the horizon. The analysis runs
either way; the warnings are printed beside it (``warnings`` in the JSON)."""

from __future__ import annotations

from llmstrategy.economics.analysis import Analysis
from llmstrategy.economics.hosted import lifecycle_problem, quality_problem
from llmstrategy.fmt import fmt_count, fmt_percent


def input_warnings(a: Analysis) -> list[str]:
    """Inputs above the ``sanity`` thresholds."""
    p, v = a.profile, a.context.catalog.value
    out = []
    if p.requests_per_day > float(v("sanity.max_requests_per_day")):
        out.append(
            f"requests_per_day is {fmt_count(p.requests_per_day)}, above the largest public deployment "
            f"(~{fmt_count(float(v('sanity.max_requests_per_day')))} a day): check the unit"
        )
    if p.monthly_growth > float(v("sanity.max_monthly_growth")):
        out.append(
            f"monthly_growth is {fmt_percent(p.monthly_growth)} a month ({(1 + p.monthly_growth) ** 12:,.0f}x a year): "
            "no product has sustained that; costs late in the horizon are extrapolation"
        )
    tokens = p.input_tokens_per_request + p.output_tokens_per_request
    if tokens > float(v("sanity.max_tokens_per_request")):
        out.append(f"{fmt_count(tokens)} tokens per request is more than any model's window holds")
    return out


def named_model_warnings(a: Analysis) -> list[str]:
    """Models named in the profile's ``assumptions`` that fall short of the task or retire soon."""
    ctx, asm = a.context, a.profile.assumptions
    out = []
    for fld in ("api_model", "self_host_model", "frontier_model"):
        mid = getattr(asm, fld)
        m = ctx.catalog.models.get(mid) if mid else None
        if m is None:
            continue
        short = quality_problem(m, ctx)
        if short and fld != "frontier_model":
            out.append(f"assumptions.{fld} {mid}: {short} for this {a.profile.task_type} task")
        late = lifecycle_problem(m, ctx)
        if late:
            out.append(f"assumptions.{fld} {mid} {late}: plan a migration")
    return out


def warnings(a: Analysis) -> list[str]:
    return input_warnings(a) + named_model_warnings(a)
