"""Property-based fuzzing of the profile loader and ``llmstrategy analyze``.

Every input ends in a valid analysis or the package's own one-line error (exit code 2
from the CLI): never a traceback, never a hang, never NaN or inf in the JSON output.
Infeasible strategies carry null numbers (the contract); feasible ones are finite.

Budgets: about 300 hypothesis examples in all (``deadline=None``: the machine is shared),
plus a handful of real subprocess runs; the module takes well under a minute.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import BASE_PROFILE, DATA, ROOT
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from llmstrategy.cli import main
from llmstrategy.economics.analysis import analysis_to_dict, analyze
from llmstrategy.errors import LLMStrategyError, ProfileError
from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.inputs.criteria import CRITERION_IDS
from llmstrategy.inputs.profile import MAX_PROFILE_BYTES, Profile, load_profile
from llmstrategy.inputs.strategies import STRATEGIES
from llmstrategy.views.summary import text_summary

AS_OF = "2026-11-23"
EXE = ROOT / ".venv" / "bin" / "llmstrategy"
CATALOG = load_catalog(DATA)
MODEL_IDS = sorted(CATALOG.models)
OPEN_IDS = sorted(m.id for m in CATALOG.models.values() if m.can_self_host)
GPU_IDS = sorted(CATALOG.gpus)
MAIN_NUMBERS = ("monthly_usd", "upfront_usd", "per_1k_requests_usd", "horizon_total_usd")

#: LLMSTRATEGY_FUZZ_SCALE=20 multiplies every example budget (a deeper run by hand or nightly)
SCALE = float(os.environ.get("LLMSTRATEGY_FUZZ_SCALE", "1"))


def _n(examples: int) -> int:
    return max(1, int(examples * SCALE))


FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------- value strategies

HUGE = [1e15, 1e16, 1e300, 1.7976931348623157e308, 10**30, 2**63, -(2**63)]
SPECIAL = [float("nan"), float("inf"), float("-inf"), 0, 0.0, -0.0, -1, -1e-300, 5e-324, 1e-300]
UNICODE = ["名前", "Ünïcødé", "\u202eevil", "😀" * 50, "a\nb", "\t", " ", "", "\x00", "x" * 6000, "<script>"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(HUGE + SPECIAL + UNICODE),
    st.dates(),
    st.binary(max_size=10),
)
#: any YAML-representable value: scalars, lists and mappings (keys of any scalar type)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=12,
)


def _fraction(hi_open: bool = True) -> st.SearchStrategy[float]:
    return st.one_of(
        st.floats(0, 1, exclude_max=hi_open),
        st.sampled_from([0.0, 0.5, 0.9, 0.999, 0.999999]),
    )


def _positive(hi: float) -> st.SearchStrategy[float]:
    return st.one_of(st.floats(1e-6, hi), st.sampled_from([1e-6, 1.0, hi]))


#: values inside each field's documented range, extremes included
VALID_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": st.text(min_size=1, max_size=60).filter(lambda s: s.strip()) | st.sampled_from(UNICODE[:3]),
    "description": st.none() | st.text(max_size=200),
    "notes": st.none() | st.text(max_size=50),
    "stage": st.sampled_from(["pre_mvp", "validated", "scaling"]),
    "requests_per_day": st.one_of(st.floats(1e-3, 1e15), st.sampled_from([1e-9, 1, 1e15])),
    "input_tokens_per_request": st.one_of(st.integers(1, 10_000_000), st.sampled_from([1, 10_000_000])),
    "output_tokens_per_request": st.one_of(st.integers(0, 10_000_000), st.sampled_from([0, 10_000_000])),
    "monthly_growth": st.one_of(st.floats(-0.99, 10), st.sampled_from([-0.99, 0.0, 10.0])),
    "peak_to_average": st.one_of(st.floats(1, 1000), st.sampled_from([1.0, 1000.0])),
    "latency": st.sampled_from(["interactive", "batch"]),
    "latency_slo_ms": st.none() | _positive(3_600_000),
    "tpot_slo_ms": st.none() | _positive(60_000),
    "data_may_leave": st.booleans(),
    "data_sensitivity": st.sampled_from(["public", "internal", "confidential", "regulated"]),
    "task_complexity": st.sampled_from(["low", "medium", "high"]),
    "domain_specificity": st.sampled_from(["low", "medium", "high"]),
    "needs_consistent_format": st.booleans(),
    "knowledge_changes_often": st.booleans(),
    "systematic_failures": st.booleans(),
    "core_differentiator": st.booleans(),
    "rules_suffice": st.booleans(),
    "labeled_examples": st.integers(0, 10**12),
    "context_tokens_needed": st.none() | st.integers(1, 10_000_000),
    "team": st.fixed_dictionaries(
        {}, optional={"ml_engineers": st.floats(0, 10_000), "infra_engineers": st.floats(0, 10_000)}
    ),
    "retry_rate": _fraction(),
    "cache_hit_rate": _fraction(),
    "horizon_months": st.integers(1, 120),
    "weights": st.none()
    | st.dictionaries(st.sampled_from(CRITERION_IDS), st.floats(0.01, 100), min_size=1, max_size=len(CRITERION_IDS)),
    "rag": st.none()
    | st.fixed_dictionaries(
        {},
        optional={
            "corpus_tokens": st.floats(0, 1e15),
            "retrieved_tokens_per_request": st.integers(0, 10_000_000),
            "corpus_refreshes_per_month": st.floats(0, 10_000),
            "embedding_usd_per_mtok": st.floats(0, 1e6),
            "vector_store_monthly_usd": st.floats(0, 1e9),
            "setup_engineer_months": st.floats(0, 1_000),
        },
    ),
    "assumptions": st.fixed_dictionaries(
        {},
        optional={
            "api_model": st.sampled_from(MODEL_IDS),
            "frontier_model": st.sampled_from(MODEL_IDS),
            "self_host_model": st.sampled_from(OPEN_IDS),
            "gpu": st.sampled_from(GPU_IDS),
            "precision": st.sampled_from(["bf16", "fp8", "int4"]),
            "gpu_utilization": st.floats(1e-3, 1),
            "hybrid_frontier_share": _fraction(hi_open=False),
            "engineer_monthly_usd": _positive(1e7),
            "gpu_pricing": st.sampled_from(["on_demand", "reserved"]),
        },
    ),
}
REQUIRED = [k for k in BASE_PROFILE]


@st.composite
def valid_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """A profile inside every documented range (the schema must accept it)."""
    data = {k: draw(VALID_FIELDS[k]) for k in REQUIRED}
    for k in draw(st.sets(st.sampled_from(sorted(set(VALID_FIELDS) - set(REQUIRED))), max_size=8)):
        data[k] = draw(VALID_FIELDS[k])
    return data


@st.composite
def hostile_profiles(draw: st.DrawFn) -> dict[str, Any]:
    """A valid profile, then a few fields replaced by any value, dropped, or added."""
    data = draw(valid_profiles())
    fields = sorted(VALID_FIELDS)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["replace", "replace", "drop", "extra", "nested"]))
        key = draw(st.sampled_from(fields))
        if action == "replace":
            data[key] = draw(yaml_values)
        elif action == "drop":
            data.pop(key, None)
        elif action == "extra":
            data[draw(st.text(min_size=1, max_size=12))] = draw(yaml_values)
        else:
            sub = draw(st.sampled_from(["team", "rag", "assumptions"]))
            inner = dict(data[sub]) if isinstance(data.get(sub), dict) else {}
            inner[draw(st.sampled_from([*_subfields(sub), "unknown_sub"]))] = draw(yaml_values)
            data[sub] = inner
    return data


def _subfields(section: str) -> list[str]:
    return {
        "team": ["ml_engineers", "infra_engineers"],
        "rag": ["corpus_tokens", "retrieved_tokens_per_request", "embedding_usd_per_mtok"],
        "assumptions": ["api_model", "self_host_model", "gpu", "gpu_utilization", "precision"],
    }[section]


#: YAML fragments that stress the parser and PyYAML's constructors
SNIPPETS = [
    "name: 2026-02-30",
    "name: !!float abc",
    "name: !!int 0x",
    "name: !!int ''",
    "name: !!bool maybe",
    "name: !!timestamp soon",
    "name: !!binary '%%%'",
    "name: !!python/object:os.system x",
    "name: !!set {a, b}",
    "name: 2001-12-14t21:59:43.10-99:00",
    "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nname: *b",
    "<<: {name: merged}",
    "<<: [1]",
    "name: *undefined",
    "? [a, b]\n: 1",
    "name: [unclosed",
    "name: 'x'\nname: 'y'",
    "requests_per_day: .nan",
    "requests_per_day: -.inf",
    "requests_per_day: 1e15",
    "requests_per_day: 0x10",
    "requests_per_day: 1_000",
    "input_tokens_per_request: 1.5",
    "input_tokens_per_request: !!int " + "9" * 5000,
    "output_tokens_per_request: 0",
    "cache_hit_rate: 0.999",
    "team: [1, 2]",
    "weights: {quality: .nan}",
    "\t- tab",
    "%YAML 1.1\n---\nname: x",
    "--- a\n--- b",
    "name: |\n  multi\n  line",
    'name: "\\ud800"',
    'name: "\\x00"',
    "\ufeffname: bom",
]


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """Valid-profile YAML with hostile fragments spliced in, or fragments alone."""
    lines = []
    if draw(st.booleans()):
        lines.append(yaml.safe_dump(draw(valid_profiles()), allow_unicode=True, sort_keys=False))
    lines += draw(st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=4))
    if draw(st.booleans()):
        lines.append(draw(st.text(max_size=40)))
    return "\n".join(lines)


def _dump(data: Any) -> str:
    """YAML for any drawn value; NaN and inf become .nan / .inf, dates stay dates."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# ---------------------------------------------------------------- checks


