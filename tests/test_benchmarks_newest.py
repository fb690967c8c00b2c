"""The newest models' scores and launch dates (issue 15, fourth and fifth passes): what was found is
loaded with its source, and every current model the engine cannot choose by itself (no score on
any task type's benchmark) is named in data/README_benchmarks.md with what was searched."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from llmstrategy.inputs.catalog import default_data_dir, load_catalog

DATA = default_data_dir()


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(("model_id", "score"), [("glm-5.3", 91.7), ("glm-5.3-flash", 91.2)])
def test_glm_5_3_has_the_artificial_analysis_gpqa_diamond_score(model_id: str, score: float) -> None:
    assert load_catalog().scores[model_id]["gpqa_diamond"] == score
    row = next(r for r in _rows("benchmarks.csv") if r["model_id"] == model_id and r["benchmark"] == "gpqa_diamond")
    assert "artificialanalysis.ai/evaluations/gpqa-diamond" in row["source"]
    assert row["as_of"] == "2026-09-19"


@pytest.mark.parametrize(
    ("model_id", "launch", "price"),
    [
        ("claude-mythos-5", date(2026, 6, 9), (10.0, 50.0)),
        ("glm-5.3", date(2026, 8, 18), (1.4, 4.4)),
        ("glm-5.3-flash", date(2026, 8, 26), (0.075, 0.25)),
        ("gemini-3.8-flash", date(2026, 9, 2), (0.75, 3.75)),
        ("grok-4.7", date(2026, 9, 21), (2.0, 6.0)),
        ("claude-sonnet-5.5", date(2026, 9, 28), (2.0, 10.0)),
        ("mistral-large-4", date(2026, 10, 6), (1.36, 4.18)),
        ("qwen3.8-flash", date(2026, 8, 26), (0.15, 0.47)),
    ],
)
def test_a_found_launch_date_dates_the_model(model_id: str, launch: date, price: tuple[float, float]) -> None:
    before = load_catalog(on_date=date.fromordinal(launch.toordinal() - 1))
    assert model_id not in before.models
    m = load_catalog(on_date=launch).models[model_id]
    assert (m.input_usd_per_mtok, m.output_usd_per_mtok) == price


def test_glm_5_3_flash_costs_its_standard_price_after_the_launch_promotion() -> None:
    promo = load_catalog(on_date=date(2026, 9, 9)).models["glm-5.3-flash"]
    standard = load_catalog(on_date=date(2026, 9, 10)).models["glm-5.3-flash"]
    assert (promo.input_usd_per_mtok, promo.output_usd_per_mtok) == (0.075, 0.25)
    assert (standard.input_usd_per_mtok, standard.output_usd_per_mtok) == (0.15, 0.5)
    today = load_catalog().models["glm-5.3-flash"]
    assert (today.input_usd_per_mtok, today.output_usd_per_mtok) == (0.15, 0.5)


def _task_benchmarks() -> set[str]:
    """Every benchmark some task type is judged on first (data/quality.yaml): a model with none of them
    is never chosen automatically, whatever secondary (long-context, multilingual) scores it has."""
    doc = yaml.safe_load((DATA / "quality.yaml").read_text(encoding="utf-8"))
    return {b for t in doc["task_types"].values() for b in t["benchmarks"]["value"]}


@pytest.mark.parametrize(
    ("model_id", "benchmark", "score", "as_of"),
    [
        ("gemini-3.8-flash", "gpqa_diamond", 95.3, "2026-09-24"),
        ("gemini-3.8-flash", "aa_lcr", 81.3, "2026-09-24"),
        ("claude-opus-5.5", "aa_lcr", 82.7, "2026-09-22"),
    ],
)
def test_fifth_pass_scores_are_artificial_analysis_figures_of_the_default_variant(
    model_id: str, benchmark: str, score: float, as_of: str
) -> None:
    assert load_catalog().scores[model_id][benchmark] == score
    row = next(r for r in _rows("benchmarks.csv") if r["model_id"] == model_id and r["benchmark"] == benchmark)
    assert "Artificial Analysis" in row["source"]
    assert re.search(r"\b[Hh]igh is the (Claude )?API'?s? default", row["source"]), (
        "AA figure of the API's default effort"
    )
    assert row["as_of"] == as_of
    if benchmark == "aa_lcr":
        assert "v1.1" in row["source"], "AA-LCR v1.1 figures say so: the 2026-08-08 rows are v1.0"


def test_gemini_3_8_flash_can_now_be_judged_and_claude_opus_5_5_still_cannot() -> None:
    scores = load_catalog().scores
    primary = _task_benchmarks()
    assert primary & set(scores["gemini-3.8-flash"])
    assert not primary & set(scores["claude-opus-5.5"]), "Opus 5.5 has a long-context score only"


def test_every_model_without_a_score_is_listed_in_the_readme_with_what_was_searched() -> None:
    primary = _task_benchmarks()
    scored = {r["model_id"] for r in _rows("benchmarks.csv") if r["benchmark"] in primary}
    unscored = [r["id"] for r in _rows("models.csv") if r["id"] not in scored and not r["quality_score"]]
    text = (DATA / "README_benchmarks.md").read_text(encoding="utf-8")
    section = text.split("### Current models with no score yet", 1)[1].split("\n#", 1)[0]
    listed = set(re.findall(r"^- `([^`]+)`", section, flags=re.MULTILINE))
    assert unscored, "expected some models still without a published score"
    assert sorted(set(unscored) - listed) == []
    assert sorted(listed - set(unscored)) == [], "a model listed as unscored now has a score"


def test_launch_dates_still_unknown_are_the_ones_the_readme_names() -> None:
    unknown = {r["model_id"] for r in _rows("price_history.csv") if "launch date not found" in r["source"]}
    text = (Path(DATA) / "README_benchmarks.md").read_text(encoding="utf-8")
    section = text.split("### Launch dates still unknown", 1)[1].split("\n#", 1)[0]
    listed = set(re.findall(r"^- `([^`]+)`", section, flags=re.MULTILINE))
    assert unknown == listed
