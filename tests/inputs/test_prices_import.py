"""The LiteLLM price importer: the real snapshot, hostile files, atomic writes, a 10 MB map."""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, LITELLM_SNAPSHOT

from llmstrategy import files as io_utils
from llmstrategy.errors import CatalogError, LLMStrategyError, PriceImportError
from llmstrategy.inputs.catalog import load_models
from llmstrategy.inputs.prices_import import (
    PER_TOKEN_TO_PER_MTOK,
    ImportReport,
    import_prices,
    parse_entry,
    read_price_map,
)

AS_OF = date(2026, 11, 23)
SOURCE_TAG = f"LiteLLM price map ({LITELLM_SNAPSHOT.name})"

# Outside CI a checkout without ../shared skips these; under CI a missing snapshot fails.
pytestmark = pytest.mark.skipif(
    not LITELLM_SNAPSHOT.is_file() and not os.environ.get("CI"), reason="LiteLLM snapshot missing"
)

# A chat entry priced like gpt-4o (USD per token).
CHAT: dict[str, Any] = {
    "mode": "chat",
    "litellm_provider": "openai",
    "input_cost_per_token": 2.5e-06,
    "output_cost_per_token": 1e-05,
    "max_input_tokens": 128000,
    "max_output_tokens": 16384,
}


@pytest.fixture(scope="module")
def snapshot() -> dict[str, Any]:
    return json.loads(LITELLM_SNAPSHOT.read_bytes())


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """data/models.csv copied to tmp: the repository's data/ is never written."""
    target = tmp_path / "models.csv"
    shutil.copy(DATA / "models.csv", target)
    return target


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["id"]: r for r in csv.DictReader(fh)}


def _mtok(per_token: float) -> float:
    return per_token * PER_TOKEN_TO_PER_MTOK


# --- the real snapshot ----------------------------------------------------------------------


def test_repository_catalog_untouched_by_this_module(snapshot, catalog_copy):
    before = (DATA / "models.csv").read_bytes()
    import_prices(LITELLM_SNAPSHOT, catalog_copy, as_of=AS_OF)
    assert (DATA / "models.csv").read_bytes() == before


def test_every_chat_entry_parses_or_raises_value_error(snapshot):
    ok = bad = 0
    for key, entry in snapshot.items():
        if key == "sample_spec" or not isinstance(entry, dict) or entry.get("mode") != "chat":
            continue
        try:
            fields = parse_entry(entry)
        except ValueError:
            bad += 1
            continue
        ok += 1
        for col, v in fields.items():
            if isinstance(v, float):
                assert math.isfinite(v) and v >= 0, (key, col, v)
    assert ok > 2000
    assert bad < ok / 50


def test_counts_match_the_file(snapshot, catalog_copy):
    report = import_prices(LITELLM_SNAPSHOT, catalog_copy, as_of=AS_OF)
    entries = len(snapshot) - ("sample_spec" in snapshot)
    chat = sum(1 for k, e in snapshot.items() if k != "sample_spec" and isinstance(e, dict) and e.get("mode") == "chat")
    invalid = 0
    for k, e in snapshot.items():
        if k != "sample_spec" and isinstance(e, dict) and e.get("mode") == "chat":
            try:
                parse_entry(e)
            except ValueError:
                invalid += 1
    assert report.entries == entries > 4000
    assert report.chat_entries == chat > 3000
    assert report.skipped_non_chat == entries - chat
    # the snapshot has a few broken chat entries, and two priced in USD per 1K tokens by mistake
    # ($9,710 and $2,000 per 1M output tokens): rejected as implausible, counted and named
    assert report.skipped_invalid + len(report.implausible) == invalid >= 1
    assert report.implausible == ["azure_ai/jais-30b-chat", "watsonx/core42/jais-13b-chat"]
    assert "2 implausible entries rejected (azure_ai/jais-30b-chat, watsonx/core42/jais-13b-chat)" in report.summary()
    assert report.added == 0
    assert 1 <= len(report.invalid_examples) <= 5
    summary = report.summary()
    assert f"{entries} entries read ({chat} chat)" in summary
    assert "\n" not in summary


