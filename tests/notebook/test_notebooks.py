"""The workload-profile and model-comparison notebooks: the pure functions behind them
(Pareto frontier, model filters, the profile form), the editor's widget wiring without a
kernel, and papermill runs of both notebooks with every example profile."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROFILES = sorted((ROOT / "data" / "profiles").glob("*.yaml"))
AS_OF = "2026-11-23"
NEW_NOTEBOOKS = ("workload_profile", "model_comparison", "decision_matrix", "cost_curves")


def _analysis(path: Path) -> Any:
    from llmstrategy.economics.analysis import analyze
    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.profile import load_profile

    return analyze(load_profile(path), load_catalog(), on_date=pd.Timestamp(AS_OF).date())


# ---------------------------------------------------------------- Pareto frontier


@pytest.mark.parametrize(
    ("cost", "quality", "front"),
    [
        # a cheaper-and-better point dominates; the expensive-but-best stays
        ([1, 2, 3], [50, 40, 90], [True, False, True]),
        # equal cost: only the higher quality; equal quality: only the cheaper
        ([1, 1, 2], [50, 60, 60], [False, True, False]),
        # identical points are all on the front (neither beats the other strictly)
        ([1, 1], [50, 50], [True, True]),
        # NaN is never on the front and dominates nothing
        ([float("nan"), 2, 1], [99, 70, float("nan")], [False, True, False]),
        ([], [], []),
    ],
)
def test_pareto_front_hand_examples(cost: list[float], quality: list[float], front: list[bool]) -> None:
    from llmstrategy.views.tables import pareto_front

    assert pareto_front(cost, quality).tolist() == front


def test_pareto_front_matches_brute_force() -> None:
    from llmstrategy.views.tables import pareto_front

    rng = np.random.default_rng(7)
    for _ in range(50):
        c = rng.integers(1, 6, size=12).astype(float)
        q = rng.integers(1, 6, size=12).astype(float)
        got = pareto_front(c, q)
        for i in range(len(c)):
            beaten = any(
                c[j] <= c[i] and q[j] >= q[i] and (c[j] < c[i] or q[j] > q[i]) for j in range(len(c)) if j != i
            )
            assert got[i] == (not beaten)


def test_pareto_front_rejects_mismatched_shapes() -> None:
    from llmstrategy.views.tables import pareto_front

    with pytest.raises(ValueError, match="same length"):
        pareto_front([1, 2], [1])


# ---------------------------------------------------------------- model comparison frame


def test_model_frame_hosted_when_data_may_leave() -> None:
    from llmstrategy.economics.hosted import api_model_costs

    a = _analysis(ROOT / "data" / "profiles" / "internal_kb_qa.yaml")
    from llmstrategy.views.tables import model_comparison_frame

    df = model_comparison_frame(a)
    hosted = {r["model"]: r for r in api_model_costs(a.context)}
    ok = df[df["allowed"]]
    assert set(ok["serving"]) == {"hosted API"}
    for _, row in ok.iterrows():  # the same numbers as the pricing module's
        assert row["per_1k_requests_usd"] == pytest.approx(hosted[row["model"]]["per_1k_requests_usd"])
        assert row["monthly_usd"] == pytest.approx(hosted[row["model"]]["monthly_usd"])
    assert list(ok["per_1k_requests_usd"]) == sorted(ok["per_1k_requests_usd"])
    # the cheapest allowed model with a quality score is always on the frontier
    first = ok.dropna(subset=["quality_score"]).iloc[0]
    assert first["pareto"]


def test_model_frame_open_weights_only_when_data_may_not_leave() -> None:
    from llmstrategy.views.tables import model_comparison_frame

    a = _analysis(ROOT / "data" / "profiles" / "hospital_discharge_summaries.yaml")
    assert not a.profile.data_may_leave
    df = model_comparison_frame(a)
    ok = df[df["allowed"]]
    assert len(ok) > 0 and ok["open_weight"].all()
    assert set(ok["serving"]) == {"self-hosted"}
    closed = df[~df["open_weight"]]
    assert len(closed) > 0 and not closed["allowed"].any()
    assert closed["excluded_because"].str.contains("data may not leave").all()
    assert not df.loc[~df["allowed"], "pareto"].any()


def test_model_frame_window_constraint() -> None:
    from conftest import make_profile

    from llmstrategy.views.tables import model_comparison_frame

    a = _analysis(ROOT / "data" / "profiles" / "internal_kb_qa.yaml")
    from llmstrategy.economics.analysis import analyze

    p = make_profile(context_tokens_needed=150_000)
    df = model_comparison_frame(analyze(p, a.context.catalog, on_date=a.on_date))
    small = df[df["context_window_tokens"] < 150_000]
    assert len(small) > 0 and not small["allowed"].any()
    assert small["excluded_because"].str.contains("window").all()
    assert df.loc[df["allowed"], "context_window_tokens"].min() >= 150_000


def test_filter_models() -> None:
    from llmstrategy.views.tables import filter_models, model_comparison_frame

    df = model_comparison_frame(_analysis(ROOT / "data" / "profiles" / "internal_kb_qa.yaml"))
    assert filter_models(df).equals(df)
    openai = filter_models(df, providers=["OpenAI"], open_weight=False)
    assert len(openai) > 0 and set(openai["provider"]) == {"OpenAI"} and not openai["open_weight"].any()
    big = filter_models(df, min_context_tokens=500_000, min_quality=80)
    assert (big["context_window_tokens"] >= 500_000).all() and (big["quality_score"] >= 80).all()
    assert filter_models(df, providers=[]).empty


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_components_pivot_adds_up_to_the_costs(profile: Path) -> None:
    from llmstrategy.views.tables import components_pivot

    a = _analysis(profile)
    monthly = components_pivot(a, "monthly").set_index("strategy")
    once = components_pivot(a, "one-off").set_index("strategy")
    for c in a.costs:
        if not c.feasible:
            assert c.strategy.id not in monthly.index
            continue
        assert monthly.loc[c.strategy.id, "total_usd"] == pytest.approx(c.monthly_usd)
        assert once.loc[c.strategy.id, "total_usd"] == pytest.approx(c.upfront_usd)
    for frame in (monthly, once):  # no column that is zero everywhere
        assert all((frame[col].abs() > 0).any() for col in frame.columns if col != "total_usd")


# ---------------------------------------------------------------- the profile form


def _form_values(profile: Any) -> dict[str, Any]:
    from llmstrategy.views.widgets import FIELDS, field_value

    values = {}
    for f in FIELDS:
        v = field_value(profile, f.path)
        values[f.path] = (0 if f.zero_is_none else "") if v is None else v
    return values


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_form_round_trips_every_example_profile(profile: Path) -> None:
    from llmstrategy.inputs.profile import load_profile, profile_from_dict
    from llmstrategy.views.widgets import advanced_yaml, form_to_data

    p = load_profile(profile)
    again = profile_from_dict(form_to_data(_form_values(p), advanced_yaml(p)))
    assert again.model_dump() == p.model_dump()


def test_every_profile_field_has_a_widget() -> None:
    from llmstrategy.inputs.profile import Profile, Team
    from llmstrategy.views.widgets import ADVANCED_FIELDS, FIELDS

    paths = {f.path for f in FIELDS}
    expected = {k for k in Profile.model_fields if k not in ("team", *ADVANCED_FIELDS)}
    expected |= {f"team.{k}" for k in Team.model_fields}
    assert paths == expected
    kinds = {f.path: f.kind for f in FIELDS}
    for name in ("requests_per_day", "input_tokens_per_request", "output_tokens_per_request"):
        assert kinds[name] == "log"
    for name in ("stage", "data_sensitivity", "latency", "task_complexity", "domain_specificity"):
        assert kinds[name] == "dropdown"
    assert kinds["data_may_leave"] == "check"


def test_form_errors_are_one_line_profile_errors() -> None:
    from llmstrategy.errors import ProfileError
    from llmstrategy.inputs.profile import load_profile, profile_from_dict
    from llmstrategy.views.widgets import form_to_data

    p = load_profile(PROFILES[0])
    values = _form_values(p)
    values["name"] = "   "
    with pytest.raises(ProfileError) as err:
        profile_from_dict(form_to_data(values), path="<form>")
    assert "field 'name'" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ProfileError, match=r"advanced settings.*unknown key 'colour'"):
        form_to_data(_form_values(p), "colour: blue")
    with pytest.raises(ProfileError, match="invalid YAML"):
        form_to_data(_form_values(p), "rag: [unclosed")


@pytest.mark.parametrize("bad", ["../escape", "a/b.yaml", ".hidden.yaml", "", "x" * 200, "name with space"])
def test_profile_filename_refuses_paths(bad: str) -> None:
    from llmstrategy.errors import ProfileError
    from llmstrategy.views.widgets import profile_filename

    with pytest.raises(ProfileError, match="file name"):
        profile_filename(bad)


def test_profile_filename_adds_the_extension() -> None:
    from llmstrategy.views.widgets import profile_filename

    assert profile_filename("my_profile") == "my_profile.yaml"
    assert profile_filename("a.yml") == "a.yml"


def test_derived_summary_hand_computed() -> None:
    from conftest import make_profile

    from llmstrategy.views.widgets import derived_html, derived_summary

    p = make_profile(requests_per_day=1000, input_tokens_per_request=1000, output_tokens_per_request=500)
    d = derived_summary(p)
    assert d["requests_per_month"] == pytest.approx(1000 * 365 / 12)
    assert d["tokens_per_month"] == pytest.approx(1000 * 365 / 12 * 1500)  # 45.625M
    assert d["peak_requests_per_second"] == pytest.approx(1000 / 86400 * 3)
    assert re.search(r'lls-derived-tokens_per_month"[^>]*>45.6M<', derived_html(p))


# ---------------------------------------------------------------- editor wiring (no kernel)


def _tokens_shown(editor: Any) -> str:
    m = re.search(r'lls-derived-tokens_per_month"[^>]*>([^<]*)<', editor.derived.value)
    assert m, editor.derived.value
    return m.group(1)


def test_editor_updates_the_derived_workload_live(tmp_path: Path) -> None:
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.notebook.editor import ProfileEditor

    editor = ProfileEditor(load_profile(ROOT / "data" / "profiles" / "internal_kb_qa.yaml"), save_dir=tmp_path)
    assert _tokens_shown(editor) == "137M"
    editor.inputs["requests_per_day"].value = 60_000  # 10×
    assert _tokens_shown(editor) == "1.37B"
    editor.inputs["output_tokens_per_request"].value = 0  # clamps to the slider's minimum of 1
    assert editor.profile is not None and editor.profile.output_tokens_per_request == 1


def test_editor_shows_validation_errors_as_one_line(tmp_path: Path) -> None:
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.notebook.editor import ProfileEditor

    editor = ProfileEditor(load_profile(PROFILES[0]), save_dir=tmp_path)
    editor.inputs["name"].value = ""
    assert editor.profile is None
    assert "field 'name'" in editor.status.value and "Traceback" not in editor.status.value
    editor.save_button.click()
    assert list(tmp_path.iterdir()) == []
    editor.inputs["name"].value = "<b>bold</b> name"
    assert editor.status.value == ""
    editor.advanced.value = "rag: {corpus_tokens: -1}"
    assert "rag.corpus_tokens" in editor.status.value and "<b>" not in editor.status.value


def test_editor_saves_yaml_that_loads_back(tmp_path: Path) -> None:
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.notebook.editor import ProfileEditor

    original = load_profile(ROOT / "data" / "profiles" / "hospital_discharge_summaries.yaml")
    editor = ProfileEditor(original, save_dir=tmp_path)
    editor.inputs["requests_per_day"].value = 20_000
    editor.inputs["data_may_leave"].value = True
    editor.filename.value = "edited"
    editor.save_button.click()
    saved = tmp_path / "edited.yaml"
    assert "saved" in editor.status.value and saved.is_file()
    again = load_profile(saved)
    assert again.requests_per_day == pytest.approx(20_000, rel=1e-6)
    assert again.data_may_leave is True
    assert again.model_dump(exclude={"requests_per_day", "data_may_leave"}) == original.model_dump(
        exclude={"requests_per_day", "data_may_leave"}
    )
    # a second save without "overwrite" refuses, with a one-line message
    editor.save_button.click()
    assert "file exists" in editor.status.value
    editor.overwrite.value = True
    editor.save_button.click()
    assert "saved" in editor.status.value
    assert [p.name for p in tmp_path.iterdir()] == ["edited.yaml"]  # no temp files left


# ---------------------------------------------------------------- papermill runs


@pytest.fixture(scope="module")
def rendered_new(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The notebooks other than the strategy report (test_render's) in report mode over every
    example profile (render_batch, 2 jobs)."""
    from llmstrategy.report import render_batch

    out = tmp_path_factory.mktemp("new_reports")
    results = {}
    for nb in NEW_NOTEBOOKS:
        for r in render_batch(PROFILES, notebook=nb, out_dir=out, jobs=2, as_of=AS_OF, progress=False):
            results[(nb, Path(r.profile_path).stem)] = r
    return {"out": out, "results": results}


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NEW_NOTEBOOKS)
def test_new_notebooks_render_every_profile(rendered_new: dict[str, Any], notebook: str) -> None:
    from llmstrategy.inputs.profile import load_profile

    for profile in PROFILES:
        r = rendered_new["results"][(notebook, profile.stem)]
        assert r.ok, r.error
        page = Path(r.html_path).read_text(encoding="utf-8")
        assert Path(r.html_path).name == f"{profile.stem}.{notebook}.html"
        assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.I)
        assert "lls.open_session" not in page and "Traceback" not in page
        name = load_profile(profile).name
        assert f"Analysis date {AS_OF}" in page
        if notebook == "workload_profile":
            assert page.count("Plotly.newPlot(") == 0
            assert "plotly.js v" not in page and r.html_bytes < 1e6  # no figure, no bundle
            assert "Profile fields" in page and "requests_per_day" in page
            assert "<input" not in page  # report mode: static tables, no widgets
        elif notebook == "model_comparison":
            assert page.count("Plotly.newPlot(") == 1 and page.count('class="plotly-graph-div"') == 1
            assert "Pareto frontier" in page and 'class="lls-table lls-cols lls-sortable"' in page
            assert "models ruled out" in page or "No catalog model is ruled out" in page
        elif notebook == "decision_matrix":
            assert page.count("Plotly.newPlot(") == 2  # scores, sensitivity
            assert "Recommendation:" in page and "Feasible strategies × criteria" in page
            assert "Adjustments from the profile" in page
        else:  # cost_curves: curves, horizon, uncertainty, models
            assert page.count("Plotly.newPlot(") == 4
            assert "Break-even tokens/month" in page and "Seed: API" in page and "Methodology" in page
        assert name.replace("&", "&amp;") in page or json.dumps(name)[1:-1] in page


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NEW_NOTEBOOKS)
def test_new_notebooks_run_interactively(tmp_path: Path, notebook: str) -> None:
    """Interactive mode (report_mode False) executes without error in a kernel: the
    widgets are built and displayed (their state is not checked here; see test_lab)."""
    import nbformat

    from llmstrategy.report import execute_notebook, notebooks_dir

    nb_path = notebooks_dir() / f"{notebook}.ipynb"
    params: dict[str, Any] = {
        "profile_path": str(ROOT / "data" / "profiles" / "internal_kb_qa.yaml"),
        "report_mode": False,
        "as_of": AS_OF,
    }
    if notebook == "workload_profile":
        params["save_dir"] = str(tmp_path)
    executed = tmp_path / f"{notebook}.ipynb"
    execute_notebook(nb_path, executed, params, timeout_s=120)
    nb = nbformat.read(str(executed), as_version=4)
    views = [
        o
        for c in nb.cells
        for o in c.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert views, "no widget was displayed"
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    assert list(tmp_path.glob("*.yaml")) == []  # nothing saved without a click


def test_report_mode_profile_table_lists_every_field() -> None:
    from llmstrategy.notebook import open_session, profile_table
    from llmstrategy.views.widgets import FIELDS

    s = open_session(ROOT / "data" / "profiles" / "internal_kb_qa.yaml", as_of=AS_OF, report_mode=True)
    html = profile_table(s).to_html()
    for f in FIELDS:
        assert f">{f.path}<" in html, f.path
    assert ">rag.corpus_tokens<" in html and "80,000,000" in html
    assert not math.isnan(s.analysis.workload.tokens_per_month)


def test_saved_profile_yaml_is_plain() -> None:
    """profile_to_yaml output is what the editor writes: safe YAML, no Python tags."""
    from llmstrategy.inputs.profile import load_profile, profile_to_yaml

    text = profile_to_yaml(load_profile(PROFILES[0]))
    assert "!!python" not in text
    assert yaml.safe_load(text)["name"]


def test_editor_keeps_exact_values_when_a_slider_snaps(tmp_path: Path) -> None:
    """A log slider shows 900 on its grid of 10^0.05 steps as 10^2.95 = 891: the box beside
    it keeps 900 until the slider moves by at least one step; a move writes 2 significant
    figures into the box; a typed value is kept exactly."""
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.notebook.editor import ProfileEditor
    from llmstrategy.views.widgets import FIELDS, snapped

    step = {f.path: f.step for f in FIELDS}["input_tokens_per_request"]
    assert step == 0.05  # 20 arrow-key presses per decade, ×1.12 each
    assert snapped(900, 10**2.95, step) and not snapped(900, 10**3.0, step)
    editor = ProfileEditor(
        load_profile(ROOT / "data" / "profiles" / "startup_support_assistant.yaml"), save_dir=tmp_path
    )
    editor.sliders["input_tokens_per_request"].value = 10**2.95  # what the browser sends back
    editor.sliders["requests_per_day"].value = 10**3.3
    assert editor.current().input_tokens_per_request == 900
    assert editor.current().requests_per_day == 2000
    editor.sliders["input_tokens_per_request"].value = 10**3.05  # one arrow-key press: 1122
    assert editor.current().input_tokens_per_request == 1100
    editor.inputs["requests_per_day"].value = 2345  # typed: exact, and the slider follows
    assert editor.current().requests_per_day == 2345
    assert editor.sliders["requests_per_day"].value == pytest.approx(2345)


@pytest.mark.parametrize(
    ("x", "want"), [(19998.6, 20000), (1995.26, 1995), (0.123456, 0.1235), (0, 0), (-4321.9, -4322)]
)
def test_round_sig(x: float, want: float) -> None:
    from llmstrategy.views.widgets import round_sig

    assert round_sig(x, 4) == pytest.approx(want)
