"""Profiles: valid examples load; each kind of bad input is one clear line."""

from pathlib import Path

import pytest
import yaml
from conftest import BASE_PROFILE, DATA

from llmstrategy.errors import ProfileError
from llmstrategy.inputs.profile import load_profile, profile_to_yaml, save_profile

EXAMPLES = sorted((DATA / "profiles").glob("*.yaml"))


def test_at_least_six_examples_and_all_load():
    assert len(EXAMPLES) >= 6
    for path in EXAMPLES:
        p = load_profile(path)
        assert p.name and p.source_path == str(path)


def _bad(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "bad.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    msg = str(info.value)
    assert "\n" not in msg and str(path) in msg
    return msg


def _with(**changes):
    d = dict(BASE_PROFILE)
    d.update(changes)
    return yaml.safe_dump(d)


@pytest.mark.parametrize(
    ("changes", "field", "expect"),
    [
        ({"requests_per_dya": 5}, "requests_per_dya", "unknown field"),
        ({"requests_per_day": "lots"}, "requests_per_day", "valid number"),
        ({"requests_per_day": -5}, "requests_per_day", "greater than or equal to 0.000000001"),
        ({"requests_per_day": float("nan")}, "requests_per_day", "finite"),
        ({"cache_hit_rate": 1.0}, "cache_hit_rate", "less than 1"),
        ({"retry_rate": -0.1}, "retry_rate", "greater than or equal to 0"),
        ({"stage": "growth"}, "stage", "'pre_mvp', 'validated' or 'scaling'"),
        ({"latency": "realtime"}, "latency", "'interactive' or 'batch'"),
        ({"team": {"ml_engineers": -1}}, "team.ml_engineers", "greater than or equal to 0"),
        ({"weights": {"price": 1}}, "weights", "unknown criterion 'price'"),
        ({"assumptions": {"precision": "fp4"}}, "assumptions.precision", "'bf16', 'fp8' or 'int4'"),
    ],
)
def test_bad_field_names_file_field_and_expectation(tmp_path, changes, field, expect):
    msg = _bad(tmp_path, _with(**changes))
    assert f"field '{field}'" in msg
    assert expect in msg


def test_missing_required_field(tmp_path):
    d = dict(BASE_PROFILE)
    del d["latency"]
    assert "field 'latency': required field is missing" in _bad(tmp_path, yaml.safe_dump(d))


def test_missing_file_invalid_yaml_empty_binary(tmp_path):
    with pytest.raises(ProfileError, match="file not found"):
        load_profile(tmp_path / "nope.yaml")
    assert "invalid YAML at line" in _bad(tmp_path, "name: [unclosed\nstage: x\n")
    assert "got an empty document" in _bad(tmp_path, "")
    assert "got list" in _bad(tmp_path, "- a\n- b\n")
    assert "UTF-8" in _bad(tmp_path, b"\xff\xfe\x00\x01garbage")


def test_round_trip_yaml(tmp_path):
    p = load_profile(EXAMPLES[0])
    out = save_profile(p, tmp_path / "copy.yaml")
    q = load_profile(out)
    assert q.model_dump() == p.model_dump()
    assert "assumptions" in profile_to_yaml(p)


def test_with_updates_validates():
    p = load_profile(EXAMPLES[0])
    assert p.with_updates(retry_rate=0.3).retry_rate == 0.3
    with pytest.raises(ProfileError, match="retry_rate"):
        p.with_updates(retry_rate=2)