def _check_error(err: LLMStrategyError, path: Path) -> str:
    msg = str(err)
    assert msg and "\n" not in msg and "\r" not in msg, repr(msg)
    assert msg.isprintable(), repr(msg)
    assert str(path) in msg, msg
    assert len(msg) < 1_000, len(msg)
    return msg


def _walk_numbers(obj: Any, where: str = "") -> list[tuple[str, Any]]:
    """Every leaf number or null of a JSON value, with its dotted location."""
    if isinstance(obj, dict):
        return [x for k, v in obj.items() for x in _walk_numbers(v, f"{where}.{k}")]
    if isinstance(obj, list):
        return [x for i, v in enumerate(obj) for x in _walk_numbers(v, f"{where}[{i}]")]
    if obj is None or (isinstance(obj, int | float) and not isinstance(obj, bool)):
        return [(where, obj)]
    return []


def _check_json(data: dict[str, Any], profile: Profile) -> None:
    """The contract: finite numbers everywhere, null only where a number has no meaning."""
    for where, v in _walk_numbers(data):
        assert v is None or math.isfinite(v), (where, v)
    for where, v in _walk_numbers(data["workload"]):
        assert v is not None and v >= 0, (where, v)
    assert data["workload"]["requests_per_month"] > 0
    ids = [c["id"] for c in data["costs"]]
    assert len(ids) == len(set(ids)) == len(STRATEGIES)
    for c in data["costs"]:
        if not c["feasible"]:
            assert c["infeasible_reasons"], c["id"]
            assert all(isinstance(r, str) and r and "\n" not in r for r in c["infeasible_reasons"]), c
            assert all(c[k] is None for k in MAIN_NUMBERS), c["id"]
            continue
        for k in MAIN_NUMBERS:
            assert c[k] is not None and c[k] >= 0, (c["id"], k, c[k])
        assert c["horizon_total_usd"] >= c["upfront_usd"] * (1 - 1e-12), c["id"]
        by_month = c["monthly_usd_by_month"]
        assert len(by_month) == profile.horizon_months
        assert all(v is not None and v >= 0 for v in by_month), (c["id"], by_month)
        for part in ("monthly_components_usd", "upfront_components_usd"):
            assert all(v is not None and v >= 0 for v in c[part].values()), (c["id"], part, c[part])


