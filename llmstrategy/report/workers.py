"""Worker processes for ``render --jobs N`` that die with their parent.

- The parent (:func:`run_pool`) turns SIGTERM and SIGINT into an exception while the pool
  runs, kills its workers (SIGKILL), then dies of the same signal (SIGINT: KeyboardInterrupt).
- Each worker (:func:`_init_worker`) asks the kernel for SIGKILL when its parent dies
  (Linux ``PR_SET_PDEATHSIG``: this covers a SIGKILL of the parent too) and ignores SIGINT
  (a Ctrl-C reaches the parent, which ends the workers).
- Before each final rename a worker checks that its parent is the one that started it
  (:func:`parent_guard`), so no worker writes after the parent has gone, even where the
  death signal is not available.

The kernels the workers start run in sessions of their own; ipykernel's parent poller ends
each one within about a second of its worker's death.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any

from llmstrategy.errors import RenderError

_PR_SET_PDEATHSIG = 1


class _Terminated(BaseException):
    """SIGTERM or SIGINT in the parent, while the pool runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated(signum)


def _init_worker(parent_pid: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: parent_guard still stops every write
        pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def parent_guard(parent_pid: int | None) -> Callable[[], None] | None:
    """A check for :func:`llmstrategy.files.atomic_write_bytes` that raises when this process
    is no longer the child of ``parent_pid`` (None: no check, a render in the CLI's process)."""
    if parent_pid is None:
        return None

    def check() -> None:
        if os.getppid() != parent_pid:
            raise RenderError("render abandoned: the command that started it has ended")

    return check


def _kill(pool: ProcessPoolExecutor) -> None:
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            p.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            p.join(timeout=5)


def run_pool(
    fn: Callable[..., Any],
    jobs: int,
    calls: Iterable[tuple[tuple[Any, ...], dict[str, Any]]],
    on_done: Callable[[int, Any], None],
) -> None:
    """Run ``fn(*args, parent_pid=<this pid>, **kwargs)`` for each call in ``jobs`` worker
    processes; ``on_done(i, result)`` as each finishes. A SIGTERM or SIGINT (or any error)
    here kills every worker before it propagates."""
    parent = os.getpid()
    main = threading.current_thread() is threading.main_thread()
    previous = {}
    if main:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _raise_terminated)
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(parent,))
    try:
        futs: dict[Future[Any], int] = {
            pool.submit(fn, *args, parent_pid=parent, **kwargs): i for i, (args, kwargs) in enumerate(calls)
        }
        for fut in as_completed(futs):
            on_done(futs[fut], fut.result())
    except _Terminated as stop:
        _kill(pool)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        previous = {}
        if stop.signum == signal.SIGINT:
            raise KeyboardInterrupt from None
        signal.signal(stop.signum, signal.SIG_DFL)
        os.kill(os.getpid(), stop.signum)  # end as the signal would have
        raise SystemExit(128 + stop.signum) from None
    except BaseException:
        _kill(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