def test_every_row_with_a_litellm_id_is_matched(catalog_copy):
    original = load_models(catalog_copy)
    with_id = [m for m in original.values() if m.litellm_id]
    report = import_prices(LITELLM_SNAPSHOT, catalog_copy, as_of=AS_OF)
    assert report.unmatched == []
    assert report.updated + report.unchanged == len(with_id)
    after = load_models(catalog_copy)
    assert list(after) == list(original)  # same rows, same order


def test_written_prices_equal_the_snapshot(snapshot, catalog_copy):
    report = import_prices(LITELLM_SNAPSHOT, catalog_copy, as_of=AS_OF)
    after = load_models(catalog_copy)
    # Sonnet 5's row was read on 2026-11-30, after the map's date: its $3/$15 is kept, the
    # map's stale $2/$10 is not taken (tests/inputs/test_import_history.py)
    kept = {k.split(" ")[0] for k in report.kept}
    assert "claude-sonnet-5" in kept
    assert after["claude-sonnet-5"].input_usd_per_mtok == 3
    gpt4o = after["gpt-4o"]
    assert gpt4o.input_usd_per_mtok == pytest.approx(2.5)
    assert gpt4o.output_usd_per_mtok == pytest.approx(10)
    assert gpt4o.cached_input_usd_per_mtok == pytest.approx(1.25)
    assert gpt4o.batch_input_usd_per_mtok == pytest.approx(1.25)
    assert gpt4o.batch_output_usd_per_mtok == pytest.approx(5)
    assert gpt4o.context_window_tokens == 128000
    assert gpt4o.max_output_tokens == 16384
    gem = after["gemini-2.5-pro"]
    assert gem.long_context_threshold_tokens == 200000
    assert gem.input_usd_per_mtok == pytest.approx(1.25)
    assert gem.long_input_usd_per_mtok == pytest.approx(2.5)
    assert gem.long_output_usd_per_mtok == pytest.approx(15)
    # every matched row: catalog price = snapshot price per token × 1e6
    checked = 0
    for m in after.values():
        entry = snapshot.get(m.litellm_id or "")
        if m.id in kept or not isinstance(entry, dict) or entry.get("input_cost_per_token") is None:
            continue
        assert m.input_usd_per_mtok == pytest.approx(_mtok(entry["input_cost_per_token"]), rel=1e-9)
        assert m.output_usd_per_mtok == pytest.approx(_mtok(entry["output_cost_per_token"]), rel=1e-9)
        checked += 1
    assert checked >= 20


def test_updated_rows_record_file_and_date(catalog_copy):
    # make gpt-4o stale so the import must change it
    text = catalog_copy.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if line.startswith("gpt-4o,"))
    lines[i] = lines[i].replace(",2.5,10,", ",99,99,", 1)
    catalog_copy.write_text("".join(lines), encoding="utf-8")
    before = load_models(catalog_copy)
    assert before["gpt-4o"].input_usd_per_mtok == 99

    report = import_prices(LITELLM_SNAPSHOT, catalog_copy, as_of=AS_OF)
    after = load_models(catalog_copy)
    assert report.updated >= 1
    g = after["gpt-4o"]
    assert (g.input_usd_per_mtok, g.output_usd_per_mtok) == (2.5, 10)
    assert g.source.startswith(SOURCE_TAG)
    assert before["gpt-4o"].source in g.source  # the previous source is kept after it
    assert g.as_of == AS_OF
    # quality, architecture and other non-price columns are untouched
    assert g.quality_score == before["gpt-4o"].quality_score
    assert g.quality_source == before["gpt-4o"].quality_source
    # rows the import did not change keep their source and date
    changed = {mid for mid in after if after[mid] != before[mid]}
    assert len(changed) == report.updated
    for mid in set(after) - changed:
        assert after[mid].source == before[mid].source
        assert after[mid].as_of == before[mid].as_of
    for mid in changed:
        assert after[mid].as_of == AS_OF
        assert SOURCE_TAG in after[mid].source