def _analyze_file(path: Path) -> None:
    """load → analyze → JSON and text: a valid analysis or one of the package's errors."""
    try:
        profile = load_profile(path)
    except ProfileError as err:
        _check_error(err, path)
        return
    try:
        result = analyze(profile, CATALOG, on_date=date.fromisoformat(AS_OF))
    except LLMStrategyError as err:  # an unknown catalog id, a computation with no answer
        msg = str(err)
        assert msg and "\n" not in msg and msg.isprintable(), repr(msg)
        return
    text = json.dumps(analysis_to_dict(result), allow_nan=False, ensure_ascii=False)
    _check_json(json.loads(text), profile)
    assert text_summary(result)


# ---------------------------------------------------------------- the loader alone


@settings(FUZZ, max_examples=_n(100))
@given(doc=yaml_texts())
def test_loader_on_hostile_yaml_text(tmp_path_factory: pytest.TempPathFactory, doc: str) -> None:
    path = tmp_path_factory.mktemp("fz") / "p.yaml"
    try:
        path.write_text(doc, encoding="utf-8")
    except UnicodeEncodeError:  # a lone surrogate drawn by st.text: write it the way an editor would fail to
        path.write_bytes(doc.encode("utf-8", "surrogatepass"))
    try:
        load_profile(path)
    except ProfileError as err:
        _check_error(err, path)


