"""``prices import`` and ``price_history.csv`` (issue 15): a new model gets a "first read" row in
the same write as its catalog row (both files or neither, a killed import finished by the next
one), a sourced correction newer than the map is kept (Claude Sonnet 5), a price change is
recorded from the map's date, and the hosts' windows replace the models' where the row is older."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import DATA, LITELLM_SNAPSHOT, ROOT

from llmstrategy import files as io_utils
from llmstrategy.cli import main
from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import load_models
from llmstrategy.inputs.catalog_write import journal_path
from llmstrategy.inputs.price_history import load_price_history, price_on
from llmstrategy.inputs.prices_import import import_prices

AS_OF = date(2026, 11, 23)
needs_snapshot = pytest.mark.skipif(
    not LITELLM_SNAPSHOT.is_file() and not os.environ.get("CI"), reason="LiteLLM snapshot missing"
)


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    """models.csv and price_history.csv copied to tmp (data/ is never written); returns models.csv."""
    d = tmp_path / "data"
    d.mkdir()
    for name in ("models.csv", "price_history.csv"):
        shutil.copy(DATA / name, d / name)
    return d / "models.csv"


def _chat(input_usd_per_mtok: float, output_usd_per_mtok: float, **extra: Any) -> dict[str, Any]:
    return {
        "mode": "chat",
        "litellm_provider": "xai",
        "input_cost_per_token": input_usd_per_mtok / 1e6,
        "output_cost_per_token": output_usd_per_mtok / 1e6,
        "max_input_tokens": 500000,
        **extra,
    }


def _map(tmp_path: Path, entries: dict[str, Any]) -> Path:
    path = tmp_path / "map.json"
    path.write_text(json.dumps(entries))
    return path


def _history(models_csv: Path) -> list[dict[str, str]]:
    with (models_csv.parent / "price_history.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _loads_and_agrees(models_csv: Path) -> None:
    """What data/ must satisfy (tests/inputs/test_price_history.py): the pair loads, and every
    priced model has a history ending at its models.csv price."""
    models = load_models(models_csv)
    history = load_price_history(models_csv.parent / "price_history.csv", models)
    for mid, m in models.items():
        if m.has_api_price:
            now = price_on(history[mid], max(date.today(), m.as_of))
            assert now is not None and (now.input_usd_per_mtok, now.output_usd_per_mtok) == (
                m.input_usd_per_mtok,
                m.output_usd_per_mtok,
            ), mid


# ---------------------------------------------------------------- new models


def test_a_new_model_gets_its_maker_a_name_and_a_first_read_row(tmp_path: Path, pair: Path) -> None:
    before = _history(pair)
    report = import_prices(_map(tmp_path, {"xai/grok-4.6": _chat(2, 6)}), pair, add_new=True, as_of=AS_OF)
    row = load_models(pair)["xai-grok-4.6"]
    assert (row.provider, row.name, row.litellm_id) == ("xAI", "Grok 4.6", "xai/grok-4.6")
    after = _history(pair)
    assert after[: len(before)] == before  # the file's rows kept as they were
    (new,) = after[len(before) :]
    assert new["model_id"] == "xai-grok-4.6" and new["provider"] == "xAI"
    assert (new["input_usd_per_mtok"], new["output_usd_per_mtok"], new["valid_from"]) == ("2", "6", "2026-11-23")
    assert new["source"].startswith("first read on 2026-11-23") and "launch date unknown" in new["source"]
    assert report.history_added == 1
    summary = report.summary()
    assert "price_history.csv: 1 rows added (1 new models first read on 2026-11-23, launch date unknown)" in summary
    assert "\n" not in summary
    _loads_and_agrees(pair)


@needs_snapshot
def test_add_new_on_the_real_map_keeps_the_catalog_and_its_history_in_step(pair: Path) -> None:
    report = import_prices(LITELLM_SNAPSHOT, pair, add_new=True, as_of=AS_OF)
    assert report.added > 2000 and report.history_added == report.added
    _loads_and_agrees(pair)
    models = load_models(pair)
    providers = {m.provider for m in models.values()}
    assert "xai" not in providers and "openai" not in providers and "anthropic" not in providers
    assert models["xai-grok-4.6"].provider == "xAI"
    assert len(report.no_maker) < report.added / 5  # most new rows get their maker
    assert f"{len(report.no_maker)} added rows have no known maker" in report.summary()


def test_without_a_history_beside_the_catalog_the_summary_says_none_was_written(tmp_path: Path) -> None:
    catalog = tmp_path / "models.csv"
    shutil.copy(DATA / "models.csv", catalog)
    report = import_prices(_map(tmp_path, {"xai/grok-4.6": _chat(2, 6)}), catalog, add_new=True, as_of=AS_OF)
    assert report.added == 1 and report.history is None
    assert "no price_history.csv beside the catalog: no price history written" in report.summary()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.json", "models.csv"]


def test_output_elsewhere_takes_the_history_with_it(tmp_path: Path, pair: Path) -> None:
    before = {p.name: p.read_bytes() for p in pair.parent.iterdir()}
    out = tmp_path / "out" / "models.csv"
    report = import_prices(_map(tmp_path, {"xai/grok-4.6": _chat(2, 6)}), pair, add_new=True, as_of=AS_OF, output=out)
    assert {p.name: p.read_bytes() for p in pair.parent.iterdir()} == before
    assert report.history == out.parent / "price_history.csv"
    _loads_and_agrees(out)


def test_output_beside_the_catalog_leaves_the_catalogs_history_alone(tmp_path: Path, pair: Path) -> None:
    """models.csv and its history stay a pair: an output in the same folder gets no history."""
    before = {p.name: p.read_bytes() for p in pair.parent.iterdir()}
    out = pair.parent / "models.new.csv"
    report = import_prices(_new_entry_map(tmp_path), pair, add_new=True, as_of=AS_OF, output=out)
    assert report.added == 1 and report.history is None
    assert "no price_history.csv beside the catalog: no price history written" in report.summary()
    assert {p.name: p.read_bytes() for p in pair.parent.iterdir() if p != out} == before
    _loads_and_agrees(pair)


def test_a_new_row_whose_history_row_would_not_load_is_skipped(tmp_path: Path, pair: Path) -> None:
    """price_history.csv refuses a line break in a provider: such an entry is not added at all."""
    entries = {"vendor/cr-model": _chat(1, 2, litellm_provider="line\rbreak"), "xai/grok-4.6": _chat(2, 6)}
    report = import_prices(_map(tmp_path, entries), pair, add_new=True, as_of=AS_OF)
    assert report.added == 1 and report.skipped_invalid == 1
    assert "vendor/cr-model: cannot be added (its price_history.csv row would be invalid" in report.invalid_examples[0]
    _loads_and_agrees(pair)


# ---------------------------------------------------------------- what the map may change


def test_sonnet_5s_sourced_correction_is_kept_over_the_stale_map(tmp_path: Path, pair: Path) -> None:
    """The map still lists Sonnet 5's introductory $2/$10; price_history.csv has the sourced $3/$15
    from 2026-09-01, read 2026-11-30. Whatever the map's date, the catalog keeps $3/$15."""
    stale = {"claude-sonnet-5": {**_chat(2, 10), "litellm_provider": "anthropic", "max_input_tokens": 1000000}}
    history_before = (pair.parent / "price_history.csv").read_bytes()
    for as_of in (AS_OF, date(2026, 11, 30), date(2027, 2, 1)):  # before, on and after the correction was read
        report = import_prices(_map(tmp_path, stale), pair, as_of=as_of)
        sonnet = load_models(pair)["claude-sonnet-5"]
        assert (sonnet.input_usd_per_mtok, sonnet.output_usd_per_mtok) == (3, 15), as_of
        assert sonnet.cached_input_usd_per_mtok == pytest.approx(0.3), as_of  # its discounts too
        assert len(report.kept) == 1 and report.kept[0].startswith("claude-sonnet-5 ("), report.kept
        assert "kept over the map: claude-sonnet-5 (" in report.summary()
    assert (pair.parent / "price_history.csv").read_bytes() == history_before
    # the reasons: newer than the map, then a price the history says ended 2026-08-31
    report = import_prices(_map(tmp_path, stale), pair, as_of=date(2026, 11, 30))
    assert "sourced correction newer than the map: $3/$15 from 2026-09-01, read 2026-11-30" in report.kept[0]
    report = import_prices(_map(tmp_path, stale), pair, as_of=date(2027, 2, 1))
    assert "the map repeats $2/$10, a price that ended 2026-08-31" in report.kept[0]


