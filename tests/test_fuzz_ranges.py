"""Every numeric profile field across its whole documented range (issue 17): each value the
schema accepts is computed, never a traceback, in the library and in the CLI.

The fields and their ranges are read from the schema (:mod:`schema_ranges`), so a field
another stage adds is drawn here without editing this file. Values: hypothesis over the
whole range (subnormals included), plus each field's documented ends and the smallest value
above a bound of 0, one field at a time through ``llmstrategy analyze`` (JSON and text).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import BASE_PROFILE
from hypothesis import given, settings
from hypothesis import strategies as st
from schema_ranges import WEIGHT_VALUES, NumericField, numeric_fields, with_value
from test_fuzz import AS_OF, CATALOG, FUZZ, _check_json, _cli_outcome, _n

from llmstrategy.cli import main
from llmstrategy.economics.analysis import analysis_to_dict, analyze
from llmstrategy.errors import ProfileError
from llmstrategy.inputs.criteria import CRITERION_IDS
from llmstrategy.inputs.profile import load_profile
from llmstrategy.views.summary import text_summary

FIELDS = numeric_fields()
EXTREMES = [(f, v) for f in FIELDS for v in f.extremes()]


def test_every_numeric_field_is_drawn_with_its_documented_ends() -> None:
    names = {f.dotted for f in FIELDS}
    assert {"requests_per_day", "retry_rate", "team.ml_engineers", "rag.corpus_tokens"} <= names
    assert {"assumptions.hybrid_frontier_share", "assumptions.gpu_utilization", "horizon_months"} <= names
    share = next(f for f in FIELDS if f.dotted == "assumptions.hybrid_frontier_share")
    assert share.extremes() == [0.0, 5e-324, 1.0]  # the documented maximum 1 included
    rpd = next(f for f in FIELDS if f.dotted == "requests_per_day")
    assert rpd.extremes()[0] == 1e-9 and rpd.extremes()[-1] == 1e15


def _write(tmp: Path, data: dict[str, Any]) -> Path:
    path = tmp / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


#: rules that span fields, which values drawn field by field may break (refused on one line)
CROSS_FIELD = ("is more than total",)  # evals: passed ≤ total


def _analyzed(path: Path) -> None:
    """Inside the documented ranges: loads, and gives a finite analysis and a summary."""
    try:
        profile = load_profile(path)
    except ProfileError as err:
        msg = str(err)
        assert "\n" not in msg and any(rule in msg for rule in CROSS_FIELD), msg
        return
    result = analyze(profile, CATALOG, on_date=date.fromisoformat(AS_OF))
    text = json.dumps(analysis_to_dict(result), allow_nan=False, ensure_ascii=False)
    _check_json(json.loads(text), profile)
    assert text_summary(result)


drawn = st.sampled_from(FIELDS).flatmap(lambda f: st.tuples(st.just(f), f.values()))


@settings(FUZZ, max_examples=_n(120))
@given(
    draws=st.lists(drawn, min_size=1, max_size=6),
    weights=st.none()
    | st.dictionaries(st.sampled_from(CRITERION_IDS), WEIGHT_VALUES, min_size=1).filter(lambda w: sum(w.values()) > 0),
)
def test_every_numeric_field_across_its_whole_range(
    tmp_path_factory: pytest.TempPathFactory, draws: list[tuple[NumericField, Any]], weights: dict | None
) -> None:
    data: dict[str, Any] = dict(BASE_PROFILE)
    for field, value in draws:
        data = with_value(data, field.path, value)
    if weights is not None:
        data["weights"] = weights
    _analyzed(_write(tmp_path_factory.mktemp("rng"), data))


@pytest.mark.parametrize(("field", "value"), EXTREMES, ids=[f"{f.dotted}={v!r}" for f, v in EXTREMES])
def test_cli_at_each_documented_extreme(tmp_path: Path, field: NumericField, value: Any) -> None:
    path = _write(tmp_path, with_value(dict(BASE_PROFILE), field.path, value))
    args = ["analyze", str(path), "--as-of", AS_OF, "--samples", "100"]
    out = _cli_outcome(CliRunner().invoke(main, [*args, "--json"]), path)
    assert out is not None, f"{field.dotted}={value!r} is inside the documented range but was refused"
    _check_json(out, load_profile(path))
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0 and text.exception is None and "Traceback" not in text.output, text.output