@settings(FUZZ, max_examples=_n(60))
@given(value=yaml_values)
def test_loader_on_any_yaml_document(tmp_path_factory: pytest.TempPathFactory, value: Any) -> None:
    path = tmp_path_factory.mktemp("fz") / "p.yaml"
    path.write_text(_dump(value), encoding="utf-8")
    with pytest.raises(ProfileError) as info:  # no random document is a whole profile
        load_profile(path)
    _check_error(info.value, path)


@settings(FUZZ, max_examples=_n(40))
@given(blob=st.binary(max_size=200))
def test_loader_on_random_bytes(tmp_path_factory: pytest.TempPathFactory, blob: bytes) -> None:
    path = tmp_path_factory.mktemp("fz") / "p.yaml"
    path.write_bytes(blob)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    _check_error(info.value, path)


# ---------------------------------------------------------------- loader + analysis


@settings(FUZZ, max_examples=_n(60))
@given(data=valid_profiles())
def test_every_valid_profile_gives_a_finite_analysis(tmp_path_factory: pytest.TempPathFactory, data: dict) -> None:
    path = tmp_path_factory.mktemp("fz") / "p.yaml"
    path.write_text(_dump(data), encoding="utf-8")
    profile = load_profile(path)  # inside the documented ranges: must load
    try:
        result = analyze(profile, CATALOG, on_date=date.fromisoformat(AS_OF))
    except LLMStrategyError as err:
        # only a catalog choice the profile forced may fail: say which and why, on one line
        assume_forced = bool(data.get("assumptions"))
        assert assume_forced, f"valid profile without assumptions failed: {err}"
        assert "\n" not in str(err)
        return
    text = json.dumps(analysis_to_dict(result), allow_nan=False, ensure_ascii=False)
    _check_json(json.loads(text), profile)


@settings(FUZZ, max_examples=_n(60))
@given(data=hostile_profiles())
def test_hostile_profile_is_analysis_or_one_line_error(tmp_path_factory: pytest.TempPathFactory, data: dict) -> None:
    path = tmp_path_factory.mktemp("fz") / "p.yaml"
    try:
        text = _dump(data)
    except yaml.YAMLError:
        assume(False)  # not representable as YAML (cannot happen with safe types; kept as a guard)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _analyze_file(path)


# ---------------------------------------------------------------- the CLI (CliRunner)


