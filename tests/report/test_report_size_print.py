"""Report size and print, end to end: every example profile rendered with the default plotly.js
bundle (the vendored basic partial bundle) is at most 1.5 MB and 1.3× the bundle it embeds,
and every chart draws in headless Chromium with the network cut off; the full bundle is still
an option (``LLMSTRATEGY_PLOTLY=full``); a report printed to PDF on A4 and Letter keeps every
column header of every table (read back with poppler's ``pdftotext``), draws no table or chart
wider than the page, restores the charts after printing, and prints collapsed sections open.

PDFs go to ``artifacts/print/`` for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import LOCAL_SCHEMES, offline_browser, require_chromium

ROOT = Path(__file__).resolve().parents[2]
PROFILES = sorted((ROOT / "data" / "profiles").glob("*.yaml"))
AS_OF = "2026-11-23"
ARTIFACTS = ROOT / "artifacts" / "print"
MAX_BYTES = 1_500_000
MAX_RATIO = 1.3
#: CSS px across the printed page inside print.css's margins (A4: 210 - 2 × 10 mm; Letter: 8.5 in - 20 mm)
PRINT_WIDTH = {"A4": 718, "Letter": 740}
FULL_BANNER = re.compile(r"\* plotly\.js v\d")

pytestmark = pytest.mark.slow


def require_pdftotext() -> str:
    """poppler-utils' pdftotext: skip without it, fail when ``CI`` is set."""
    exe = shutil.which("pdftotext")
    if exe is None:
        msg = "pdftotext is missing (apt-get install poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(f"print tests need poppler-utils under CI: {msg}", pytrace=False)
        pytest.skip(msg)
    return exe


