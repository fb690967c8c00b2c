"""Strict profile types (issue 17): no booleans as numbers, no duplicate YAML keys, weights and
volumes refused with the field named when the engine could not compute them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE_PROFILE
from schema_ranges import numeric_fields, with_value

from llmstrategy.errors import ProfileError
from llmstrategy.inputs.profile import MAX_WEIGHT, MIN_REQUESTS_PER_DAY, load_profile, profile_from_dict

NUMERIC = {f.dotted: f.path for f in numeric_fields()}


def _with(dotted: str, value: Any) -> dict[str, Any]:
    return with_value(dict(BASE_PROFILE), NUMERIC[dotted], value)


def test_the_schema_walk_finds_every_numeric_section() -> None:
    assert {"requests_per_day", "team.ml_engineers", "rag.corpus_tokens", "assumptions.gpu_utilization"} <= set(NUMERIC)
    # a list of records is drawn through one item (``evals.0.passed``)
    assert "data_may_leave" not in NUMERIC and len(NUMERIC) >= 25


@pytest.mark.parametrize("value", [True, False], ids=["true", "false"])
@pytest.mark.parametrize("dotted", NUMERIC)
def test_a_boolean_is_not_a_number(dotted: str, value: bool) -> None:
    """YAML's true / false for a count, a rate or a price: pydantic's lax mode would read 1 or 0."""
    with pytest.raises(ProfileError) as info:
        profile_from_dict(_with(dotted, value))
    msg = str(info.value)
    refusals = ("expected a number, got true or false", "should be a valid integer", "should be a valid number")
    assert f"field '{dotted}'" in msg and any(r in msg for r in refusals), msg


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_not_a_weight(value: bool) -> None:
    with pytest.raises(ProfileError, match=r"field 'weights'.*expected a number, got true or false"):
        profile_from_dict({**BASE_PROFILE, "weights": {"quality": 1, "latency": value}})


def test_booleans_stay_booleans_and_numbers_stay_numbers() -> None:
    p = profile_from_dict({**BASE_PROFILE, "data_may_leave": False, "labeled_examples": 1.0, "weights": {"quality": 2}})
    assert p.data_may_leave is False and p.labeled_examples == 1 and p.weights == {"quality": 2.0}


@pytest.mark.parametrize(
    ("yaml_text", "key", "line"),
    [
        ("stage: validated\nstage: scaling\n", "'stage'", 2),
        ("team:\n  ml_engineers: 1\n  ml_engineers: 5\n", "'ml_engineers'", 3),
        ("weights: {quality: 1, quality: 9}\n", "'quality'", 1),
        ("assumptions:\n  gpu: h100-sxm\n  api_model: gpt-4o\n  gpu: a100-80gb\n", "'gpu'", 4),
        ("1: a\n1.0: b\n", "1.0", 2),  # equal keys of two spellings
    ],
    ids=["top-level", "nested", "flow-mapping", "assumptions", "numeric-keys"],
)
def test_duplicate_keys_are_refused_naming_the_key(tmp_path: Path, yaml_text: str, key: str, line: int) -> None:
    path = tmp_path / "p.yaml"
    base = yaml.safe_dump({k: v for k, v in BASE_PROFILE.items() if k != "stage"}, sort_keys=False)
    path.write_text(yaml_text + base)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    msg = str(info.value)
    assert f"invalid YAML at line {line}: duplicate key {key}" in msg, msg
    assert "\n" not in msg


def test_a_merge_key_may_still_be_overridden(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    body = yaml.safe_dump({k: v for k, v in BASE_PROFILE.items() if k != "team"}, sort_keys=False)
    path.write_text(body + "team:\n  <<: {ml_engineers: 1, infra_engineers: 1}\n  ml_engineers: 3\n")
    assert load_profile(path).team.ml_engineers == 3


@pytest.mark.parametrize("weight", [1e308, 1.7976931348623157e308, MAX_WEIGHT * 1.0001])
def test_huge_weights_are_refused_naming_the_field(weight: float) -> None:
    with pytest.raises(ProfileError) as info:
        profile_from_dict({**BASE_PROFILE, "weights": {"quality": weight, "upfront_cost": weight}})
    msg = str(info.value)
    assert "field 'weights'" in msg and "must be a number from 0 to 1e+06" in msg and "sum to 0" not in msg, msg


def test_weights_at_the_cap_are_normalized() -> None:
    from conftest import make_profile

    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.pipeline import evaluate

    a, _ = evaluate(make_profile(weights={"quality": MAX_WEIGHT, "latency": MAX_WEIGHT}), load_catalog(), samples=100)
    weights = a.extras["weights"]["values"]
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights["quality"] == pytest.approx(weights["latency"]) and weights["quality"] > 0.49


@pytest.mark.parametrize("rpd", [1e-320, 5e-324, 1e-300, MIN_REQUESTS_PER_DAY / 2])
def test_volumes_below_the_floor_are_refused(rpd: float) -> None:
    with pytest.raises(ProfileError, match="field 'requests_per_day': Input should be greater than or equal to"):
        profile_from_dict({**BASE_PROFILE, "requests_per_day": rpd})
    assert profile_from_dict({**BASE_PROFILE, "requests_per_day": MIN_REQUESTS_PER_DAY}).requests_per_day == 1e-9