def _cli_outcome(result: Any, path: Path) -> dict[str, Any] | None:
    """Exit 0 with strict JSON, or exit 2 with one line on stderr; never an exception."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert result.stdout == ""
        err = result.stderr
        assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, err
        return None
    assert result.exit_code == 0, (result.exit_code, result.output)
    assert result.stderr == ""
    # a NaN / Infinity token (not the text "NaN" inside a name) fails the parse
    return json.loads(result.stdout, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise AssertionError(f"{name} in JSON output")


@settings(FUZZ, max_examples=_n(40))
@given(data=st.one_of(hostile_profiles(), valid_profiles()))
def test_cli_analyze_json_on_hostile_profiles(tmp_path_factory: pytest.TempPathFactory, data: dict) -> None:
    path = tmp_path_factory.mktemp("fz") / "p.yaml"
    path.write_text(_dump(data), encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(main, ["analyze", str(path), "--json", "--as-of", AS_OF])
    out = _cli_outcome(result, path)
    if out is not None:
        _check_json(out, load_profile(path))
        # the text summary of the same profile also succeeds
        text = CliRunner().invoke(main, ["analyze", str(path), "--as-of", AS_OF])
        assert text.exit_code == 0 and text.exception is None, text.output


@settings(FUZZ, max_examples=_n(30))
@given(doc=yaml_texts())
def test_cli_analyze_on_hostile_yaml_text(tmp_path_factory: pytest.TempPathFactory, doc: str) -> None:
    path = tmp_path_factory.mktemp("fz") / "p.yaml"
    path.write_bytes(doc.encode("utf-8", "surrogatepass"))
    _cli_outcome(CliRunner().invoke(main, ["analyze", str(path), "--json", "--as-of", AS_OF]), path)


# ---------------------------------------------------------------- named hostile files

BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )  # 9⁹ ≈ 387 million shared references
)


def _hostile_files() -> dict[str, bytes]:
    good = yaml.safe_dump(BASE_PROFILE)
    return {
        "bomb-into-name": (BOMB + "name: *i\n").encode(),
        "bomb-into-number": (BOMB + good.replace("requests_per_day: 1000", "requests_per_day: *i")).encode(),
        "bomb-into-weights": (BOMB + good + "weights: {quality: *i}\n").encode(),
        "deep-list": ("name: " + "[" * 50_000 + "]" * 50_000 + "\n").encode(),
        "deep-map": ("".join("  " * i + f"k{i}:\n" for i in range(3_000)) + "  " * 3_000 + "x\n").encode(),
        "bad-date": (good + "description: 2026-02-30\n").encode(),
        "bad-tag": (good.replace("requests_per_day: 1000", "requests_per_day: !!float lots")).encode(),
        "huge-int-literal": (good.replace("requests_per_day: 1000", "requests_per_day: " + "9" * 5000)).encode(),
        "too-big": (good + "notes: |\n" + ("  " + "x" * 78 + "\n") * (MAX_PROFILE_BYTES // 80 + 10)).encode(),
        "nul-bytes": b"name: x\x00\x00\n",
        "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xff",
        "utf16": good.encode("utf-16"),
        "empty": b"",
        "newline-key": (good + '"bad\\nkey": 1\n').encode(),
        "control-key": (good + '"\\x1b[31mred": 1\n').encode(),
    }


HOSTILE = _hostile_files()


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_file_is_one_line_error_in_process(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(HOSTILE[kind])
    result = CliRunner().invoke(main, ["analyze", str(path), "--json", "--as-of", AS_OF])
    assert _cli_outcome(result, path) is None, kind
    assert result.stderr.startswith(f"error: {path}")


def test_alias_bomb_is_reported_fast(tmp_path: Path) -> None:
    """``repr`` of the bomb walks 387 million references (about a minute and GBs of RAM);
    the error shows a bounded excerpt instead."""
    import time

    path = tmp_path / "bomb.yaml"
    path.write_bytes(HOSTILE["bomb-into-name"])
    t0 = time.perf_counter()
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert time.perf_counter() - t0 < 5
    assert "field 'name'" in _check_error(info.value, path)


@pytest.mark.parametrize(
    ("snippet", "expect"),
    [
        ("description: 2026-02-30", f"at line {len(BASE_PROFILE) + 1}: cannot read '2026-02-30' as timestamp"),
        ("description: !!float abc", "cannot read 'abc' as float"),
        ("description: !!int 0x", "cannot read '0x' as int"),
        ("description: !!bool maybe", "cannot read 'maybe' as bool"),
        ("description: !!int ''", "cannot read '' as int"),
        ("description: !!timestamp soon", "cannot read 'soon' as timestamp"),
    ],
)
def test_unconvertible_scalars_name_the_line(tmp_path: Path, snippet: str, expect: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(BASE_PROFILE, sort_keys=True) + snippet + "\n")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    msg = _check_error(info.value, path)
    assert "invalid YAML" in msg and expect in msg, msg


def test_unprintable_field_and_path_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "we\nird.yaml"
    path.write_bytes(HOSTILE["newline-key"])
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    msg = _check_error(info.value, Path(str(path).replace("\n", "\\n")))
    assert "field 'bad\\nkey': unknown field" in msg


# ---------------------------------------------------------------- real processes


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "llmstrategy.cli"]
    return subprocess.run(
        [*cmd, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.mark.parametrize("kind", ["bomb-into-name", "deep-list", "bad-tag", "png", "newline-key", "too-big"])
def test_subprocess_hostile_file_no_traceback(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(HOSTILE[kind])
    proc = _run("analyze", path, "--json", "--as-of", AS_OF)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {path}") and proc.stderr.count("\n") == 1, proc.stderr[-2000:]


@pytest.mark.parametrize(
    "changes",
    [
        {"requests_per_day": 1e15, "input_tokens_per_request": 10_000_000, "output_tokens_per_request": 10_000_000},
        {"name": "名前 \u202e😀 <b>", "output_tokens_per_request": 0, "cache_hit_rate": 0.999, "retry_rate": 0.999},
    ],
    ids=["huge", "unicode-zero-output"],
)
def test_subprocess_extreme_valid_profile(tmp_path: Path, changes: dict[str, Any]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(_dump({**BASE_PROFILE, **changes}), encoding="utf-8")
    for args in (["--json"], []):
        proc = _run("analyze", path, *args, "--as-of", AS_OF, env={"PYTHONIOENCODING": "utf-8"})
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr[-2000:]
    data = json.loads(_run("analyze", path, "--json", "--as-of", AS_OF).stdout, parse_constant=_no_constant)
    _check_json(data, load_profile(path))


# ---------------------------------------------------------------- numerical edge cases


def _analysis(**changes: Any) -> dict[str, Any]:
    from conftest import make_profile

    profile = make_profile(**changes)
    data = json.loads(
        json.dumps(analysis_to_dict(analyze(profile, CATALOG, on_date=date.fromisoformat(AS_OF))), allow_nan=False)
    )
    _check_json(data, profile)
    return {c["id"]: c for c in data["costs"]}


def test_zero_output_tokens() -> None:
    costs = _analysis(output_tokens_per_request=0, labeled_examples=1_000)
    # every strategy is priced (provider fine-tuning on a provider's dedicated GPUs, routing with
    # it), except a fine-tuned private deployment: the models Azure tunes on provisioned capacity
    # retire inside the 12-month horizon (data/models.csv), a fact, not a zero-token failure
    retiring = {k for k in costs if k.startswith("private_cloud+") and "fine_tune" in k}
    assert all("retires on" in " ".join(costs[k]["infeasible_reasons"]) for k in retiring)
    assert all(c["feasible"] for k, c in costs.items() if k not in retiring), {
        k: c["infeasible_reasons"] for k, c in costs.items()
    }
    api = costs["api"]
    # API: requests × input tokens × input price only
    rpm = BASE_PROFILE["requests_per_day"] * 365 / 12
    assert api["monthly_usd"] == pytest.approx(rpm * 1000 * api["input_usd_per_mtok"] / 1e6)


def test_cache_hit_rate_near_one() -> None:
    base = _analysis(assumptions={"api_model": "gpt-4o"})
    near = _analysis(cache_hit_rate=0.999, assumptions={"api_model": "gpt-4o"})
    # billable requests = requests × (1 − 0.999): a thousandth of the uncached API bill
    assert near["api"]["monthly_usd"] == pytest.approx(base["api"]["monthly_usd"] * 0.001, rel=1e-9)
    for sid, c in near.items():
        assert c["feasible"] == base[sid]["feasible"], sid


def test_self_host_model_that_fits_no_gpu_is_infeasible_with_reason() -> None:
    smallest = min(CATALOG.gpus.values(), key=lambda g: (g.memory_gb, g.id))
    costs = _analysis(
        labeled_examples=1_000,
        # a market that offers the smallest GPU (the default specialist market has no a10g)
        assumptions={
            "self_host_model": "llama-3.1-405b",
            "precision": "bf16",
            "gpu": smallest.id,
            "gpu_market": "hyperscaler_on_demand",
        },
    )
    self_hosted = [sid for sid in costs if sid.startswith(("self_host", "hybrid"))]
    assert len(self_hosted) == 8
    for sid in self_hosted:
        c = costs[sid]
        assert not c["feasible"], sid
        reason = " ".join(c["infeasible_reasons"])
        assert "llama-3.1-405b" in reason and smallest.id in reason and "do not fit" in reason, reason
    assert costs["api"]["feasible"]


def test_request_window_larger_than_every_model() -> None:
    costs = _analysis(input_tokens_per_request=10_000_000, output_tokens_per_request=10_000_000, labeled_examples=1_000)
    assert not any(c["feasible"] for c in costs.values())
    # (api+fine_tune's reason names only the quality today: see the hardening report)
    assert all("window" in " ".join(c["infeasible_reasons"]) for sid, c in costs.items() if "fine_tune" not in sid)


def test_extreme_volumes_stay_finite() -> None:
    for rpd in (1e-9, 1e15):
        costs = _analysis(requests_per_day=rpd, monthly_growth=10, horizon_months=120)
        assert any(c["feasible"] for c in costs.values())


def test_json_dates_and_timestamps_from_yaml_are_rejected_not_crashing(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(_dump({**BASE_PROFILE, "name": datetime(2026, 1, 1, 12), "notes": date(2026, 1, 1)}))
    with pytest.raises(ProfileError, match="field 'name'"):
        load_profile(path)


# ---------------------------------------------------------------- the price importer

PRICE_KEYS = [
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "input_cost_per_token_batches",
    "output_cost_per_token_batches",
    "max_input_tokens",
    "max_tokens",
    "max_output_tokens",
    "deprecation_date",
    "input_cost_per_token_above_200k_tokens",
    "output_cost_per_token_above_200k_tokens",
    "litellm_provider",
    "mode",
]
#: a LiteLLM-like entry: plausible fields with any value, often a chat model
price_entries = st.one_of(
    yaml_values,
    st.dictionaries(
        st.sampled_from(PRICE_KEYS) | st.text(max_size=10),
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.floats(0, 1e-3),
            st.integers(-(10**20), 10**20),
            st.sampled_from(["chat", "embedding", "2026-01-01", "2026-02-30", "openai"]),
            yaml_values,
        ),
        max_size=8,
    ).map(lambda e: {"mode": "chat", **e}),
)
price_maps = st.dictionaries(
    st.sampled_from(["gpt-4o", "gpt-4o-mini", "ft:gpt-4o", "sample_spec", "gemini/gemini-2.5-pro"])
    | st.text(max_size=20),
    price_entries,
    max_size=6,
)


def _json_text(value: Any) -> str:
    """JSON as LiteLLM's file might be hand-edited: NaN / Infinity allowed, dates as text."""
    return json.dumps(value, default=str)


