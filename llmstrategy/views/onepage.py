"""The report's first page, in people's words: the recommendation, why (three lines), what it
costs broken down into its line items, how sure it is, what would change it, and the next
steps. It fits one 1440 × 900 screen and one printed A4 page (``report.css``, ``print.css``).

Reads the analysis, the decision and the JSON keys the pipeline put in ``analysis.extras``
(``recommendation.confidence``, ``human_review``, ``fit``, ``warnings``); computes nothing.
Every text that comes from a profile or the engine is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from llmstrategy.decision.path import TUNED_OWN_CHEAPER, UNTUNED_API_CHEAPER
from llmstrategy.decision.recommend import Decision
from llmstrategy.economics.analysis import Analysis, CostSummary
from llmstrategy.fmt import fmt_count, fmt_nines, fmt_usd
from llmstrategy.inputs.criteria import CRITERIA
from llmstrategy.views.glossary import term
from llmstrategy.views.names import component_label, plain_text, strategy_name

E = html.escape
#: At most this many items in a list of the first page (the rest are in the sections below).
MAX_ITEMS = 3


def _model_name(a: Analysis, model_id: str) -> str:
    m = a.context.catalog.models.get(model_id)
    return m.name if m is not None else model_id


def models_in_words(a: Analysis, models: Mapping[str, str], details: Mapping[str, Any] | None = None) -> str:
    """``{"api": "mistral-small-24b"}`` → ``Mistral Small 3.2 24B through its provider's API``; with a
    fine-tuning provider in ``details``, who tunes it and how it is served."""
    d = details or {}
    tuner = d.get("fine_tune_provider")
    where = {
        "api": "through its provider's API"
        if not tuner or "api" not in models
        else f"fine-tuned by {tuner}, on GPUs it reserves for you"
        if d.get("serving") == "dedicated"
        else f"fine-tuned by {tuner}, served per token",
        "self_host": "on your own GPUs",
        "frontier": "for the hard cases",
        "private_cloud": "on capacity reserved in your cloud account",
        "small": "for the easy requests",
    }
    return "; ".join(f"{_model_name(a, v)} {where.get(k, '')}".strip() for k, v in models.items())


def _lower_first(text: str) -> str:
    """``The provider's GPUs`` → ``the provider's GPUs`` (the rest kept: GPUs, API)."""
    return text[:1].lower() + text[1:]


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")


def _deployment_line(a: Analysis, d: Decision) -> str:
    p, h = a.profile, a.profile.horizon_months
    be = a.extras.get("break_even") or {}
    tokens = be.get("api_vs_self_host_monthly_tokens")
    signal = d.path.deployment_signal
    if signal == "data may not leave":
        if str(d.strategy_id or "").startswith(("private_cloud", "routed")):
            return (
                "The data may not leave the organisation, so the model runs in your own cloud account, under your "
                "agreements with the cloud vendor."
            )
        return "The data may not leave the organisation, so the model runs on servers you control."
    if signal == "pre-MVP":
        return "The product is still being validated: a hosted API is the fastest start and easy to swap later."
    if signal == "API costs become painful within the horizon":
        return (
            f"At the volume expected within {h} months, running your own model costs less than a hosted API "
            f"(the {term('break-even', 'break-even')} is {E(fmt_count(tokens))} tokens a month)."
        )
    if signal.startswith(UNTUNED_API_CHEAPER):
        more = f": running your own model pays only above {E(fmt_count(tokens))} tokens a month" if tokens else ""
        line = (
            f"A hosted API stays cheaper than running your own model over the {h}-month horizon{more} "
            f"(today: {E(fmt_count(a.workload.tokens_per_month))})."
        )
        rec = str(d.strategy_id or "")
        if TUNED_OWN_CHEAPER not in signal or not rec.startswith("self_host"):
            return line
        sc, provider = d.scores, rec.replace("self_host", "api", 1)
        i, j = sc.index(rec), sc.index(provider)

        def per_1k(n: int) -> str:
            return fmt_usd(float(sc.cost_per_accepted_task_usd[n]) * 1000, cents=True)

        return (
            line[:-1].replace("A hosted API stays", "Untuned, a hosted API stays", 1)
            + f". Fine-tuned, your own model costs less: {E(per_1k(i))} per 1,000 accepted tasks at an expected "
            f"pass rate of {sc.pass_rate[i]:.0%}, against {E(per_1k(j))} at {sc.pass_rate[j]:.0%} for a provider's "
            "tuned model, so it runs on your own servers."
        )
    if signal == "no hosted API meets the task":
        step = next(x for x in d.path.steps if x.question == "Can a hosted API do this task at all?")
        why = plain_text(step.answer.split(": ", 1)[1], horizon_months=h, bare_hybrid=True)
        first = plain_text(step.evidence.split(" (", 1)[0], horizon_months=h)
        return f"No hosted API meets the task ({E(first)}); {E(why)}."
    lines = []
    if signal.startswith("API costs become painful, but self-hosting is ruled out"):
        lines.append(
            f"Running your own model would cost less at this volume (the {term('break-even', 'break-even')} is "
            f"{E(fmt_count(tokens))} tokens a month), but this team cannot run one: hosted APIs."
        )
    if "routing lowers the cost" in signal:
        sc, rec = d.scores, str(d.strategy_id)
        own = a.cost(rec).details.get("deployment_kind") == "routed_own_cloud"
        single = rec.replace("routed", "private_cloud" if own else "api", 1)  # what the path compared it with
        i, j = sc.index(rec), sc.index(single)
        saving = d.path.route_saving_monthly_usd  # computed by the path's routing step
        lines.append(
            f"A {term('router', 'routing')} sends the easy requests to a smaller model: "
            f"{E(fmt_usd(float(saving)))} a month less than one model for all of them, at an expected pass rate "
            f"of {sc.pass_rate[i]:.0%} against {sc.pass_rate[j]:.0%}."
        )
    if lines:
        return " ".join(lines)
    step = d.path.steps[1] if len(d.path.steps) > 1 else d.path.steps[0]
    text = plain_text(step.answer, horizon_months=p.horizon_months, bare_hybrid=True)
    return E(text[:1].upper() + text[1:])


def _adaptation_line(d: Decision, rec: str) -> str:
    rag, ft = "rag" in rec, "fine_tune" in rec
    parts = []
    if rag:
        parts.append(
            f"{term('Retrieval', 'retrieval')} looks up what the model lacks or what changes, in your documents"
        )
    if ft:
        returns = "; ".join(E(plain_text(x)) for x in d.path.fine_tune_returns)
        parts.append(
            f"{term('fine-tuning' if parts else 'Fine-tuning', 'fine-tuning')} pays for itself"
            + (f": {returns}" if returns else ", fixing failures a better prompt does not")
        )
    if not parts:
        return (
            "Good prompts are enough: no missing knowledge and no repeated failures that need retrieval or fine-tuning."
        )
    return "; ".join(parts) + "."


_DEPLOYMENT_WORDS = {
    "api": "a hosted API",
    "self_host": "your own servers",
    "hybrid": "your own servers with a hosted frontier model for hard cases",
    "private_cloud": "capacity reserved in your own cloud account",
    "routed": "a small and a large model, with a router that sends the easy requests to the small one",
}


def _override_line(d: Decision, rec: str) -> str:
    """Why the scoring overruled the decision path's deployment, from the engine's rationale."""
    import re

    words = _DEPLOYMENT_WORDS.get(rec.split("+")[0], strategy_name(rec))
    line = (
        f"Running it on {words} scores clearly higher than the decision path's {E(strategy_name(d.path.strategy_id))}"
    )
    better = next((m for x in d.rationale for m in [re.search(r"\S+ is better on ([^;.]+)", x)] if m), None)
    return line + (f": it is better on {E(better.group(1))}." if better else ".")


def _matrix_line(d: Decision, rec: str) -> str:
    s = d.scores
    feasible = [i for i, ok in enumerate(s.feasible) if ok]
    i = s.index(rec)
    by_topsis = 1 + sum(1 for j in feasible if s.topsis[j] > s.topsis[i])
    top = sorted(CRITERIA, key=lambda k: -d.weights.values[k])[:2]
    heaviest = " and ".join(CRITERIA[k][1].lower() for k in top)
    scored = f"Scored on {len(CRITERIA)} weighted criteria (heaviest: {E(heaviest)})"
    if by_topsis == 1:
        return f"{scored}, it ranks first of the {len(feasible)} options allowed."
    return (
        f"{scored}, it ranks {_ordinal(by_topsis)} of the {len(feasible)} allowed: close enough to the top that "
        "the decision path's choice stands."
    )


def why_lines(a: Analysis, d: Decision) -> list[str]:
    """Three lines (HTML): where the model runs, how it is adapted, and how the scoring agrees."""
    rec = d.strategy_id
    if rec is None:
        return ["No strategy is allowed for this profile: see the reasons under Compare the options."]
    fit = (a.extras.get("recommendation") or {}).get("fit") or {}
    if rec == "no_llm":
        lines = [
            E(plain_text(fit["statement"]))
            if fit.get("statement")
            else "The profile says rules, search or classic machine learning already do the job.",
            "An LLM would add cost, latency and a new kind of error without a need for it.",
        ]
        return lines
    same = rec.split("+")[0] == d.path.strategy_id.split("+")[0]
    first = _deployment_line(a, d) if same else _override_line(d, rec)
    return [first, _adaptation_line(d, rec), _matrix_line(d, rec)]


def _line_items(items: Mapping[str, float], total: float) -> str:
    rows = sorted(((k, v) for k, v in items.items() if abs(v) >= 0.005), key=lambda kv: -kv[1])
    out = []
    for k, v in rows:
        share = f"{v / total:.0%}" if total > 0 and v / total >= 0.01 else "<1%" if total > 0 else ""
        out.append(
            f"<tr><td class='lls-text'>{E(component_label(k))}</td><td>{E(fmt_usd(v))}</td>"
            f"<td class='lls-share'>{share}</td></tr>"
        )
    return "".join(out)


def cost_html(a: Analysis, c: CostSummary, *, rec: str, cheapest: CostSummary | None) -> str:
    """The cost headline and its line items, monthly then one-off."""
    h = a.profile.horizon_months
    monthly = _line_items(c.monthly_components_usd, c.monthly_usd)
    upfront = _line_items(c.upfront_components_usd, c.upfront_usd)
    table = (
        "<table class='lls-lineitems'><thead><tr><th class='lls-text'>Each month</th>"
        f"<th>{E(fmt_usd(c.monthly_usd))}</th><th></th></tr></thead><tbody>{monthly}</tbody>"
    )
    if upfront:
        table += (
            f"<thead><tr><th class='lls-text'>Once, to set up</th><th>{E(fmt_usd(c.upfront_usd))}</th><th></th>"
            f"</tr></thead><tbody>{upfront}</tbody>"
        )
    table += "</table>"
    note = ""
    if cheapest is not None and cheapest.strategy.id != rec and c.monthly_usd > cheapest.monthly_usd:
        extra = {k: v - cheapest.monthly_components_usd.get(k, 0.0) for k, v in c.monthly_components_usd.items()}
        biggest = max(((k, v) for k, v in extra.items() if v > 0), key=lambda kv: kv[1], default=None)
        because = (
            f", mostly because of {E(_lower_first(component_label(biggest[0])))} ({E(fmt_usd(biggest[1]))})"
            if biggest
            else ""
        )
        note = (
            f"<p class='lls-op-note'>The cheapest allowed option, "
            f"{E(_lower_first(strategy_name(cheapest.strategy.id)))}, costs "
            f"{E(fmt_usd(cheapest.monthly_usd))} a month; the recommendation costs more{because}.</p>"
        )
    return (
        f"<p class='lls-op-total'>{E(fmt_usd(c.per_1k_requests_usd, cents=True))} per 1,000 requests · "
        f"{E(fmt_usd(c.horizon_total_usd))} over {h} months with growth, set-up included</p>{table}{note}"
    )


def price_html(c: CostSummary | None) -> str:
    """The price beside the recommendation's name: a month today, and once to set up."""
    if c is None:
        return ""
    once = f"<div>{E(fmt_usd(c.upfront_usd))} once, to set up</div>" if c.upfront_usd > 0 else ""
    return f"<div class='lls-op-price'><div><b>{E(fmt_usd(c.monthly_usd))}</b> a month</div>{once}</div>"


