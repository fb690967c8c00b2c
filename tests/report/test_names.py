"""Report names, the landing page and the render's guards (issue 17), without a kernel: the
notebook execution and the HTML export are replaced by stand-ins, the rest is real
(profile validation, the analysis, the CSV tables, the names, the index).

- Names are unique and stable per profile: the same stem in two folders, ``a b`` beside
  ``a_b``, two non-ASCII names, two names that only differ in unsafe characters, a name
  that differs in case, and ``index.yaml`` each get their own report, and the landing page
  links each profile's row to its own report, in this batch and the next.
- The index lists every report in the folder, earlier batches' included.
- ``--notebook`` takes a name from ``notebooks/`` only; a read-only ``--out`` is one line.
- CSV cells that a spreadsheet would run are neutralised; warnings never reach a report.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import BASE_PROFILE

from llmstrategy.cli import main
from llmstrategy.files import csv_formula_risk
from llmstrategy.report import names as names_mod
from llmstrategy.report import render

AS_OF = "2026-11-23"


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Stand-ins for papermill and nbconvert: the page holds the profile's name and path."""
    import nbformat

    calls: list[str] = []

    def execute(nb_path: Path, executed: Path, params: dict[str, Any], **kw: Any) -> Any:
        calls.append(params["profile_path"])
        nb = nbformat.v4.new_notebook()
        nb.metadata["profile_path"] = params["profile_path"]
        return nb

    def export(nb: Any, title: str) -> str:
        return (
            f"<html><title>{html.escape(title)}</title><body>{html.escape(nb.metadata['profile_path'])}</body></html>"
        )

    monkeypatch.setattr(render, "execute_notebook", execute)
    monkeypatch.setattr(render, "export_html", export)
    return calls


def _profile(path: Path, name: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({**BASE_PROFILE, "name": name}, allow_unicode=True), encoding="utf-8")
    return path


def _batch(profiles: list[Path], out: Path, jobs: int = 1) -> list[Any]:
    results = render.render_batch(profiles, out_dir=out, jobs=jobs, as_of=AS_OF, progress=False)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return results


def _index_rows(out: Path) -> dict[str, str]:
    """Profile name → the href of its row's main link, from the landing page."""
    page = (out / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><td><a href="([^"]+)">([^<]*)</a></td>', page)
    return {html.unescape(name): href for href, name in rows}


def _colliding(tmp_path: Path) -> list[Path]:
    """Profiles whose file names map to one report name under the old rule (or clash)."""
    src = tmp_path / "profiles"
    return [
        _profile(src / "one" / "a.yaml", "A in folder one"),
        _profile(src / "two" / "a.yaml", "A in folder two"),
        _profile(src / "a b.yaml", "a space b"),
        _profile(src / "a_b.yaml", "a underscore b"),
        _profile(src / "名前.yaml", "Japanese name"),
        _profile(src / "данные.yaml", "Russian name"),
        _profile(src / "x!.yaml", "x bang"),
        _profile(src / "x?.yaml", "x question"),
        _profile(src / "A.yaml", "upper-case A"),
        _profile(src / "index.yaml", "Profile called index"),
    ]


HOSTILE_NAMES = 10


