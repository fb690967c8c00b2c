"""The CLI under hostile input (issue 17): no terminal escape reaches the terminal, no option
takes NaN, the documented extremes compute, and nothing prints a traceback or a warning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import BASE_PROFILE, ROOT

from llmstrategy.cli import main
from llmstrategy.fmt import terminal_safe

AS_OF = "2026-11-23"
EXE = ROOT / ".venv" / "bin" / "llmstrategy"

#: terminal escape sequences a profile's text may hold: retitle the window, erase the line,
#: move the cursor, CSI as one C1 byte, a carriage return that overprints, bidi override
ESCAPES = {
    "osc-title": "\x1b]0;pwned\x07",
    "erase-line": "\x1b[2K\x1b[1A",
    "color": "\x1b[31mred\x1b[0m",
    "c1-csi": "\x9b31m",
    "carriage-return": "ok\rFAKE",
    "bidi": "\u202egnp.exe",
    "bell-backspace": "\x07\x08\x08",
    "del": "\x7f",
    "nul-like": "\x00",  # never reaches YAML as is: written escaped below
}


def _profile(tmp_path: Path, **changes: Any) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({**BASE_PROFILE, **changes}, allow_unicode=True), encoding="utf-8")
    return path


def _raw_controls(text: str) -> list[str]:
    return sorted({c for c in text if not c.isprintable() and c != "\n"})


@pytest.mark.parametrize("kind", sorted(ESCAPES))
def test_analyze_summary_escapes_control_characters(tmp_path: Path, kind: str) -> None:
    evil = ESCAPES[kind]
    path = _profile(tmp_path, name=f"Name {evil} end")
    r = CliRunner().invoke(main, ["analyze", str(path), "--as-of", AS_OF, "--samples", "100"])
    assert r.exit_code == 0, r.output
    assert _raw_controls(r.stdout) == [], kind
    assert f"Name {terminal_safe(evil)} end" in r.stdout.splitlines()[0]


@pytest.mark.parametrize("kind", sorted(ESCAPES))
def test_analyze_json_escapes_control_characters_and_keeps_the_value(tmp_path: Path, kind: str) -> None:
    evil = ESCAPES[kind]
    path = _profile(tmp_path, name=f"Name {evil} end", description=evil)
    r = CliRunner().invoke(main, ["analyze", str(path), "--json", "--as-of", AS_OF, "--samples", "100"])
    assert r.exit_code == 0, r.output
    assert _raw_controls(r.stdout) == [], kind
    data = json.loads(r.stdout)
    assert data["profile"]["name"] == f"Name {evil} end" and data["profile"]["description"] == evil


def test_json_of_plain_profiles_is_unchanged(tmp_path: Path) -> None:
    """Only unprintable characters are escaped: non-ASCII names keep their bytes."""
    path = _profile(tmp_path, name="Données — 名前 😀")
    r = CliRunner().invoke(main, ["analyze", str(path), "--json", "--as-of", AS_OF, "--samples", "100"])
    assert '"name": "Données — 名前 😀"' in r.stdout


def test_error_messages_and_file_names_stay_escaped(tmp_path: Path) -> None:
    path = tmp_path / "e\x1b[2Kvil.yaml"
    path.write_text("name: [unclosed\n")
    r = CliRunner().invoke(main, ["analyze", str(path)])
    assert r.exit_code == 2 and _raw_controls(r.stderr) == [] and r.stderr.count("\n") == 1


@pytest.mark.parametrize("option", ["--tpot-ms", "--ttft-ms"])
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999"])
def test_size_refuses_non_finite_targets(option: str, value: str) -> None:
    r = CliRunner().invoke(
        main, ["size", "llama-3.1-70b", "--gpu", "h100-sxm", "--input", "1000", "--output", "100", option, value]
    )
    assert r.exit_code == 2, r.output
    assert "finite" in r.output or "range" in r.output, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


@pytest.mark.parametrize(
    "changes",
    [
        {"assumptions": {"hybrid_frontier_share": 1}},
        {"assumptions": {"hybrid_frontier_share": 1.0, "gpu_pricing": "reserved"}},
        {"assumptions": {"hybrid_frontier_share": 1}, "data_may_leave": False},
        {"requests_per_day": 1e-9, "monthly_growth": 10, "horizon_months": 120},
    ],
    ids=["share-1", "share-1-reserved", "share-1-private", "smallest-volume-growing"],
)
def test_documented_extremes_compute(tmp_path: Path, changes: dict[str, Any]) -> None:
    path = _profile(tmp_path, **changes)
    for extra in (["--json"], []):
        r = CliRunner().invoke(main, ["analyze", str(path), "--as-of", AS_OF, "--samples", "100", *extra])
        assert r.exit_code == 0 and r.exception is None, r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"requests_per_day": 1e-320}, "requests_per_day"),
        ({"weights": {"quality": 1e308, "latency": 1e308}}, "weights"),
        ({"input_tokens_per_request": True}, "input_tokens_per_request"),
        ({"assumptions": {"gpu_utilization": 5e-324}}, "assumptions.gpu_utilization"),
    ],
    ids=["1e-320-volume", "1e308-weights", "true-as-count", "subnormal-utilization"],
)
def test_out_of_range_values_are_one_line_errors(tmp_path: Path, changes: dict[str, Any], field: str) -> None:
    path = _profile(tmp_path, **changes)
    r = CliRunner().invoke(main, ["analyze", str(path), "--json", "--as-of", AS_OF])
    assert r.exit_code == 2 and r.stdout == "", r.output
    assert r.stderr.startswith(f"error: {path}: field '{field}'") and r.stderr.count("\n") == 1, r.stderr


def test_duplicate_key_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(BASE_PROFILE) + "stage: scaling\n")
    r = CliRunner().invoke(main, ["analyze", str(path)])
    assert r.exit_code == 2 and "duplicate key 'stage'" in r.stderr and r.stderr.count("\n") == 1


def test_an_unexpected_exception_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net: a bug is one line and exit code 1 (LLMSTRATEGY_DEBUG=1 re-raises it)."""
    import llmstrategy.pipeline as pipeline

    def boom(*a: Any, **k: Any) -> Any:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(pipeline, "evaluate", boom)
    path = _profile(tmp_path)
    r = CliRunner().invoke(main, ["analyze", str(path)])
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == "error: internal error, please report it: ZeroDivisionError: float division by zero\n"
    monkeypatch.setenv("LLMSTRATEGY_DEBUG", "1")
    r = CliRunner().invoke(main, ["analyze", str(path)])
    assert isinstance(r.exception, ZeroDivisionError)


