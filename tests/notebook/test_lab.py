"""The notebooks' widgets in a real JupyterLab, driven by headless Chromium.

The test starts ``jupyter lab`` (:func:`test_jupyterlab_browser.lab_server`: 127.0.0.1, free
port, random token, temporary HOME and settings folders), opens a *copy* of the notebook
(the repository's file is never saved over), runs all cells, sets a slider or types a value
and waits for the output that depends on it to change. A screenshot goes to ``artifacts/screenshots/``.

To test another notebook, add a :class:`WidgetCheck` (notebook, the control to move,
the output to watch, and how the watched text must change) and a test calling
:func:`check_widget`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS
from test_jupyterlab_browser import _KERNEL_READY, LabServer, lab_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"


@dataclass(frozen=True)
class WidgetCheck:
    """One interaction: set the slider ``control`` (a CSS selector of its widget) to
    ``value`` (typed into its readout box, or ``presses`` arrow-key steps when ``value`` is
    None), then wait until the text of ``watched`` satisfies ``changed(before, after)``."""

    notebook: str  # path under the repository root
    control: str
    watched: str
    changed: Callable[[str, str], bool]
    value: str | None = None
    presses: int = 0
    box: str = ".widget-readout"  # where ``value`` is typed, inside ``control``


def _count(text: str) -> float:
    """``137M`` → 1.37e8 (the package's fmt_count suffixes)."""
    m = re.fullmatch(r"\s*([0-9.,]+)\s*([KMBT]?)\s*", text)
    assert m, f"not a count: {text!r}"
    return float(m.group(1).replace(",", "")) * {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[m.group(2)]


WORKLOAD_PROFILE = WidgetCheck(
    notebook="notebooks/workload_profile.ipynb",
    control=".lls-field-requests-per-day",
    watched=".lls-derived-tokens_per_month",
    value="20000",  # the default profile has 2,000 requests/day: tokens per month × 10
    box="input[type=number]",  # the exact value's box beside the log slider
    changed=lambda before, after: abs(_count(after) / _count(before) - 10) < 0.1,
)

#: Five arrow-key presses on the requests-per-day slider: ×10^0.25 = ×1.78 (it was ×1.001).
WORKLOAD_ARROWS = WidgetCheck(
    notebook="notebooks/workload_profile.ipynb",
    control=".lls-field-requests-per-day",
    watched=".lls-derived-tokens_per_month",
    presses=5,
    changed=lambda before, after: 1.6 < _count(after) / _count(before) < 2.0,
)


def _ranking(text: str) -> list[str]:
    """Strategy ids in the live ranking table's order."""
    return re.findall(r"^\s*\d+\s+(\S+)", text, flags=re.M)


DECISION_MATRIX = WidgetCheck(
    notebook="notebooks/decision_matrix.ipynb",
    control=".lls-weight-knowledge-freshness",
    watched=".lls-ranking",
    # the default profile (a pre-MVP team with no ML engineer: only the API is feasible) ranks
    # plain prompting first; knowledge freshness outweighing everything moves retrieval to the top
    value="1",
    changed=lambda before, after: (
        bool(_ranking(after)) and _ranking(after) != _ranking(before) and _ranking(after)[0] == "api+rag"
    ),
)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab on a copy of notebooks/ (tests/test_jupyterlab_browser.py's server)."""
    with lab_server(tmp_path_factory.mktemp("lab")) as server:
        yield server


def check_widget(lab: LabServer, check: WidgetCheck, screenshot: Path) -> tuple[str, str]:
    """Open the notebook, run all cells, move the control; return the watched text
    before and after (asserting it changed as ``check.changed`` demands)."""
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
            page.goto(f"{lab.url}/lab/tree/{check.notebook}?reset&token={lab.token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            page.wait_for_function(_KERNEL_READY, timeout=60_000)
            # fire and forget: awaiting the command's promise can hang (TOOLCHAIN.md)
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            watched = page.wait_for_selector(check.watched)
            assert watched is not None
            before = watched.inner_text()
            if check.value is not None:  # ipywidgets 8: the readout is an editable box
                box = page.wait_for_selector(f"{check.control} {check.box}")
                assert box is not None
                box.scroll_into_view_if_needed()
                box.click()
                page.keyboard.press("Control+A")
                page.keyboard.type(check.value)
                page.keyboard.press("Enter")
            else:
                handle = page.wait_for_selector(f"{check.control} .noUi-handle")
                assert handle is not None
                handle.scroll_into_view_if_needed()
                handle.focus()
                for _ in range(check.presses):
                    page.keyboard.press("ArrowRight")
            # the output updates asynchronously, once per kernel round trip: poll until the
            # text has changed as required (intermediate values may show on the way)
            deadline = time.monotonic() + 20
            after = page.inner_text(check.watched)
            while not check.changed(before, after) and time.monotonic() < deadline:
                page.wait_for_timeout(200)
                after = page.inner_text(check.watched)
            panel_text = page.inner_text(".jp-NotebookPanel")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=False)
        finally:
            browser.close()
    assert "Traceback" not in panel_text, panel_text[-2000:]
    assert external == [], external
    assert check.changed(before, after), (before, after)
    return before, after


@pytest.mark.slow
@pytest.mark.browser
def test_workload_profile_slider_updates_the_derived_workload(lab: LabServer) -> None:
    before, after = check_widget(lab, WORKLOAD_PROFILE, ARTIFACTS / "lab_workload_profile.png")
    # the copy was not saved over, and the repository's notebook still has no outputs
    nb = json.loads((ROOT / WORKLOAD_PROFILE.notebook).read_text())
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    assert _count(before) > 0 and _count(after) > _count(before)


@pytest.mark.slow
@pytest.mark.browser
def test_decision_matrix_weight_slider_reranks_the_strategies(lab: LabServer) -> None:
    before, after = check_widget(lab, DECISION_MATRIX, ARTIFACTS / "lab_decision_matrix.png")
    assert _ranking(before)[0] != _ranking(after)[0], (before, after)
    assert "Recommendation:" in after


@pytest.mark.slow
@pytest.mark.browser
def test_log_slider_arrow_keys_move_the_volume(lab: LabServer) -> None:
    before, after = check_widget(lab, WORKLOAD_ARROWS, ARTIFACTS / "lab_workload_arrows.png")
    assert _count(after) > _count(before)