def test_colliding_names_get_unique_reports_and_the_index_links_each_to_its_own(
    tmp_path: Path, no_kernel: list[str]
) -> None:
    profiles = _colliding(tmp_path)
    assert len(profiles) == HOSTILE_NAMES
    out = tmp_path / "out"
    results = _batch(profiles, out)
    htmls = [Path(r.html_path) for r in results]
    assert len({p.name.casefold() for p in htmls}) == len(profiles)  # unique, even on a case-insensitive disk
    for profile, page in zip(profiles, htmls, strict=True):
        assert str(profile.resolve()) in page.read_text(encoding="utf-8"), page  # each its own report
        assert page.parent == out and page.name != "index.html"
    # the first of each clash keeps the plain stem; the ones after it get a hash of their path
    assert [p.name for p in htmls[:2]] == ["a.html", f"a-{names_mod._digest(str(profiles[1].resolve()))}.html"]
    assert htmls[2].name == "a_b.html" and re.fullmatch(r"a_b-[0-9a-f]{8}\.html", htmls[3].name)
    assert htmls[4].name == "名前.html" and htmls[5].name == "данные.html"
    assert htmls[6].name == "x.html" and re.fullmatch(r"x-[0-9a-f]{8}\.html", htmls[7].name)
    assert re.fullmatch(r"A-[0-9a-f]{8}\.html", htmls[8].name)  # "A" vs "a": one file on macOS
    assert re.fullmatch(r"index-[0-9a-f]{8}\.html", htmls[9].name)  # index is the landing page's

    from llmstrategy.report import write_index

    write_index(out, results)
    rows = _index_rows(out)
    assert len(rows) == len(profiles)
    for profile, page in zip(profiles, htmls, strict=True):
        name = yaml.safe_load(profile.read_text(encoding="utf-8"))["name"]
        target = out / _unquote(rows[name])
        assert target == page, (name, rows[name])
        assert str(profile.resolve()) in target.read_text(encoding="utf-8")
    # every CSV table belongs to its report's name too
    for r in results:
        assert all(Path(c).name.startswith(Path(r.html_path).stem + ".") for c in r.csv_paths)


def _unquote(href: str) -> str:
    from urllib.parse import unquote

    return unquote(html.unescape(href))


def test_names_are_stable_across_batches_and_orders(tmp_path: Path, no_kernel: list[str]) -> None:
    profiles = _colliding(tmp_path)
    out = tmp_path / "out"
    first = {r.profile_path: Path(r.html_path).name for r in _batch(profiles, out)}
    again = {r.profile_path: Path(r.html_path).name for r in _batch(list(reversed(profiles)), out)}
    assert again == first
    alone = _batch([profiles[1]], out)[0]  # the second "a.yaml" keeps its hashed name alone
    assert Path(alone.html_path).name == first[str(profiles[1])]
    assert sorted(p.name for p in out.glob("*.html")) == sorted(first.values())


def test_the_index_lists_earlier_batches(tmp_path: Path, no_kernel: list[str]) -> None:
    from llmstrategy.report import write_index

    out = tmp_path / "out"
    one = _batch([_profile(tmp_path / "p" / "first.yaml", "First")], out)
    write_index(out, one)
    two = _batch([_profile(tmp_path / "p" / "second.yaml", "Second")], out)
    write_index(out, two)
    assert _index_rows(out) == {"First": "first.html", "Second": "second.html"}
    (out / "first.html").unlink()  # a report removed by hand leaves the index
    write_index(out, two)
    assert _index_rows(out) == {"Second": "second.html"}


def test_a_damaged_record_is_ignored(tmp_path: Path, no_kernel: list[str]) -> None:
    from llmstrategy.report import write_index

    out = tmp_path / "out"
    results = _batch([_profile(tmp_path / "p" / "good.yaml", "Good")], out)
    claims = out / names_mod.CLAIMS_DIR
    (claims / "broken.json").write_text("{not json")
    (claims / "liar.json").write_text('{"name": "good", "profile": "/x.yaml", "row": {}}')  # name ≠ file
    (out / "typed.html").write_text("<html></html>")
    (claims / "typed.json").write_text(
        '{"name": "typed", "profile": "/t.yaml", "row": {"name": "<b>T</b>", "tokens_per_month": "lots",'
        ' "cheapest_monthly_usd": [1]}}'
    )
    write_index(out, results)
    rows = _index_rows(out)
    assert rows == {"Good": "good.html", "<b>T</b>": "typed.html"}
    assert "<b>T</b>" not in (out / "index.html").read_text(encoding="utf-8")