def sure_html(a: Analysis) -> str:
    """Confidence, human review, problem fit and warnings, from the JSON's keys."""
    rec = a.extras.get("recommendation") or {}
    conf = rec.get("confidence")
    out = []
    if conf:
        reasons = "; ".join(E(x) for x in conf.get("reasons", []))
        out.append(
            f"<p>Confidence <span class='lls-conf lls-conf-{E(conf['level'])}'>{E(conf['level'])}</span>: "
            f"{reasons} (<a href='#certainty'>details</a>).</p>"
        )
    out += _evidence_lines(a, str(rec.get("strategy") or ""))
    if rec.get("human_review"):
        out.append("<p>A person must check the tasks it gets wrong; that review is priced in.</p>")
    statement = ((rec.get("fit") or {}).get("statement") or "").strip()
    if statement and rec.get("strategy") != "no_llm":
        out.append(f"<p>{E(plain_text(statement))}</p>")
    warns = list(a.extras.get("warnings") or [])
    for w in warns[:MAX_ITEMS]:
        out.append(f"<p class='lls-op-warn'>⚠ {E(plain_text(str(w), bare_hybrid=True))}</p>")
    if len(warns) > MAX_ITEMS:
        out.append(f"<p class='lls-note'>and {len(warns) - MAX_ITEMS} more warnings in the decision section.</p>")
    return "".join(out) or "<p>Nothing measures it for this profile.</p>"