@settings(FUZZ, max_examples=_n(60))
@given(entries=price_maps, add_new=st.booleans())
def test_price_import_on_random_maps(tmp_path_factory: pytest.TempPathFactory, entries: dict, add_new: bool) -> None:
    from llmstrategy.errors import CatalogError, PriceImportError
    from llmstrategy.inputs.catalog import load_models
    from llmstrategy.inputs.prices_import import import_prices

    d = tmp_path_factory.mktemp("imp")
    catalog = d / "models.csv"
    catalog.write_bytes(MODELS_BYTES)
    price_map = d / "map.json"
    try:
        price_map.write_text(_json_text(entries), encoding="utf-8")
    except UnicodeEncodeError:  # a lone surrogate in a drawn key: json escapes it unless ensure_ascii is off
        assume(False)
    try:
        report = import_prices(price_map, catalog, add_new=add_new, as_of=date(2026, 11, 23))
    except (PriceImportError, CatalogError) as err:
        assert "\n" not in str(err)
        assert catalog.read_bytes() == MODELS_BYTES
    else:
        assert "\n" not in report.summary()
        assert all("\n" not in ex and ex.isprintable() for ex in report.invalid_examples), report.invalid_examples
        for row in load_models(catalog).values():  # what was written loads back
            for v in row.model_dump().values():
                assert not (isinstance(v, float) and not math.isfinite(v)), row
    assert sorted(p.name for p in d.iterdir()) == ["map.json", "models.csv"]  # no temporary file left


