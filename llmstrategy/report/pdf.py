"""Print rendered HTML reports to PDF (``llmstrategy render --pdf``) with the headless Debian
Chromium the browser tests use, driven by Python playwright: never a downloaded browser.

Each report opens offline (every request that is not a local file is aborted), waits until
every chart is drawn, and prints with the report's own print stylesheet and script (charts
redrawn at the page's width, collapsed sections open, each section on a new page). The PDF
is written atomically beside its HTML, ``<name>.pdf``. Without Chromium or playwright,
:func:`check_pdf_support` raises a one-line :class:`RenderError` before anything renders.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llmstrategy.errors import RenderError
from llmstrategy.files import atomic_write_bytes

#: The environment variable that names another Chromium (default: Debian's).
CHROMIUM_ENV = "LLMSTRATEGY_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
PAPERS = ("A4", "Letter")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

_CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(
  el => el.querySelector('svg.main-svg') && el.querySelector('.trace'))"""


def chromium_path() -> Path:
    return Path(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)


def check_pdf_support() -> None:
    """One line, before any render, when PDFs cannot be printed here."""
    exe = chromium_path()
    if not exe.is_file() or not os.access(exe, os.X_OK):
        raise RenderError(
            f"--pdf needs Chromium at {exe}, which is missing (apt-get install chromium, or set {CHROMIUM_ENV})"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise RenderError("--pdf needs the Python package playwright (pip install playwright)") from None


def pdf_path(html_path: str | Path) -> Path:
    """``<out>/<name>.html`` → ``<out>/<name>.pdf``."""
    return Path(html_path).with_suffix(".pdf")


def _print_one(browser: Any, html_path: Path, paper: str, timeout_ms: int) -> bytes:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL_SCHEMES) else r.abort())
        page.goto(html_path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
        page.wait_for_function(_CHARTS_DRAWN, timeout=timeout_ms)
        return bytes(page.pdf(format=paper, print_background=True, prefer_css_page_size=False))
    finally:
        context.close()


def write_pdfs(html_paths: Sequence[str | Path], *, paper: str = "A4", timeout_s: int = 60) -> list[Path]:
    """Print each HTML report to ``<name>.pdf`` beside it (atomically: a temporary file, then a
    rename); one Chromium for the whole batch. Returns the PDFs' paths."""
    if paper not in PAPERS:
        raise RenderError(f"expected a paper size in {', '.join(PAPERS)}, got {paper!r}", field="--paper")
    check_pdf_support()
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    out: list[Path] = []
    current: str | None = None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium_path()), args=list(CHROMIUM_ARGS), headless=True)
            try:
                for html in html_paths:
                    current = str(html)
                    data = _print_one(browser, Path(html), paper, timeout_s * 1000)
                    atomic_write_bytes(pdf_path(html), data)
                    out.append(pdf_path(html))
            finally:
                browser.close()
    except PlaywrightError as err:
        first = " ".join(str(err).split())[:300]
        raise RenderError(f"Chromium could not print the report: {first}", path=current) from None
    return out
