"""End-to-end renders of the ``strategy_report`` notebook: papermill + nbconvert, then the
HTML in headless Chromium with the network cut off.

Every example profile is rendered once per module (``rendered``); the static checks and
the browser checks both read those files. Render seconds and HTML sizes are printed
(``pytest -s``) and written to ``artifacts/render_metrics.json``; full-page screenshots
go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import html
import json
import math
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser import chromium_problem, offline_browser, require_chromium

ROOT = Path(__file__).resolve().parents[2]
PROFILES = sorted((ROOT / "data" / "profiles").glob("*.yaml"))
ARTIFACTS = ROOT / "artifacts"
AS_OF = "2026-11-23"
NOTEBOOK = "strategy_report"
NOTEBOOK_PATH = ROOT / "notebooks" / f"{NOTEBOOK}.ipynb"

INJECTED_NAME = "<script>alert(1)</script>"
INJECTED_DESCRIPTION = '"><img src=x onerror=alert(2)> {{ 7*7 }}'

# ---------------------------------------------------------------- helpers


def _plotly_markers() -> tuple[str, str]:
    """The bundle's version banner and a fingerprint from its middle (each occurs once in
    the bundle a report embeds by default, so they count how many times it is on a page)."""
    from llmstrategy.views.plotly_offline import plotly_js

    js = plotly_js()
    banner = re.search(r"\* plotly\.js (\([^)]*\) )?v[0-9][^\s]*", js[:200])
    assert banner, "plotly.js bundle lost its version banner"
    middle = js[len(js) // 2 : len(js) // 2 + 80]
    assert js.count(banner.group(0)) == 1 and js.count(middle) == 1
    return banner.group(0), middle


def _code_sources() -> list[tuple[int, str, str]]:
    """(index, id, source) of each code cell of the notebook as committed."""
    nb = json.loads(NOTEBOOK_PATH.read_text(encoding="utf-8"))
    return [(i, c.get("id", ""), "".join(c["source"])) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def _expected_figures() -> int:
    """Figures the notebook draws in report mode: one per ``lls.*_figure(s)`` or
    ``lls.*_view(s)`` cell (scores, sensitivity, cost curves, horizon, uncertainty, models, roadmap)."""
    return sum(bool(re.search(r"\blls\.\w+_(figure|view)\(", src)) for _, _, src in _code_sources())


FIGURES = _expected_figures()


def _open_session_cell() -> str:
    """How a render error must name the cell that opens the session (it fails there)."""
    i, cell_id, _ = next(c for c in _code_sources() if "lls.open_session(" in c[2])
    return f"cell {i} (id {cell_id}) of {NOTEBOOK}.ipynb failed"


def _profile_name(path: Path) -> str:
    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["name"])


def _write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _broken_in_kernel(path: Path) -> Path:
    """Valid YAML that passes schema validation, but names an API model the catalog lacks:
    only ``analyze``, in the open_session cell (in the kernel), checks catalog ids."""
    data = yaml.safe_load((ROOT / "data" / "profiles" / "startup_support_assistant.yaml").read_text())
    data["assumptions"] = {"api_model": "no-such-model-xyz"}
    return _write_yaml(path, data)


def _one_line(text: str | None) -> str:
    assert text, "expected an error message"
    assert "\n" not in text and "\r" not in text, f"error is not one line: {text!r}"
    return text


def _head(page: str) -> str:
    return page[: page.index("</head>")]


def _code_cells(page: str) -> list[str]:
    """The HTML of each code cell (everything from one jp-CodeCell div to the next cell)."""
    starts = [m.start() for m in re.finditer(r'<div class="jp-Cell ', page)]
    ends = [*starts[1:], len(page)]
    return [page[s:e] for s, e in zip(starts, ends, strict=True) if "jp-CodeCell" in page[s : s + 80]]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every example profile rendered once: stem -> RenderResult (plus metrics written)."""
    from llmstrategy.report import render_batch

    assert PROFILES, "no example profiles in data/profiles/"
    out = tmp_path_factory.mktemp("reports")
    t0 = time.perf_counter()
    results = render_batch(PROFILES, notebook=NOTEBOOK, out_dir=out, jobs=2, as_of=AS_OF, progress=False)
    wall = time.perf_counter() - t0
    by_stem = {Path(r.profile_path).stem: r for r in results}
    metrics = {
        "notebook": NOTEBOOK,
        "as_of": AS_OF,
        "jobs": 2,
        "batch_wall_seconds": round(wall, 2),
        "reports": {
            stem: {
                "ok": r.ok,
                "render_seconds": round(r.seconds, 2),
                "html_bytes": r.html_bytes,
                "html_mb": round(r.html_bytes / 1e6, 2),
                "error": r.error,
            }
            for stem, r in by_stem.items()
        },
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "render_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"\nrendered {len(results)} reports in {wall:.1f} s wall (jobs=2):")
    for stem, m in metrics["reports"].items():
        print(f"  {stem:34s} {m['render_seconds']:6.2f} s  {m['html_mb']:5.2f} MB  ok={m['ok']}")
    return {"out": out, "results": by_stem, "metrics": metrics}


@pytest.fixture(scope="module")
def injection_report(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from llmstrategy.report import render_one

    d = tmp_path_factory.mktemp("injection")
    data = yaml.safe_load((ROOT / "data" / "profiles" / "startup_support_assistant.yaml").read_text())
    data.update(name=INJECTED_NAME, description=INJECTED_DESCRIPTION)
    profile = _write_yaml(d / "injection.yaml", data)
    result = render_one(profile, notebook=NOTEBOOK, out_dir=d / "out", as_of=AS_OF)
    assert result.ok, result.error
    return result


@pytest.fixture(scope="module")
def offline() -> Any:
    """One Chromium for the module, or None when it cannot start: each browser test then
    calls :func:`require_chromium` itself, so it FAILS under CI (SKIPS otherwise)."""
    if chromium_problem() is not None:
        yield None
        return
    with offline_browser() as b:
        yield b


# ---------------------------------------------------------------- 1. static HTML


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
@pytest.mark.slow
def test_report_html_is_self_contained(rendered: dict[str, Any], profile: Path) -> None:
    r = rendered["results"][profile.stem]
    assert r.ok, r.error
    html_path = Path(r.html_path)
    assert html_path == rendered["out"] / f"{profile.stem}.html" and html_path.is_file()
    page = html_path.read_text(encoding="utf-8")
    assert r.html_bytes == len(page.encode("utf-8"))
    name = _profile_name(profile)
    assert r.title == name

    # no network: no external scripts, stylesheets, require.js or MathJax
    assert not re.search(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"<link\b[^>]*\bhref\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"require(\.min)?\.js|cdnjs\.cloudflare\.com|MathJax\.js|/mathjax[@/]", page, re.I)
    head_scripts = re.findall(r"<script\b[^>]*>", _head(page))
    assert all("src=" not in tag for tag in head_scripts), head_scripts

    # plotly.js exactly once, and one Plotly.newPlot call per figure
    assert FIGURES >= 7, "the strategy report draws scores, sensitivity, curves, horizon, uncertainty, models, roadmap"
    banner, middle = _plotly_markers()
    assert page.count(banner) == 1
    assert page.count(middle) == 1
    assert page.count("Plotly.newPlot(") == FIGURES
    assert page.count('class="plotly-graph-div"') == FIGURES

    # no code: code cells carry outputs only, and none of the notebook's source shows
    cells = _code_cells(page)
    assert cells, "no code cells found (did the nbconvert markup change?)"
    for cell in cells:
        assert "jp-mod-noInput" in cell[:200]
        assert "jp-InputArea" not in cell
    for source_text in ("lls.open_session", "import llmstrategy", "report_mode", "profile_path"):
        assert source_text not in page, source_text
    assert not re.search(r"(In|Out)&nbsp;\[|\b(In|Out)\s*\[\d+\]:", page)

    # the profile's name, escaped, in the heading and the <title>
    assert html.escape(name) in page
    title = re.search(r"<title>(.*?)</title>", _head(page), re.S)
    assert title and html.unescape(title.group(1)).strip() == name
    assert f"Analysis date {AS_OF}" in page


@pytest.mark.slow
def test_render_metrics_recorded(rendered: dict[str, Any]) -> None:
    saved = json.loads((ARTIFACTS / "render_metrics.json").read_text())
    assert set(saved["reports"]) == {p.stem for p in PROFILES}
    for stem, m in saved["reports"].items():
        assert m["ok"], (stem, m["error"])
        # plotly.js (4.8 MB) once plus the report: far below one bundle per figure
        assert 1e6 < m["html_bytes"] < 8e6, (stem, m["html_bytes"])
        assert 0 < m["render_seconds"] < 120


# ---------------------------------------------------------------- 2. failures


@pytest.mark.slow
def test_failed_cell_is_atomic_and_keeps_the_executed_notebook(tmp_path: Path) -> None:
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.report import render_batch

    fresh = _broken_in_kernel(tmp_path / "fresh.yaml")
    again = _broken_in_kernel(tmp_path / "again.yaml")
    load_profile(fresh)  # the schema accepts it: the failure must come from a cell
    out = tmp_path / "out"
    out.mkdir()
    previous = "<html><body>previous report</body></html>"
    (out / "again.html").write_text(previous)

    results = render_batch([fresh, again], notebook=NOTEBOOK, out_dir=out, jobs=2, as_of=AS_OF, progress=False)
    for r in results:
        assert not r.ok and r.html_path is None and r.html_bytes == 0
        err = _one_line(r.error)
        # names the failing cell, counted in the source notebook, and its id
        assert _open_session_cell() in err, err
        assert "UnknownIdError" in err and "no-such-model-xyz" in err, err
        executed = Path(r.executed_path or "")
        assert executed.parent == out / ".build" and executed.is_file(), r.executed_path
        assert str(executed) in err
        assert "no-such-model-xyz" in executed.read_text(encoding="utf-8")

    assert not (out / "fresh.html").exists()  # no partial HTML
    assert (out / "again.html").read_text() == previous  # the previous report survives
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["again.html"]  # no temp files


def test_schema_error_fails_before_any_kernel(
    tmp_path: Path, write_profile: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    from llmstrategy.report import render  # the module whose render_one looks execute_notebook up

    calls: list[Any] = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(render, "execute_notebook", lambda *a, **k: calls.append(a))
    bad = write_profile("bad_schema.yaml", requests_per_day=-5)
    out = tmp_path / "out"

    r = render.render_one(bad, notebook=NOTEBOOK, out_dir=out, as_of=AS_OF)

    assert not r.ok and r.html_path is None and r.executed_path is None
    err = _one_line(r.error)
    assert err.startswith(str(bad)) and "field 'requests_per_day'" in err, err
    assert calls == [], "a kernel was started for an invalid profile"
    assert not out.exists() or not any(out.rglob("*"))
    assert r.seconds < 5


@pytest.mark.slow
def test_cli_batch_with_broken_profiles_renders_the_others(tmp_path: Path, write_profile: Any) -> None:
    good = ROOT / "data" / "profiles" / "ticket_routing_rules.yaml"
    in_kernel = _broken_in_kernel(tmp_path / "in_kernel.yaml")
    schema = write_profile("schema.yaml", stage="someday")
    out = tmp_path / "out"
    exe = Path(sys.executable).with_name("llmstrategy")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "llmstrategy.cli"]

    proc = subprocess.run(
        [*cmd, "render", str(in_kernel), str(good), str(schema), "--out", str(out), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"wrote {out / 'ticket_routing_rules.html'}" in proc.stdout
    assert (out / "ticket_routing_rules.html").stat().st_size > 1e6
    # the landing page lists the one profile that rendered, and only it
    assert f"wrote {out / 'index.html'}" in proc.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr>") == 2  # header + one profile
    assert 'href="ticket_routing_rules.html"' in index and "in_kernel" not in index
    assert not (out / "in_kernel.html").exists() and not (out / "schema.html").exists()
    assert "2 of 3 report(s) failed:" in proc.stderr
    lines = {ln.strip().split(":", 1)[0]: ln for ln in proc.stderr.splitlines() if ln.startswith("  ")}
    assert _open_session_cell() in lines[str(in_kernel)]
    assert "field 'stage'" in lines[str(schema)]


def _fake_result(tmp: Path, stem: str, ok: bool = True, name: str | None = None) -> Any:
    from llmstrategy.report import RenderResult

    html_path = tmp / f"{stem}.html"
    if ok:
        html_path.write_text("<html></html>")
    row = {
        "name": name or stem,
        "stage": "validated",
        "data_may_leave": True,
        "requests_per_month": 1000.0,
        "tokens_per_month": 1.5e6,
        "cheapest_strategy": "api",
        "cheapest_monthly_usd": 12.5,
        "as_of": AS_OF,
    }
    return RenderResult(
        str(tmp / f"{stem}.yaml"),
        NOTEBOOK,
        ok,
        html_path=str(html_path) if ok else None,
        error=None if ok else "boom",
        index_row=row if ok else None,
    )


@pytest.mark.parametrize(
    ("args", "oks", "index_written"),
    [([], [True, False], True), (["--no-index"], [True], False), ([], [False], False)],
)
def test_cli_render_writes_the_index_unless_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], oks: list[bool], index_written: bool
) -> None:
    """The CLI gathers options, calls render_batch, then write_index (no kernel here)."""
    from click.testing import CliRunner

    import llmstrategy.report as report  # cli.py calls report.render_batch through this module
    from llmstrategy.cli import main

    calls: list[dict[str, Any]] = []

    def fake_batch(profiles: list[Path], **kw: Any) -> list[Any]:
        calls.append({"profiles": profiles, **kw})
        return [_fake_result(kw["out_dir"], f"p{i}", ok) for i, ok in enumerate(oks)]

    monkeypatch.setattr(report, "render_batch", fake_batch)
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(main, ["render", "a.yaml", "--out", str(out), "--jobs", "2", *args])
    assert calls and calls[0]["jobs"] == 2 and calls[0]["out_dir"] == out
    assert (out / "index.html").exists() == index_written, result.output
    assert result.exit_code == (0 if all(oks) else 1)


def test_index_page_escapes_and_links(tmp_path: Path) -> None:
    from llmstrategy.report import index_html, write_index

    results = [
        _fake_result(tmp_path, "evil", name=INJECTED_NAME),
        _fake_result(tmp_path, "broken", ok=False),
        _fake_result(tmp_path, "good", name="Good & plain"),
    ]
    (tmp_path / "good.costs.csv").write_text("x\n1\n")
    page = index_html(results, tmp_path, generated=AS_OF)
    assert INJECTED_NAME not in page and html.escape(INJECTED_NAME) in page
    assert "Good &amp; plain" in page and "broken" not in page
    assert 'href="evil.html"' in page and 'href="good.costs.csv"' in page
    assert "<script" not in page.lower() and "http" not in page.replace("http-equiv", "")
    assert "$12.50" in page and "1.5M" in page
    path = write_index(tmp_path, results)
    assert path == tmp_path / "index.html" and path.read_text(encoding="utf-8") == page.replace(
        f"generated {AS_OF}", f"generated {date.today().isoformat()}"
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left
    assert write_index(tmp_path / "none", [results[1]]) is None and not (tmp_path / "none").exists()


# ---------------------------------------------------------------- CSV exports


@pytest.mark.slow
@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_csv_exports_match_the_analysis(rendered: dict[str, Any], profile: Path) -> None:
    import pandas as pd

    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.pipeline import evaluate
    from llmstrategy.report import CSV_TABLES

    r = rendered["results"][profile.stem]
    assert r.ok, r.error
    out = rendered["out"]
    assert sorted(Path(p).name for p in r.csv_paths) == sorted(f"{profile.stem}.{k}.csv" for k in CSV_TABLES)
    frames = {k: pd.read_csv(out / f"{profile.stem}.{k}.csv") for k in CSV_TABLES}
    day = date.fromisoformat(AS_OF)  # the report's catalog is the one of its date
    a, _ = evaluate(load_profile(profile), load_catalog(on_date=day), on_date=day)
    ruled_out = {x["id"] for x in a.extras["scores"] if not x["feasible"]}

    costs = frames["costs"].set_index("strategy")
    assert list(costs.index) == [c.strategy.id for c in a.costs]
    for c in a.costs:
        row = costs.loc[c.strategy.id]
        for col in ("monthly_usd", "per_1k_requests_usd", "upfront_usd", "horizon_total_usd"):
            want = getattr(c, col)
            assert (math.isnan(want) and math.isnan(row[col])) or row[col] == pytest.approx(want, rel=1e-12), col
        # priced, but ruled out by the decision engine's hard constraints (e.g. data may not leave)
        assert bool(row["feasible"]) == (c.feasible and c.strategy.id not in ruled_out)
        if c.strategy.id in ruled_out:
            assert isinstance(row["note"], str) and row["note"]

    comp = frames["components"]
    assert list(comp.columns) == ["strategy", "component", "kind", "cost_usd"]
    for c in a.costs:
        mine = comp[comp["strategy"] == c.strategy.id]
        if c.feasible:
            assert mine.loc[mine["kind"] == "monthly", "cost_usd"].sum() == pytest.approx(c.monthly_usd)
            assert mine.loc[mine["kind"] == "one-off", "cost_usd"].sum() == pytest.approx(c.upfront_usd)

    models = frames["models"]
    for col in ("per_1k_requests_usd", "monthly_usd", "context_window_tokens", "quality_mmlu_pro_pct"):
        assert col in models.columns and pd.api.types.is_numeric_dtype(models[col]), col
    assert models["allowed"].dtype == bool and models["pareto"].dtype == bool
    ok = models[models["allowed"]]
    assert ok["per_1k_requests_usd"].is_monotonic_increasing
    # numbers are raw: no currency signs (numeric columns parsed as numbers above)
    for name in CSV_TABLES:
        assert "$" not in (out / f"{profile.stem}.{name}.csv").read_text(encoding="utf-8")


# ---------------------------------------------------------------- 3. browser


#: Open every collapsed section and redraw its charts at their real width (what a reader's click does).
_OPEN_ALL_JS = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  await Promise.all(Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => Plotly.Plots.resize(gd)));
  return document.querySelectorAll('details[open]').length;
}"""

_ANNOTATIONS_JS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => {
  const bg = el.querySelector('.bglayer rect, .draglayer .nsewdrag');
  const box = bg ? bg.getBoundingClientRect() : el.getBoundingClientRect();
  return Array.from(el.querySelectorAll('.annotation-text')).map(a => {
    const r = a.getBoundingClientRect();
    return {text: a.textContent, inside: r.width > 0 && r.left >= box.left - 1
            && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1};
  });
})
"""


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_report_in_offline_browser(rendered: dict[str, Any], offline: Any, profile: Path) -> None:
    require_chromium()
    r = rendered["results"][profile.stem]
    assert r.ok, r.error
    visit = offline.visit(
        Path(r.html_path),
        expect_plots=FIGURES,
        screenshot=ARTIFACTS / "screenshots" / f"{profile.stem}.png",
        evaluate={"opened": _OPEN_ALL_JS, "annotations": _ANNOTATIONS_JS},
    )
    assert visit.external_requests == []
    assert visit.console_errors == [] and visit.page_errors == []
    assert visit.dialogs == []
    assert "wait_error" not in visit.extra, visit.extra
    assert len(visit.plots) == FIGURES, visit.plots
    for plot in visit.plots:
        assert plot["svgs"] >= 1 and plot["traces"] >= 1, plot
    name = _profile_name(profile)
    assert visit.title == name
    assert f"LLM strategy: {name}" in visit.text
    upper = visit.text.upper()  # innerText keeps the headings' text-transform
    assert "RECOMMENDATION" in upper and "WHAT IT COSTS" in upper and "NEXT STEPS" in upper
    assert "The decision, step by step" in visit.text and "Roadmap and checklist" in visit.text
    # the cost-curve figure marks this workload's volume with a visible label
    labels = [a for plot in visit.extra["annotations"] for a in plot]
    assert {"text": "this workload", "inside": True} in labels, labels
    assert visit.screenshot is not None and visit.screenshot.stat().st_size > 10_000


# ---------------------------------------------------------------- 4. injection


@pytest.mark.slow
def test_injection_is_escaped_in_html(injection_report: Any) -> None:
    page = Path(injection_report.html_path).read_text(encoding="utf-8")
    assert injection_report.title == INJECTED_NAME
    body = page[page.index("</head>") :]
    assert INJECTED_NAME not in page
    assert "<img src=x" not in body
    # nbconvert re-serializes output HTML (&quot; becomes a plain quote in text): both safe
    assert "&lt;img src=x onerror=alert(2)&gt; {{ 7*7 }}" in body
    assert "{{ 7*7 }}" in body


@pytest.mark.slow
@pytest.mark.browser
def test_injection_in_offline_browser(injection_report: Any, offline: Any) -> None:
    require_chromium()
    visit = offline.visit(
        Path(injection_report.html_path),
        expect_plots=FIGURES,
        screenshot=ARTIFACTS / "screenshots" / "injection.png",
        evaluate={
            "img_x": "() => Array.from(document.images).filter(i => i.getAttribute('src') === 'x').length",
            "onerror": "() => document.querySelectorAll('[onerror]').length",
            "header": "() => document.querySelector('.lls-report-header').innerText",
        },
    )
    assert visit.dialogs == []
    assert visit.external_requests == []
    assert visit.console_errors == [] and visit.page_errors == []
    assert visit.title == INJECTED_NAME
    assert INJECTED_NAME in visit.text
    assert visit.extra["img_x"] == 0 and visit.extra["onerror"] == 0
    header = visit.extra["header"]
    assert f"LLM strategy: {INJECTED_NAME}" in header
    assert INJECTED_DESCRIPTION in header
    assert "{{ 7*7 }}" in header and "49" not in header
    assert len(visit.plots) == FIGURES


# ---------------------------------------------------------------- CI policy


def test_browser_policy_fails_under_ci_without_chromium(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without Chromium the browser tests skip locally but fail when CI is set."""
    import browser

    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        browser.require_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        browser.require_chromium()


# ---------------------------------------------------------------- index page


@pytest.fixture(scope="module")
def index_page(rendered: dict[str, Any]) -> Path:
    from llmstrategy.report import write_index

    results = list(rendered["results"].values())
    path = write_index(rendered["out"], results)
    assert path is not None
    return path


@pytest.mark.slow
def test_index_lists_every_profile(index_page: Path, rendered: dict[str, Any]) -> None:
    from llmstrategy.fmt import fmt_usd
    from llmstrategy.views.names import strategy_name

    page = index_page.read_text(encoding="utf-8")
    assert page.count("<tr>") == len(PROFILES) + 1
    for profile in PROFILES:
        r = rendered["results"][profile.stem]
        row = r.index_row
        assert html.escape(_profile_name(profile)) in page
        assert f'href="{profile.stem}.html"' in page and f'href="{profile.stem}.costs.csv"' in page
        assert strategy_name(row["cheapest_strategy"]) in page and fmt_usd(row["cheapest_monthly_usd"]) in page
        assert strategy_name(row["recommendation"]) in page
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)


@pytest.mark.slow
@pytest.mark.browser
def test_index_in_offline_browser(index_page: Path, offline: Any) -> None:
    require_chromium()
    visit = offline.visit(
        index_page,
        expect_plots=0,
        screenshot=ARTIFACTS / "screenshots" / "index.png",
        evaluate={"links": "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"},
    )
    assert visit.external_requests == [] and visit.console_errors == [] and visit.page_errors == []
    assert visit.title == "LLM strategy reports"
    links = visit.extra["links"]
    assert len(links) == len(PROFILES) * 5  # name + cost curves + 3 CSVs
    for url in links:
        assert url.startswith("file://")
        assert Path(url.removeprefix("file://")).is_file(), url
    for profile in PROFILES:
        assert _profile_name(profile) in visit.text


@pytest.mark.slow
@pytest.mark.browser
def test_index_with_injected_name_in_offline_browser(injection_report: Any, offline: Any) -> None:
    require_chromium()
    from llmstrategy.report import write_index

    out = Path(injection_report.html_path).parent
    path = write_index(out, [injection_report])
    assert path is not None
    page = path.read_text(encoding="utf-8")
    assert INJECTED_NAME not in page and html.escape(INJECTED_NAME) in page
    visit = offline.visit(path, expect_plots=0, screenshot=ARTIFACTS / "screenshots" / "index_injection.png")
    assert visit.dialogs == [] and visit.external_requests == [] and visit.page_errors == []
    assert INJECTED_NAME in visit.text


@pytest.mark.slow
def test_reports_are_byte_identical_across_runs_and_jobs(rendered: dict[str, Any], tmp_path: Path) -> None:
    """The batch above ran with --jobs 2; a lone render (jobs 1, another process layout) of the
    same profile and date gives the same HTML and CSV bytes: figure and table ids are hashes
    of their content, the injected-parameters cell has a fixed id, the Monte Carlo is seeded."""
    from llmstrategy.report import render_batch

    profile = next(p for p in PROFILES if p.stem == "internal_kb_qa")
    again = render_batch([profile], notebook=NOTEBOOK, out_dir=tmp_path, jobs=1, as_of=AS_OF, progress=False)[0]
    assert again.ok, again.error
    first = rendered["results"][profile.stem]
    assert Path(again.html_path).read_bytes() == Path(first.html_path).read_bytes()
    for a, b in zip(sorted(again.csv_paths), sorted(first.csv_paths), strict=True):
        assert Path(a).read_bytes() == Path(b).read_bytes(), a
