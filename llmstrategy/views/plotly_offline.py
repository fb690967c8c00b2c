"""Figures as HTML fragments for papermill-executed notebooks that nbconvert exports offline.

Plotly's default renderer in a papermill kernel (``plotly_mimetype``) is dropped by
nbconvert, its ``notebook`` renderer adds a MathJax ``<script src>`` from a CDN to every
figure, and going through ``plotly.io.renderers`` at all imports nbformat and jsonschema in
the kernel (about 1-2 s per report). So in report mode the notebooks display
:func:`figure_html`: a ``<div>`` and a call to ``Plotly.newPlot``, without plotly.js itself;
the report template inlines plotly.js once in the page head (see ``templates/llmstrategy``).
"""

from __future__ import annotations

from typing import Any


def figure_html(fig: Any) -> str:
    """A figure as an HTML fragment that needs plotly.js already on the page. Its ``<div>`` id
    is a hash of the figure (plotly's default is random), so the same inputs give the same
    bytes: reports can be diffed."""
    import hashlib

    import plotly.io as pio

    spec = pio.to_json(fig, validate=False, pretty=False)
    div_id = "lls-fig-" + hashlib.sha256(spec.encode("utf-8")).hexdigest()[:16]
    return pio.to_html(
        fig,
        include_plotlyjs=False,
        include_mathjax=False,
        full_html=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