def test_second_import_changes_nothing(catalog_copy):
    shutil.copy(DATA / "price_history.csv", catalog_copy.parent / "price_history.csv")  # Sonnet 5's correction
    import_prices(LITELLM_SNAPSHOT, catalog_copy, as_of=AS_OF)
    first = catalog_copy.read_bytes()
    report = import_prices(LITELLM_SNAPSHOT, catalog_copy, as_of=date(2027, 1, 1))
    assert report.updated == 0 and report.history_changed == 0
    assert catalog_copy.read_bytes() == first
    # and the source tag is not repeated
    assert all(r["source"].count(SOURCE_TAG) <= 1 for r in _rows(catalog_copy).values())


def test_default_as_of_is_the_file_date(tmp_path, catalog_copy):
    pm = tmp_path / "map.json"
    pm.write_text(json.dumps({"gpt-4o": {**CHAT, "input_cost_per_token": 3e-06}}))
    os.utime(pm, (1_800_000_000, 1_800_000_000))  # 2027-01-15
    import_prices(pm, catalog_copy)
    assert load_models(catalog_copy)["gpt-4o"].as_of.isoformat() in ("2027-01-15", "2027-01-16")
    # a map dated before the row was read (2023-11-14 < 2026-11-01) does not overwrite it
    before = load_models(catalog_copy)["gpt-4o-mini"]
    pm.write_text(json.dumps({"gpt-4o-mini": {**CHAT, "input_cost_per_token": 3e-06}}))
    os.utime(pm, (1_700_000_000, 1_700_000_000))
    report = import_prices(pm, catalog_copy)
    assert load_models(catalog_copy)["gpt-4o-mini"] == before and report.kept[0].startswith("gpt-4o-mini (")


def test_output_option_leaves_catalog_alone(tmp_path, catalog_copy):
    before = catalog_copy.read_bytes()
    out = tmp_path / "out" / "models.csv"
    import_prices(LITELLM_SNAPSHOT, catalog_copy, as_of=AS_OF, output=out)
    assert catalog_copy.read_bytes() == before
    assert set(load_models(out)) == set(load_models(catalog_copy))


def test_add_new_adds_thousands_and_still_loads(snapshot, catalog_copy):
    original = load_models(catalog_copy)
    report = import_prices(LITELLM_SNAPSHOT, catalog_copy, add_new=True, as_of=AS_OF)
    assert report.added > 2000
    # the summary says what the engine still needs before it can choose the new rows
    assert "lack what the engine needs" in report.summary() and "benchmarks.csv" in report.summary()
    after = load_models(catalog_copy)
    assert len(after) == len(original) + report.added
    for mid, row in original.items():  # existing rows keep their place and quality data
        assert after[mid].quality_score == row.quality_score
    assert list(after)[: len(original)] == list(original)
    new = [after[mid] for mid in list(after)[len(original) :]]
    assert all(m.quality_score is None and not m.open_weight for m in new)
    assert all(m.litellm_id in snapshot and m.as_of == AS_OF for m in new)
    assert all(m.source.startswith(SOURCE_TAG) and m.has_api_price for m in new)
    assert len({m.id for m in new}) == len(new)
    one = next(m for m in new if m.litellm_id == "gpt-4o-mini-2024-07-18")
    assert (one.id, one.name, one.provider) == ("gpt-4o-mini-2024-07-18", "GPT-4o mini 2024-07-18", "OpenAI")
    # the maker, as the catalog names it, not the map's slug (issue 15: "xai" beside "xAI")
    assert {m.provider for m in new if m.litellm_id.startswith("xai/")} == {"xAI"}
    assert all("/" not in m.name for m in new if m.provider in {r.provider for r in original.values()})
    # added rows do not shift the counts of the snapshot itself
    assert report.entries == len(snapshot) - 1