def _flat(text: str) -> str:
    """Text without whitespace, soft hyphens or compatibility forms (ligatures), to compare a
    header with PDF text however the header wrapped."""
    return re.sub(r"[\s\u00ad\u200b]+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every example profile rendered with the default bundle: stem -> RenderResult."""
    from llmstrategy.report import render_batch

    out = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("LLMSTRATEGY_PLOTLY", raising=False)
        results = render_batch(PROFILES, out_dir=out, jobs=2, as_of=AS_OF, progress=False)
    return {Path(r.profile_path).stem: r for r in results}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    require_chromium()
    with offline_browser() as b:
        yield b.browser


class _Page:
    """A report open in a fresh context, offline; what went wrong is in ``problems``."""

    def __init__(self, browser: Any, html_path: Path):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []

        def route(r: Any) -> None:
            if r.request.url.startswith(LOCAL_SCHEMES):
                r.continue_()
            else:
                self.problems.append(f"request: {r.request.url}")
                r.abort()

        self.page.route("**/*", route)
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
        self.figures = Path(html_path).read_text(encoding="utf-8").count("Plotly.newPlot(")
        self.page.wait_for_function(
            """(n) => { const p = document.querySelectorAll('.js-plotly-plot');
                 return p.length === n && Array.from(p).every(el => el.querySelector('svg.main-svg .trace')); }""",
            arg=self.figures,
            timeout=20_000,
        )

    def plots(self) -> list[dict[str, Any]]:
        return list(
            self.page.evaluate(
                """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
                     id: el.id, svgs: el.querySelectorAll('svg.main-svg').length,
                     traces: el.querySelectorAll('.trace').length,
                     width: el._fullLayout.width}))"""
            )
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_report(chromium: Any) -> Iterator[Any]:
    pages: list[_Page] = []

    def _open(html_path: Path) -> _Page:
        pages.append(_Page(chromium, html_path))
        return pages[-1]

    yield _open
    for p in pages:
        p.close()


# ---------------------------------------------------------------- size and rendering


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_report_is_at_most_1_5_mb_and_1_3_times_its_bundle(reports: dict[str, Any], profile: Path) -> None:
    from llmstrategy.views.plotly_offline import plotly_js

    r = reports[profile.stem]
    assert r.ok, r.error
    page = Path(r.html_path).read_text(encoding="utf-8")
    bundle = plotly_js("basic")
    assert page.count(bundle) == 1, "the basic plotly.js bundle must be embedded exactly once, whole"
    assert not FULL_BANNER.search(page), "the full plotly.js bundle is embedded too"
    size, bundle_size = len(page.encode("utf-8")), len(bundle.encode("utf-8"))
    print(f"\n{profile.stem}: {size:,} bytes = {size / bundle_size:.3f} × the {bundle_size:,}-byte bundle")
    assert size <= MAX_BYTES, f"{profile.stem}: {size:,} bytes > {MAX_BYTES:,}"
    assert size / bundle_size <= MAX_RATIO, f"{profile.stem}: {size / bundle_size:.3f} × the bundle > {MAX_RATIO}"


@pytest.mark.browser
@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_every_chart_renders_with_the_partial_bundle(reports: dict[str, Any], open_report: Any, profile: Path) -> None:
    r = reports[profile.stem]
    assert r.ok, r.error
    p = open_report(Path(r.html_path))
    assert p.figures >= 5
    plots = p.plots()
    assert len(plots) == p.figures
    for plot in plots:
        assert plot["svgs"] >= 1 and plot["traces"] >= 1, plot
    assert p.problems == []
    banner = "/plotly\\.js \\(basic - minified\\) v(\\S+)/"
    head_script = "document.querySelector('head script').textContent"
    head_version = p.page.evaluate(f"() => ({head_script}.match({banner}) || [])[1]")
    assert head_version and p.page.evaluate("() => window.Plotly.version") == head_version


@pytest.mark.browser
def test_full_bundle_option_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_report: Any) -> None:
    import plotly.offline

    from llmstrategy.report import render_one
    from llmstrategy.views.plotly_offline import plotly_js

    monkeypatch.setenv("LLMSTRATEGY_PLOTLY", "full")
    r = render_one(ROOT / "data" / "profiles" / "internal_kb_qa.yaml", out_dir=tmp_path, as_of=AS_OF)
    assert r.ok, r.error
    page = Path(r.html_path).read_text(encoding="utf-8")
    assert page.count(plotly.offline.get_plotlyjs()) == 1
    assert plotly_js("basic") not in page
    assert r.html_bytes > len(plotly.offline.get_plotlyjs().encode("utf-8"))
    p = open_report(Path(r.html_path))
    plots = p.plots()
    assert len(plots) == p.figures >= 5 and all(x["traces"] >= 1 for x in plots), plots
    assert p.problems == []


# ---------------------------------------------------------------- print


_TABLE_HEADERS_JS = """() => Array.from(document.querySelectorAll('table')).map(t => ({
  caption: (t.querySelector('caption') || {}).textContent || '',
  headers: Array.from(t.querySelectorAll('thead th')).map(th => th.textContent.trim()).filter(Boolean)}))"""

_WIDER_THAN_PAGE_JS = """(width) => {
  const out = [];
  document.querySelectorAll('table').forEach((t, i) => {
    const right = Math.max(...Array.from(t.querySelectorAll('th, td')).map(c => c.getBoundingClientRect().right));
    if (right > width + 1) out.push(`table ${i} (${(t.querySelector('caption') || {}).textContent || ''}): ${right}px`);
  });
  document.querySelectorAll('.js-plotly-plot svg.main-svg').forEach(s => {
    const r = s.getBoundingClientRect();
    if (r.right > width + 1) out.push(`chart ${s.closest('.js-plotly-plot').id}: ${r.right}px`);
  });
  return out;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_printed_pdf_keeps_every_table_column(
    reports: dict[str, Any], open_report: Any, profile: Path, paper: str, tmp_path: Path
) -> None:
    pdftotext = require_pdftotext()
    r = reports[profile.stem]
    assert r.ok, r.error
    p = open_report(Path(r.html_path))
    screen_widths = [x["width"] for x in p.plots()]
    tables = p.page.evaluate(_TABLE_HEADERS_JS)
    assert len(tables) >= 5 and all(t["headers"] for t in tables), tables

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{profile.stem}.{paper}.pdf"
    p.page.pdf(path=str(pdf), format=paper, print_background=True)
    txt = tmp_path / "out.txt"
    subprocess.run([pdftotext, "-raw", "-enc", "UTF-8", str(pdf), str(txt)], check=True, timeout=60)
    text = _flat(txt.read_text(encoding="utf-8"))
    missing = [(t["caption"][:40], h) for t in tables for h in t["headers"] if _flat(h) not in text]
    assert missing == [], f"column headers clipped from the {paper} PDF: {missing}"
    # charts are back at their screen width after printing (afterprint)
    assert [x["width"] for x in p.plots()] == screen_widths
    assert p.problems == []

    # laid out for print at this paper's width, no table or chart is wider than the page
    p.page.emulate_media(media="print")
    p.page.set_viewport_size({"width": PRINT_WIDTH[paper], "height": 1000})
    p.page.evaluate("() => window.llsPrint.before()")
    too_wide = p.page.evaluate(_WIDER_THAN_PAGE_JS, PRINT_WIDTH[paper])
    p.page.evaluate("() => window.llsPrint.after()")
    assert too_wide == [], too_wide


@pytest.mark.browser
def test_collapsed_sections_print_open_and_fold_back(reports: dict[str, Any], open_report: Any, tmp_path: Path) -> None:
    pdftotext = require_pdftotext()
    r = reports["internal_kb_qa"]
    assert r.ok, r.error
    p = open_report(Path(r.html_path))
    # fold the last chart and a paragraph into a closed <details>, as a collapsible section would
    p.page.evaluate(
        """() => {
          const plots = document.querySelectorAll('.js-plotly-plot');
          const fig = plots[plots.length - 1].closest('.lls-figure');
          const d = document.createElement('details');
          d.id = 'folded';
          d.innerHTML = '<summary>Folded section</summary><p>Folded-away paragraph text</p>';
          fig.parentNode.insertBefore(d, fig);
          d.appendChild(fig);
        }"""
    )
    assert p.page.evaluate("() => document.getElementById('folded').open") is False
    pdf = tmp_path / "folded.pdf"
    p.page.pdf(path=str(pdf), format="A4", print_background=True)
    text = subprocess.run([pdftotext, "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Folded-away paragraph text" in text
    assert p.page.evaluate("() => document.getElementById('folded').open") is False  # folded back
    # and the folded chart was drawn at the printed width, then restored
    p.page.emulate_media(media="print")
    p.page.evaluate("() => window.llsPrint.before()")
    folded = p.page.evaluate("() => document.querySelector('#folded .js-plotly-plot')._fullLayout.width")
    p.page.evaluate("() => window.llsPrint.after()")
    assert folded <= PRINT_WIDTH["A4"]
    assert p.problems == []
