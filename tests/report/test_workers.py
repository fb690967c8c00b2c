"""Worker processes die with their parent (issue 17), shown without notebooks: a pool of
workers that sleep, then write a file behind :func:`parent_guard`. The parent alone is
signalled (not its process group), as ``kill <pid>`` or an orchestrator would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from llmstrategy.errors import RenderError
from llmstrategy.files import atomic_write_text
from llmstrategy.report.workers import parent_guard

SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from llmstrategy.files import atomic_write_text
    from llmstrategy.report.workers import parent_guard, run_pool

    def job(path, *, parent_pid):
        time.sleep(4)
        atomic_write_text(Path(path), "written by a worker", before_replace=parent_guard(parent_pid))
        return path

    if __name__ == "__main__":
        out = Path(sys.argv[1])
        calls = [((str(out / f"r{i}.html"),), {}) for i in range(2)]
        try:
            run_pool(job, 2, calls, lambda i, r: print("done", r, flush=True))
        except KeyboardInterrupt:
            sys.exit(130)
    """
)


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT], ids=["SIGTERM", "SIGKILL", "SIGINT"])
def test_workers_die_with_their_parent_and_write_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    script = tmp_path / "pool.py"
    script.write_text(SCRIPT)
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, str(script), str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 30
        while len(workers) < 2:
            assert time.monotonic() < deadline, "the workers did not start"
            assert proc.poll() is None, proc.communicate()
            workers |= _children(proc.pid) - {proc.pid}
            time.sleep(0.05)
        time.sleep(0.5)  # the workers are sleeping in the job
        os.kill(proc.pid, sig)  # the parent only
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == {signal.SIGINT: 130}.get(sig, -sig), err
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers):
            assert time.monotonic() < deadline, f"workers {sorted(w for w in workers if _alive(w))} outlived the parent"
            time.sleep(0.05)
        time.sleep(4.5)  # past the jobs' sleep: a surviving worker would have written by now
    finally:
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
    assert list(out.iterdir()) == [], "a worker wrote after its parent had gone"


def test_the_guard_stops_a_write_once_the_parent_is_gone(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous")
    not_my_parent = os.getpid()  # this process is not its own parent
    with pytest.raises(RenderError, match="render abandoned"):
        atomic_write_text(target, "late", before_replace=parent_guard(not_my_parent))
    assert target.read_text() == "previous" and sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    atomic_write_text(target, "in time", before_replace=parent_guard(os.getppid()))
    assert target.read_text() == "in time"
    assert parent_guard(None) is None
