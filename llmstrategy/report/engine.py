"""The papermill engine every render uses: papermill's own nbclient engine, with two changes.

- It executes in the process's warm kernel when given one (``warm_kernel=``, :mod:`.warm`):
  papermill's client on a kernel it neither starts nor stops. Without one it starts a new
  kernel per notebook, as papermill does.
- It saves the executed notebook less often. papermill writes the whole notebook (a deep
  copy, then indented JSON: about 13 ms for a report's 290 KB) when each cell starts and
  when it completes, markdown cells included: about 100 writes, ≈ 0.7-1.2 s per report.
  Here it is written when a code cell completes, at most every :data:`SAVE_EVERY_S`
  seconds, during a long cell as papermill's autosave does, and always at the start and the
  end, success, failure or timeout alike (papermill's ``notebook_complete`` runs in a
  ``finally``), so the executed notebook is kept on failure with the error in its cell.

Everything else is papermill's: the injected parameters cell, the cell metadata and
timings, the error markers, the exceptions :mod:`.execute` turns into one line.
"""

from __future__ import annotations

import time
from typing import Any

ENGINE_NAME = "llmstrategy"
#: the shortest wall time between two saves of the executed notebook on cell completion [s]
SAVE_EVERY_S = 0.5
#: seconds nbclient waits for a cell's output messages after its reply (papermill raises after it)
IOPUB_TIMEOUT_S = 30


def register_engine() -> None:
    """Register :class:`Engine` with papermill under :data:`ENGINE_NAME` (idempotent)."""
    from papermill.engines import papermill_engines

    if ENGINE_NAME not in papermill_engines._engines:
        papermill_engines.register(ENGINE_NAME, _engine_class())


def _engine_class() -> type:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class Manager(NotebookExecutionManager):
        """papermill's execution manager, saving as the module docstring says."""

        _phase = ""
        _saved_at = 0.0

        def cell_start(self, cell: Any, cell_index: Any = None, **kwargs: Any) -> Any:
            self._phase = "start"
            try:
                return super().cell_start(cell, cell_index, **kwargs)
            finally:
                self._phase = ""

        def cell_complete(self, cell: Any, cell_index: Any = None, **kwargs: Any) -> Any:
            self._phase = "markdown" if cell.get("cell_type") != "code" else "complete"
            try:
                return super().cell_complete(cell, cell_index, **kwargs)
            finally:
                self._phase = ""

        def save(self, **kwargs: Any) -> Any:
            if self._phase in ("start", "markdown"):
                return None
            if self._phase == "complete" and time.monotonic() - self._saved_at < SAVE_EVERY_S:
                return None
            self._saved_at = time.monotonic()
            return super().save(**kwargs)

    class WarmClient(PapermillNotebookClient):
        """papermill's client on a kernel it does not own: it neither starts nor stops it."""

        def __init__(self, nb_man: Any, *, warm_kernel: Any, **kw: Any) -> None:
            super().__init__(nb_man, km=warm_kernel.km, **kw)
            self.kc = warm_kernel.kc

    class Engine(NBClientEngine):
        """papermill's nbclient engine with :class:`Manager`, in a warm kernel if given one."""

        @classmethod
        def execute_notebook(  # papermill's Engine.execute_notebook with its own manager
            cls,
            nb: Any,
            kernel_name: str,
            output_path: str | None = None,
            progress_bar: bool = True,
            log_output: bool = False,
            autosave_cell_every: int = 30,
            **kwargs: Any,
        ) -> Any:
            nb_man = Manager(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(  # NBClientEngine's, plus the warm kernel
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            warm_kernel = kwargs.pop("warm_kernel", None)
            kwargs = remove_args(["input_path"], **kwargs)
            if warm_kernel is not None:  # its kernel was started and is stopped by .warm
                kwargs = remove_args(["shutdown_kernel", "extra_arguments"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            timeout = execution_timeout if execution_timeout else kwargs.get("timeout")
            # papermill raises when a cell's output messages take over nbclient's default 4 s to
            # arrive, which a loaded machine can exceed: wait up to 30 s (then .execute retries once)
            safe_kwargs.setdefault("iopub_timeout", IOPUB_TIMEOUT_S)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            if warm_kernel is None:
                return PapermillNotebookClient(nb_man, **final_kwargs).execute()
            warm_kernel.notebooks += 1
            return WarmClient(nb_man, warm_kernel=warm_kernel, **final_kwargs).execute()

    return Engine
