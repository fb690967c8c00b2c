"""Rendering under faults, through the real ``llmstrategy render`` command.

- A render killed mid-way (SIGTERM, SIGKILL) leaves no partial HTML at the target path,
  the previous report there byte-identical, no temporary file, and no kernel behind it.
- A batch of 30 profiles of which 5 are broken renders the 25, lists the 5 with one-line
  reasons, and exits non-zero.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from llmstrategy.report import DEFAULT_NOTEBOOK

pytestmark = pytest.mark.slow

SMALL = ROOT / "data" / "profiles" / "ticket_routing_rules.yaml"
AS_OF = "2026-11-23"
EXE = Path(sys.executable).with_name("llmstrategy")
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "llmstrategy.cli"]
PREVIOUS = b"<!DOCTYPE html><html><body>the previous report, kept byte for byte</body></html>\n"


# ---------------------------------------------------------------- process helpers


def _children() -> dict[int, list[int]]:
    """ppid → child pids, read from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


def _executed_cells(notebook: Path) -> int:
    """Code cells papermill has saved as executed (0 while the file is absent or being written)."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    return sum(1 for c in nb.get("cells", []) if c.get("execution_count"))


def _wait_for(predicate, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.05)


# ---------------------------------------------------------------- 1. killed renders


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killed_render_leaves_previous_report_and_no_kernel(tmp_path: Path, sig: signal.Signals) -> None:
    profile = tmp_path / "kill_me.yaml"
    profile.write_bytes(SMALL.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    target = out / "kill_me.html"
    target.write_bytes(PREVIOUS)
    executed = out / ".build" / f"kill_me.{DEFAULT_NOTEBOOK}.ipynb"  # the default notebook

    proc = subprocess.Popen(
        [*CMD, "render", str(profile), "--out", str(out), "--jobs", "1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: killpg reaches the CLI and its children
    )
    kernels: set[int] = set()
    try:
        # mid-way = the kernel runs and papermill has saved at least one executed cell
        def executing() -> bool:
            assert proc.poll() is None, "the render ended before it could be killed"
            kernels.update(p for p in _descendants(proc.pid) if "ipykernel" in _cmdline(p))
            return bool(kernels) and _executed_cells(executed) >= 1

        _wait_for(executing, 180, "the papermill kernel to execute a cell")
        kernels.update(p for p in _descendants(proc.pid) if "ipykernel" in _cmdline(p))
        assert proc.poll() is None, "the render finished before the kill: nothing was tested"
        os.killpg(proc.pid, sig)
        proc.communicate(timeout=60)
        assert proc.returncode == -sig

        # jupyter_client starts the kernel in a session of its own, so the group signal
        # does not reach it; ipykernel's parent poller must end it once its parent is gone
        _wait_for(lambda: not any(_alive(k) for k in kernels), 30, f"orphan kernels {sorted(kernels)} to exit")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        for k in kernels:  # only the kernels this test started
            if _alive(k):
                os.kill(k, signal.SIGKILL)

    assert target.read_bytes() == PREVIOUS, "the previous report changed"
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["kill_me.html"], "partial or temporary files left"
    print(f"{sig.name} after {_executed_cells(executed)} executed cells; kernels {sorted(kernels)} gone")


# ---------------------------------------------------------------- 2. a batch with broken profiles

GOOD_COPIES = 25


def _batch(tmp_path: Path) -> tuple[list[Path], dict[Path, str]]:
    """25 copies of a small profile and 5 broken ones (with the reason each must give)."""
    src = tmp_path / "profiles"
    src.mkdir()
    good = []
    base = yaml.safe_load(SMALL.read_text())
    for i in range(GOOD_COPIES):
        path = src / f"good_{i:02d}.yaml"
        path.write_text(yaml.safe_dump({**base, "name": f"{base['name']} #{i}"}, allow_unicode=True))
        good.append(path)
    broken = {
        src / "bad_yaml.yaml": "invalid YAML at line",
        src / "bad_field.yaml": "field 'requests_per_day'",
        src / "binary.yaml": "UTF-8",
        src / "missing.yaml": "file not found",
        src / "unknown_model.yaml": "UnknownIdError",  # valid schema: fails in the kernel
    }
    (src / "bad_yaml.yaml").write_text("name: [unclosed\nstage: x\n")
    (src / "bad_field.yaml").write_text(yaml.safe_dump({**base, "requests_per_day": -5}))
    (src / "binary.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    (src / "unknown_model.yaml").write_text(yaml.safe_dump({**base, "assumptions": {"api_model": "no-such-model"}}))
    order = good[:10] + list(broken) + good[10:]  # the broken ones in the middle of the batch
    return order, broken


def test_batch_of_30_with_5_broken(tmp_path: Path) -> None:
    profiles, broken = _batch(tmp_path)
    assert len(profiles) == 30 and len(broken) == 5
    out = tmp_path / "out"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [*CMD, "render", *map(str, profiles), "--out", str(out), "--jobs", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    seconds = time.perf_counter() - t0
    print(f"30-profile batch (25 renders, --jobs 2): {seconds:.0f} s")

    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    written = sorted(p.name for p in out.glob("*.html") if p.name != "index.html")  # index: links the reports
    assert written == sorted(f"good_{i:02d}.html" for i in range(GOOD_COPIES))
    for name in written:
        assert (out / name).stat().st_size > 1_000_000, name
        assert f"wrote {out / name}" in proc.stdout
    assert f"{GOOD_COPIES} report(s) rendered" not in proc.stdout

    err = proc.stderr.splitlines()
    head = [i for i, line in enumerate(err) if line == "5 of 30 report(s) failed:"]
    assert len(head) == 1, proc.stderr[-3000:]
    listed = err[head[0] + 1 :]
    assert len(listed) == 5, listed  # one line each, nothing else after
    for path, reason in broken.items():
        line = next((x for x in listed if x.startswith(f"  {path}: ")), None)
        assert line is not None, (path, listed)
        assert reason in line, line
    # nothing else: no temporary or partial files (each report also has its tables as CSV)
    leftovers = sorted(p.name for p in out.iterdir() if p.is_file() and p.suffix != ".csv" and p.name != "index.html")
    assert leftovers == written
    assert not any(p.name.startswith("bad_") or p.name.startswith("unknown_") for p in out.iterdir())


# ---------------------------------------------------------------- 3. a killed --jobs 2 render


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killed_parallel_render_leaves_no_process_and_no_late_write(tmp_path: Path, sig: signal.Signals) -> None:
    """The signal goes to the ``render --jobs 2`` process alone (not its group): its workers
    end with it (SIGTERM: it kills them; SIGKILL: the kernel's parent-death signal), their
    kernels follow, no report is written afterwards, and the next run leaves no temporary
    file behind."""
    profiles = []
    for stem in ("first", "second"):
        profiles.append(tmp_path / f"{stem}.yaml")
        profiles[-1].write_bytes(SMALL.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    for p in profiles:
        (out / f"{p.stem}.html").write_bytes(PREVIOUS)
    executed = [out / ".build" / f"{p.stem}.{DEFAULT_NOTEBOOK}.ipynb" for p in profiles]
    args = ["render", *map(str, profiles), "--out", str(out), "--jobs", "2", "--no-index"]
    proc = subprocess.Popen([*CMD, *args], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    family: set[int] = set()
    try:

        def both_executing() -> bool:
            assert proc.poll() is None, "the render ended before it could be killed"
            family.update(_descendants(proc.pid))
            kernels = [p for p in family if "ipykernel" in _cmdline(p)]
            return len(kernels) >= 2 and all(_executed_cells(e) >= 1 for e in executed)

        _wait_for(both_executing, 180, "both workers' kernels to execute a cell")
        family.update(_descendants(proc.pid))
        assert len(family) >= 4, family  # two workers, two kernels
        os.kill(proc.pid, sig)
        proc.communicate(timeout=60)
        assert proc.returncode == -sig
        _wait_for(lambda: not any(_alive(p) for p in family), 30, f"processes {sorted(family)} to end")
        time.sleep(15)  # a worker left running would finish its render and write by now
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for p in family:
            if _alive(p):
                os.kill(p, signal.SIGKILL)
    for p in profiles:
        assert (out / f"{p.stem}.html").read_bytes() == PREVIOUS, f"{p.stem}.html was written after the kill"
    assert not list(out.glob("*.csv")), "tables written after the kill"

    # the next run: nothing a killed writer left behind stays
    (out / f".first.html.{2**22 + 7}.abcdefgh.tmp").write_bytes(b"partial")  # as a SIGKILL mid-write leaves it
    os.utime(out / f".first.html.{2**22 + 7}.abcdefgh.tmp", (time.time() - 5, time.time() - 5))
    again = subprocess.run([*CMD, *args], cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    assert again.returncode == 0, again.stderr[-2000:]
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert not [p.name for p in (out / ".index").iterdir() if p.name.endswith(".tmp")]
    for p in profiles:
        assert (out / f"{p.stem}.html").stat().st_size > 1_000_000
