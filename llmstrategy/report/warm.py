"""One kernel per process, kept warm across that process's renders, with fresh state per notebook.

A fresh kernel per report pays the kernel start and, in the first cell, the imports of
numpy, pandas, pydantic and plotly and a cold engine (empty sizing caches): about two
thirds of a report's render (bench/RESULTS.md). Here each process (the CLI's with
``--jobs 1``, each worker with ``--jobs N``) starts one kernel at its first render and runs
every later notebook in it, through papermill all the same (:mod:`.engine`: the
parameters cell injected by papermill, the executed notebook saved as its cells complete and kept
on failure, the failing cell reported by :mod:`.execute`, the per-cell timeout).

After each notebook :data:`CLEAN_CODE` is sent to the kernel (it runs while this process
exports the report), and before the next one it is waited for and :data:`SETTLE_CODE` run,
both silently; together they give the notebook the state a new kernel would have:

- reset: the user namespace (``get_ipython().reset(new_session=True)``: every variable,
  ``In``/``Out``/``_``, the history session, the execution count back to 1), the working
  folder (the notebook's own), ``os.environ`` (the kernel's environment at start, with the
  changes the parent made since, as a new kernel would inherit them), ``sys.path``, and the
  warning filters and the "shown once" registries;
- not reset: ``sys.modules`` (the point: numpy, pandas, plotly and the package stay
  imported) and so module-level state, in this package only memoized pure functions keyed
  by their inputs and by the catalog files' modification times (the catalog itself, and the
  HTML of the sections that depend on it alone: :func:`llmstrategy.notebook.session.session_catalog`,
  ``catalog_view``); settings a notebook changes
  in a library (pandas options, plotly templates), IPython's display formatters, event
  hooks and configuration; threads, open files and the random generators' state.

A kernel that died, failed its reset, timed out, or belongs to another process (a worker
forked from a parent that rendered) is never reused: the next notebook gets a new one. The
kernel is killed when its process exits (atexit, and multiprocessing's finalizers in a
worker); when the process is killed, ipykernel's parent poller ends it. Set
``LLMSTRATEGY_KERNEL=fresh`` for one new kernel per notebook (:mod:`.execute`).
"""

from __future__ import annotations

import atexit
import inspect
import json
import os
import time
from typing import Any

from llmstrategy.errors import RenderError

#: Run once, silently, right after the kernel starts: what :data:`CLEAN_CODE` and
#: :data:`SETTLE_CODE` restore.
SNAPSHOT_CODE = """\
def __llmstrategy_snapshot():
    import os, sys, types, warnings
    state = types.ModuleType("_llmstrategy_warm_state")
    state.environ, state.path, state.filters = dict(os.environ), list(sys.path), list(warnings.filters)
    sys.modules[state.__name__] = state
__llmstrategy_snapshot()
del __llmstrategy_snapshot
"""

#: Sent silently as soon as a notebook has run (:func:`release`), so the kernel cleans up
#: while this process exports the report; waited for before the next notebook
#: (:meth:`WarmKernel.reset`). IPython's ``reset`` also collects the garbage.
CLEAN_CODE = """\
def __llmstrategy_clean():
    import sys, warnings
    state = sys.modules["_llmstrategy_warm_state"]
    get_ipython().reset(new_session=True)
    sys.path[:] = state.path
    warnings.filters[:] = state.filters
    getattr(warnings, "_filters_mutated", lambda: None)()
__llmstrategy_clean()
"""

#: Run silently just before each notebook (``%s``: the notebook's folder and the changes to
#: this process's environment since the kernel started, as JSON).
SETTLE_CODE = """\
def __llmstrategy_settle(cwd, env_changes):
    import os, sys
    state = sys.modules["_llmstrategy_warm_state"]
    os.chdir(cwd)
    target = dict(state.environ)
    for key, value in env_changes.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    for key in [k for k in os.environ if k not in target]:
        del os.environ[key]
    for key, value in target.items():
        if os.environ.get(key) != value:
            os.environ[key] = value
__llmstrategy_settle(*%s)
del __llmstrategy_settle
"""


def _env_changes(before: dict[str, str], now: dict[str, str]) -> dict[str, str | None]:
    """What changed in the parent's environment since the kernel started (None: removed)."""
    changes: dict[str, str | None] = {k: v for k, v in now.items() if before.get(k) != v}
    changes.update({k: None for k in before if k not in now})
    return changes