# --- hostile files: file-level problems -----------------------------------------------------


def _write(tmp_path: Path, content: str | bytes, name: str = "map.json") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _fails(price_map: Path, catalog: Path, *, add_new: bool = False) -> str:
    before = catalog.read_bytes()
    with pytest.raises(PriceImportError) as info:
        import_prices(price_map, catalog, add_new=add_new, as_of=AS_OF)
    msg = str(info.value)
    assert "\n" not in msg
    assert str(price_map) in msg
    assert catalog.read_bytes() == before  # byte-identical
    assert [p.name for p in catalog.parent.iterdir() if p.name.endswith(".tmp")] == []
    return msg


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        (json.dumps({"gpt-4o": CHAT})[:-7], "invalid JSON at line 1"),
        ("", "invalid JSON at line 1 column 1"),
        ("[1, 2, 3]", "expected a JSON object of model entries, got list"),
        ('"just a string"', "got str"),
        ("null", "got NoneType"),
        ("42", "got int"),
        ("{'single': 'quotes'}", "invalid JSON"),
        ('{"a": 1,}', "invalid JSON"),
        ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
        ('{"a": 1' + "0" * 5000 + "}", "invalid JSON"),  # beyond Python's int-digit limit
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00\xff\xdb", "JSON"),
        (bytes(range(256)) * 8, "JSON"),
    ],
    ids=[
        "truncated",
        "empty",
        "list",
        "string",
        "null",
        "number",
        "single-quotes",
        "trailing-comma",
        "deep",
        "huge-int-literal",
        "jpeg",
        "binary",
    ],
)
def test_broken_file_is_one_line_and_writes_nothing(tmp_path, catalog_copy, content, expect):
    assert expect in _fails(_write(tmp_path, content), catalog_copy)


