"""The strategy report read as a person would, in headless Chromium with the network cut off:
the first 1440 × 900 screen holds the recommendation, its cost and its line items, what
would change it and the next steps; the table of contents (and a glossary link) opens and
shows the section it names; no text of the main sections (outside the methodology and
appendix) says "seed " or a raw strategy id; a phone gets no sideways scrolling; the index
fits 1440 px and a phone; the printed first page is the summary; ``render --pdf`` writes a
PDF beside each report, and says so in one line when Chromium is missing.

Screenshots go to ``artifacts/screenshots/reading/``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from browser import LOCAL_SCHEMES, chromium_problem, offline_browser, require_chromium

from llmstrategy.inputs.strategies import NO_LLM_ID, strategy_ids

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-23"
STEMS = ["internal_kb_qa", "startup_support_assistant", "hospital_discharge_summaries", "ticket_routing_rules"]
PROFILES = [ROOT / "data" / "profiles" / f"{s}.yaml" for s in STEMS]
SHOTS = ROOT / "artifacts" / "screenshots" / "reading"

pytestmark = pytest.mark.slow

#: raw strategy ids as words: every id with + or _, and the bare "api" ("hybrid" is English)
RAW_IDS = sorted([i for i in [*strategy_ids(), NO_LLM_ID] if "+" in i or "_" in i] + ["api"], key=len, reverse=True)
RAW_RE = r"(^|[^\w.+/-])(" + "|".join(re.escape(i) for i in RAW_IDS) + r")(?![\w+])"

_OPEN_ALL = """async () => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  await Promise.all(Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => Plotly.Plots.resize(gd)));
}"""

#: every text node outside the appendix, <script>, <style> and <title> that says "seed " or a raw id
_BAD_TEXT = """(raw) => {
  const re = new RegExp(raw), out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest('.lls-appendix, script, style, title')) continue;
    const text = node.nodeValue;
    if (/\\bseeds? /i.test(text) || re.test(text)) out.push(text.trim().slice(0, 120));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from llmstrategy.report import render_batch, write_index

    out = tmp_path_factory.mktemp("reading")
    results = render_batch(PROFILES, out_dir=out, jobs=2, as_of=AS_OF, progress=False)
    for r in results:
        assert r.ok, r.error
    write_index(out, results)
    return {"out": out, "results": {Path(r.profile_path).stem: r for r in results}}


@pytest.fixture(scope="module")
def browser() -> Any:
    if chromium_problem() is not None:
        yield None
        return
    with offline_browser() as b:
        yield b.browser