def test_a_newer_map_price_is_taken_and_recorded_from_the_maps_date(tmp_path: Path, pair: Path) -> None:
    gpt = {"gpt-4o": {**_chat(2.0, 8.0), "litellm_provider": "openai", "max_input_tokens": 128000}}
    report = import_prices(_map(tmp_path, gpt), pair, as_of=date(2027, 1, 15))
    g = load_models(pair)["gpt-4o"]
    assert (g.input_usd_per_mtok, g.output_usd_per_mtok, g.as_of) == (2.0, 8.0, date(2027, 1, 15))
    assert report.updated == 1 and report.history_changed == 1 and report.kept == []
    last = _history(pair)[-1]
    assert (last["model_id"], last["valid_from"], last["input_usd_per_mtok"]) == ("gpt-4o", "2027-01-15", "2")
    assert "price read on 2027-01-15 (the change may be older)" in last["source"]
    models = load_models(pair)
    h = load_price_history(pair.parent / "price_history.csv", models)
    assert price_on(h["gpt-4o"], date(2026, 12, 1)).input_usd_per_mtok == 2.5  # the old price before it
    # the same map again: nothing to change, nothing added
    again = import_prices(_map(tmp_path, gpt), pair, as_of=date(2027, 1, 15))
    assert again.updated == 0 and again.history_changed == 0 and not again.written
    # an older map (Nov 2026) does not undo the newer reading
    old = import_prices(
        _map(tmp_path, {"gpt-4o": {**gpt["gpt-4o"], "input_cost_per_token": 2.5e-6}}), pair, as_of=AS_OF
    )
    assert load_models(pair)["gpt-4o"].input_usd_per_mtok == 2.0 and old.kept


