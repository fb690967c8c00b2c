"""Prices and models as of a date (data/price_history.csv): the loader's refusals, the price valid
on a day, models not yet available, a date before the history, the committed file against
models.csv, and `analyze --as-of` on a past date."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA

from llmstrategy.cli import main
from llmstrategy.errors import CatalogError, UnknownIdError
from llmstrategy.inputs.catalog import load_catalog, load_models
from llmstrategy.inputs.price_history import (
    COLUMNS,
    catalog_on,
    earliest,
    load_price_history,
    price_on,
    reprice,
)

HISTORY = DATA / "price_history.csv"
MODELS = load_models(DATA / "models.csv")
TODAY = date.today()


def _write(tmp_path: Path, *rows: str) -> Path:
    p = tmp_path / "price_history.csv"
    p.write_text(",".join(COLUMNS) + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


GOOD = "gpt-4o,OpenAI,5,15,2024-05-13,launch post,2026-11-30"


# --- the loader ------------------------------------------------------------------------------


def test_loader_sorts_each_models_rows_by_date(tmp_path):
    p = _write(tmp_path, "gpt-4o,OpenAI,2.5,10,2024-10-02,alias moved,2026-11-30", GOOD)
    h = load_price_history(p, MODELS)
    assert [x.valid_from for x in h["gpt-4o"]] == [date(2024, 5, 13), date(2024, 10, 2)]
    assert earliest(h) == date(2024, 5, 13)


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        ("gpt-9,OpenAI,5,15,2024-05-13,s,2026-11-30", "model_id", "unknown model id 'gpt-9'"),
        ("gpt-4o,Anthropic,5,15,2024-05-13,s,2026-11-30", "provider", "models.csv says 'OpenAI'"),
        ("gpt-4o,OpenAI,-5,15,2024-05-13,s,2026-11-30", "input_usd_per_mtok", "greater than or equal"),
        ("gpt-4o,OpenAI,5,nan,2024-05-13,s,2026-11-30", "output_usd_per_mtok", "finite"),
        ("gpt-4o,OpenAI,5,15,2024-13-40,s,2026-11-30", "valid_from", "date"),
        ("gpt-4o,OpenAI,5,15,2024-05-13,,2026-11-30", "source", ""),
        ("gpt-4o,OpenAI,5,15,2024-05-13,=HYPERLINK(1),2026-11-30", "source", "formula"),
        ("gpt-4o,OpenAI,5,15,2024-05-13,s,", "as_of", ""),
    ],
)
def test_loader_refuses_bad_rows_in_one_line(tmp_path, row, field, fragment):
    p = _write(tmp_path, row)
    with pytest.raises(CatalogError) as err:
        load_price_history(p, MODELS)
    msg = str(err.value)
    assert "\n" not in msg and str(p) in msg and "line 2:" in msg and f"field '{field}'" in msg
    assert fragment in msg


def test_loader_refuses_a_second_row_for_a_day_a_wrong_header_and_a_ragged_row(tmp_path):
    with pytest.raises(CatalogError, match="a second row for gpt-4o from 2024-05-13"):
        load_price_history(_write(tmp_path, GOOD, GOOD.replace(",5,15,", ",6,16,")), MODELS)
    bad = tmp_path / "h.csv"
    bad.write_text("model,price\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="expected the columns"):
        load_price_history(bad, MODELS)
    with pytest.raises(CatalogError, match="line 2: the row has not"):
        load_price_history(_write(tmp_path, GOOD + ",extra"), MODELS)
    with pytest.raises(CatalogError, match="file not found"):
        load_price_history(tmp_path / "none.csv", MODELS)


# --- the price on a day ----------------------------------------------------------------------


def test_the_price_valid_on_a_day_is_the_latest_row_on_or_before_it(tmp_path):
    h = load_price_history(_write(tmp_path, GOOD, "gpt-4o,OpenAI,2.5,10,2024-10-02,cut,2026-11-30"), MODELS)
    pts = h["gpt-4o"]
    assert price_on(pts, date(2024, 5, 12)) is None
    assert price_on(pts, date(2024, 5, 13)).input_usd_per_mtok == 5  # valid_from is inclusive
    assert price_on(pts, date(2024, 10, 1)).input_usd_per_mtok == 5
    assert price_on(pts, date(2024, 10, 2)).input_usd_per_mtok == 2.5


def test_reprice_scales_the_other_prices_and_keeps_an_equal_price_as_is(tmp_path):
    m = MODELS["gpt-4o"]  # 2.5 / 10, cached 1.25, batch 1.25 / 5
    h = load_price_history(_write(tmp_path, GOOD), MODELS)
    old = reprice(m, h["gpt-4o"][0])
    assert (old.input_usd_per_mtok, old.output_usd_per_mtok) == (5, 15)
    assert old.cached_input_usd_per_mtok == pytest.approx(m.cached_input_usd_per_mtok * 2)
    assert old.batch_output_usd_per_mtok == pytest.approx(m.batch_output_usd_per_mtok * 1.5)
    assert old.finetuned_input_usd_per_mtok == m.finetuned_input_usd_per_mtok  # not a base price
    assert "valid from 2024-05-13" in old.source
    same = h["gpt-4o"][0].model_copy(update={"input_usd_per_mtok": 2.5, "output_usd_per_mtok": 10})
    assert reprice(m, same) is m


def test_models_not_yet_priced_are_left_out_and_those_without_history_kept(tmp_path):
    h = load_price_history(_write(tmp_path, GOOD, "gpt-5,OpenAI,1.25,10,2025-08-07,launch,2026-11-30"), MODELS)
    models, later = catalog_on(MODELS, h, date(2025, 1, 1))
    assert "gpt-5" not in models and later == {"gpt-5": date(2025, 8, 7)}
    assert models["claude-opus-4"] == MODELS["claude-opus-4"]  # no row: as in models.csv
    with pytest.raises(CatalogError) as err:
        catalog_on(MODELS, h, date(2024, 5, 12), where="h.csv")
    assert "no price history before 2024-05-13" in str(err.value) and "field '--as-of'" in str(err.value)


# --- the committed file and load_catalog(on_date=...) ---------------------------------------


def test_every_priced_model_has_a_sourced_history_that_ends_at_its_models_csv_price():
    h = load_price_history(HISTORY, MODELS)
    with HISTORY.open(newline="", encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    assert all(r["source"].strip() and r["as_of"].strip() for r in raw)
    for mid, m in MODELS.items():
        if not m.has_api_price:
            continue
        assert mid in h, f"{mid} has an API price but no row in data/price_history.csv"
        now = price_on(h[mid], max(TODAY, m.as_of))
        assert now is not None and (now.input_usd_per_mtok, now.output_usd_per_mtok) == (
            m.input_usd_per_mtok,
            m.output_usd_per_mtok,
        ), f"{mid}: the latest price_history.csv row disagrees with models.csv (record the change with its date)"
        assert all(p.as_of <= TODAY and p.valid_from <= TODAY for p in h[mid])


def test_a_past_date_uses_that_dates_price_and_today_uses_todays():
    launch = load_catalog(DATA, on_date=date(2024, 6, 1))
    assert launch.models["gpt-4o"].input_usd_per_mtok == 5 and launch.models["gpt-4o"].output_usd_per_mtok == 15
    assert "gpt-5" not in launch.models and launch.on_date == date(2024, 6, 1)
    after_cut = load_catalog(DATA, on_date=date(2024, 11, 1))
    assert after_cut.models["gpt-4o"].input_usd_per_mtok == 2.5
    assert "gpt-4o-mini" in after_cut.models and "llama-3.1-70b" in after_cut.models
    today = load_catalog(DATA, on_date=TODAY)
    assert today.models == load_catalog(DATA).models  # today's prices are models.csv's
    promo = load_catalog(DATA, on_date=date(2025, 1, 15)).models["deepseek-v3"]
    assert (promo.input_usd_per_mtok, promo.output_usd_per_mtok) == (0.14, 0.28)


def test_a_model_not_yet_available_is_named_as_such_and_its_rows_dropped():
    cat = load_catalog(DATA, on_date=date(2024, 6, 1))
    with pytest.raises(UnknownIdError, match=r"'gpt-5' was not available on 2024-06-01 \(first priced 2025-08-07"):
        cat.model("gpt-5", field="assumptions.api_model")
    assert set(cat.scores) <= set(cat.models) and set(cat.api_latency) <= set(cat.models)
    assert all(o.model_id in cat.models for o in (*cat.finetune_offers, *cat.provisioned))


def test_a_date_before_the_history_is_a_one_line_error():
    with pytest.raises(CatalogError) as err:
        load_catalog(DATA, on_date=date(2024, 5, 12))
    assert str(err.value).count("\n") == 0 and "price_history.csv" in str(err.value)


#: issue 15: models whose first row was only the date their price was first read (2026-11-29),
#: with the API launch (or open-weight release) date the sources give
LAUNCHED = {
    "claude-opus-4.7": date(2026, 4, 16),
    "claude-sonnet-5": date(2026, 6, 30),
    "deepseek-v3.2": date(2025, 12, 1),
    "gemini-3.1-pro": date(2026, 2, 19),
    "glm-4.7": date(2025, 12, 22),
    "gpt-5.4": date(2026, 3, 5),
    "gpt-5.4-mini": date(2026, 3, 17),
    "gpt-5.4-nano": date(2026, 3, 17),
    "gpt-5.5": date(2026, 4, 23),
    "kimi-k2": date(2025, 9, 5),
    "mistral-large-3": date(2025, 12, 2),
    "mistral-small-3.2": date(2025, 6, 20),
    "qwen3-coder-30b-a3b": date(2025, 7, 31),
    "qwen3-30b-a3b": date(2025, 7, 29),
    "grok-4.3": date(2026, 4, 30),
    # issue 15, second pass: current models the catalog lacked
    "gpt-5.6-luna": date(2026, 7, 9),
    "gpt-5.6-terra": date(2026, 7, 9),
    "gpt-5.6-sol": date(2026, 7, 9),
    "claude-opus-5": date(2026, 7, 24),
    "gemini-3.1-flash-lite": date(2026, 3, 3),
    "gemini-3.5-flash-lite": date(2026, 7, 21),
    "qwen3.8-max": date(2026, 8, 3),
    # issue 15, third pass: models newer than the 2026-08-08 Artificial Analysis scrape
    "gpt-6-astra": date(2026, 9, 3),
    "gpt-6-luna": date(2026, 9, 22),
    "gpt-6-sol": date(2026, 9, 22),
    "gpt-6.1-sol": date(2026, 9, 29),
    "claude-fable-5": date(2026, 6, 9),
    "claude-opus-5.5": date(2026, 9, 22),
    "claude-haiku-5.5": date(2026, 10, 7),
    "gemini-4-argon": date(2026, 9, 30),
    # issue 15, open-weight pass: hosted open models, dated by their weights' release
    "gemma-4-31b": date(2026, 4, 2),
    "gemma-4-26b-a4b": date(2026, 4, 2),
    "kimi-k2.6": date(2026, 4, 20),
}


def test_models_count_from_their_launch_not_from_the_day_their_price_was_read():
    h = load_price_history(HISTORY, MODELS)
    assert {mid: h[mid][0].valid_from for mid in LAUNCHED} == LAUNCHED
    mid_2026 = load_catalog(DATA, on_date=date(2026, 6, 1))
    assert {m for m, d in LAUNCHED.items() if d <= date(2026, 6, 1)} <= set(mid_2026.models)
    assert mid_2026.unavailable["claude-sonnet-5"] == date(2026, 6, 30)
    eve = load_catalog(DATA, on_date=date(2026, 3, 4))  # the day before GPT-5.4's launch
    assert "gpt-5.4" in eve.unavailable and "gemini-3.1-pro" in eve.models
    # a first row that is only the day a price was read stays only where no launch date was found
    with HISTORY.open(newline="", encoding="utf-8") as fh:
        first_read = {r["model_id"] for r in csv.DictReader(fh) if r["source"].startswith("first read")}
    assert first_read <= {
        "grok-4.7",
        "gpt-6.1-terra",
        "claude-sonnet-5.5",
        "claude-mythos-5",
        "gemini-3.8-flash",
        "glm-5.3",
        "glm-5.3-flash",
        "mistral-large-4",
        "qwen3.8-flash",
    }


def test_claude_sonnet_5_introductory_price_then_its_standard_price():
    july = load_catalog(DATA, on_date=date(2026, 7, 15)).models["claude-sonnet-5"]
    assert (july.input_usd_per_mtok, july.output_usd_per_mtok) == (2, 10)
    assert july.batch_output_usd_per_mtok == pytest.approx(5) and july.cached_input_usd_per_mtok == pytest.approx(0.2)
    sept = load_catalog(DATA, on_date=date(2026, 9, 1)).models["claude-sonnet-5"]
    assert (sept.input_usd_per_mtok, sept.output_usd_per_mtok) == (3, 15)


# --- analyze --as-of -------------------------------------------------------------------------


def _api_monthly(out: str) -> float:
    row = next(c for c in json.loads(out)["costs"] if c["id"] == "api")
    assert "gpt-4o" in json.dumps(row["models"])
    return float(row["monthly_usd"])


def test_analyze_as_of_a_past_date_prices_that_date(write_profile):
    prof = write_profile(assumptions={"api_model": "gpt-4o"})
    runner = CliRunner()
    costs = {}
    for day in ("2024-06-01", "2024-11-01", TODAY.isoformat()):
        res = runner.invoke(main, ["analyze", str(prof), "--json", "--as-of", day, "--samples", "100"])
        assert res.exit_code == 0, res.output
        costs[day] = _api_monthly(res.stdout)
    # the API model's price halved on input and fell by a third on output between the two dates
    assert costs["2024-06-01"] > costs["2024-11-01"] * 1.4
    assert costs["2024-11-01"] == pytest.approx(costs[TODAY.isoformat()])
    res = runner.invoke(main, ["analyze", str(prof), "--as-of", "2023-01-01"])
    assert res.exit_code == 2 and "no price history before" in res.output and res.output.count("\n") == 1
    named = write_profile("late.yaml", assumptions={"api_model": "gpt-5"})
    res = runner.invoke(main, ["analyze", str(named), "--as-of", "2024-06-01"])
    assert res.exit_code == 2 and "was not available on 2024-06-01" in res.output


def test_a_price_refreshed_after_the_history_counts_from_the_day_it_was_read(tmp_path):
    # prices import wrote a new gpt-4o price read on 2027-02-01; the history stops in 2024
    h = load_price_history(_write(tmp_path, GOOD, "gpt-4o,OpenAI,2.5,10,2024-10-02,alias moved,2026-11-30"), MODELS)
    refreshed = MODELS["gpt-4o"].model_copy(update={"input_usd_per_mtok": 1.0, "as_of": date(2027, 2, 1)})
    fresh = {**MODELS, "gpt-4o": refreshed}
    on = {d: catalog_on(fresh, h, d)[0]["gpt-4o"].input_usd_per_mtok for d in (date(2025, 1, 1), date(2027, 3, 1))}
    assert on == {date(2025, 1, 1): 2.5, date(2027, 3, 1): 1.0}


def test_gpt_5_6_launch_prices_then_the_cuts():
    # launch 2026-07-09; Luna -80% and Terra -20% on 2026-07-30; Sol's promotional $4/$20 from 2026-08-21
    def prices(day: date) -> dict[str, tuple[float, float]]:
        models = load_catalog(DATA, on_date=day).models
        ids = ("gpt-5.6-luna", "gpt-5.6-terra", "gpt-5.6-sol")
        return {m: (models[m].input_usd_per_mtok, models[m].output_usd_per_mtok) for m in ids}

    assert prices(date(2026, 7, 15)) == {"gpt-5.6-luna": (1, 6), "gpt-5.6-terra": (2.5, 15), "gpt-5.6-sol": (5, 30)}
    assert prices(date(2026, 8, 1)) == {"gpt-5.6-luna": (0.2, 1.2), "gpt-5.6-terra": (2, 12), "gpt-5.6-sol": (5, 30)}
    assert prices(date(2026, 8, 21))["gpt-5.6-sol"] == (4, 20)
    assert "gpt-5.6-luna" not in load_catalog(DATA, on_date=date(2026, 7, 8)).models
