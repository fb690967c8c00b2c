"""The vendored plotly.js partial bundle and how a report page picks its bundle (fast: no
kernel, no browser; tests/report/test_report_size_print.py renders and prints real reports)."""

from __future__ import annotations

import hashlib
import re
import tomllib
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from llmstrategy.errors import RenderError
from llmstrategy.views import plotly_offline as po

ROOT = Path(__file__).resolve().parents[2]
BANNER = re.compile(r"\* plotly\.js \(basic - minified\) v(\d+\.\d+\.\d+)")


def _figure(*traces: Any) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure(list(traces))
    fig.update_layout(template="plotly_white", height=300)
    return fig


def test_vendored_bundle_is_the_basic_bundle_of_plotlys_plotlyjs_version() -> None:
    import plotly.offline

    js = po.BASIC_JS.read_text(encoding="utf-8")
    banner = BANNER.search(js[:300])
    assert banner, "the vendored file is not plotly.js's basic partial bundle"
    assert banner.group(1) == plotly.offline.get_plotlyjs_version(), (
        "the vendored plotly.js differs from the version the plotly package builds figures for: "
        "refresh it (llmstrategy/views/vendor/README.md)"
    )
    assert "window.Plotly = Plotly" in js[-400:]
    # a fifth of the full bundle's size, or near it
    assert len(js.encode("utf-8")) < 0.3 * len(plotly.offline.get_plotlyjs().encode("utf-8"))


def test_vendor_folder_has_the_licence_and_names_package_version_and_checksum() -> None:
    import plotly.offline

    licence = (po.VENDOR_DIR / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Plotly" in licence
    readme = (po.VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    version = plotly.offline.get_plotlyjs_version()
    assert f"**`{po.BASIC_NPM_PACKAGE}` {version}**" in readme
    assert "npm pack" in readme
    sha = hashlib.sha256(po.BASIC_JS.read_bytes()).hexdigest()
    assert sha in readme, "README.md's sha256 is not the vendored file's"
    assert f"{po.BASIC_JS.stat().st_size:,} bytes" in readme


def test_package_data_ships_the_vendored_bundle() -> None:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = cfg["tool"]["setuptools"]["package-data"]["llmstrategy"]
    pkg = ROOT / "llmstrategy"
    shipped = {p for pattern in patterns for p in pkg.glob(pattern)}
    for name in ("plotly-basic.min.js", "LICENSE", "README.md"):
        assert po.VENDOR_DIR / name in shipped, name


def test_figure_html_lists_trace_types_and_drops_unused_template_parts() -> None:
    import plotly.graph_objects as go

    fig = _figure(go.Bar(x=[1, 2], y=[3, 4]), go.Scatter(x=[1, 2], y=[4, 3]))
    full_template = fig.to_plotly_json()["layout"]["template"]
    assert "heatmap" in full_template["data"] and "polar" in full_template["layout"]
    out = po.figure_html(fig)
    assert out.startswith('<div class="lls-figure" data-plotly-traces="bar scatter"')
    assert out.count("Plotly.newPlot(") == 1 and 'class="plotly-graph-div"' in out
    # only the templates of the traces drawn; no geo/polar/ternary/3-D defaults
    for absent in ('"heatmap":', '"barpolar":', '"polar":', '"scene":', '"ternary":', '"geo":'):
        assert absent not in out, absent
    for kept in ('"bar":[', '"scatter":[', '"colorway":', '"xaxis":'):
        assert kept in out, kept
    assert po.figure_html(fig) == out  # same figure, same bytes (div id is a hash)
    assert fig.to_plotly_json()["layout"]["template"] == full_template  # the figure is untouched
    assert po.figure_trace_types([out]) == {"bar", "scatter"}


def test_a_figure_made_another_way_has_unknown_trace_types() -> None:
    import plotly.graph_objects as go
    import plotly.io as pio

    bare = pio.to_html(_figure(go.Bar(x=[1], y=[1])), include_plotlyjs=False, full_html=False)
    assert po.figure_trace_types([bare]) is None
    assert po.figure_trace_types(["<p>no figure</p>"]) == set()


def test_choose_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(po.BUNDLE_ENV, raising=False)
    assert po.requested_bundle() == "basic"
    assert po.choose_bundle({"scatter", "bar"}) == "basic"
    assert po.choose_bundle(set()) == "basic"
    with pytest.warns(UserWarning, match="heatmap"):
        assert po.choose_bundle({"scatter", "heatmap"}) == "full"
    with pytest.warns(UserWarning, match="unknown"):
        assert po.choose_bundle(None) == "full"
    monkeypatch.setenv(po.BUNDLE_ENV, " FULL ")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # asked for: no warning
        assert po.choose_bundle({"scatter"}) == "full"
    monkeypatch.setenv(po.BUNDLE_ENV, "cartesian")
    with pytest.raises(RenderError, match="LLMSTRATEGY_PLOTLY") as err:
        po.requested_bundle()
    assert "\n" not in str(err.value)


def test_page_plotly_js_embeds_the_bundle_only_when_there_is_a_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    import plotly.graph_objects as go
    import plotly.offline

    monkeypatch.delenv(po.BUNDLE_ENV, raising=False)

    def nb(*htmls: str) -> Any:
        cells = [{"outputs": [{"output_type": "display_data", "data": {"text/html": h}}]} for h in htmls]
        return SimpleNamespace(cells=[*cells, {"cell_type": "markdown"}])

    fig = po.figure_html(_figure(go.Bar(x=[1], y=[1])))
    assert po.page_plotly_js(nb("<p>text</p>")) == ""
    assert po.page_plotly_js(nb("<p>text</p>", fig)) == po.BASIC_JS.read_text(encoding="utf-8")
    monkeypatch.setenv(po.BUNDLE_ENV, "full")
    assert po.page_plotly_js(nb(fig)) == plotly.offline.get_plotlyjs()
