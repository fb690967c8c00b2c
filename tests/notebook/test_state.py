"""One state per interactive notebook (llmstrategy.notebook.state): a widget's change
redraws every registered view, reset restores the parameters cell, HTML shown live is
proof against LaTeX typesetting; and the profile editor's labels, help, clean YAML and
render button. No kernel: the output areas' draw functions are called directly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
STARTUP = ROOT / "data" / "profiles" / "startup_support_assistant.yaml"
AS_OF = "2026-11-23"


def _session(path: Path = STARTUP) -> Any:
    """An interactive session whose cells register output areas as in a kernel."""
    import llmstrategy.notebook as lls

    s = lls.open_session(path, as_of=AS_OF)
    assert s.state is not None and s.state.register is False  # no kernel here
    s.state.register = True
    return s


def _shown(state: Any, out: Any) -> Any:
    """What the output area ``out`` shows now (its draw function on the current session)."""
    from llmstrategy.notebook.state import _DRAWING, as_displayable

    view = next(v for v in state.views if v.out is out)
    token = _DRAWING.set(True)
    try:
        return as_displayable(view.draw(state.session))
    finally:
        _DRAWING.reset(token)


def _text(shown: Any) -> str:
    return re.sub(r"<[^>]+>", "", shown.data)


# ---------------------------------------------------------------- no LaTeX


@pytest.mark.parametrize(
    ("markup", "dollars"),
    [
        ("<p>$26.33 per 1,000 requests beside $1,602 a month</p>", 2),
        ('<a title="$5" href="x">$5</a>', 1),  # attributes untouched
        ("no money here", 0),
    ],
)
def test_no_math_isolates_every_dollar_and_marks_the_block(markup: str, dollars: int) -> None:
    from llmstrategy.notebook.state import NO_MATH_CLASSES, no_math

    out = no_math(markup)
    assert out.startswith(f'<div class="{NO_MATH_CLASSES}">') and "mathjax_ignore" in out
    assert out.count("<span>$</span>") == dollars
    # no two dollar signs share a text node, so no typesetter can pair them
    for text in re.split(r"<[^>]*>", out):
        assert text.count("$") <= 1
    assert re.sub(r"<[^>]+>", "", out) == re.sub(r"<[^>]+>", "", markup)  # the same words


def test_report_mode_html_is_unchanged() -> None:
    """Only live output areas are escaped: a report's HTML keeps its plain dollar signs."""
    import llmstrategy.notebook as lls

    s = lls.open_session(STARTUP, as_of=AS_OF, report_mode=True)
    assert s.state is None
    page = lls.summary_page(s).data
    assert "$" in page and "<span>$</span>" not in page and "mathjax_ignore" not in page


def test_every_live_html_view_is_typesetting_proof() -> None:
    import llmstrategy.notebook as lls

    s = _session()
    for cell in (lls.summary_page, lls.executive_summary, lls.kpis, lls.costs_table, lls.components_table):
        out = cell(s)
        shown = _shown(s.state, out)
        assert shown.data.startswith('<div class="mathjax_ignore'), cell.__name__
        assert "$" in _text(shown), cell.__name__  # the amounts are there, as text
        for text in re.split(r"<[^>]*>", shown.data):
            assert text.count("$") <= 1, (cell.__name__, text)


# ---------------------------------------------------------------- one state


def _weights_slider_move(s: Any) -> Any:
    """The decision-matrix view's sliders (the first VBox of its controls)."""
    import llmstrategy.notebook as lls

    view = lls.decision_matrix_view(s)
    controls = view.children[0]
    return {sl.description: sl for sl in controls.children if hasattr(sl, "step") and hasattr(sl, "max")}


def test_a_weight_slider_redraws_the_summary_scores_and_weights() -> None:
    import llmstrategy.notebook as lls
    from llmstrategy.inputs.criteria import CRITERIA

    s = _session()
    state = s.state
    summary, scores, table = lls.executive_summary(s), lls.scores_figure(s), lls.weights(s)
    before = (_text(_shown(state, summary)), _shown(state, scores).to_dict(), _text(_shown(state, table)))
    assert state.session.decision.strategy_id == "api+rag"
    sliders = _weights_slider_move(s)
    privacy = sliders[CRITERIA["data_privacy"][1]]
    draws = state.redraws
    for sl in sliders.values():  # data privacy decides alone: a private deployment wins
        if sl is not privacy:
            sl.value = 0.0
    privacy.value = 1.0
    assert state.redraws > draws
    assert state.session.decision.strategy_id == "private_cloud+rag"
    after = (_text(_shown(state, summary)), _shown(state, scores).to_dict(), _text(_shown(state, table)))
    assert after[0] != before[0] and after[1]["data"] != before[1]["data"] and after[2] != before[2]
    assert "100.0%" in after[2]  # the weights table shows the sliders' weights
    # reset: the parameters cell's profile, every slider and every view back
    state.reset()
    assert state.session is state.initial
    assert _text(_shown(state, summary)) == before[0]
    assert privacy.value == pytest.approx(state.initial.decision.weights.values["data_privacy"], abs=1e-3)


def test_all_weights_zero_is_a_message_not_an_error() -> None:
    s = _session()
    sliders = _weights_slider_move(s)
    for sl in sliders.values():
        sl.value = 0.0
    assert s.state.session.profile.weights  # the last valid weights stay


