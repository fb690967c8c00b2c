"""Decision-engine cells: the report's first page, the executive summary, the decision path,
the strategy matrix (with weight sliders), weights, scores and sensitivity, traps, when to
revisit, the roadmap, the checklist, the glossary, and the methodology with the seeds'
decision rules.
"""

from __future__ import annotations

import html
from typing import Any

from llmstrategy.decision.recommend import Decision
from llmstrategy.notebook.session import Session, _html, _out
from llmstrategy.notebook.state import live


def _decision(s: Session) -> Decision:
    if s.decision is None:
        raise RuntimeError("this session has no decision: open it with open_session")
    return s.decision


@live
def summary_page(s: Session) -> Any:
    """The report's first page: recommendation, why, cost with its line items, how sure,
    what would change it, next steps (fits one screen and one printed page)."""
    from llmstrategy.views.onepage import summary_page_html

    return _html(summary_page_html(s.analysis, _decision(s)))


@live
def executive_summary(s: Session) -> Any:
    """Recommendation, runner-up, monthly cost, confidence and when to revisit, in words."""
    from llmstrategy.views.summary_html import executive_summary_html

    return _html(executive_summary_html(s.analysis, _decision(s), s.analysis.extras.get("uncertainty")))


@live
def decision_path(s: Session) -> Any:
    """Each step of the seeds' decision path with the profile value that decided it."""
    from llmstrategy.views.summary_html import decision_path_html

    return _html(decision_path_html(_decision(s), s.profile.horizon_months))


@live
def decision_matrix(s: Session) -> Any:
    """The feasible strategies × criteria as a heat map, best first; then the ruled-out
    strategies with their reasons."""
    from llmstrategy.views.glossary import term
    from llmstrategy.views.matrix import matrix_styled, ruled_out_html

    st = matrix_styled(
        _decision(s),
        caption="Feasible strategies × criteria (green is better on each criterion's own direction); best first",
    )
    note = (
        f"<p class='lls-note'>The last columns are the two scores ({term('TOPSIS', 'topsis')}, "
        f"{term('weighted sum', 'weighted-sum')}; 1 = best possible), best first; quality is the expected "
        f"{term('pass rate', 'pass-rate')}; ★ marks the recommendation.</p>"
    )
    return _html(st.to_html() + note + ruled_out_html(_decision(s)))


@live
def weights(s: Session) -> Any:
    """The criterion weights and the profile conditions that set them."""
    from llmstrategy.views.matrix import weights_html

    return _html(weights_html(_decision(s)))


@live
def scores_figure(s: Session) -> Any:
    from llmstrategy.views import takeaways
    from llmstrategy.views.matrix import scores_figure as fig

    return _out(s, fig(_decision(s)), takeaways.scores(_decision(s)))


@live
def sensitivity_figure(s: Session) -> Any:
    from llmstrategy.views import takeaways
    from llmstrategy.views.matrix import sensitivity_figure as fig

    return _out(s, fig(_decision(s)), takeaways.sensitivity(_decision(s)))


def decision_matrix_view(s: Session) -> Any:
    """Report mode: the matrix. Interactive: a slider per criterion weight and a reset
    button; moving one sets the profile's weights in the notebook's state, which re-runs
    the engine and redraws every view of the notebook (the executive summary, weights,
    scores and sensitivity too); below the sliders, the live ranking and matrix."""
    if s.report_mode or s.state is None:
        return decision_matrix(s)  # the scores have their own cell
    import ipywidgets as w

    from llmstrategy.errors import LLMStrategyError
    from llmstrategy.inputs.criteria import CRITERIA, CRITERION_IDS
    from llmstrategy.views.matrix import matrix_styled, ranking_html, ruled_out_html

    state = s.state
    start = _decision(state.session).weights.values
    sliders = {
        k: w.FloatSlider(
            value=round(start[k], 3),
            min=0.0,
            max=1.0,
            step=0.01,
            readout_format=".2f",
            description=CRITERIA[k][1],
            style={"description_width": "180px"},
            layout={"width": "420px"},
            continuous_update=False,
        )
        for k in CRITERION_IDS
    }
    for k, sl in sliders.items():
        sl.add_class(f"lls-weight-{k.replace('_', '-')}")
    status = w.HTML("")

    def moved(*_: Any) -> None:
        if state.quiet:
            return
        raw = {k: round(float(sl.value), 4) for k, sl in sliders.items()}
        if sum(raw.values()) <= 0:
            status.value = "<p class='lls-warning'>Give at least one criterion a weight.</p>"
            return
        try:
            state.update(weights=raw)
        except LLMStrategyError as err:
            status.value = f"<p class='lls-warning'>{html.escape(str(err), quote=False)}</p>"
            return
        status.value = ""

    def reset(initial: Session) -> None:
        for k, sl in sliders.items():
            sl.value = round(_decision(initial).weights.values[k], 3)
        status.value = ""

    for sl in sliders.values():
        sl.observe(moved, names="value")
    state.on_reset(reset)

    def draw(cur: Session) -> None:
        from IPython.display import display

        d = _decision(cur)
        display(_html(f'<div class="lls-ranking">{ranking_html(d)}</div>'))
        display(_html(matrix_styled(d, caption="Feasible strategies × criteria under these weights").to_html()))
        display(_html(ruled_out_html(d)))

    controls = w.VBox([*sliders.values(), state.reset_button(), status])
    return w.VBox([controls, state.view(draw)])


@live
def traps(s: Session) -> Any:
    from llmstrategy.views.summary_html import traps_html

    return _html(traps_html(_decision(s)))


@live
def revisit(s: Session) -> Any:
    from llmstrategy.views.summary_html import revisit_html

    return _html(revisit_html(_decision(s), s.profile.horizon_months))


@live
def roadmap_view(s: Session) -> Any:
    """Seed 003's phases on this profile's timeline: a chart and the table behind it."""
    from IPython.display import display

    from llmstrategy.views import takeaways
    from llmstrategy.views.summary_html import roadmap_figure, roadmap_html

    h = s.profile.horizon_months
    display(_out(s, roadmap_figure(s.analysis, _decision(s)), takeaways.roadmap(_decision(s), h)))
    return _html(roadmap_html(_decision(s), h))


@live
def checklist(s: Session) -> Any:
    from llmstrategy.views.summary_html import checklist_html

    return _html(checklist_html(_decision(s)))


@live
def glossary(s: Session) -> Any:
    """The terms the report cannot avoid, explained (the report's links point here)."""
    from llmstrategy.views.glossary import glossary_html

    return _html(glossary_html())


@live
def decision_rules(s: Session) -> Any:
    """The decision path word for word with the seed each step follows, the checklist's
    sources and the strategy ids of the CSV and JSON exports."""
    from llmstrategy.views.appendix import decision_rules_html

    return _html(decision_rules_html(_decision(s)))


@live
def methodology(s: Session) -> Any:
    """Every formula with the defaults it uses, their values and sources."""
    from llmstrategy.views.appendix import methodology_html
    from llmstrategy.views.methodology import methodology as sections

    return _html(methodology_html(sections(s.catalog)))
