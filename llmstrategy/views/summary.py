"""A short plain-text summary of an analysis, for the terminal."""

from __future__ import annotations

import math

from llmstrategy.economics.analysis import Analysis
from llmstrategy.fmt import fmt_count, fmt_usd


def text_summary(a: Analysis) -> str:
    """A few readable lines: the workload, then each strategy's monthly and horizon cost."""
    w = a.workload
    p = a.profile
    sw = max([25, *(len(c.strategy.id) + 2 for c in a.costs)])  # the strategy column's width
    lines = [
        f"{p.name} ({p.stage}, {p.latency}) as of {a.on_date.isoformat()}",
        f"  workload: {fmt_count(w.requests_per_month)} requests/month, "
        f"{fmt_count(w.tokens_per_month)} tokens/month, peak {w.peak_requests_per_second:.3g} requests/s",
        f"  {'strategy':<{sw}}{'model':<34}{'GPUs':>6}{'monthly':>12}{'per 1k req':>12}{'upfront':>12}"
        f"{f'{p.horizon_months}-month total':>18}",
    ]
    ruled_out = {x["id"]: x["infeasible_reasons"] for x in a.extras.get("scores", []) if not x["feasible"]}
    for c in a.costs:
        if not c.feasible or c.strategy.id in ruled_out:
            why = ruled_out.get(c.strategy.id) or list(c.reasons)
            lines.append(f"  {c.strategy.id:<{sw}}ruled out: {'; '.join(why)}")
            continue
        model = ", ".join(c.models.values())
        gpus = c.details.get("gpus")
        lines.append(
            f"  {c.strategy.id:<{sw}}{model:<34}{(f'{gpus:,.0f}' if gpus is not None else '-'):>6}"
            f"{fmt_usd(c.monthly_usd, cents=c.monthly_usd < 100):>12}"
            f"{fmt_usd(c.per_1k_requests_usd):>12}{fmt_usd(c.upfront_usd):>12}"
            f"{fmt_usd(c.horizon_total_usd):>18}"
        )
    be = a.extras.get("break_even")
    if be:
        lines.append(f"  break-even api vs self_host: {be['reason']['api_vs_self_host']}")
    rec = a.extras.get("recommendation")
    if rec:
        strategy = rec["strategy"] or "none feasible"
        review = " with human review" if rec.get("human_review") and rec["strategy"] != "no_llm" else ""
        lines.append(f"  recommendation: {strategy}{review} (runner-up {rec['runner_up'] or 'none'})")
        conf = rec.get("confidence")
        if conf:
            lines.append(f"  confidence: {conf['level']}: " + "; ".join(conf["reasons"]))
        lines += [f"    - {x}" for x in rec["rationale"]]
    for w in a.extras.get("warnings", []):
        lines.append(f"  warning: {w}")
    return "\n".join(lines)


def sizing_text(model: object, gpu: object, results: list, *, usd_per_gpu_hour: float) -> str:
    """A table of every layout tried: memory, batch, latency, throughput and $ per 1M output tokens.

    $ per 1M output tokens = USD per GPU-hour / (output tokens/s per GPU × 3600) × 1e6.
    """
    from llmstrategy.economics.sizing import ReplicaSizing

    rows: list[ReplicaSizing] = results
    m_id = getattr(model, "id", "?")
    g_id = getattr(gpu, "id", "?")
    head = (
        f"{m_id} on {g_id}, {rows[0].precision if rows else ''}, {rows[0].latency if rows else ''} "
        f"(on-demand {fmt_usd(usd_per_gpu_hour, cents=True)}/GPU-hour)"
    )
    lines = [
        head,
        f"  {'layout':<10}{'weights GB':>11}{'KV GB free':>11}{'batch':>7}{'TPOT ms':>9}{'TTFT ms':>9}"
        f"{'out tok/s/GPU':>15}{'GPUs':>6}{'$/1M out':>10}  note",
    ]
    for r in rows:
        layout = f"TP{r.tensor_parallel}" + (f"×PP{r.pipeline_stages}" if r.pipeline_stages > 1 else "")
        if r.fits and r.output_tokens_per_second_per_gpu > 0:
            per_m = usd_per_gpu_hour / (r.output_tokens_per_second_per_gpu * 3600) * 1e6
            cost = fmt_usd(per_m, cents=True)
        else:
            cost = "—"
        lines.append(
            f"  {layout:<10}{_num(r.weights_gb, 11, 1)}{_num(r.kv_budget_gb, 11, 1)}{r.batch_size:>7}"
            f"{_num(r.time_per_output_token_ms, 9, 1)}{_num(r.time_to_first_token_ms, 9, 0)}"
            f"{_num(r.output_tokens_per_second_per_gpu, 15, 0)}{r.gpus_per_replica:>6}{cost:>10}  {r.reason}"
        )
    return "\n".join(lines)


def _num(x: float, width: int, decimals: int) -> str:
    """Right-aligned number, or an em dash when it was not computed (NaN)."""
    return f"{'—':>{width}}" if not math.isfinite(x) else f"{x:>{width},.{decimals}f}"