class Page:
    """A report open in a fresh context at a viewport size, offline; problems recorded."""

    def __init__(self, browser: Any, path: Path, width: int, height: int):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(LOCAL_SCHEMES)
                else (self.problems.append(r.request.url), r.abort())
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(el => el.querySelector('.trace'))"
        )

    def box(self, selector: str) -> dict[str, float]:
        return dict(self.page.eval_on_selector(selector, "el => el.getBoundingClientRect().toJSON()"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any) -> Any:
    require_chromium()
    pages: list[Page] = []

    def _open(path: Path, width: int = 1440, height: int = 900) -> Page:
        pages.append(Page(browser, path, width, height))
        return pages[-1]

    yield _open
    for p in pages:
        p.close()


def _decision(stem: str, path: Path | None = None, as_of: str = AS_OF) -> tuple[Any, Any]:
    from datetime import date

    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.pipeline import evaluate

    day = date.fromisoformat(as_of)
    path = path or ROOT / "data" / "profiles" / f"{stem}.yaml"
    return evaluate(load_profile(path), load_catalog(on_date=day), on_date=day)


# ---------------------------------------------------------------- the first screen


@pytest.mark.browser
@pytest.mark.parametrize("stem", STEMS)
def test_first_screen_holds_the_recommendation_its_cost_and_line_items(
    reports: dict[str, Any], open_page: Any, stem: str
) -> None:
    from llmstrategy.fmt import fmt_usd
    from llmstrategy.views.names import strategy_name

    a, d = _decision(stem)
    p = open_page(Path(reports["results"][stem].html_path))
    SHOTS.mkdir(parents=True, exist_ok=True)
    p.page.screenshot(path=str(SHOTS / f"{stem}.1440.png"))
    assert p.page.evaluate("() => window.scrollY") == 0
    rec = p.page.inner_text(".lls-op-rec").strip()
    assert rec == strategy_name(d.strategy_id)
    costed = d.strategy_id if d.strategy_id != NO_LLM_ID else d.runner_up_id
    first_screen = p.page.evaluate(
        """() => Array.from(document.querySelectorAll('.lls-op *')).filter(el => {
             const r = el.getBoundingClientRect();
             return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
           }).map(el => el.innerText).join('\\n')"""
    )
    for heading in ("WHY", "WHAT IT COSTS", "HOW SURE", "WHAT WOULD CHANGE IT", "NEXT STEPS"):
        assert heading in first_screen.upper(), heading
    if costed:
        assert fmt_usd(a.cost(costed).monthly_usd) in first_screen
        items = p.page.eval_on_selector_all(
            "table.lls-lineitems tbody tr",
            "rows => rows.map(r => ({text: r.innerText, bottom: r.getBoundingClientRect().bottom}))",
        )
        assert items, "no line items"
        assert all(0 < i["bottom"] <= 900 for i in items), items
    assert p.box(".lls-op")["bottom"] <= 900
    assert p.problems == []


# ---------------------------------------------------------------- navigation


@pytest.mark.browser
@pytest.mark.parametrize("stem", STEMS[:2])
def test_table_of_contents_opens_and_shows_each_section(reports: dict[str, Any], open_page: Any, stem: str) -> None:
    p = open_page(Path(reports["results"][stem].html_path))
    links = p.page.eval_on_selector_all("nav.lls-toc ol a", "as => as.map(a => a.getAttribute('href'))")
    assert links[0] == "#summary" and len(links) >= 8
    assert p.page.get_attribute("nav.lls-toc a.lls-toc-back", "href") == "index.html"
    assert p.page.evaluate("() => getComputedStyle(document.querySelector('nav.lls-toc')).position") in (
        "fixed",
        "sticky",
    )
    for href in links[1:]:
        assert p.page.evaluate(f"() => document.querySelector('{href}').open") is False
        p.page.click(f"nav.lls-toc a[href='{href}']")
        p.page.wait_for_function(f"() => document.querySelector('{href}').open")
        top = p.page.evaluate(f"() => document.querySelector('{href}').getBoundingClientRect().top")
        assert -2 <= top <= 120, (href, top)
        assert p.page.evaluate("() => location.hash") == href
        assert p.page.is_visible(f"nav.lls-toc a[href='{href}']")  # the contents stay in view
    # a glossary link inside a closed section opens the glossary at its entry
    p.page.click("[data-lls-open='0']") if p.page.is_visible("[data-lls-open='0']") else p.page.evaluate(
        "() => document.querySelectorAll('details').forEach(d => { d.open = false; })"
    )
    p.page.evaluate("() => document.querySelector('a.lls-term').click()")
    term = p.page.evaluate("() => document.querySelector(location.hash).getBoundingClientRect().top")
    assert p.page.evaluate("() => document.getElementById('glossary').open") is True and -2 <= term <= 160
    assert p.problems == []


# ---------------------------------------------------------------- plain words


@pytest.mark.browser
@pytest.mark.parametrize("stem", STEMS)
def test_main_sections_say_no_seed_and_no_raw_strategy_id(reports: dict[str, Any], open_page: Any, stem: str) -> None:
    p = open_page(Path(reports["results"][stem].html_path))
    p.page.evaluate(_OPEN_ALL)
    bad = p.page.evaluate(_BAD_TEXT, RAW_RE)
    assert bad == []
    # the appendix keeps the raw ids and the seeds' references (checked so the test can fail)
    appendix = p.page.inner_text(".lls-appendix")
    assert "seed 00" in appendix and re.search(RAW_RE, appendix)
    assert p.problems == []


# ---------------------------------------------------------------- phones and the index


@pytest.mark.browser
@pytest.mark.parametrize("stem", STEMS[:3])
def test_a_phone_gets_no_sideways_scrolling(reports: dict[str, Any], open_page: Any, stem: str) -> None:
    p = open_page(Path(reports["results"][stem].html_path), 390, 844)
    p.page.screenshot(path=str(SHOTS / f"{stem}.390.png"))
    assert p.page.evaluate("() => document.documentElement.scrollWidth") <= 390
    p.page.evaluate(_OPEN_ALL)
    assert p.page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert p.problems == []


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_index_fits_the_screen_with_unambiguous_columns(
    reports: dict[str, Any], open_page: Any, width: int, height: int
) -> None:
    from llmstrategy.report import INDEX_COLUMNS

    p = open_page(reports["out"] / "index.html", width, height)
    p.page.screenshot(path=str(SHOTS / f"index.{width}.png"), full_page=True)
    assert p.page.evaluate("() => document.documentElement.scrollWidth") <= width
    heads = [h for _, h, _ in INDEX_COLUMNS]
    assert len(set(heads)) == len(heads)
    assert sum("cost" in h.lower() for h in heads) == 2 and all(
        any(w in h for w in ("Recommended", "Cheapest")) for h in heads if "cost" in h.lower()
    )
    if width < 860:  # each value under its column's name
        labels = p.page.eval_on_selector_all(
            "td[data-label]", "tds => tds.map(td => getComputedStyle(td, '::before').content)"
        )
        assert labels and all(label.strip('"').rstrip(": ") in [*heads, "Reports and tables"] for label in labels)
    assert p.problems == []


# ---------------------------------------------------------------- paper


def _pdftotext(pdf: Path, first: int, last: int) -> str:
    from test_report_size_print import require_pdftotext

    exe = require_pdftotext()
    return subprocess.run(
        [exe, "-f", str(first), "-l", str(last), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


ROUTED_CASE = ROOT / "tests" / "cases" / "profiles" / "named_frontier_routing_pays.yaml"


@pytest.mark.browser
@pytest.mark.parametrize(
    ("profile", "line_item", "day"),
    [
        (ROOT / "data" / "profiles" / "startup_support_assistant.yaml", "Retrieval: an engineer's upkeep", AS_OF),
        # a four-line description above the summary; its named model is priced from 2026-11-29 on
        (ROUTED_CASE, "Tokens sent to the small model", "2026-11-30"),
    ],
    ids=["startup_support_assistant", "named_frontier_routing_pays"],
)
def test_render_pdf_writes_the_summary_on_the_first_page(
    reports: dict[str, Any], tmp_path: Path, profile: Path, line_item: str, day: str
) -> None:
    require_chromium()
    from llmstrategy.fmt import fmt_usd
    from llmstrategy.views.names import strategy_name

    stem = profile.stem
    out = tmp_path / "out"
    exe = Path(sys.executable).with_name("llmstrategy")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "llmstrategy.cli"]
    proc = subprocess.run(
        [*cmd, "render", str(profile), "--out", str(out), "--pdf", "--as-of", day],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pdf = out / f"{stem}.pdf"
    assert f"wrote {pdf}" in proc.stdout
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".") and p.is_file()) == []  # no temp file
    assert f'href="{stem}.pdf"' in (out / "index.html").read_text(encoding="utf-8")
    a, d = _decision(stem, profile, day)
    first = " ".join(_pdftotext(pdf, 1, 1).split())
    assert strategy_name(d.strategy_id) in first and fmt_usd(a.cost(d.strategy_id).monthly_usd) in first
    for words in ("WHAT IT COSTS", "WHAT WOULD CHANGE IT", "NEXT STEPS", line_item):
        assert words in first, words
    second = " ".join(_pdftotext(pdf, 2, 2).split())
    assert second.startswith("The decision, step by step"), second[:80]
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "3", str(pdf), str(SHOTS / f"{stem}.pdf")], check=False
    )


def test_render_pdf_without_chromium_is_one_line_and_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "LLMSTRATEGY_CHROMIUM": str(tmp_path / "no-chromium")}
    proc = subprocess.run(
        [sys.executable, "-m", "llmstrategy.cli", "render", str(PROFILES[0]), "--out", str(out), "--pdf"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--pdf needs Chromium" in lines[0] and "no-chromium" in lines[0], proc.stderr
    assert not out.exists() or not any(out.iterdir())  # nothing rendered
    json.dumps(lines)  # plain text