def _evidence_lines(a: Analysis, sid: str) -> list[str]:
    """Where the recommendation's expected pass rate comes from (the user's own evals, or a
    proxy from public benchmarks) and, with an availability target, how often it answers."""
    row = next((r for r in a.extras.get("scores") or [] if r.get("id") == sid), None)
    out = []
    if row is not None and row.get("pass_rate") is not None:
        src = str(row.get("pass_rate_source") or "")
        where = (
            f"measured on your own evals ({E(src.split('(', 1)[1].rstrip(')'))} passed)"
            if src.startswith("measured")
            else "an estimate from public benchmarks, not yet measured on your tasks: run your own eval "
            "(evals: in the profile or --evals)"
        )
        out.append(f"<p>Expected to get <b>{row['pass_rate']:.0%}</b> of tasks right: {where}.</p>")
    details = a.cost(sid).details if sid and sid != "no_llm" else {}
    target = a.profile.availability_target
    if target is not None and "availability" in details:
        fb = details.get("fallback_model")
        hosts = [str(h) for h in details.get("providers", [])]
        at = f" at {E(hosts[-1])}" if fb and hosts else ""
        how = f"with {E(_model_name(a, str(fb)))}{at} as a fallback" if fb else "on its own"
        share, goal = E(fmt_nines(float(details["availability"]))), E(fmt_nines(target))
        out.append(f"<p>Answers {share} of the time {how} (target {goal}).</p>")
    return out


