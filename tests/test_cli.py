"""The command line: the JSON contract, one-line errors with exit code 2, the price import."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import BASE_PROFILE, DATA, LITELLM_SNAPSHOT, ROOT

from llmstrategy.cli import main
from llmstrategy.inputs.catalog import load_models

PROFILES = sorted((DATA / "profiles").glob("*.yaml"))
AS_OF = "2026-11-23"
EXE = ROOT / ".venv" / "bin" / "llmstrategy"
COST_KEYS = {
    "id",
    "deployment",
    "adaptation",
    "monthly_usd",
    "upfront_usd",
    "per_1k_requests_usd",
    "horizon_total_usd",
    "models",
}
NUMBER_KEYS = ("monthly_usd", "upfront_usd", "per_1k_requests_usd", "horizon_total_usd")


def _no_constants(name: str) -> Any:
    raise AssertionError(f"non-standard JSON constant {name} in the output")


def _strict_json(text: str) -> Any:
    return json.loads(text, parse_constant=_no_constants)


def _invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def _one_line_error(result: Any) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    err = result.stderr
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("error: ")
    assert "Traceback" not in err
    return err


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


# --- analyze: the JSON contract ---------------------------------------------------------------


def test_there_are_example_profiles():
    assert len(PROFILES) >= 6


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_analyze_json_contract(profile):
    first = _invoke("analyze", profile, "--json", "--as-of", AS_OF)
    assert first.exit_code == 0, first.output
    assert first.stderr == ""
    data = _strict_json(first.stdout)
    assert {"profile", "workload", "costs"} <= set(data)
    assert data["as_of"] == AS_OF
    assert data["profile"]["name"] == yaml.safe_load(profile.read_text())["name"]
    assert data["workload"]["requests_per_month"] > 0
    assert data["costs"], "no strategy priced"
    ids = [c["id"] for c in data["costs"]]
    assert len(ids) == len(set(ids))
    assert "api" in ids
    for cost in data["costs"]:
        assert set(cost) >= COST_KEYS, COST_KEYS - set(cost)
        assert isinstance(cost["models"], dict)
        assert cost["id"].startswith(cost["deployment"])
        for key in NUMBER_KEYS:
            v = cost[key]
            assert v is None or (isinstance(v, int | float) and math.isfinite(v) and v >= 0), (key, v)
        if cost.get("feasible", True):
            assert cost["monthly_usd"] is not None
            assert cost["horizon_total_usd"] >= cost["upfront_usd"]
    # the same inputs give the same bytes
    second = _invoke("analyze", profile, "--json", "--as-of", AS_OF)
    assert second.stdout == first.stdout


def test_analyze_text_summary():
    result = _invoke("analyze", PROFILES[0], "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.stdout.strip()
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)


def test_as_of_changes_the_recorded_date():
    result = _invoke("analyze", PROFILES[0], "--json", "--as-of", "2027-02-01")
    assert _strict_json(result.stdout)["as_of"] == "2027-02-01"


def test_data_dir_option(tiny_data, write_profile):
    path = write_profile(assumptions={"api_model": "big"})
    result = _invoke("analyze", path, "--json", "--as-of", AS_OF, "--data-dir", tiny_data)
    assert result.exit_code == 0, result.output
    api = next(c for c in _strict_json(result.stdout)["costs"] if c["id"] == "api")
    assert api["models"]["api"] == "big"
    # 30,416.67 requests × (1000 × $2.50 + 500 × $10) / 1e6 = $228.125 a month
    assert api["monthly_usd"] == pytest.approx(1000 * 365 / 12 * 0.0075)


def test_subprocess_json_equals_cli_runner():
    proc = _run("analyze", PROFILES[0], "--json", "--as-of", AS_OF)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == _invoke("analyze", PROFILES[0], "--json", "--as-of", AS_OF).stdout
    _strict_json(proc.stdout)


# --- analyze: bad input is one line and exit code 2 ---------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "expect"),
    [
        ({"requests_per_dya": 5}, "requests_per_dya", "unknown field"),
        ({"requests_per_day": "lots"}, "requests_per_day", "valid number"),
        ({"input_tokens_per_request": [1, 2]}, "input_tokens_per_request", "valid integer"),
        ({"requests_per_day": -5}, "requests_per_day", "greater than or equal to 0.000000001"),
        ({"requests_per_day": float("nan")}, "requests_per_day", "finite"),
        ({"requests_per_day": float("inf")}, "requests_per_day", "finite"),
        ({"cache_hit_rate": 1.5}, "cache_hit_rate", "less than 1"),
        ({"retry_rate": -0.1}, "retry_rate", "greater than or equal to 0"),
        ({"stage": "growth"}, "stage", "'pre_mvp', 'validated' or 'scaling'"),
        ({"data_sensitivity": "secret"}, "data_sensitivity", "'public'"),
        ({"assumptions": {"api_model": "gpt4o"}}, "assumptions.api_model", "unknown model id 'gpt4o' (nearest: gpt-4o"),
        ({"assumptions": {"gpu": "h100"}}, "assumptions.gpu", "h100-sxm"),
    ],
)
def test_bad_profile_field(write_profile, changes, field, expect):
    path = write_profile(**changes)
    err = _one_line_error(_invoke("analyze", path, "--json", "--as-of", AS_OF))
    assert str(path) in err
    assert f"field '{field}'" in err
    assert expect in err


def test_nan_volume_written_as_yaml_nan(tmp_path):
    text = yaml.safe_dump(BASE_PROFILE).replace("requests_per_day: 1000", "requests_per_day: .nan")
    assert "requests_per_day: .nan" in text
    path = tmp_path / "nan.yaml"
    path.write_text(text)
    err = _one_line_error(_invoke("analyze", path, "--json"))
    assert f"{path}: field 'requests_per_day': " in err and "finite" in err


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("name: [unclosed\nstage: x\n", "invalid YAML at line"),
        ("", "empty document"),
        ("   \n# only a comment\n", "empty document"),
        ("- a\n- b\n", "got list"),
        (b"\xff\xfe\x00\x01garbage", "UTF-8"),
        (b"name: x\x00\x00\n", "binary"),
    ],
    ids=["invalid-yaml", "empty", "comment-only", "list", "not-utf8", "binary"],
)
def test_bad_profile_file(tmp_path, content, expect):
    path = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    err = _one_line_error(_invoke("analyze", path))
    assert str(path) in err and expect in err


def test_missing_profile_file(tmp_path):
    path = tmp_path / "nope.yaml"
    err = _one_line_error(_invoke("analyze", path, "--json"))
    assert f"{path}: file not found" in err


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "23/11/2026", ""])
def test_bad_as_of(write_profile, bad):
    err = _one_line_error(_invoke("analyze", write_profile(), "--as-of", bad))
    assert "field '--as-of'" in err and "YYYY-MM-DD" in err


def test_missing_data_dir(write_profile, tmp_path):
    err = _one_line_error(_invoke("analyze", write_profile(), "--data-dir", tmp_path / "nodata"))
    assert str(tmp_path / "nodata") in err


def test_bad_catalog_in_data_dir(write_profile, tiny_data):
    models = tiny_data / "models.csv"
    models.write_text(models.read_text().replace(",2.5,10,", ",-2.5,10,", 1))
    err = _one_line_error(_invoke("analyze", write_profile(), "--data-dir", tiny_data))
    assert str(models) in err and "field 'input_usd_per_mtok'" in err and "line 2" in err


@pytest.mark.parametrize(
    ("changes", "expect"),
    [
        ({"requests_per_day": float("nan")}, "field 'requests_per_day'"),
        ({"assumptions": {"api_model": "gpt4o"}}, "nearest: gpt-4o"),
    ],
)
def test_subprocess_bad_profile(write_profile, changes, expect):
    path = write_profile(**changes)
    proc = _run("analyze", path, "--json", "--as-of", AS_OF)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.endswith("\n"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {path}: ") and expect in proc.stderr


def test_subprocess_missing_file(tmp_path):
    proc = _run("analyze", tmp_path / "nope.yaml")
    assert proc.returncode == 2
    assert proc.stderr == f"error: {tmp_path / 'nope.yaml'}: file not found (expected a profile YAML file)\n"


# --- prices import ----------------------------------------------------------------------------


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    target = tmp_path / "models.csv"
    shutil.copy(DATA / "models.csv", target)
    return target


needs_snapshot = pytest.mark.skipif(not LITELLM_SNAPSHOT.is_file(), reason="LiteLLM snapshot missing")


@needs_snapshot
def test_prices_import_prints_counts(catalog_copy):
    snapshot = json.loads(LITELLM_SNAPSHOT.read_bytes())
    entries = len(snapshot) - 1
    chat = sum(1 for k, e in snapshot.items() if k != "sample_spec" and isinstance(e, dict) and e.get("mode") == "chat")
    repo_before = (DATA / "models.csv").read_bytes()
    result = _invoke("prices", "import", LITELLM_SNAPSHOT, "--catalog", catalog_copy, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{catalog_copy}: {entries} entries read ({chat} chat): ")
    assert " 0 added, 0 unmatched, " in lines[0]
    assert f"{entries - chat} non-chat entries skipped" in lines[0]
    assert 1 <= len(lines) - 1 <= 5 and all(x.startswith("  skipped: ") for x in lines[1:])
    assert (DATA / "models.csv").read_bytes() == repo_before
    rows = load_models(catalog_copy)
    assert rows["gpt-4o"].input_usd_per_mtok == 2.5


@needs_snapshot
def test_prices_import_add_new(catalog_copy):
    n = len(load_models(catalog_copy))
    result = _invoke("prices", "import", LITELLM_SNAPSHOT, "--catalog", catalog_copy, "--add-new", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    added = int(result.stdout.split(" added,")[0].rsplit(" ", 1)[1])
    assert added > 2000
    assert len(load_models(catalog_copy)) == n + added


@needs_snapshot
def test_prices_import_default_catalog_follows_data_dir_env(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DATA / "models.csv", data / "models.csv")
    repo_before = (DATA / "models.csv").read_bytes()
    result = _invoke("prices", "import", LITELLM_SNAPSHOT, "--as-of", AS_OF, env={"LLMSTRATEGY_DATA_DIR": str(data)})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{data / 'models.csv'}: ")
    assert (DATA / "models.csv").read_bytes() == repo_before


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ('{"gpt-4o": {"mode": "chat", "input_cost', "invalid JSON at line 1"),
        ("[1, 2]", "expected a JSON object of model entries, got list"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xff", "JSON"),
        ("", "invalid JSON"),
    ],
    ids=["truncated", "list", "binary", "empty"],
)
def test_prices_import_broken_file(tmp_path, catalog_copy, content, expect):
    path = tmp_path / "map.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    before = catalog_copy.read_bytes()
    err = _one_line_error(_invoke("prices", "import", path, "--catalog", catalog_copy))
    assert f"error: {path}: " in err and expect in err
    assert catalog_copy.read_bytes() == before


def test_prices_import_missing_file_and_bad_date(tmp_path, catalog_copy):
    before = catalog_copy.read_bytes()
    err = _one_line_error(_invoke("prices", "import", tmp_path / "nope.json", "--catalog", catalog_copy))
    assert f"{tmp_path / 'nope.json'}: file not found" in err
    good = tmp_path / "map.json"
    good.write_text(
        json.dumps({"gpt-4o": {"mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06}})
    )
    err = _one_line_error(_invoke("prices", "import", good, "--catalog", catalog_copy, "--as-of", "someday"))
    assert "field '--as-of'" in err
    assert catalog_copy.read_bytes() == before


def test_prices_import_broken_catalog(tmp_path):
    catalog = tmp_path / "models.csv"
    catalog.write_text("")
    good = tmp_path / "map.json"
    good.write_text("{}")
    err = _one_line_error(_invoke("prices", "import", good, "--catalog", catalog))
    assert str(catalog) in err and "empty file" in err
    assert catalog.read_bytes() == b""


def test_subprocess_prices_import(tmp_path, catalog_copy):
    broken = tmp_path / "map.json"
    broken.write_text('{"gpt-4o": {"mode": "chat", "input_cost_per_token": 1e-06,')
    before = catalog_copy.read_bytes()
    proc = _run("prices", "import", broken, "--catalog", catalog_copy)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {broken}: invalid JSON")
    assert catalog_copy.read_bytes() == before

    # entries with awkward keys (newline, lone surrogate) are reported one per line
    hostile = tmp_path / "hostile.json"
    hostile.write_text(
        '{"bad\\nkey\\ud800": {"mode": "chat", "input_cost_per_token": "x",'
        ' "output_cost_per_token": 1e-06, "max_input_tokens": 100},'
        ' "\\udfff": {"mode": "chat", "input_cost_per_token": 1e-06,'
        ' "output_cost_per_token": 1e-06, "max_input_tokens": 100}}'
    )
    proc = _run("prices", "import", hostile, "--catalog", catalog_copy, "--add-new", "--as-of", AS_OF)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert "2 invalid entries skipped" in lines[0]
    assert len(lines) == 3 and all(x.startswith("  skipped: ") for x in lines[1:])
    assert len(load_models(catalog_copy)) == len(load_models(DATA / "models.csv"))


def test_render_as_of_a_date_before_the_price_history_is_one_line_before_any_render(tmp_path: Path) -> None:
    from llmstrategy.cli import main

    out = tmp_path / "out"
    profile = str(DATA / "profiles" / "startup_support_assistant.yaml")
    res = CliRunner().invoke(main, ["render", profile, "--out", str(out), "--as-of", "2020-01-01"])
    assert res.exit_code == 2 and "no price history before" in res.output and "--as-of" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not any(out.glob("*.html"))
