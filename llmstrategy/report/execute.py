"""Execute a report notebook with papermill and export it to HTML with nbconvert.

Where the notebooks and the nbconvert template live (:func:`notebooks_dir`,
:func:`templates_dir`), :func:`execute_notebook` (a failed cell becomes a one-line
:class:`RenderError` naming the cell as counted in the source notebook; by default in
the process's warm kernel with fresh state per notebook, :mod:`.warm`, or with
``LLMSTRATEGY_KERNEL=fresh`` in a new kernel each time) and
:func:`export_html` (one self-contained page, the same bytes for the same inputs).
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any

from llmstrategy.errors import RenderError
from llmstrategy.report.engine import ENGINE_NAME, register_engine

KERNEL_NAME = "python3"
TEMPLATE_NAME = "llmstrategy"
DEFAULT_NOTEBOOK = "strategy_report"
#: ``warm`` (default) or ``fresh``: how :func:`execute_notebook` gets its kernel
KERNEL_ENV = "LLMSTRATEGY_KERNEL"
KERNEL_MODES = ("warm", "fresh")
#: the kernel's own log (its TCP-transport warning, the interrupt on an immediate shutdown)
#: is noise on the user's terminal; cell errors still come back as outputs
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


def notebooks_dir() -> Path:
    """The repository's ``notebooks/`` folder."""
    return Path(__file__).resolve().parents[2] / "notebooks"


def templates_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "templates"


def _first_failure(nb: Any) -> tuple[int, str]:
    """Index and one-line description of the first cell that raised, from the executed nb."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                evalue = " ".join(str(out.get("evalue", "")).split())
                return i, f"{out.get('ename', 'Error')}: {evalue}"
    return -1, "unknown error"


def _failed_cell_name(notebook_path: Path, err: Any) -> str:
    """``cell <i> (id <cell id>)`` counted in the source notebook. papermill's own
    ``cell_index`` counts the injected-parameters cell, so it names the wrong cell."""
    try:
        import nbformat

        for i, cell in enumerate(nbformat.read(str(notebook_path), as_version=4).cells):
            if cell.get("source") == err.source:
                return f"cell {i} (id {cell.get('id')})"
    except Exception:  # naming the cell must never hide the error itself
        pass
    return f"executed cell {err.cell_index}"


def kernel_mode() -> str:
    """``warm`` (default: one kernel per process, fresh state per notebook; :mod:`.warm`) or
    ``fresh`` (one new kernel per notebook), from :data:`KERNEL_ENV`."""
    value = os.environ.get(KERNEL_ENV, "").strip().lower() or "warm"
    if value not in KERNEL_MODES:
        raise RenderError(f"expected one of {', '.join(KERNEL_MODES)}, got {value!r}", field=KERNEL_ENV)
    return value


def execute_notebook(
    notebook_path: Path,
    executed_path: Path,
    parameters: dict[str, Any],
    *,
    timeout_s: int = 600,
    kernel: str | None = None,
) -> Any:
    """Execute with papermill; parameters are JSON-serializable data, never code strings.
    ``kernel``: ``warm`` or ``fresh`` (default :func:`kernel_mode`)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    mode = kernel or kernel_mode()
    json.dumps(parameters)  # fail early on anything that is not plain data
    executed_path.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "parameters": parameters,
        "kernel_name": KERNEL_NAME,
        "execution_timeout": timeout_s,
        "progress_bar": False,
        "log_output": False,
        "cwd": str(notebook_path.parent),
        "engine_name": ENGINE_NAME,  # papermill's nbclient engine, saving less often (.engine)
    }
    register_engine()
    try:
        for attempt in (1, 2):
            try:
                return _execute_once(pm, notebook_path, executed_path, mode, options)
            except Exception as err:  # a lost message or a kernel that never started: once more
                if attempt == 2 or not _transient(err):
                    raise
    except PapermillExecutionError as err:
        raise RenderError(
            f"{_failed_cell_name(notebook_path, err)} of {notebook_path.name} failed: {err.ename}: "
            f"{' '.join(str(err.evalue).split())} (executed notebook kept at {executed_path})",
            path=str(notebook_path),
        ) from None


