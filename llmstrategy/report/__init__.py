"""Render notebooks into self-contained HTML reports: papermill executes, nbconvert exports.

I/O only: it calls the package's notebooks and frames, never computes. A render writes
``<out>/<name>[.<notebook>].html`` atomically, and beside it the key tables as CSV
(``<name>.costs.csv``, ``<name>.components.csv``, ``<name>.models.csv``: raw numbers,
units in the column names, text cells neutralised against spreadsheet formulas). The name
is the profile file's stem, made safe, unique and stable per profile in the folder
(:mod:`.names`). A failed render leaves no partial HTML and no CSV (the previous files,
if any, stay), keeps the executed notebook under ``<out>/.build/`` for debugging, and
reports a one-line :class:`RenderError` naming the failing cell. :func:`write_index`
writes ``<out>/index.html``, a landing page with one row per profile that has a report in
the folder (:func:`index_row`).

Modules: :mod:`.execute` (papermill and nbconvert), :mod:`.names` (report names),
:mod:`.render` (one render, a batch, the CSV tables), :mod:`.workers` (worker processes
that die with their parent), :mod:`.warm` (one warm kernel per process, fresh state per
notebook), :mod:`.engine` (the papermill engine: warm kernel, fewer saves),
:mod:`.index` (the landing page), :mod:`.pdf` (``render --pdf``:
the reports printed by headless Chromium). The names below are re-exported for
callers; to replace one in a test, patch it on the module that looks it up (for example
``llmstrategy.report.render.execute_notebook``).
"""

from __future__ import annotations

from llmstrategy.report.execute import (
    DEFAULT_NOTEBOOK,
    KERNEL_NAME,
    TEMPLATE_NAME,
    execute_notebook,
    export_html,
    notebooks_dir,
    templates_dir,
)
from llmstrategy.report.index import INDEX_COLUMNS, index_html, write_index
from llmstrategy.report.names import assign_names, report_stem, safe_stem
from llmstrategy.report.pdf import check_pdf_support, pdf_path, write_pdfs
from llmstrategy.report.render import (
    CSV_TABLES,
    RenderResult,
    check_notebook,
    csv_text,
    index_row,
    render_batch,
    render_one,
    table_frames,
)

__all__ = [
    "CSV_TABLES",
    "DEFAULT_NOTEBOOK",
    "INDEX_COLUMNS",
    "KERNEL_NAME",
    "TEMPLATE_NAME",
    "RenderResult",
    "assign_names",
    "check_notebook",
    "check_pdf_support",
    "csv_text",
    "execute_notebook",
    "export_html",
    "index_html",
    "index_row",
    "notebooks_dir",
    "pdf_path",
    "render_batch",
    "render_one",
    "report_stem",
    "safe_stem",
    "table_frames",
    "templates_dir",
    "write_index",
    "write_pdfs",
]
