"""The landing page ``<out>/index.html``: one row per profile with a report in the folder,
linking that profile's own reports and CSV tables.

The rows are every report the folder holds, this batch's and earlier batches' alike: each
render records its profile's raw values (:func:`.render.index_row`) under its report name
(:mod:`.names`), and a :class:`RenderResult` of this batch carries them too. Rows are sorted
by report name and link only files of that name, so a row never points at another
profile's report. :data:`INDEX_COLUMNS` formats the values, :func:`index_html` builds the
page and :func:`write_index` writes it atomically.
"""

from __future__ import annotations

import html as html_lib
import os
from datetime import date
from pathlib import Path
from typing import Any

from llmstrategy.errors import RenderError
from llmstrategy.files import atomic_write_text
from llmstrategy.fmt import fmt_count, fmt_usd
from llmstrategy.inputs.criteria import CRITERIA
from llmstrategy.report.names import read_claims, report_files, safe_stem
from llmstrategy.report.render import CSV_TABLES, RenderResult
from llmstrategy.views.names import strategy_name


def _name(v: Any) -> str:
    return "—" if v is None else strategy_name(str(v))


def _stage(v: Any) -> str:
    return {"pre_mvp": "pre-MVP"}.get(str(v), str(v))


#: The landing page's columns after the profile: (index_row key, header, formatter).
INDEX_COLUMNS: list[tuple[str, str, Any]] = [
    ("stage", "Stage", _stage),
    ("data_may_leave", "Data may leave the organisation", lambda v: "yes" if v else "no"),
    ("tokens_per_month", "Tokens per month", fmt_count),
    ("recommendation", "Recommended option", _name),
    ("recommended_monthly_usd", "Recommended option: cost per month today", lambda v: "—" if v is None else fmt_usd(v)),
    ("cheapest_strategy", "Cheapest allowed option", _name),
    ("cheapest_monthly_usd", "Cheapest allowed option: cost per month today", fmt_usd),
]

#: A wide screen gets the table; a phone (or any width under 860 px) one card per profile,
#: each value under its column's name.
_INDEX_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #222; max-width: 1240px;
       margin: 0 auto; padding: 28px 32px; }