def current_phase(roadmap: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The roadmap phase the team is in today: the last one that starts at month 0 (a validated
    product is already past "learn fast"), else the first."""
    started = [ph for ph in roadmap if ph.get("start_month") == 0]
    return started[-1] if started else roadmap[0]


def _list(items: list[str], tag: str = "ul") -> str:
    return f"<{tag}>" + "".join(f"<li>{x}</li>" for x in items) + f"</{tag}>"


def summary_page_html(a: Analysis, d: Decision) -> str:
    """The first page: recommendation, why, cost with line items, how sure, what would change
    it, next steps."""
    from llmstrategy.views.tables import cheapest_feasible

    rec = d.strategy_id
    h = a.profile.horizon_months
    cheapest = cheapest_feasible(a)
    price = ""
    if rec is None:
        headline, sub, cost = "No strategy is allowed", "", "<p>Nothing to price.</p>"
    elif rec == "no_llm":
        headline = strategy_name(rec)
        runner = d.runner_up_id
        sub = "Rules, search or classic machine learning"
        cost = "<p class='lls-op-total'><b>No LLM cost.</b></p>"
        price = "<div class='lls-op-price'><div><b>$0</b> a month</div><div>no LLM to pay for</div></div>"
        if runner:
            c = a.cost(runner)
            sub += f" · if an LLM is needed after all: {strategy_name(runner)}"
            cost += (
                f"<p>If an LLM is needed after all, {E(strategy_name(runner))}: <b>{E(fmt_usd(c.monthly_usd))}</b> "
                "a month.</p>" + cost_html(a, c, rec=runner, cheapest=None)
            )
    else:
        c = a.cost(rec)
        headline = strategy_name(rec)
        sub = models_in_words(a, c.models, c.details)
        if d.runner_up_id:
            sub += f" · runner-up: {strategy_name(d.runner_up_id)}"
        cost = cost_html(a, c, rec=rec, cheapest=cheapest)
        price = price_html(c)
    changes = [E(plain_text(x, horizon_months=h, bare_hybrid=True)) for x in d.revisit_when[:MAX_ITEMS]]
    steps = []
    if rec == "no_llm":
        steps = [
            "Keep the rules, search or classic machine learning that already do the job.",
            "Measure how often they are right; re-run this analysis if that falls short of what the business needs.",
        ]
    else:
        if d.roadmap:
            steps.append("Now: " + E(plain_text(str(current_phase(d.roadmap)["what"]))))
        steps += [E(plain_text(str(c["item"]))) for c in d.checklist[:MAX_ITEMS]]
    return f"""<section class="lls-op" id="summary" aria-label="Summary">
<div class="lls-op-head"><div><div class="lls-op-kicker">Recommendation</div>
<div class="lls-op-rec">{E(headline)}</div><div class="lls-op-sub">{E(sub)}</div></div>{price}</div>
<div class="lls-op-grid">
<div class="lls-op-col"><h3>Why</h3>{_list(why_lines(a, d))}
<h3>How sure</h3>{sure_html(a)}</div>
<div class="lls-op-col lls-op-cost"><h3>What it costs</h3>{cost}</div>
<div class="lls-op-col"><h3>What would change it</h3>{_list(changes) if changes else "<p>Nothing foreseen.</p>"}
<h3>Next steps</h3>{_list(steps, "ol")}</div>
</div></section>"""
