"""`llmstrategy gpus import` on the committed excerpt of the real SkyPilot catalog format
(tests/inputs/data/skypilot): what it writes, the preview, one-line errors with exit code 2 that
leave the offers file as it was, refusals to overwrite silently, and the old script's wrapper."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT

from llmstrategy.cli import main
from llmstrategy.inputs.gpu_offers import ON_DEMAND_MARKETS, load_offers, read_gpu_ids
from llmstrategy.inputs.gpu_owned import owned_offers
from llmstrategy.inputs.skypilot_import import scan_skypilot

EXCERPT = ROOT / "tests" / "inputs" / "data" / "skypilot"
KNOWN = read_gpu_ids(DATA / "gpus.csv")
AS_OF = "2026-11-30"


def _run(*args: str):
    return CliRunner().invoke(main, ["gpus", "import", *args])


@pytest.fixture
def offers(tmp_path: Path) -> Path:
    p = tmp_path / "gpu_offers.csv"
    shutil.copyfile(DATA / "gpu_offers.csv", p)
    return p


def test_import_writes_the_excerpts_on_demand_rows_and_keeps_the_others(offers):
    res = _run(str(EXCERPT), "--offers", str(offers), "--as-of", AS_OF, "--source", "excerpt")
    assert res.exit_code == 0, res.output
    assert "written" in res.output and "changed: h100-sxm specialist_on_demand" in res.output
    rows = load_offers(offers, KNOWN)
    want = scan_skypilot(EXCERPT, DATA / "gpus.csv", as_of=date.fromisoformat(AS_OF), source="excerpt").rows
    got = [r for r in rows if r.market in ON_DEMAND_MARKETS]
    assert got == want
    owned = [r for r in rows if r.market == "owned"]
    assert owned == owned_offers(DATA / "gpu_owned_inputs.csv", KNOWN)
    # a second identical import changes nothing and does not rewrite the file
    before = os.stat(offers).st_mtime_ns
    res = _run(str(EXCERPT), "--offers", str(offers), "--as-of", AS_OF, "--source", "excerpt")
    assert res.exit_code == 0 and "0 added, 0 changed, 0 removed; unchanged" in res.output
    assert os.stat(offers).st_mtime_ns == before


def test_dry_run_previews_the_changes_and_the_csv_and_writes_nothing(offers):
    before = offers.read_bytes()
    res = _run(str(EXCERPT), "--offers", str(offers), "--as-of", AS_OF, "--dry-run")
    assert res.exit_code == 0, res.output
    assert "dry run, not written" in res.output and "gpu_id,market,usd_per_gpu_hour" in res.output
    assert "changed: h100-sxm hyperscaler_on_demand 11.145 -> " in res.output
    assert offers.read_bytes() == before


@pytest.mark.parametrize(
    ("case", "line", "column"),
    [
        ("bad_price", 3, "Price"),
        ("negative_count", 3, "AcceleratorCount"),
        ("infinite_price", 2, "Price"),
        ("ragged_row", 3, None),
        ("no_price_column", None, None),
    ],
)
def test_a_malformed_catalog_row_is_one_line_exit_2_and_the_offers_unchanged(offers, case, line, column):
    before = offers.read_bytes()
    bad = EXCERPT / "malformed" / case / "aws" / "vms.csv"
    res = _run(str(EXCERPT / "lambda"), str(bad), "--offers", str(offers), "--as-of", AS_OF, "--force")
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(bad) in lines[0]
    if line is not None:
        assert f"line {line}:" in lines[0]
    if column is not None:
        assert f"field '{column}'" in lines[0]
    assert offers.read_bytes() == before
    assert [p.name for p in offers.parent.iterdir()] == ["gpu_offers.csv"]  # no temporary file left


def test_an_import_that_would_drop_rows_is_refused_unless_forced(offers):
    before = offers.read_bytes()
    res = _run(str(EXCERPT / "aws"), "--offers", str(offers), "--as-of", AS_OF)
    assert res.exit_code == 2 and "would remove" in res.output and "specialist_on_demand" in res.output
    assert offers.read_bytes() == before
    res = _run(str(EXCERPT / "aws"), "--offers", str(offers), "--as-of", AS_OF, "--force")
    assert res.exit_code == 0, res.output
    kept = {"hyperscaler_on_demand", "owned", "commit_1y", "commit_3y"}  # commitment rows are not the importer's
    assert {r.market for r in load_offers(offers, KNOWN)} == kept


def test_an_older_snapshot_over_newer_rows_is_refused(offers):
    before = offers.read_bytes()
    res = _run(str(EXCERPT), "--offers", str(offers), "--as-of", "2026-01-01")
    assert res.exit_code == 2 and "rows dated after 2026-01-01" in res.output
    assert offers.read_bytes() == before


def test_read_only_offers_are_refused_and_a_link_is_written_through(offers, tmp_path):
    os.chmod(offers, 0o444)
    try:
        res = _run(str(EXCERPT), "--offers", str(offers), "--as-of", AS_OF)
        assert res.exit_code == 2 and "read-only" in res.output
    finally:
        os.chmod(offers, 0o644)
    link = tmp_path / "link.csv"
    link.symlink_to(offers)
    res = _run(str(EXCERPT), "--offers", str(link), "--as-of", AS_OF)
    assert res.exit_code == 0, res.output
    assert link.is_symlink()
    assert load_offers(offers, KNOWN) != load_offers(DATA / "gpu_offers.csv", KNOWN)
    assert oct(os.stat(offers).st_mode & 0o777) == oct(0o644)


def test_bad_arguments_are_one_line_errors(offers):
    res = _run(str(offers.parent / "missing"), "--offers", str(offers))
    assert res.exit_code == 2 and "file not found" in res.output
    res = _run(str(EXCERPT), "--offers", str(offers), "--as-of", "30/11/2026")
    assert res.exit_code == 2 and "expected a date YYYY-MM-DD" in res.output


def test_the_old_script_is_a_thin_wrapper_of_the_command(offers):
    before = offers.read_bytes()
    script = ROOT / "tools" / "import_gpu_offers.py"
    done = subprocess.run(
        [sys.executable, str(script), str(EXCERPT), "--offers", str(offers), "--as-of", AS_OF, "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "dry run, not written" in done.stdout and offers.read_bytes() == before
    bad = EXCERPT / "malformed" / "bad_price"
    done = subprocess.run(
        [sys.executable, str(script), str(bad), "--offers", str(offers)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "field 'Price'" in done.stderr and offers.read_bytes() == before