def test_cost_what_ifs_move_every_view() -> None:
    import llmstrategy.notebook as lls

    s = _session()
    state = s.state
    costs = lls.costs_table(s)
    before = _text(_shown(state, costs))
    view = lls.cost_curves_view(s)
    api_m = next(c for box in view.children[0].children for c in box.children if c.description == "API prices ×")
    api_m.value = 10.0
    assert state.api_price_multiplier == 10.0
    assert state.session.catalog is not state.base_catalog
    assert _text(_shown(state, costs)) != before
    state.reset()
    assert api_m.value == 1.0 and _text(_shown(state, costs)) == before


def test_an_invalid_change_leaves_the_state_as_it_was() -> None:
    from llmstrategy.errors import ProfileError

    s = _session()
    state = s.state
    with pytest.raises(ProfileError):
        state.update(retry_rate=1.5)
    assert state.session is state.initial and state.redraws == 0


def test_report_mode_and_scripts_register_nothing() -> None:
    import llmstrategy.notebook as lls

    s = lls.open_session(STARTUP, as_of=AS_OF, report_mode=True)
    assert type(lls.executive_summary(s)).__name__ == "HTML"
    s = lls.open_session(STARTUP, as_of=AS_OF)  # interactive, but no kernel: plain results
    assert type(lls.scores_figure(s)).__name__ == "Figure" and s.state.views == []


# ---------------------------------------------------------------- the profile editor


def test_every_field_has_a_full_label_and_help() -> None:
    from llmstrategy.views.widgets import FIELDS, field_help

    for f in FIELDS:
        assert len(field_help(f)) > 15, f.path
        assert "_" not in f.label and f.label[0].isupper(), f.path  # people's words
        assert "$" not in f.label + field_help(f), f.path  # nothing a typesetter could pair


def test_editor_rows_show_label_and_help(tmp_path: Path) -> None:
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.notebook.editor import ProfileEditor

    editor = ProfileEditor(load_profile(STARTUP), save_dir=tmp_path)
    box = editor.inputs["knowledge_changes_often"]
    assert box.description == "Knowledge changes often" and box.style.description_width == "initial"
    assert not box.indent and "retrieval" in box.tooltip


def test_saved_yaml_has_clean_numbers_and_integers(tmp_path: Path) -> None:
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.notebook.editor import ProfileEditor

    editor = ProfileEditor(load_profile(STARTUP), save_dir=tmp_path)
    editor.inputs["cache_hit_rate"].value = 0.1 + 0.05  # 0.15000000000000002
    editor.inputs["team.ml_engineers"].value = 0.0
    editor.inputs["team.infra_engineers"].value = 2.0
    editor.filename.value = "clean"
    editor.save_button.click()
    text = (tmp_path / "clean.yaml").read_text()
    assert "0.15000000000000002" not in text and "cache_hit_rate: 0.15\n" in text
    assert "ml_engineers: 0\n" in text and "infra_engineers: 2\n" in text
    assert not re.search(r"\d\.\d{8,}", text)  # no float noise anywhere
    assert "Next:" in editor.status.value and "llmstrategy render" in editor.status.value
    data = yaml.safe_load(text)
    assert data["team"]["ml_engineers"] == 0 and isinstance(data["team"]["ml_engineers"], int)


@pytest.mark.parametrize(("x", "want"), [(0.15000000000000002, 0.15), (0.0, 0), (2.0, 2), (1e15, 10**15), (True, True)])
def test_clean_numbers(x: Any, want: Any) -> None:
    from llmstrategy.views.widgets import clean_numbers

    got = clean_numbers({"a": [x]})["a"][0]
    assert got == want and type(got) is type(want)


def test_render_asks_for_a_save_first(tmp_path: Path) -> None:
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.notebook.editor import ProfileEditor

    editor = ProfileEditor(load_profile(STARTUP), save_dir=tmp_path, report_dir=tmp_path / "r")
    editor.inputs["retry_rate"].value = 0.2
    editor.render_button.click()
    assert "save the profile first" in editor.status.value
    assert not (tmp_path / "r").exists()


def test_render_command_is_the_cli() -> None:
    import sys

    from llmstrategy.notebook.editor import render_command

    cmd = render_command("a.yaml", "../reports")
    assert cmd[:3] == [sys.executable, "-m", "llmstrategy.cli"] and cmd[3:] == [
        "render",
        "a.yaml",
        "--out",
        "../reports",
    ]


@pytest.mark.slow
def test_render_button_writes_and_links_the_report(tmp_path: Path) -> None:
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.notebook.editor import ProfileEditor

    editor = ProfileEditor(load_profile(STARTUP), save_dir=tmp_path, report_dir=tmp_path / "reports")
    editor.filename.value = "mine"
    editor.save_button.click()
    editor.render_button.click()
    html_path = tmp_path / "reports" / "mine.html"
    assert html_path.is_file(), editor.status.value
    m = re.search(r'class="lls-report-link" href="([^"]+)"', editor.status.value)
    assert m and m.group(1).endswith("mine.html")
    assert (Path.cwd() / m.group(1)).resolve() == html_path.resolve()