class WarmKernel:
    """One started kernel, its manager and client, and what it was started with."""

    def __init__(self, kernel_name: str, cwd: str, extra_arguments: list[str], startup_timeout_s: float) -> None:
        """Start the kernel in ``cwd`` and record its state at start (:data:`SNAPSHOT_CODE`)."""
        from jupyter_client.manager import AsyncKernelManager

        self.pid = os.getpid()
        self.kernel_name = kernel_name
        self.extra_arguments = list(extra_arguments)
        self.parent_environ = dict(os.environ)
        self.notebooks = 0  # notebooks run in it (counted by .engine)
        self.cleaned_after = 0  # the count of notebooks when the namespace was last cleaned
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        self.kc: Any = None
        self.cleaning: str | None = None  # the message id of a clean-up sent, not yet answered
        # the same arguments nbclient gives a kernel it starts (no history file on disk)
        args = [*extra_arguments, "--HistoryManager.hist_file=:memory:"]
        try:
            _wait(self.km.start_kernel(extra_arguments=args, cwd=cwd))
            self.kc = self.km.client()
            self.kc.start_channels()
            _wait(self.kc.wait_for_ready(timeout=startup_timeout_s))
            self.kc.allow_stdin = False
            self.run(SNAPSHOT_CODE, startup_timeout_s)
        except BaseException:
            self.shutdown()
            raise

    def alive(self) -> bool:
        return self.pid == os.getpid() and bool(_wait(self.km.is_alive()))

    def send(self, code: str) -> str:
        """Send ``code`` to run silently (no history, no outputs, the execution count
        untouched); its message id."""
        return str(self.kc.execute(code, silent=True, store_history=False, allow_stdin=False))

    def run(self, code: str, timeout_s: float, msg_id: str | None = None) -> None:
        """Execute ``code`` (or wait for ``msg_id``, sent before); raise :class:`RenderError`
        when it fails or takes longer than ``timeout_s``."""
        msg_id = msg_id or self.send(code)
        reply: dict[str, Any] = _wait(self._reply(msg_id, timeout_s))
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise RenderError(f"the warm kernel's reset failed: {content.get('ename')}: {content.get('evalue')}")

    async def _reply(self, msg_id: str, timeout_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RenderError(f"the warm kernel did not answer within {timeout_s:g} s")
            try:
                msg: dict[str, Any] = await self.kc.get_shell_msg(timeout=remaining)
            except Exception as err:  # queue.Empty on timeout
                raise RenderError(f"the warm kernel did not answer within {timeout_s:g} s") from err
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg

    def reset(self, cwd: str, timeout_s: float = 60.0) -> None:
        """Give the next notebook a new kernel's state (module docstring): the clean-up sent
        after the previous notebook (or now, if none was), then the folder and environment."""
        pending, self.cleaning = self.cleaning, None
        if pending or self.notebooks > self.cleaned_after:
            self.run(CLEAN_CODE, timeout_s, msg_id=pending)
        self.cleaned_after = self.notebooks
        args = json.dumps([cwd, _env_changes(self.parent_environ, dict(os.environ))])
        self.run(SETTLE_CODE % args, timeout_s)

    def shutdown(self) -> None:
        """Kill the kernel at once (its outputs are all saved by then); never raises."""
        if self.pid != os.getpid():  # a fork's copy: the sockets and the kernel are the parent's
            return
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km.has_kernel:  # kills at once, then removes the connection file
                _wait(self.km.shutdown_kernel(now=True))
        except Exception:  # at exit, a kernel already gone or a closed loop: nothing to do
            pass
        self.kc = None


async def _awaited(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _wait(value: Any) -> Any:
    """The result of a jupyter_client call, awaited on the same event loop nbclient uses."""
    from jupyter_core.utils import run_sync

    return run_sync(_awaited)(value)


_current: WarmKernel | None = None
_inherited: list[WarmKernel] = []  # kernels of a parent process, kept from garbage collection
_cleanup_registered_pid: int | None = None


def _shutdown_current() -> None:
    global _current
    if _current is not None:
        _current.shutdown()
        _current = None


def _register_cleanup() -> None:
    global _cleanup_registered_pid
    if _cleanup_registered_pid == os.getpid():
        return
    from multiprocessing import util

    atexit.register(_shutdown_current)
    util.Finalize(None, _shutdown_current, exitpriority=10)  # a pool worker runs these, not atexit
    _cleanup_registered_pid = os.getpid()


def acquire(kernel_name: str, cwd: str, extra_arguments: list[str], startup_timeout_s: float = 60.0) -> WarmKernel:
    """This process's warm kernel, reset for the next notebook, or a new one when there is
    none, it was started differently, it died, or its reset failed."""
    global _current
    kernel = _current
    if kernel is not None and kernel.pid != os.getpid():
        _inherited.append(kernel)
        kernel = _current = None
    if kernel is not None and (
        kernel.kernel_name != kernel_name or kernel.extra_arguments != extra_arguments or not kernel.alive()
    ):
        discard()
        kernel = None
    if kernel is not None:
        try:
            kernel.reset(cwd)
            return kernel
        except Exception:
            discard()
    _register_cleanup()
    _current = WarmKernel(kernel_name, cwd, extra_arguments, startup_timeout_s)
    _current.reset(cwd)  # its namespace is a new kernel's already: only the folder and environment
    return _current


def release(kernel: WarmKernel) -> None:
    """A notebook has run in ``kernel`` (its cells all answered): send the clean-up now, so
    the kernel does it while this process exports the report."""
    if kernel is _current and kernel.cleaning is None and kernel.pid == os.getpid():
        kernel.cleaning = kernel.send(CLEAN_CODE)


def discard() -> None:
    """Kill this process's warm kernel (after a timeout or a dead kernel: its state is unknown)."""
    global _current
    if _current is not None and _current.pid == os.getpid():
        _current.shutdown()
    _current = None


def current() -> WarmKernel | None:
    """This process's warm kernel, if it has one (for tests and benchmarks)."""
    return _current if _current is not None and _current.pid == os.getpid() else None