def _transient(err: BaseException) -> bool:
    """A failure of the kernel's messaging, not of the notebook, worth one retry on a new kernel:

    - nbclient gave up waiting for a cell's output messages after the cell had answered (seen
      on loaded machines);
    - the kernel died before its first reply: with ``--jobs N`` each worker's jupyter_client
      picks free TCP ports by binding and releasing them, and two workers can pick the same
      port before either kernel binds it (``zmq.error.ZMQError: Address already in use``, seen
      in CI); a new start picks new ports."""
    name, text = type(err).__name__, str(err)
    lost_output = name == "CellTimeoutError" and "IOPub" in text
    never_started = isinstance(err, RuntimeError) and text.startswith("Kernel died before replying to kernel_info")
    return lost_output or never_started


def _execute_once(pm: Any, notebook_path: Path, executed_path: Path, mode: str, options: dict[str, Any]) -> Any:
    """One papermill run, in this process's warm kernel or in a new one."""
    from papermill.exceptions import PapermillExecutionError

    if mode == "warm":
        from llmstrategy.report import warm

        kernel_obj = warm.acquire(KERNEL_NAME, str(notebook_path.parent), KERNEL_ARGUMENTS)
        try:
            nb = pm.execute_notebook(str(notebook_path), str(executed_path), warm_kernel=kernel_obj, **options)
            warm.release(kernel_obj)
            return nb
        except PapermillExecutionError:
            warm.release(kernel_obj)  # the cell's error came back as an output: the kernel is idle
            raise
        except BaseException:
            warm.discard()  # a timeout (the cell still runs), a dead kernel, an interrupt
            raise
    return pm.execute_notebook(
        str(notebook_path),
        str(executed_path),
        # outputs are collected and saved by then; a graceful shutdown of the report's
        # kernel costs ~1.3 s per render (bench/RESULTS.md)
        shutdown_kernel="immediate",
        extra_arguments=KERNEL_ARGUMENTS,
        **options,
    )


def _is_stderr(output: Any) -> bool:
    return bool(output.get("output_type") == "stream" and output.get("name") == "stderr")


def min_css(css: str) -> str:
    """CSS without comments and with whitespace collapsed (about 20 % of the report's style
    sheet): runs of whitespace become one space, none is kept beside ``{``, ``}`` or ``;``.
    Strings and selectors keep their single spaces (``a :hover`` is not ``a:hover``)."""
    out = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out = re.sub(r"\s+", " ", out)
    return re.sub(r"\s*([{};])\s*", r"\1", out).strip()


@functools.cache
def _exporter(template_dir: str) -> Any:
    """One exporter per process and template folder: a new one compiles the report
    template's ~40 Jinja templates again (≈ 0.1 s a report); its output is the same. It
    validates the notebook once, after its preprocessors, instead of after each of its 12
    (``optimistic_validation``: an invalid notebook is still reported, the output is the same)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[template_dir],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,
        filters={"lls_min_css": min_css},
    )


def export_html(nb: Any, title: str) -> str:
    """Export an executed notebook to one self-contained HTML page (no code, no prompts, no
    stderr: a warning names files of the install). Papermill gives its injected-parameters
    cell a random id; it gets a fixed one here, so the same inputs give the same bytes."""
    from llmstrategy.views.plotly_offline import page_plotly_js

    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
        if "outputs" in cell:  # a warning (numpy's name the install's paths) is not for readers
            cell["outputs"] = [o for o in cell["outputs"] if not _is_stderr(o)]

    exporter = _exporter(str(templates_dir()))
    # plotly.js once, the partial bundle unless LLMSTRATEGY_PLOTLY=full (views/plotly_offline.py)
    resources = {"metadata": {"name": title}, "plotlyjs": page_plotly_js(nb)}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return str(body)
