"""A cell whose output messages never arrive (nbclient's "Timeout waiting for IOPub output",
seen on loaded machines after the cell had answered), or a kernel that died before its first
reply (two ``--jobs`` workers picked the same free port, seen in CI), is run once more on a
new kernel; any other failure is not retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from nbclient.exceptions import CellTimeoutError

from llmstrategy.report import execute


def _fake(monkeypatch: pytest.MonkeyPatch, errors: list[BaseException]) -> list[int]:
    calls: list[int] = []

    def once(*_: Any) -> str:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return "executed"

    monkeypatch.setattr(execute, "_execute_once", once)
    return calls


@pytest.mark.parametrize(
    "err",
    [CellTimeoutError("Timeout waiting for IOPub output"), RuntimeError("Kernel died before replying to kernel_info")],
    ids=["lost output", "port taken at start"],
)
def test_a_transient_failure_is_retried_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, err: Exception) -> None:
    calls = _fake(monkeypatch, [err])
    out = execute.execute_notebook(tmp_path / "n.ipynb", tmp_path / "x.ipynb", {}, kernel="fresh")
    assert out == "executed" and len(calls) == 2


def test_a_second_loss_is_raised(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lost = [CellTimeoutError("Timeout waiting for IOPub output") for _ in range(2)]
    calls = _fake(monkeypatch, lost)
    with pytest.raises(CellTimeoutError):
        execute.execute_notebook(tmp_path / "n.ipynb", tmp_path / "x.ipynb", {}, kernel="fresh")
    assert len(calls) == 2


@pytest.mark.parametrize(
    "err",
    [
        CellTimeoutError("A cell timed out while it was being executed"),
        RuntimeError("x"),
        RuntimeError("Kernel didn't respond in 60 seconds"),  # a slow start is not a taken port
    ],
)
def test_other_failures_are_not_retried(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, err: BaseException) -> None:
    calls = _fake(monkeypatch, [err])
    with pytest.raises(type(err)):
        execute.execute_notebook(tmp_path / "n.ipynb", tmp_path / "x.ipynb", {}, kernel="fresh")
    assert len(calls) == 1