def test_a_row_read_after_the_maps_date_is_kept_whole(tmp_path: Path, pair: Path) -> None:
    """grok-4.5 was read on 2026-11-30: a map of 2026-11-23 changes neither its window nor its price."""
    before = load_models(pair)["grok-4.5"]
    entry = {**_chat(9, 9), "max_input_tokens": 131072}
    report = import_prices(_map(tmp_path, {"xai/grok-4.5": entry}), pair, as_of=AS_OF)
    assert load_models(pair)["grok-4.5"] == before
    assert report.kept and report.kept[0].startswith("grok-4.5 (")
    # a map of a later date is newer evidence: window and price are taken
    import_prices(_map(tmp_path, {"xai/grok-4.5": entry}), pair, as_of=date(2027, 1, 1))
    after = load_models(pair)["grok-4.5"]
    assert (after.context_window_tokens, after.input_usd_per_mtok) == (131072, 9)
    _loads_and_agrees(pair)


@needs_snapshot
def test_the_hosts_windows_replace_the_models_on_older_rows(pair: Path) -> None:
    """The five rows the engineer found: the map's window is what the priced host accepts
    (DeepInfra serves Qwen2.5 at 32,768; DeepSeek's API served V3/R1 at 64K; Nebius caps Llama
    3.1 405B at 128,000), older than nothing in the catalog, so the import sets it."""
    expected = {
        "qwen2.5-7b": 32768,
        "qwen2.5-72b": 32768,
        "deepseek-v3": 65536,
        "deepseek-r1": 65536,
        "llama-3.1-405b": 128000,
    }
    before = load_models(pair)
    report = import_prices(LITELLM_SNAPSHOT, pair, as_of=AS_OF)
    after = load_models(pair)
    assert {mid: after[mid].context_window_tokens for mid in expected} == expected
    for mid, window in expected.items():
        if before[mid].context_window_tokens != window:  # data/ still holds the model's own window
            assert f"{mid} {before[mid].context_window_tokens:,}→{window:,}" in report.summary()
    assert "claude-sonnet-5" in [k.split(" ")[0] for k in report.kept]
    _loads_and_agrees(pair)


# ---------------------------------------------------------------- both files or neither


def _new_entry_map(tmp_path: Path) -> Path:
    return _map(tmp_path, {"xai/grok-4.6": _chat(2, 6)})


