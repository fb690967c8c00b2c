"""Figures as HTML fragments for papermill-executed notebooks that nbconvert exports offline,
and the plotly.js bundle a report page embeds.

Plotly's default renderer in a papermill kernel (``plotly_mimetype``) is dropped by
nbconvert, its ``notebook`` renderer adds a MathJax ``<script src>`` from a CDN to every
figure, and going through ``plotly.io.renderers`` at all imports nbformat and jsonschema in
the kernel (about 1-2 s per report). So in report mode the notebooks display
:func:`figure_html`: a ``<div>`` and a call to ``Plotly.newPlot``, without plotly.js itself;
the report template inlines plotly.js once in the page head (see ``templates/llmstrategy``),
the bundle :func:`page_plotly_js` picks.

Bundles: ``basic`` (the default) is the official partial bundle with the ``scatter``, ``bar``
and ``pie`` traces (``plotly.js-basic-dist-min`` from npm, vendored in ``vendor/``, 1.2 MB
against 4.8 MB); ``full`` is the whole plotly.js that the plotly package ships. The
environment variable ``LLMSTRATEGY_PLOTLY=full`` asks for the full bundle, and a page whose
figures draw a trace type outside the basic bundle gets it anyway (with a warning), so a new
chart type never renders blank.
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llmstrategy.errors import RenderError

#: The environment variable that chooses the bundle: ``basic`` (default) or ``full``.
BUNDLE_ENV = "LLMSTRATEGY_PLOTLY"
BUNDLES = ("basic", "full")
DEFAULT_BUNDLE = "basic"

VENDOR_DIR = Path(__file__).resolve().with_name("vendor")
#: The vendored partial bundle; vendor/README.md names its npm package and how to refresh it.
BASIC_JS = VENDOR_DIR / "plotly-basic.min.js"
BASIC_NPM_PACKAGE = "plotly.js-basic-dist-min"
#: The trace modules the basic bundle registers (its README says: bar, pie and scatter).
BASIC_TRACES = frozenset({"bar", "pie", "scatter"})

#: The attribute of a figure's outer ``<div>`` that lists its trace types.
TRACES_ATTR = "data-plotly-traces"

#: Trace types drawn on 2-D cartesian axes (or none): their figures need no template for
#: geo, polar, ternary or 3-D scenes.
_FLAT_TRACES = frozenset(
    {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour", "image", "pie", "scatter"}
    | {"violin", "waterfall", "funnel", "indicator", "table"}
)
_OTHER_SUBPLOTS = ("geo", "map", "mapbox", "polar", "scene", "smith", "ternary")


def _slim_template(spec: dict[str, Any], types: set[str]) -> None:
    """Drop the parts of ``layout.template`` that cannot apply to this figure: the defaults of
    trace types it does not draw and, when it draws only flat traces, those of geo, polar,
    ternary and 3-D subplots. The figure draws the same; ``plotly_white`` alone is ~7 KB of
    JSON per figure, ~6 KB of it for traces and subplots a report never shows."""
    template = spec.get("layout", {}).get("template")
    if not isinstance(template, dict):
        return
    data = template.get("data")
    if isinstance(data, dict):
        template["data"] = {k: v for k, v in data.items() if k in types}
    layout = template.get("layout")
    if isinstance(layout, dict) and types <= _FLAT_TRACES:
        template["layout"] = {k: v for k, v in layout.items() if k not in _OTHER_SUBPLOTS}


def figure_html(fig: Any) -> str:
    """A figure as an HTML fragment that needs plotly.js already on the page. Its ``<div>`` id
    is a hash of the figure (plotly's default is random), so the same inputs give the same
    bytes: reports can be diffed. The outer ``<div>`` has class ``lls-figure`` and lists the
    figure's trace types in :data:`TRACES_ATTR` (what :func:`page_plotly_js` reads)."""
    import hashlib

    import plotly.io as pio

    spec: dict[str, Any] = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else dict(fig)
    types = {str(t.get("type") or "scatter") for t in spec.get("data", [])}
    _slim_template(spec, types)
    text = pio.to_json(spec, validate=False, pretty=False)
    div_id = "lls-fig-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    out = pio.to_html(
        spec,
        include_plotlyjs=False,
        include_mathjax=False,
        full_html=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
        validate=False,
    )
    attr = f'<div class="lls-figure" {TRACES_ATTR}="{" ".join(sorted(types))}"'
    return attr + out[len("<div") :] if out.startswith("<div") else f"{attr}>{out}</div>"


def requested_bundle() -> str:
    """The bundle :data:`BUNDLE_ENV` asks for (unset or empty: :data:`DEFAULT_BUNDLE`)."""
    value = os.environ.get(BUNDLE_ENV, "").strip().lower() or DEFAULT_BUNDLE
    if value not in BUNDLES:
        raise RenderError(f"{BUNDLE_ENV}={value!r}: expected one of {', '.join(BUNDLES)}", field=BUNDLE_ENV)
    return value


def figure_trace_types(html_fragments: Iterable[str]) -> set[str] | None:
    """The trace types the figures in these HTML fragments draw, read from the attribute
    :func:`figure_html` writes; None when a figure has no such attribute (it was made some
    other way, so its trace types are unknown)."""
    types: set[str] = set()
    for text in html_fragments:
        figures = text.count("Plotly.newPlot(")
        listed = re.findall(TRACES_ATTR + r'="([^"]*)"', text)
        if len(listed) < figures:
            return None
        for names in listed:
            types.update(names.split())
    return types


def choose_bundle(trace_types: set[str] | None, requested: str | None = None) -> str:
    """``full`` when asked for, or when a figure draws a trace type the basic bundle lacks
    (or of unknown type); else the requested bundle."""
    requested = requested or requested_bundle()
    if requested == "full":
        return "full"
    if trace_types is None or not trace_types <= BASIC_TRACES:
        missing = "unknown" if trace_types is None else ", ".join(sorted(trace_types - BASIC_TRACES))
        warnings.warn(
            f"a figure draws trace types the basic plotly.js bundle lacks ({missing}): embedding the full "
            "bundle (4.8 MB); see llmstrategy/views/vendor/README.md for a partial bundle that has them",
            stacklevel=2,
        )
        return "full"
    return requested


@functools.cache
def plotly_js(bundle: str = DEFAULT_BUNDLE) -> str:
    """The JavaScript of one bundle: the vendored basic one, or plotly's full ``plotly.min.js``."""
    if bundle == "full":
        import plotly.offline

        return str(plotly.offline.get_plotlyjs())
    if bundle != "basic":
        raise RenderError(f"unknown plotly.js bundle {bundle!r}: expected one of {', '.join(BUNDLES)}")
    try:
        return BASIC_JS.read_text(encoding="utf-8")
    except OSError as err:
        raise RenderError(f"the vendored plotly.js bundle is missing ({err.strerror})", path=str(BASIC_JS)) from None


def notebook_html_outputs(nb: Any) -> list[str]:
    """Every ``text/html`` output of an (executed) notebook."""
    out: list[str] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            value = output.get("data", {}).get("text/html", "")
            out.append(value if isinstance(value, str) else "".join(value))
    return out


def page_plotly_js(nb: Any) -> str:
    """The plotly.js a report page made from this notebook must embed once: empty when it has
    no figure, else the bundle :func:`choose_bundle` picks for its figures."""
    outputs = [text for text in notebook_html_outputs(nb) if "Plotly.newPlot(" in text]
    if not outputs:
        return ""
    return plotly_js(choose_bundle(figure_trace_types(outputs)))