def test_safe_stem() -> None:
    assert names_mod.safe_stem("x/a b.yaml") == "a_b"
    assert names_mod.safe_stem("x/名前.yaml") == "名前"
    assert names_mod.safe_stem("x/..yaml") == "profile"
    assert names_mod.safe_stem("x/-rf.yaml") == "_-rf"
    assert names_mod.safe_stem("x/a.b.yaml") == "a_b"  # no dot: <name>.<notebook>.html stays unambiguous
    assert names_mod.safe_stem("x/e\u0301.yaml") == "é"  # NFC
    assert names_mod.safe_stem("x/\x1b[2K\u202e.yaml") == "2K"
    long = names_mod.safe_stem("x/" + "é" * 300 + ".yaml")
    assert len(long.encode()) <= names_mod.MAX_NAME_BYTES and re.search(r"-[0-9a-f]{8}$", long)


# ---------------------------------------------------------------- refusals before any render


@pytest.mark.parametrize(
    "notebook",
    [
        "../notebooks/strategy_report",
        "/tmp/evil",
        "strategy_report.ipynb",
        "notebooks/strategy_report",
        "no_such_notebook",
        "",
        "strategy_report\x00",
        "..",
    ],
)
def test_notebook_must_be_a_name_in_notebooks(tmp_path: Path, notebook: str, no_kernel: list[str]) -> None:
    profile = _profile(tmp_path / "p.yaml", "P")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["render", str(profile), "--out", str(out), "--notebook", notebook])
    assert r.exit_code == 2 and r.stdout == "", r.output
    assert r.stderr.startswith("error: field '--notebook': expected the name of a notebook in notebooks/ (")
    assert r.stderr.count("\n") == 1 and no_kernel == [] and not out.exists()


def test_render_one_refuses_a_notebook_path_too(tmp_path: Path, no_kernel: list[str]) -> None:
    r = render.render_one(_profile(tmp_path / "p.yaml", "P"), notebook="../x", out_dir=tmp_path / "out")
    assert not r.ok and "field '--notebook'" in (r.error or "") and no_kernel == []


@pytest.mark.parametrize("where", ["itself", "parent"])
def test_a_read_only_out_folder_is_one_line(tmp_path: Path, where: str, no_kernel: list[str]) -> None:
    profile = _profile(tmp_path / "p.yaml", "P")
    locked = tmp_path / "ro"
    locked.mkdir()
    out = locked if where == "itself" else locked / "reports"
    os.chmod(locked, 0o555)
    try:
        r = CliRunner().invoke(main, ["render", str(profile), "--out", str(out)])
    finally:
        os.chmod(locked, 0o755)
    assert r.exit_code == 2 and r.stdout == "", r.output
    assert r.stderr.startswith(f"error: {out}: field '--out': read-only folder") and r.stderr.count("\n") == 1
    assert no_kernel == [] and list(locked.iterdir()) == []


def test_out_that_is_a_file_is_one_line(tmp_path: Path, no_kernel: list[str]) -> None:
    out = tmp_path / "out"
    out.write_text("not a folder")
    r = CliRunner().invoke(main, ["render", str(_profile(tmp_path / "p.yaml", "P")), "--out", str(out)])
    assert r.exit_code == 2 and "is a file" in r.stderr and no_kernel == []  # click's own check
    from llmstrategy.errors import RenderError

    with pytest.raises(RenderError, match="is not a folder"):  # the library's, for other callers
        render.render_batch([tmp_path / "p.yaml"], out_dir=out / "sub", progress=False)