def test_a_failure_before_any_rename_leaves_both_files(
    tmp_path: Path, pair: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {p.name: p.read_bytes() for p in pair.parent.iterdir()}

    def boom(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io_utils.os, "replace", boom)
    with pytest.raises(CatalogError, match="No space left on device"):
        import_prices(_new_entry_map(tmp_path), pair, add_new=True, as_of=AS_OF)
    assert {p.name: p.read_bytes() for p in pair.parent.iterdir()} == before  # no journal, no temporary file


def test_a_failure_between_the_renames_is_finished_by_the_next_import(
    tmp_path: Path, pair: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history_before = (pair.parent / "price_history.csv").read_bytes()
    real = os.replace
    calls: list[str] = []

    def second_fails(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 3:  # the journal, models.csv, then price_history.csv
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(io_utils.os, "replace", second_fails)
    with pytest.raises(CatalogError) as info:
        import_prices(_new_entry_map(tmp_path), pair, add_new=True, as_of=AS_OF)
    msg = str(info.value)
    assert "\n" not in msg and "the next prices import completes the rest" in msg
    monkeypatch.setattr(io_utils.os, "replace", real)
    # models.csv is new, the history still old: the pair still loads (models.csv goes first)
    assert "xai-grok-4.6" in load_models(pair)
    assert (pair.parent / "price_history.csv").read_bytes() == history_before
    load_price_history(pair.parent / "price_history.csv", load_models(pair))
    assert journal_path(pair.resolve()).exists()
    report = import_prices(_map(tmp_path, {}), pair, as_of=AS_OF)  # any later import
    assert report.recovered == 1 and "an interrupted import was completed first (1 files)" in report.summary()
    assert _history(pair)[-1]["model_id"] == "xai-grok-4.6"
    assert sorted(p.name for p in pair.parent.iterdir()) == ["models.csv", "price_history.csv"]
    _loads_and_agrees(pair)


KILLED = """
import os, signal, sys
from datetime import date
from pathlib import Path
from llmstrategy.inputs.prices_import import import_prices
real, n = os.replace, []
def replace(src, dst):
    n.append(dst)
    if len(n) == 3:  # after the journal and models.csv, before price_history.csv
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst)
os.replace = replace
import_prices(Path(sys.argv[1]), Path(sys.argv[2]), add_new=True, as_of=date(2026, 11, 23))
"""


def test_an_import_killed_between_the_two_files_is_finished_by_the_next(tmp_path: Path, pair: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED), str(_new_entry_map(tmp_path)), str(pair)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    leftovers = sorted(p.name for p in pair.parent.iterdir())
    assert any(n.startswith(".price_history.csv.") and n.endswith(".tmp") for n in leftovers), leftovers
    assert f".models.csv{'.import-journal'}" in leftovers
    r = CliRunner().invoke(
        main, ["prices", "import", str(_map(tmp_path, {})), "--catalog", str(pair), "--as-of", "2026-11-23"]
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"{pair}: an interrupted import was completed first (1 files); ")
    assert sorted(p.name for p in pair.parent.iterdir()) == ["models.csv", "price_history.csv"]
    _loads_and_agrees(pair)
    assert load_models(pair)["xai-grok-4.6"].provider == "xAI"


# ---------------------------------------------------------------- hostile history files


def _import_new_entry(tmp_path: Path, pair: Path) -> Any:
    """``prices import`` of a map with one new entry into ``pair``'s catalog, --add-new, map dated 2026-11-23."""
    args = ["prices", "import", str(_new_entry_map(tmp_path)), "--catalog", str(pair), "--add-new"]
    return CliRunner().invoke(main, [*args, "--as-of", "2026-11-23"])


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("model,price\n", "expected the columns"),
        (
            "model_id,provider,input_usd_per_mtok,output_usd_per_mtok,valid_from,source,as_of\n"
            "gpt-4o,OpenAI,2.5,10,2024-13-01,s,2026-11-30\n",
            "line 2",
        ),
        (
            "model_id,provider,input_usd_per_mtok,output_usd_per_mtok,valid_from,source,as_of\n"
            "gpt-9,OpenAI,2.5,10,2024-10-01,s,2026-11-30\n",
            "unknown model id 'gpt-9'",
        ),
        (b"\xff\xfe\x00binary", "not a readable UTF-8 CSV file"),
    ],
    ids=["header", "bad-date", "unknown-model", "binary"],
)
def test_a_broken_history_is_one_line_and_nothing_is_written(
    tmp_path: Path, pair: Path, content: str | bytes, expect: str
) -> None:
    hist = pair.parent / "price_history.csv"
    hist.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = {p.name: p.read_bytes() for p in pair.parent.iterdir()}
    r = _import_new_entry(tmp_path, pair)
    assert r.exit_code == 2 and r.stdout == "" and r.stderr.count("\n") == 1, r.output
    assert r.stderr.startswith(f"error: {hist}") and expect in r.stderr
    assert {p.name: p.read_bytes() for p in pair.parent.iterdir()} == before


def test_a_read_only_history_is_refused_before_anything_is_written(tmp_path: Path, pair: Path) -> None:
    hist = pair.parent / "price_history.csv"
    os.chmod(hist, 0o444)
    before = {p.name: p.read_bytes() for p in pair.parent.iterdir()}
    r = _import_new_entry(tmp_path, pair)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "read-only" in r.stderr, r.output
    assert {p.name: p.read_bytes() for p in pair.parent.iterdir()} == before


def test_a_tampered_journal_is_one_line_and_nothing_is_written(tmp_path: Path, pair: Path) -> None:
    journal = journal_path(pair.resolve())
    journal.write_text(json.dumps({"renames": [["/etc/passwd", str(pair)]]}))
    before = {p.name: p.read_bytes() for p in pair.parent.iterdir()}
    with pytest.raises(CatalogError) as info:
        import_prices(_new_entry_map(tmp_path), pair, add_new=True, as_of=AS_OF)
    assert "\n" not in str(info.value) and "journal that cannot be read" in str(info.value)
    assert {p.name: p.read_bytes() for p in pair.parent.iterdir()} == before
