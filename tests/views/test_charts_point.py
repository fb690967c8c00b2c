"""Charts that point: in every chart of the strategy report the recommendation is drawn in its
own colour (used by nothing else) and thicker; the cost chart shows the recommendation and
the best few alternatives, the rest one legend click away; log axes have one clean tick
per decade; names, never raw ids; and only the trace types of the embedded partial bundle."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from llmstrategy.views.chart_style import HIGHLIGHT
from llmstrategy.views.plotly_offline import BASIC_TRACES

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-23"
PROFILES = ["internal_kb_qa", "hospital_discharge_summaries", "startup_support_assistant"]
FIGURES = (
    "cost_curves_figure",
    "horizon_figure",
    "uncertainty_figure",
    "scores_figure",
    "sensitivity_figure",
    "models_figure",
    "cost_breakdown_figure",
)
RAW = re.compile(r"(?<![\w.+/-])(\w+\+\w+(\+\w+)*|self_host|no_llm|private_cloud|api)(?![\w+])")


@pytest.fixture(scope="module", params=PROFILES)
def figures(request: pytest.FixtureRequest) -> dict[str, Any]:
    import llmstrategy.notebook as lls

    s = lls.open_session(ROOT / "data" / "profiles" / f"{request.param}.yaml", as_of=AS_OF, samples=300)
    out: dict[str, Any] = {"session": s}
    for name in FIGURES:
        out[name] = getattr(lls, name)(s)
    return out


def _colors(trace: Any) -> list[str]:
    line = getattr(trace, "line", None)
    marker = getattr(trace, "marker", None)
    found: list[Any] = []
    if line is not None and line.color is not None:
        found.append(line.color)
    if marker is not None and marker.color is not None:
        c = marker.color
        found.extend(c if isinstance(c, list | tuple) else [c])
    return [str(x) for x in found]


def _texts(fig: Any) -> list[str]:
    """Every label a reader sees: trace names, category labels, titles, annotations."""
    out = [str(t.name or "") for t in fig.data]
    for t in fig.data:
        for axis in ("y", "x"):
            values = getattr(t, axis, None)
            if values is not None and len(values) and isinstance(values[0], str):
                out.extend(str(v) for v in values)
    out.append(str(fig.layout.title.text or ""))
    out.extend(str(a.text or "") for a in fig.layout.annotations)
    return out


@pytest.mark.parametrize("name", FIGURES)
def test_only_the_partial_bundles_trace_types_and_no_raw_ids(figures: dict[str, Any], name: str) -> None:
    fig = figures[name]
    assert {t.type for t in fig.data} <= BASIC_TRACES, {t.type for t in fig.data}
    for text in _texts(fig):
        assert not RAW.search(re.sub(r"<[^>]+>", "", text)), (name, text)
        assert "seed " not in text, (name, text)


@pytest.mark.parametrize("name", FIGURES[:-1])
def test_the_recommendation_has_a_colour_of_its_own(figures: dict[str, Any], name: str) -> None:
    s = figures["session"]
    fig = figures[name]
    rec = s.decision.strategy_id
    assert any(HIGHLIGHT in _colors(t) for t in fig.data), name
    if name in ("cost_curves_figure", "horizon_figure"):
        mine = [t for t in fig.data if HIGHLIGHT in _colors(t)]
        assert len(mine) == 1 and "(recommended)" in mine[0].name
        assert mine[0].line.width > max(t.line.width for t in fig.data if t is not mine[0])
        assert mine[0].legendrank < min(t.legendrank for t in fig.data if t is not mine[0])
    if name in ("scores_figure", "uncertainty_figure"):
        labels = list(fig.data[0].y)
        starred = [i for i, y in enumerate(labels) if "★" in y]
        assert len(starred) == 1 and rec is not None
        assert fig.data[0].marker.color[starred[0]] == HIGHLIGHT
        assert HIGHLIGHT not in [c for i, c in enumerate(fig.data[0].marker.color) if i != starred[0]]


def test_cost_chart_shows_the_recommendation_and_the_best_few(figures: dict[str, Any]) -> None:
    fig = figures["cost_curves_figure"]
    shown = [t for t in fig.data if t.visible is not False and t.visible != "legendonly"]
    hidden = [t for t in fig.data if t.visible == "legendonly"]
    assert 1 <= len(shown) <= 4
    if len(fig.data) > 4:
        assert hidden, "the rest should be one legend click away"
    styles = {(t.line.color, t.line.dash) for t in fig.data}
    assert len(styles) == len(fig.data), "two strategies drawn alike"


@pytest.mark.parametrize("name", ["cost_curves_figure", "uncertainty_figure", "models_figure"])
def test_log_axes_have_one_clean_tick_per_decade(figures: dict[str, Any], name: str) -> None:
    fig = figures[name]
    axes = [a for a in (fig.layout.xaxis, fig.layout.yaxis) if a.type == "log"]
    assert axes, name
    for axis in axes:
        vals = list(axis.tickvals)
        assert vals and all(math.isclose(math.log10(v), round(math.log10(v))) for v in vals)
        for text in axis.ticktext:
            assert re.fullmatch(r"\$?\d+(\.\d+)?[KMBT]?", text), text


def test_the_white_template_is_set_without_changing_a_byte() -> None:
    """``_layout`` gives a figure plotly_white without validating it again (about 10 ms a
    figure): the figure's JSON is byte for byte the one ``update_layout(template=...)`` gives,
    key order included, and no figure shares the template's objects with another."""
    import json

    import plotly.graph_objects as go

    from llmstrategy.views.charts import _layout

    def built(template_by_name: bool) -> Any:
        fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="a"))
        if template_by_name:
            fig.update_layout(template="plotly_white")
            fig.update_layout(
                title={"text": "T", "x": 0.01, "font": {"size": 15}},
                height=440,
                margin={"l": 70, "r": 24, "t": 50, "b": 60},
                hovermode="closest",
                hoverlabel={"namelength": -1},
            )
            fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -70 / 330, "yanchor": "top"})
            return fig
        return _layout(fig, "T")

    want = json.dumps(built(True).to_plotly_json())
    a, b = built(False), built(False)
    assert json.dumps(a.to_plotly_json()) == want
    a.layout.template.layout.font.color = "#123456"  # one figure's template changed ...
    assert json.dumps(b.to_plotly_json()) == want  # ... leaves the next figure's alone
    assert json.dumps(built(False).to_plotly_json()) == want