def test_warnings_are_not_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """numpy's RuntimeWarning names a file of the install (an absolute path): not for the terminal."""
    import llmstrategy.views.summary as summary

    real = summary.text_summary

    def noisy(a: Any) -> str:
        warnings.warn_explicit("overflow encountered in divide", RuntimeWarning, "/opt/site-packages/numpy/x.py", 1)
        return str(real(a))

    monkeypatch.setattr(summary, "text_summary", noisy)
    r = CliRunner().invoke(main, ["analyze", str(_profile(tmp_path)), "--samples", "100"])
    assert r.exit_code == 0 and r.stderr == "", r.stderr


def test_subprocess_terminal_escape_profile(tmp_path: Path) -> None:
    """The real console script, bytes as the terminal gets them."""
    path = _profile(tmp_path, name="\x1b]0;pwned\x07\x1b[2K\x9b2J\u202eevil")
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "llmstrategy.cli"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for extra in ([], ["--json"]):
        proc = subprocess.run(
            [*cmd, "analyze", str(path), "--as-of", AS_OF, "--samples", "100", *extra],
            capture_output=True,
            timeout=120,
            env=env,
            check=False,
        )
        assert proc.returncode == 0 and proc.stderr == b"", proc.stderr[-2000:]
        for bad in (b"\x1b", b"\x07", "\x9b".encode(), "\u202e".encode()):
            assert bad not in proc.stdout, (extra, bad)