h1 { margin-bottom: 0.2em; } .meta, .note { color: #555; font-size: 0.92em; } .note { max-width: 60em; }
table { border-collapse: collapse; margin: 1.2em 0; font-size: 14px; width: 100%; }
th, td { padding: 6px 10px; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top; }
th { background: #f7f9fb; border-bottom: 2px solid #bbb; vertical-align: bottom; font-size: 13px; }
td.num { text-align: right; white-space: nowrap; } th.num { text-align: right; }
td.links a { display: inline-block; margin-right: 0.8em; white-space: nowrap; }
td:first-child a { font-weight: 600; }
tr:hover { background: #eef3f8; } a { color: #0b5cad; }
@media (max-width: 860px) {
  body { padding: 16px 14px; }
  table, tbody, tr, td { display: block; width: auto; }
  thead { display: none; }
  tr { border: 1px solid #dde3ea; border-radius: 6px; margin: 0 0 14px 0; padding: 6px 10px; }
  td { border: 0; padding: 3px 0; text-align: left; }
  td.num { text-align: left; white-space: normal; }
  td[data-label]::before { content: attr(data-label) ": "; color: #555; font-size: 0.9em; }
  td:first-child { font-size: 1.1em; padding-bottom: 6px; }
}
"""


def _href(path: Path, base: Path) -> str:
    from urllib.parse import quote

    return html_lib.escape(quote(os.path.relpath(path, base).replace(os.sep, "/")), quote=True)


def _report_links(out_dir: Path, name: str) -> list[tuple[str, Path]]:
    """(label, path) of every rendered report and CSV of report name ``name`` in ``out_dir``."""
    links = [(nb.replace("_", " "), path) for nb, path in report_files(out_dir, name)]
    pdf = out_dir / f"{name}.pdf"
    if pdf.is_file():
        links.append(("PDF", pdf))
    for kind in CSV_TABLES:
        path = out_dir / f"{name}.{kind}.csv"
        if path.is_file():
            links.append((f"{kind} (CSV)", path))
    return links


def _text(value: Any, fmt: Any) -> str:
    """A formatted cell; a value of the wrong type (a hand-edited record) shows as a dash."""
    try:
        return str(fmt(value))
    except (TypeError, ValueError, OverflowError):
        return "—"


def _rows(results: list[RenderResult], out_dir: Path) -> list[tuple[str, dict[str, Any], Path]]:
    """(report name, row, main report) for every profile with a report in ``out_dir``: the
    records of earlier renders, updated by this batch's results; one row per profile."""
    rows: dict[str, tuple[str, dict[str, Any]]] = {
        name: (claim["profile"], claim["row"]) for name, claim in read_claims(out_dir).items()
    }
    for r in results:
        if r.ok and r.index_row is not None:
            name = r.name or safe_stem(r.profile_path)
            rows[name] = (str(Path(r.profile_path).resolve()), r.index_row)
    seen: set[str] = set()
    out = []
    for name in sorted(rows, key=lambda n: (n.casefold(), n)):
        profile, row = rows[name]
        files = report_files(out_dir, name)
        if profile in seen or not files:
            continue
        seen.add(profile)
        out.append((name, row, files[0][1]))
    return out


def index_html(results: list[RenderResult], out_dir: Path, *, generated: str | None = None) -> str:
    """The landing page: one row per profile with a report in ``out_dir`` (this batch's
    ``results`` and the earlier renders recorded there), sorted by report name."""
    from llmstrategy import __version__

    out_dir = Path(out_dir).resolve()
    body_rows = []
    for name, row, main in _rows(results, out_dir):
        links = _report_links(out_dir, name)
        link_html = " ".join(f'<a href="{_href(p, out_dir)}">{html_lib.escape(lbl)}</a>' for lbl, p in links)
        title = html_lib.escape(_text(row.get("name", name), str))
        cells = [f'<td><a href="{_href(main, out_dir)}">{title}</a></td>']
        for key, head, fmt in INDEX_COLUMNS:
            value = row.get(key)
            css = ' class="num"' if isinstance(value, int | float) and not isinstance(value, bool) else ""
            label = html_lib.escape(head, quote=True)
            cells.append(f'<td{css} data-label="{label}">{html_lib.escape(_text(value, fmt))}</td>')
        cells.append(f'<td class="links" data-label="Reports and tables">{link_html}</td>')
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    num = ' class="num"'
    heads = "".join(
        f"<th{num if k.endswith(('_usd', '_month')) else ''}>{html_lib.escape(h)}</th>" for k, h, _ in INDEX_COLUMNS
    )
    when = html_lib.escape(generated or date.today().isoformat())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>LLM strategy reports</title>
<style>{_INDEX_CSS}</style>
</head>
<body>
<h1>LLM strategy reports</h1>
<div class="meta">{len(body_rows)} profile(s) · generated {when} by llmstrategy {html_lib.escape(__version__)}</div>
<table class="lls-index">
<thead><tr><th>Profile</th>{heads}<th>Reports and tables</th></tr></thead>
<tbody>
{chr(10).join(body_rows)}
</tbody>
</table>
<p class="note">Recommended option: the decision engine's choice (a decision path of plain questions, checked
against {len(CRITERIA)} weighted criteria; each report explains it). It is often not the cheapest: quality, privacy,
team and time to production count too. Cheapest allowed option: the lowest cost per month today among the
options the profile allows (no third-party API when the data may not leave, for example). Each report states
its analysis date, its assumptions and their sources; the CSV files hold the same tables with raw numbers
and the strategy ids.</p>
</body>
</html>
"""


def write_index(out_dir: str | Path, results: list[RenderResult]) -> Path | None:
    """Write ``<out_dir>/index.html`` atomically when at least one render succeeded; it lists
    every report in the folder, earlier batches' included."""
    if not any(r.ok for r in results):
        return None
    out = Path(out_dir)
    path = out / "index.html"
    try:
        atomic_write_text(path, index_html(results, out))
    except OSError as err:
        raise RenderError(f"cannot write the landing page: {err.strerror or err}", path=str(path)) from None
    return path