MODELS_BYTES = (DATA / "models.csv").read_bytes()


def _good_map(path: Path) -> Path:
    path.write_text(
        json.dumps({"gpt-4o": {"mode": "chat", "input_cost_per_token": 9e-06, "output_cost_per_token": 9e-06}})
    )
    return path


@pytest.mark.parametrize("exc", [OSError(5, "Input/output error"), KeyboardInterrupt()], ids=["eio", "ctrl-c"])
def test_price_import_interrupted_while_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    """A failure between the temporary file and the rename (fsync here): the catalog is
    byte-identical and the temporary file is gone."""
    from llmstrategy import files as io_utils
    from llmstrategy.errors import CatalogError
    from llmstrategy.inputs.prices_import import import_prices

    catalog = tmp_path / "models.csv"
    catalog.write_bytes(MODELS_BYTES)
    price_map = _good_map(tmp_path / "map.json")

    def fail(fd: int) -> None:
        raise exc

    monkeypatch.setattr(io_utils.os, "fsync", fail)
    with pytest.raises(CatalogError if isinstance(exc, OSError) else KeyboardInterrupt):
        import_prices(price_map, catalog, as_of=date(2026, 11, 23))
    assert catalog.read_bytes() == MODELS_BYTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.json", "models.csv"]


def test_price_import_output_is_a_directory(tmp_path: Path) -> None:
    from llmstrategy.errors import CatalogError
    from llmstrategy.inputs.prices_import import import_prices

    catalog = tmp_path / "models.csv"
    catalog.write_bytes(MODELS_BYTES)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(CatalogError) as info:
        import_prices(_good_map(tmp_path / "map.json"), catalog, as_of=date(2026, 11, 23), output=out)
    assert "\n" not in str(info.value) and str(out) in str(info.value)
    assert catalog.read_bytes() == MODELS_BYTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.json", "models.csv", "out"]
    assert list(out.iterdir()) == []


