"""A cell whose output messages never arrive (nbclient's "Timeout waiting for IOPub output",
seen on loaded machines after the cell had answered) is run once more on a new kernel; any other
failure is not retried."""

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


def test_a_lost_output_message_is_retried_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = _fake(monkeypatch, [CellTimeoutError("Timeout waiting for IOPub output")])
    out = execute.execute_notebook(tmp_path / "n.ipynb", tmp_path / "x.ipynb", {}, kernel="fresh")
    assert out == "executed" and len(calls) == 2


def test_a_second_loss_is_raised(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lost = [CellTimeoutError("Timeout waiting for IOPub output") for _ in range(2)]
    calls = _fake(monkeypatch, lost)
    with pytest.raises(CellTimeoutError):
        execute.execute_notebook(tmp_path / "n.ipynb", tmp_path / "x.ipynb", {}, kernel="fresh")
    assert len(calls) == 2


@pytest.mark.parametrize("err", [CellTimeoutError("A cell timed out while it was being executed"), RuntimeError("x")])
def test_other_failures_are_not_retried(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, err: BaseException) -> None:
    calls = _fake(monkeypatch, [err])
    with pytest.raises(type(err)):
        execute.execute_notebook(tmp_path / "n.ipynb", tmp_path / "x.ipynb", {}, kernel="fresh")
    assert len(calls) == 1
