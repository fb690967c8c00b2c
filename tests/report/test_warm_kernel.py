"""One warm kernel per process, fresh state per notebook (issue 18, batch speed).

Small notebooks written here run through :func:`llmstrategy.report.execute_notebook`, the
function every render calls: a notebook does not see what the previous one left (its
variables, environment, working folder, ``sys.path``, warning filters), while the modules
it imported stay; papermill's semantics hold in the warm kernel (the parameters cell, the
executed notebook kept on failure with the failing cell named); a kernel that died, timed
out or belongs to a parent process is replaced. The last test renders a real report both
ways and compares the bytes.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import ROOT

from llmstrategy.errors import RenderError
from llmstrategy.report import execute_notebook, warm
from llmstrategy.report.execute import kernel_mode
from llmstrategy.report.warm import _env_changes

AS_OF = "2026-11-23"

PROBE = """\
import json, os, sys, warnings
print(json.dumps({
    "pid": os.getpid(),
    "names": sorted(k for k in globals() if not k.startswith("_")),
    "leak": "leak" in globals(),
    "env": os.environ.get("LLMSTRATEGY_TEST_LEAK"),
    "parent_env": os.environ.get("LLMSTRATEGY_TEST_PARENT"),
    "cwd": os.getcwd(),
    "path_leak": "/llmstrategy-test-nowhere" in sys.path,
    "filters": len(warnings.filters),
    "xml_dom_minidom_imported": "xml.dom.minidom" in sys.modules,
    "label": label,
}))
"""

LEAK = """\
import os, sys, warnings
import xml.dom.minidom  # a module no fresh kernel imports: it stays in sys.modules
leak = 42
os.environ["LLMSTRATEGY_TEST_LEAK"] = "set by the previous notebook"
sys.path.append("/llmstrategy-test-nowhere")
warnings.simplefilter("error")
os.chdir("/")
"""


def _notebook(folder: Path, name: str, *sources: str, markdown: int = 0) -> Path:
    """A notebook with a parameters cell (``label``) and the given code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    params = nbformat.v4.new_code_cell('label = "default"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_markdown_cell(f"note {i}") for i in range(markdown))]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in sources]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return path


def _probe(nb: Any) -> dict[str, Any]:
    """The JSON the PROBE cell printed."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("name") == "stdout" and out["text"].lstrip().startswith("{"):
                return dict(json.loads(out["text"]))
    raise AssertionError("no probe output")


def _run(path: Path, out: Path, label: str, *, kernel: str = "warm", timeout_s: int = 120) -> Any:
    return execute_notebook(
        path, out / f"{path.stem}.{label}.ipynb", {"label": label}, timeout_s=timeout_s, kernel=kernel
    )


@pytest.fixture
def new_warm_kernel() -> Any:
    """Each test starts from no warm kernel and leaves none behind."""
    warm.discard()
    yield
    warm.discard()


# ---------------------------------------------------------------- without a kernel


def test_kernel_mode_is_warm_by_default_and_refuses_other_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLMSTRATEGY_KERNEL", raising=False)
    assert kernel_mode() == "warm"
    monkeypatch.setenv("LLMSTRATEGY_KERNEL", " Fresh ")
    assert kernel_mode() == "fresh"
    monkeypatch.setenv("LLMSTRATEGY_KERNEL", "tepid")
    with pytest.raises(RenderError, match=r"LLMSTRATEGY_KERNEL.*expected one of warm, fresh, got 'tepid'"):
        kernel_mode()


def test_env_changes_carry_what_the_parent_set_and_removed() -> None:
    before = {"A": "1", "B": "2", "C": "3"}
    now = {"A": "1", "B": "changed", "D": "new"}
    assert _env_changes(before, now) == {"B": "changed", "D": "new", "C": None}
    assert _env_changes(before, dict(before)) == {}


# ---------------------------------------------------------------- fresh state in a warm kernel


@pytest.mark.slow
def test_a_notebook_sees_nothing_the_previous_one_left(tmp_path: Path, new_warm_kernel: Any) -> None:
    nbs = tmp_path / "notebooks"
    leaky = _notebook(nbs, "leaky", LEAK)
    probe = _notebook(nbs, "probe", PROBE)
    out = tmp_path / "out"

    fresh = _probe(_run(probe, out, "fresh", kernel="fresh"))
    _run(leaky, out, "first")
    after = _run(probe, out, "second")
    seen = _probe(after)

    assert warm.current() is not None and warm.current().notebooks == 2  # type: ignore[union-attr]
    assert seen["leak"] is False and "leak" not in seen["names"]
    assert seen["env"] is None
    assert seen["cwd"] == str(nbs)  # the notebook's folder, as papermill gives a new kernel
    assert seen["path_leak"] is False
    assert seen["filters"] == fresh["filters"]
    assert seen["names"] == fresh["names"]  # the same namespace as a new kernel's
    assert seen["label"] == "second"  # the injected parameters cell ran
    # not reset, by design: imported modules stay (that is what makes the kernel warm)
    assert seen["xml_dom_minidom_imported"] is True and fresh["xml_dom_minidom_imported"] is False
    # the execution counts start at 1 as in a new kernel
    counts = [c.execution_count for c in after.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))
    injected = [c for c in after.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'label = "second"' in injected[0].source


@pytest.mark.slow
def test_the_parent_environment_reaches_the_warm_kernel(
    tmp_path: Path, new_warm_kernel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = _notebook(tmp_path / "notebooks", "probe", PROBE)
    monkeypatch.delenv("LLMSTRATEGY_TEST_PARENT", raising=False)
    first = _probe(_run(probe, tmp_path, "one"))
    monkeypatch.setenv("LLMSTRATEGY_TEST_PARENT", "set after the kernel started")
    second = _probe(_run(probe, tmp_path, "two"))
    monkeypatch.delenv("LLMSTRATEGY_TEST_PARENT")
    third = _probe(_run(probe, tmp_path, "three"))
    assert first["pid"] == second["pid"] == third["pid"]  # one kernel
    assert (first["parent_env"], second["parent_env"], third["parent_env"]) == (
        None,
        "set after the kernel started",
        None,
    )


# ---------------------------------------------------------------- papermill's semantics


@pytest.mark.slow
def test_a_failed_cell_is_named_its_notebook_kept_and_the_kernel_reused(tmp_path: Path, new_warm_kernel: Any) -> None:
    nbs = tmp_path / "notebooks"
    probe = _notebook(nbs, "probe", PROBE)
    failing = _notebook(nbs, "failing", "leak = 1", "raise ValueError('no such model: xyz')", "print('never')")
    first = _probe(_run(probe, tmp_path, "before"))

    with pytest.raises(RenderError) as caught:
        _run(failing, tmp_path, "fails")
    err = str(caught.value)
    cell_id = nbformat.read(str(failing), as_version=4).cells[2].id
    assert f"cell 2 (id {cell_id}) of failing.ipynb failed: ValueError: no such model: xyz" in err, err
    kept = tmp_path / "failing.fails.ipynb"
    assert str(kept) in err and kept.is_file()
    executed = nbformat.read(str(kept), as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "ValueError"
    assert "never" not in kept.read_text(encoding="utf-8").split('"outputs"', 1)[1].split("print('never')")[0]

    after = _probe(_run(probe, tmp_path, "after"))
    assert after["pid"] == first["pid"]  # a cell's error leaves the kernel idle: it is reused
    assert after["leak"] is False


@pytest.mark.slow
def test_saves_are_fewer_but_the_last_one_has_every_output(tmp_path: Path, new_warm_kernel: Any) -> None:
    """papermill writes the notebook twice per cell; here on a code cell's completion at most
    every SAVE_EVERY_S, and always at the end."""
    from papermill import engines

    cells = [f"print({i})" for i in range(20)]
    path = _notebook(tmp_path / "notebooks", "many", *cells, markdown=10)
    writes: list[int] = []
    original = engines.write_ipynb

    def counting(nb: Any, where: str) -> None:
        writes.append(sum(1 for c in nb.cells if c.get("outputs")))
        original(nb, where)

    engines.write_ipynb = counting
    try:
        _run(path, tmp_path, "saves")
    finally:
        engines.write_ipynb = original
    assert len(writes) < 10, writes  # papermill's own engine: 2 a cell, 62 here
    saved = nbformat.read(str(tmp_path / "many.saves.ipynb"), as_version=4)
    printed = [c.outputs[0]["text"].strip() for c in saved.cells if c.cell_type == "code" and c.outputs]
    assert printed == [str(i) for i in range(20)]


@pytest.mark.slow
def test_slow_cells_are_saved_as_they_complete(tmp_path: Path, new_warm_kernel: Any) -> None:
    """A render killed mid-way keeps the cells done so far (what tests/report/test_render_faults.py waits for)."""
    from papermill import engines

    path = _notebook(tmp_path / "notebooks", "slow", *["import time; time.sleep(0.6); print('x')"] * 3)
    executed_then: list[int] = []
    original = engines.write_ipynb

    def counting(nb: Any, where: str) -> None:
        executed_then.append(sum(1 for c in nb.cells if c.get("execution_count")))
        original(nb, where)

    engines.write_ipynb = counting
    try:
        _run(path, tmp_path, "slow")
    finally:
        engines.write_ipynb = original
    # the parameters cell and papermill's injected one are quick (one save covers both),
    # then each 0.6 s cell is saved as it completes
    assert executed_then[0] == 0 and {3, 4, 5} <= set(executed_then), executed_then


# ---------------------------------------------------------------- replacing a kernel


@pytest.mark.slow
def test_a_dead_kernel_is_replaced(tmp_path: Path, new_warm_kernel: Any) -> None:
    nbs = tmp_path / "notebooks"
    probe = _notebook(nbs, "probe", PROBE)
    dies = _notebook(nbs, "dies", "import os; os._exit(1)")
    first = _probe(_run(probe, tmp_path, "one"))

    os.kill(first["pid"], signal.SIGKILL)  # killed between two notebooks
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{first['pid']}/stat").exists():
        if Path(f"/proc/{first['pid']}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            break
        time.sleep(0.05)
    second = _probe(_run(probe, tmp_path, "two"))
    assert second["pid"] != first["pid"] and second["leak"] is False

    with pytest.raises(Exception, match=r"(?i)dead|died|kernel"):  # dies during a notebook: that render fails
        _run(dies, tmp_path, "dies")
    assert warm.current() is None  # discarded
    third = _probe(_run(probe, tmp_path, "three"))
    assert third["pid"] not in (first["pid"], second["pid"])


@pytest.mark.slow
def test_a_timed_out_kernel_is_killed_and_replaced(tmp_path: Path, new_warm_kernel: Any) -> None:
    nbs = tmp_path / "notebooks"
    probe = _notebook(nbs, "probe", PROBE)
    hangs = _notebook(nbs, "hangs", "import time; time.sleep(60)")
    first = _probe(_run(probe, tmp_path, "one"))
    t0 = time.monotonic()
    with pytest.raises(Exception, match=r"(?i)timeout|timed out"):
        _run(hangs, tmp_path, "hangs", timeout_s=2)
    assert time.monotonic() - t0 < 30
    assert warm.current() is None
    assert (tmp_path / "hangs.hangs.ipynb").is_file()  # kept, as on any failure
    second = _probe(_run(probe, tmp_path, "two"))
    assert second["pid"] != first["pid"]


def _probe_in_child(args: tuple[str, str]) -> int:
    path, out = args
    return int(_probe(_run(Path(path), Path(out), "child"))["pid"])


@pytest.mark.slow
def test_a_forked_worker_starts_its_own_kernel(tmp_path: Path, new_warm_kernel: Any) -> None:
    """A worker forked from a process with a warm kernel must not talk to the parent's kernel."""
    probe = _notebook(tmp_path / "notebooks", "probe", PROBE)
    parent = _probe(_run(probe, tmp_path, "parent"))
    with multiprocessing.get_context("fork").Pool(1) as pool:
        child_pid = pool.map(_probe_in_child, [(str(probe), str(tmp_path / "child"))])[0]
    assert child_pid != parent["pid"]
    again = _probe(_run(probe, tmp_path, "again"))
    assert again["pid"] == parent["pid"]  # the parent's kernel still serves the parent


# ---------------------------------------------------------------- a real report


@pytest.mark.slow
def test_a_report_is_the_same_bytes_from_a_warm_kernel_as_from_a_fresh_one(
    tmp_path: Path, new_warm_kernel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two profiles in one warm kernel; the second's report is byte-identical to its render
    in a new kernel (the date fixed, the Monte Carlo seeded)."""
    from llmstrategy.report import render_batch

    profiles = [ROOT / "data" / "profiles" / f"{s}.yaml" for s in ("startup_support_assistant", "internal_kb_qa")]
    monkeypatch.setenv("LLMSTRATEGY_KERNEL", "warm")
    warm_results = render_batch(profiles, out_dir=tmp_path / "warm", jobs=1, as_of=AS_OF, progress=False)
    monkeypatch.setenv("LLMSTRATEGY_KERNEL", "fresh")
    fresh_results = render_batch(profiles[1:], out_dir=tmp_path / "fresh", jobs=1, as_of=AS_OF, progress=False)
    assert all(r.ok for r in warm_results + fresh_results), [r.error for r in warm_results + fresh_results]
    a, b = Path(warm_results[1].html_path or ""), Path(fresh_results[0].html_path or "")
    assert a.read_bytes() == b.read_bytes()