def test_an_index_that_cannot_be_written_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from llmstrategy.errors import RenderError
    from llmstrategy.report import index as index_mod

    def denied(*a: Any, **k: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(index_mod, "atomic_write_text", denied)
    ok = render.RenderResult(str(tmp_path / "p.yaml"), "strategy_report", True, html_path=str(tmp_path / "p.html"))
    with pytest.raises(RenderError, match="cannot write the landing page: Permission denied"):
        index_mod.write_index(tmp_path, [ok])


def test_stale_temporary_files_are_removed_before_a_batch(tmp_path: Path, no_kernel: list[str]) -> None:
    out = tmp_path / "out"
    (out / names_mod.CLAIMS_DIR).mkdir(parents=True)
    dead = 2**22 + 4242
    stale = [
        out / f".p.html.{dead}.abcdefgh.tmp",
        out / ".p.costs.csv.abcdefgh.tmp",
        out / ".index" / f".p.json.{dead}.zzzzzzzz.tmp",
    ]
    live = out / f".p.html.{os.getpid()}.livelive.tmp"  # a render running now (this process)
    keep = out / ".notes.txt"
    for p in (*stale, live, keep):
        p.write_text("partial")
        os.utime(p, (time.time() - 5, time.time() - 5))
    _batch([_profile(tmp_path / "p.yaml", "P")], out)
    assert [p for p in stale if p.exists()] == [] and live.exists() and keep.exists()


# ---------------------------------------------------------------- CSV and warnings


HOSTILE_CELLS = [
    "=1+1",
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "-",
]


def test_csv_text_neutralises_formulas_but_not_numbers() -> None:
    import pandas as pd

    df = pd.DataFrame(
        {
            "text": [*HOSTILE_CELLS, "plain", "-3.5", "+4", "1e-5"],
            "number": [-3.5] * (len(HOSTILE_CELLS) + 4),
        }
    )
    rows = list(csv.DictReader(io.StringIO(render.csv_text(df))))
    texts = [r["text"] for r in rows]
    # and a carriage return inside a cell becomes a (quoted) line break
    assert texts[: len(HOSTILE_CELLS)] == ["'" + c.replace("\r", "\n") for c in HOSTILE_CELLS]
    assert texts[len(HOSTILE_CELLS) :] == ["plain", "-3.5", "+4", "1e-5"]
    assert {r["number"] for r in rows} == {"-3.5"}


def test_report_tables_from_a_hostile_catalog_hold_no_formula(tmp_path: Path) -> None:
    """Text that reached the catalog some other way (hand-edited, an older import): the
    report's CSV exports, read as a spreadsheet reads them, start no formula."""
    import shutil

    from conftest import DATA

    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.profile import profile_from_dict
    from llmstrategy.pipeline import evaluate

    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("profiles"))
    with (data / "models.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    evil_id = '=HYPERLINK("http://evil.example","x")'
    clone = {**next(r for r in rows if r["id"] == "gpt-4o-mini"), "id": evil_id, "name": "+cmd", "provider": "@evil"}
    clone["litellm_id"] = ""
    with (data / "models.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows([*rows, clone])
    catalog = load_catalog(data)
    assert evil_id in catalog.models
    profile = profile_from_dict({**BASE_PROFILE, "name": "=1+1", "assumptions": {"api_model": evil_id}})
    analysis, _ = evaluate(profile, catalog, samples=100)
    found = []
    for kind, frame in render.table_frames(analysis).items():
        cells = [c for row in csv.reader(io.StringIO(render.csv_text(frame))) for c in row]
        found += [c for c in cells if c.startswith(("'=", "'@"))]
        assert [c for c in cells if csv_formula_risk(c) or "\r" in c] == [], kind
    assert found, "the hostile model id and provider should be in the tables, neutralised"


def test_warnings_never_reach_a_report() -> None:
    """A cell's stderr (numpy's RuntimeWarning names the install's absolute paths) is dropped
    at export; its stdout and display outputs stay."""
    import nbformat

    from llmstrategy.report.execute import export_html

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = [
        nbformat.v4.new_output(
            "stream",
            name="stderr",
            text="/work/main/.venv/lib/python3.11/site-packages/numpy/core/_methods.py:118: "
            "RuntimeWarning: overflow encountered in reduce\n",
        ),
        nbformat.v4.new_output("stream", name="stdout", text="visible output\n"),
        nbformat.v4.new_output("display_data", data={"text/html": "<p>shown table</p>"}),
    ]
    nb.cells.append(cell)
    page = export_html(nb, "T")
    assert "RuntimeWarning" not in page and "site-packages" not in page and "/work/main" not in page
    assert "visible output" in page and "shown table" in page
