"""The notebooks in a real JupyterLab, driven by headless Chromium (issue 18): a weight
slider moves the whole notebook (the executive summary above it and the scores chart
below it, not only its own block), and no dollar amount is typeset as LaTeX.

:func:`lab_server` starts ``jupyter lab`` on 127.0.0.1 (a free port, a random token, a
temporary HOME and Jupyter settings folders, ``--allow-root`` when run as root) on a copy of
``notebooks/`` (with ``data/`` linked), so the repository's notebooks are never saved over.
``tests/notebook/test_lab.py`` uses the same server for its widget checks.

The typesetting check has a positive control: a cell appended to the copy displays
``$1 and $2`` unescaped, which JupyterLab must typeset (so the check can see math when
there is some); every other output must have none, and still show its dollar amounts.
Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
JUPYTER = Path(sys.executable).with_name("jupyter")

#: JupyterLab user settings written into the temporary settings folder: no news pop-up,
#: no update check, no autosave (the copy is thrown away anyway).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}

#: Appended to the copy of each notebook: unescaped dollars JupyterLab must typeset.
MATH_CONTROL = "from IPython.display import HTML\nHTML(\"<p class='lls-math-control'>control: $1 and $2</p>\")"

#: Elements a LaTeX typesetter leaves behind (MathJax 2, 3 and 4, KaTeX).
MATH_SELECTOR = "mjx-container, .MathJax, .MathJax_Display, .MathJax_Preview, .katex"

_KERNEL_READY = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""

#: The kernel is idle again after running every cell (the last cell is the math control).
_CONTROL_DONE = "() => !!document.querySelector('.lls-math-control')"

#: One plotly figure's title and the values of its traces (``el.data``: what it draws).
_FIGURE_JS = """(title) => {
  const el = Array.from(document.querySelectorAll('.js-plotly-plot')).find(p => {
    const t = p.layout && p.layout.title;
    return ((t && (t.text || t)) || '').toString().includes(title);
  });
  return el ? JSON.stringify((el.data || []).map(t => [t.name, t.x, t.y])) : null;
}"""

#: Typeset elements outside the positive control, with their text; and the control's count.
_MATH_JS = """(sel) => {
  const all = Array.from(document.querySelector('.jp-NotebookPanel').querySelectorAll(sel));
  const inControl = el => !!el.closest('.jp-OutputArea-output') &&
    !!el.closest('.jp-OutputArea-output').querySelector('.lls-math-control');
  return {
    control: all.filter(inControl).length,
    others: all.filter(el => !inControl(el)).map(el => el.textContent.slice(0, 80)),
  };
}"""


def lab_problem() -> str | None:
    if not JUPYTER.exists():
        return f"{JUPYTER} is missing (pip install jupyterlab)"
    return None


def require_lab() -> None:
    """Skip without Chromium or JupyterLab when ``CI`` is unset; fail when it is set."""
    require_chromium()
    problem = lab_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"the JupyterLab tests need jupyter under CI: {problem}", pytrace=False)
    pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LabServer:
    url: str
    token: str
    root: Path
    log: Path


def _add_math_control(notebook: Path) -> None:
    nb = json.loads(notebook.read_text())
    nb["cells"].append(
        {"cell_type": "code", "execution_count": None, "id": "math-control", "metadata": {}, "outputs": [],
         "source": MATH_CONTROL}
    )  # fmt: skip
    notebook.write_text(json.dumps(nb, indent=1))


@contextmanager
def lab_server(base: Path) -> Iterator[LabServer]:
    """JupyterLab on a copy of notebooks/ (each with the math control appended, and data/
    linked) in a temporary HOME under ``base``; stopped with its kernels on exit."""
    require_lab()
    home, root = base / "home", base / "root"
    settings = home / "lab-user-settings"
    for name, value in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    for notebook in (root / "notebooks").glob("*.ipynb"):
        _add_math_control(notebook)
    (root / "data").symlink_to(ROOT / "data", target_is_directory=True)
    token, port = secrets.token_hex(16), _free_port()
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    cmd = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.port_retries=0",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = base / "lab.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                req = urllib.request.Request(f"{url}/api/status", headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(req, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab not ready in 60 s: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield LabServer(url, token, root, log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    with lab_server(tmp_path_factory.mktemp("lab")) as server:
        yield server


@contextmanager
def lab_page(lab: LabServer, notebook: str) -> Iterator[Any]:
    """A Chromium page with ``notebook`` open in JupyterLab, every cell run (the math
    control's output is on the page); no request may leave the lab server."""
    from playwright.sync_api import sync_playwright

    external: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on(
                "request",
                lambda r: None if r.url.startswith((lab.url, "data:", "blob:", "about:")) else external.append(r.url),
            )
            page.set_default_timeout(60_000)
            page.goto(f"{lab.url}/lab/tree/{notebook}?reset&token={lab.token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            page.wait_for_function(_KERNEL_READY, timeout=60_000)
            # fire and forget: awaiting the command's promise can hang (TOOLCHAIN.md)
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            page.wait_for_function(_CONTROL_DONE, timeout=120_000)
            page.wait_for_function(_KERNEL_READY, timeout=60_000)
            yield page
            assert "Traceback" not in page.inner_text(".jp-NotebookPanel")
        finally:
            browser.close()
    assert external == [], external


def _wait_until(page: Any, done: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        page.wait_for_timeout(250)


def _text(page: Any, selector: str) -> str:
    """The first match's text (``textContent``: also for cells JupyterLab has not painted)."""
    return str(page.eval_on_selector(selector, "e => e.textContent"))


def _set_slider(page: Any, selector: str, value: str) -> None:
    """Type ``value`` into an ipywidgets 8 slider's readout box (Enter sends it)."""
    box = page.wait_for_selector(f"{selector} .widget-readout")
    assert box is not None
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def math_report(page: Any) -> dict[str, Any]:
    """Typeset elements on the page: in the positive control, and elsewhere (their text).
    Waits for the control's math first (MathJax loads lazily)."""
    page.wait_for_function(
        "(sel) => !!document.querySelector('.jp-NotebookPanel').querySelector(sel)", arg=MATH_SELECTOR, timeout=30_000
    )
    page.wait_for_timeout(1500)  # let the typesetter finish the other outputs too
    return dict(page.evaluate(_MATH_JS, MATH_SELECTOR))


DOLLAR_AMOUNT = re.compile(r"\$\d[\d,.]*")


@pytest.mark.slow
@pytest.mark.browser
def test_weight_slider_moves_the_summary_and_the_scores_chart(lab: LabServer) -> None:
    from llmstrategy.views.names import strategy_name

    with lab_page(lab, "notebooks/decision_matrix.ipynb") as page:
        summary = page.wait_for_selector(".lls-summary")
        assert summary is not None
        page.wait_for_function(_FIGURE_JS, arg="Scores")
        before = (_text(page, ".lls-summary"), page.evaluate(_FIGURE_JS, "Scores"), _text(page, ".lls-ranking"))
        # data privacy outweighing everything: a private deployment wins the startup profile
        _set_slider(page, ".lls-weight-data-privacy", "1")

        def now() -> tuple[str, str, str]:
            return (
                _text(page, ".lls-summary"),
                page.evaluate(_FIGURE_JS, "Scores") or "",
                _text(page, ".lls-ranking"),
            )

        _wait_until(page, lambda: all(a != b for a, b in zip(now(), before, strict=True)))
        after = now()
        math = math_report(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(".lls-summary").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab_decision_matrix_summary.png"))
    assert after[0] != before[0], "the executive summary above the sliders did not change"
    assert after[1] != before[1], "the scores chart below the sliders did not change"
    assert after[2] != before[2], "the slider's own ranking did not change"
    assert strategy_name("private_cloud+rag") in after[0].split("Runner-up")[0], after[0]
    assert math["control"] > 0, "JupyterLab typeset nothing: the check cannot see math"
    assert math["others"] == [], math["others"]
    assert DOLLAR_AMOUNT.search(after[0]), after[0]  # the amounts are shown, as text


@pytest.mark.slow
@pytest.mark.browser
def test_no_dollar_amount_is_typeset_in_the_strategy_report(lab: LabServer) -> None:
    """The notebook with the most dollar amounts (summary page, cost tables, takeaways),
    interactive; a what-if moves its tables and charts, and still nothing is typeset."""
    with lab_page(lab, "notebooks/strategy_report.ipynb") as page:
        page.wait_for_selector(".lls-kpis")
        first = _text(page, ".lls-kpis")
        _set_slider(page, ".lls-whatif-api", "10")
        _wait_until(page, lambda: _text(page, ".lls-kpis") != first)
        after = _text(page, ".lls-kpis")
        math = math_report(page)
        text = page.inner_text(".jp-NotebookPanel")
    assert after != first, "a what-if did not move the headline figures above it"
    assert math["control"] > 0, "JupyterLab typeset nothing: the check cannot see math"
    assert math["others"] == [], math["others"]
    assert len(DOLLAR_AMOUNT.findall(text)) > 20
