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
    """A figure as an HTML fragment that needs plotly.js already on the page."""
    import plotly.io as pio

    return pio.to_html(
        fig,
        include_plotlyjs=False,
        include_mathjax=False,
        full_html=False,
        config={"displaylogo": False, "responsive": True},
    )