def test_truncated_real_snapshot(tmp_path, catalog_copy):
    data = LITELLM_SNAPSHOT.read_bytes()
    path = _write(tmp_path, data[: len(data) // 2])
    assert "invalid JSON at line" in _fails(path, catalog_copy, add_new=True)


def test_missing_file(tmp_path, catalog_copy):
    assert "file not found" in _fails(tmp_path / "nope.json", catalog_copy)


def test_directory_instead_of_file(tmp_path, catalog_copy):
    assert "file not found" in _fails(tmp_path, catalog_copy)


def test_read_price_map_returns_the_mapping(tmp_path):
    path = _write(tmp_path, json.dumps({"a": CHAT}).encode("utf-16"))  # json accepts UTF-16
    assert read_price_map(path) == {"a": CHAT}


def test_broken_catalog_is_a_catalog_error_and_untouched(tmp_path):
    catalog = tmp_path / "models.csv"
    catalog.write_text("id,name\nx,y\n")
    before = catalog.read_bytes()
    with pytest.raises(CatalogError) as info:
        import_prices(LITELLM_SNAPSHOT, catalog, as_of=AS_OF)
    assert "missing column" in str(info.value) and str(catalog) in str(info.value)
    assert catalog.read_bytes() == before


def test_failed_write_leaves_catalog_identical(monkeypatch, catalog_copy):
    before = catalog_copy.read_bytes()

    def boom(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io_utils.os, "replace", boom)
    with pytest.raises(CatalogError) as info:
        import_prices(LITELLM_SNAPSHOT, catalog_copy, add_new=True, as_of=AS_OF)
    assert "No space left on device" in str(info.value)
    assert catalog_copy.read_bytes() == before
    assert sorted(p.name for p in catalog_copy.parent.iterdir()) == ["models.csv"]


# --- hostile entries: counted and skipped, never fatal -------------------------------------


def _import(
    tmp_path: Path, catalog: Path, entries: dict[str, Any], *, add_new: bool = False, raw: str | None = None
) -> ImportReport:
    path = _write(tmp_path, raw if raw is not None else json.dumps(entries))
    return import_prices(path, catalog, add_new=add_new, as_of=AS_OF)


@pytest.mark.parametrize(
    ("bad", "expect"),
    [
        ({"input_cost_per_token": "2.5e-06"}, "input_cost_per_token is str"),
        ({"input_cost_per_token": -2.5e-06}, "expected a finite number ≥ 0"),
        ({"output_cost_per_token": [1e-05]}, "output_cost_per_token is list"),
        ({"input_cost_per_token": True}, "is bool"),
        ({"input_cost_per_token": {"usd": 1}}, "is dict"),
        ({"input_cost_per_token": 1e308}, "expected a finite number"),  # × 1e6 = inf
        ({"cache_read_input_token_cost": 1e303}, "expected a finite number"),
        ({"output_cost_per_token": None}, "only one of"),
        ({"max_input_tokens": "128k"}, "expected a positive number of tokens"),
        ({"max_input_tokens": -1}, "expected a positive number of tokens"),
        ({"max_input_tokens": 0.5}, "expected a positive number of tokens"),  # int() → 0
        ({"max_output_tokens": 0}, "expected a positive number of tokens"),
        ({"deprecation_date": "soon"}, "expected YYYY-MM-DD"),
        ({"deprecation_date": "2026-02-30"}, "expected YYYY-MM-DD"),
        ({"input_cost_per_token_above_0k_tokens": 1e-06}, "threshold must be above 0"),
    ],
)
def test_bad_entry_is_skipped_and_counted(tmp_path, catalog_copy, bad, expect):
    before = load_models(catalog_copy)["gpt-4o"]
    entry = {**CHAT, "input_cost_per_token": 3e-06, **bad}
    report = _import(tmp_path, catalog_copy, {"gpt-4o": entry, "gpt-4o-mini": dict(CHAT)})
    assert report.entries == report.chat_entries == 2
    assert report.skipped_invalid == 1
    assert expect in report.invalid_examples[0]
    assert report.invalid_examples[0].startswith("gpt-4o: ")
    after = load_models(catalog_copy)  # still loads: nothing invalid was written
    assert after["gpt-4o"] == before  # the bad entry changed nothing
    assert "gpt-4o" in report.unmatched
    text = catalog_copy.read_text(encoding="utf-8")
    assert ",inf," not in text and ",nan," not in text.lower()


def test_huge_price_never_written_as_inf(tmp_path, catalog_copy):
    # 1e308 USD/token is a finite JSON number, but 1e308 × 1e6 overflows to inf
    report = _import(
        tmp_path,
        catalog_copy,
        {
            "gpt-4o": {**CHAT, "input_cost_per_token": 1e308},
            "brand-new": {**CHAT, "output_cost_per_token": 1e308},
        },
        add_new=True,
    )
    assert report.skipped_invalid == 2 and report.added == 0
    for row in load_models(catalog_copy).values():
        for v in row.model_dump().values():
            assert not (isinstance(v, float) and not math.isfinite(v)), row.id


def test_non_finite_and_huge_integer_literals_are_skipped(tmp_path, catalog_copy):
    # Python's json accepts NaN / Infinity / 1e400 (→ inf) and arbitrarily long integers
    raw = (
        '{"gpt-4o": {"mode": "chat", "input_cost_per_token": NaN, "output_cost_per_token": 1e-05},'
        ' "gpt-4o-mini": {"mode": "chat", "input_cost_per_token": Infinity,'
        ' "output_cost_per_token": 1e-05},'
        ' "gpt-4.1": {"mode": "chat", "input_cost_per_token": 1e400, "output_cost_per_token": 1},'
        ' "gpt-5": {"mode": "chat", "input_cost_per_token": 1' + "0" * 400 + ","
        ' "output_cost_per_token": 1e-05},'
        ' "gpt-5-mini": {"mode": "chat", "max_input_tokens": -1' + "0" * 400 + "}}"
    )
    before = catalog_copy.read_bytes()
    report = _import(tmp_path, catalog_copy, {}, raw=raw)
    assert report.chat_entries == 5 and report.skipped_invalid == 5
    assert any("digits" in ex for ex in report.invalid_examples)
    assert all(len(ex) < 200 for ex in report.invalid_examples)
    assert load_models(catalog_copy) == load_models(_write(tmp_path, before, "before.csv"))


def test_non_dict_and_non_chat_entries_are_counted(tmp_path, catalog_copy):
    report = _import(
        tmp_path,
        catalog_copy,
        {
            "sample_spec": {"mode": "chat", "input_cost_per_token": "price per token"},
            "a-number": 5,
            "a-list": [CHAT],
            "a-null": None,
            "a-string": "chat",
            "no-mode": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06},
            "embedding": {**CHAT, "mode": "embedding"},
            "mode-list": {**CHAT, "mode": ["chat"]},
            "gpt-4o": dict(CHAT),
        },
    )
    assert report.entries == 8  # sample_spec is not an entry
    assert report.chat_entries == 1
    assert report.skipped_non_chat == 7
    assert report.skipped_invalid == 0
    assert report.unchanged == 1  # gpt-4o matched, same prices


def test_missing_keys_keep_catalog_values(tmp_path, catalog_copy):
    before = load_models(catalog_copy)["gpt-4o"]
    report = _import(tmp_path, catalog_copy, {"gpt-4o": {"mode": "chat"}}, add_new=True)
    assert report.chat_entries == 1 and report.skipped_invalid == 0
    assert report.unchanged == 1 and report.added == 0
    assert load_models(catalog_copy)["gpt-4o"] == before


def test_partial_entry_updates_only_its_fields(tmp_path, catalog_copy):
    before = load_models(catalog_copy)["gpt-4o"]
    report = _import(tmp_path, catalog_copy, {"gpt-4o": {"mode": "chat", "max_output_tokens": 999}})
    after = load_models(catalog_copy)["gpt-4o"]
    assert report.updated == 1
    assert after.max_output_tokens == 999
    assert after.input_usd_per_mtok == before.input_usd_per_mtok
    assert after.context_window_tokens == before.context_window_tokens


def test_finetuned_prices_come_from_the_ft_entry(tmp_path, catalog_copy):
    _import(
        tmp_path,
        catalog_copy,
        {
            "gpt-4o": dict(CHAT),
            "ft:gpt-4o": {**CHAT, "input_cost_per_token": 4e-06, "output_cost_per_token": 1.6e-05},
        },
        add_new=True,
    )
    g = load_models(catalog_copy)["gpt-4o"]
    assert g.finetuned_input_usd_per_mtok == pytest.approx(4)
    assert g.finetuned_output_usd_per_mtok == pytest.approx(16)
    assert "ft-gpt-4o" not in load_models(catalog_copy)  # ft: entries are never added


@pytest.mark.parametrize(
    ("key", "entry_change"),
    [
        ("///", {}),  # slugs to an empty id
        ("\ud800lone-surrogate", {}),  # cannot be written as UTF-8
        ("ok-key", {"litellm_provider": "\udfff"}),
        ("new-long", {"input_cost_per_token_above_0k_tokens": 1e-06}),
        ("new-window", {"max_input_tokens": 0.5}),
        ("new-no-window", {"max_input_tokens": None}),
    ],
    ids=["empty-slug", "surrogate-key", "surrogate-provider", "zero-threshold", "half-token-window", "no-window"],
)
def test_add_new_skips_entries_that_cannot_be_rows(tmp_path, catalog_copy, key, entry_change):
    before = load_models(catalog_copy)
    entry = {**CHAT, **entry_change}
    if entry_change.get("max_input_tokens", 1) is None:
        del entry["max_input_tokens"]
    report = _import(tmp_path, catalog_copy, {key: entry, "good-new": dict(CHAT)}, add_new=True)
    assert report.added == 1 and report.skipped_invalid == 1
    after = load_models(catalog_copy)
    assert set(after) == set(before) | {"good-new"}
    for ex in report.invalid_examples:
        ex.encode("utf-8")  # printable by the CLI
        assert "\n" not in ex


def test_add_new_awkward_text_round_trips(tmp_path, catalog_copy):
    weird = 'vendor/Model "X", v2\nline two'
    report = _import(
        tmp_path,
        catalog_copy,
        {
            weird: {**CHAT, "litellm_provider": "a,b", "source": 'https://x/"y",z'},
        },
        add_new=True,
    )
    assert report.added == 1
    row = load_models(catalog_copy)["vendor-model-x-v2-line-two"]
    assert row.name == "Model X V2 Line Two" and row.litellm_id == weird and row.provider == "a,b"
    assert row.source.endswith('https://x/"y",z')


def test_add_new_never_overwrites_a_catalog_id(tmp_path, catalog_copy):
    # a map key that slugs to an existing catalog id is not added over it
    before = load_models(catalog_copy)["claude-opus-4"]
    report = _import(tmp_path, catalog_copy, {"Claude-Opus-4": {**CHAT, "input_cost_per_token": 1}}, add_new=True)
    assert report.added == 0
    assert load_models(catalog_copy)["claude-opus-4"] == before


# --- scale ----------------------------------------------------------------------------------


def test_ten_megabyte_generated_map(tmp_path, catalog_copy):
    entries: dict[str, Any] = {"sample_spec": {"mode": "chat or embedding"}}
    n = 0
    size = 0
    while size < 10_000_000:
        mode = "chat" if n % 4 else "embedding"
        e = {
            **CHAT,
            "mode": mode,
            "input_cost_per_token": (n % 997 + 1) * 1e-08,
            "output_cost_per_token": (n % 991 + 1) * 4e-08,
            "litellm_provider": f"provider-{n % 37}",
            "source": f"https://example.com/pricing/{n}",
            "supports_vision": bool(n % 2),
            "notes": "x" * 100,
        }
        if n % 100 == 7:
            e["input_cost_per_token"] = "free"  # a few invalid chat entries
        entries[f"gen/provider-{n % 37}/model-{n:06d}"] = e
        size += 260 + len(e["notes"])
        n += 1
    path = tmp_path / "big.json"
    path.write_text(json.dumps(entries))
    assert path.stat().st_size >= 10_000_000
    chat = sum(1 for i in range(n) if i % 4)
    invalid = sum(1 for i in range(n) if i % 4 and i % 100 == 7)

    report = import_prices(path, catalog_copy, as_of=AS_OF)
    assert report.entries == n
    assert report.chat_entries == chat
    assert report.skipped_non_chat == n - chat
    assert report.skipped_invalid == invalid
    assert report.added == 0 and report.updated == 0

    before = catalog_copy.read_bytes()
    with pytest.raises(PriceImportError, match=f"would add {chat - invalid:,} new catalog rows, more than the 5,000"):
        import_prices(path, catalog_copy, add_new=True, as_of=AS_OF)  # the default cap on new rows
    assert catalog_copy.read_bytes() == before
    report = import_prices(path, catalog_copy, add_new=True, as_of=AS_OF, max_new=None)
    assert report.added == chat - invalid
    assert len(load_models(catalog_copy)) >= report.added


def test_errors_are_package_errors(tmp_path, catalog_copy):
    # the CLI turns these into one line and exit code 2
    with pytest.raises(LLMStrategyError):
        import_prices(tmp_path / "nope.json", catalog_copy)
