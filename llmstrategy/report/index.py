"""The landing page ``<out>/index.html``: one row per rendered profile, linking its reports
and CSV tables.

Each :class:`RenderResult` carries its profile's raw values (:func:`.render.index_row`);
:data:`INDEX_COLUMNS` formats them, :func:`index_html` builds the page and
:func:`write_index` writes it atomically.
"""

from __future__ import annotations

import html as html_lib
import os
from datetime import date
from pathlib import Path
from typing import Any

from llmstrategy.files import atomic_write_text
from llmstrategy.fmt import fmt_count, fmt_usd
from llmstrategy.report.execute import DEFAULT_NOTEBOOK, notebooks_dir
from llmstrategy.report.render import CSV_TABLES, RenderResult, report_stem

#: The landing page's columns after the profile: (index_row key, header, formatter).
INDEX_COLUMNS: list[tuple[str, str, Any]] = [
    ("stage", "Stage", str),
    ("data_may_leave", "Data may leave", lambda v: "yes" if v else "no"),
    ("tokens_per_month", "Tokens per month", fmt_count),
    ("recommendation", "Recommendation", lambda v: "—" if v is None else str(v)),
    ("recommended_monthly_usd", "Its monthly cost today", lambda v: "—" if v is None else fmt_usd(v)),
    ("cheapest_strategy", "Cheapest feasible strategy", lambda v: "—" if v is None else str(v)),
    ("cheapest_monthly_usd", "Monthly cost today", fmt_usd),
]

_INDEX_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #222; max-width: 1100px;
       margin: 0 auto; padding: 28px 32px; }
h1 { margin-bottom: 0.2em; } .meta, .note { color: #555; font-size: 0.92em; }
table { border-collapse: collapse; margin: 1.2em 0; font-size: 14px; }
th, td { padding: 6px 12px; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top; }
th { background: #f7f9fb; border-bottom: 2px solid #bbb; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; } td.links a { margin-right: 0.8em; white-space: nowrap; }
tr:hover { background: #eef3f8; } a { color: #0b5cad; }
"""


def _href(path: Path, base: Path) -> str:
    from urllib.parse import quote

    return html_lib.escape(quote(os.path.relpath(path, base).replace(os.sep, "/")), quote=True)


def _report_links(out_dir: Path, profile_path: Path) -> list[tuple[str, Path]]:
    """(label, path) of every rendered report and CSV of this profile in ``out_dir``."""
    links = []
    names = sorted(p.stem for p in notebooks_dir().glob("*.ipynb"))
    for nb in [DEFAULT_NOTEBOOK] + [n for n in names if n != DEFAULT_NOTEBOOK]:
        stem = report_stem(profile_path, nb)
        if stem == report_stem(profile_path, DEFAULT_NOTEBOOK) and nb != DEFAULT_NOTEBOOK:
            continue
        path = out_dir / f"{stem}.html"
        if path.is_file():
            links.append((nb.replace("_", " "), path))
    stem = report_stem(profile_path, DEFAULT_NOTEBOOK)
    for kind in CSV_TABLES:
        path = out_dir / f"{stem}.{kind}.csv"
        if path.is_file():
            links.append((f"{kind}.csv", path))
    return links


def index_html(results: list[RenderResult], out_dir: Path, *, generated: str | None = None) -> str:
    """The landing page: one row per successfully rendered profile (first result of each)."""
    from llmstrategy import __version__

    out_dir = Path(out_dir).resolve()
    seen: set[str] = set()
    body_rows = []
    for r in results:
        if not r.ok or r.index_row is None or r.profile_path in seen:
            continue
        seen.add(r.profile_path)
        row = r.index_row
        profile = Path(r.profile_path)
        main = Path(r.html_path or "")
        links = _report_links(out_dir, profile.resolve())
        link_html = " ".join(f'<a href="{_href(p, out_dir)}">{html_lib.escape(lbl)}</a>' for lbl, p in links)
        cells = [f'<td><a href="{_href(main, out_dir)}">{html_lib.escape(str(row["name"]))}</a></td>']
        for key, _, fmt in INDEX_COLUMNS:
            value = row.get(key)
            css = ' class="num"' if isinstance(value, int | float) and not isinstance(value, bool) else ""
            cells.append(f"<td{css}>{html_lib.escape(fmt(value))}</td>")
        cells.append(f'<td class="links">{link_html}</td>')
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    heads = "".join(f"<th>{html_lib.escape(h)}</th>" for _, h, _ in INDEX_COLUMNS)
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
<p class="note">Recommendation: the decision engine's choice (the seeds' decision path checked against the
criteria matrix; see each report's rationale). It is often not the cheapest: quality, privacy, team and time
to production count too. Cheapest feasible strategy: the lowest month-0 monthly cost among the strategies
the profile's hard constraints allow (e.g. no third-party API when the data may not leave). Each report
states its analysis date, its assumptions and their sources; the CSV files hold the same tables with raw
numbers.</p>
</body>
</html>
"""


def write_index(out_dir: str | Path, results: list[RenderResult]) -> Path | None:
    """Write ``<out_dir>/index.html`` atomically when at least one render succeeded."""
    if not any(r.ok for r in results):
        return None
    out = Path(out_dir)
    path = out / "index.html"
    atomic_write_text(path, index_html(results, out))
    return path