def test_price_import_killed_at_any_moment_leaves_old_or_new_catalog(tmp_path: Path) -> None:
    """SIGKILL a real ``prices import --add-new`` of an 11 MB map at several moments of
    its run: the catalog is always either the old bytes or the complete new catalog,
    never a mix (a temporary file may stay behind after SIGKILL: nothing can remove it)."""
    import signal
    import time

    entries = {
        f"gen/model-{n:06d}": {
            "mode": "chat",
            "input_cost_per_token": (n % 997 + 1) * 1e-08,
            "output_cost_per_token": (n % 991 + 1) * 4e-08,
            "max_input_tokens": 128000,
            "notes": "x" * 100,
        }
        for n in range(45_000)
    }
    price_map = tmp_path / "big.json"
    price_map.write_text(json.dumps(entries))
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "llmstrategy.cli"]

    def start(catalog: Path) -> subprocess.Popen[bytes]:
        args = ["prices", "import", str(price_map), "--catalog", str(catalog), "--add-new", "--as-of", AS_OF]
        args += ["--max-new", "50000"]  # above the default cap of 5,000 new rows
        return subprocess.Popen([*cmd, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    reference = tmp_path / "ref" / "models.csv"
    reference.parent.mkdir()
    reference.write_bytes(MODELS_BYTES)
    t0 = time.perf_counter()
    proc = start(reference)
    _, err = proc.communicate(timeout=120)
    full_s = time.perf_counter() - t0
    assert proc.returncode == 0, err
    new = reference.read_bytes()
    assert new != MODELS_BYTES and new.count(b"\n") == MODELS_BYTES.count(b"\n") + 45_000

    outcomes = []
    for i, fraction in enumerate((0.3, 0.6, 0.8, 0.9, 0.97)):
        catalog = tmp_path / f"run{i}" / "models.csv"
        catalog.parent.mkdir()
        catalog.write_bytes(MODELS_BYTES)
        proc = start(catalog)
        time.sleep(full_s * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        now = catalog.read_bytes()
        assert now in (MODELS_BYTES, new), f"partial catalog after a kill at {fraction:.0%} of the run"
        outcomes.append("old" if now == MODELS_BYTES else "new")
    assert "old" in outcomes, outcomes  # at least one kill landed before the rename
