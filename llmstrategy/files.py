"""Small file helpers: atomic writes so a failure never leaves a half-written file, an
advisory lock for read-modify-write cycles, the clean-up of temporary files a killed
process left behind, and CSV cells a spreadsheet will not run as formulas."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(
    target: Path, data: bytes, *, mode: int | None = None, before_replace: Callable[[], None] | None = None
) -> None:
    """Write ``data`` to a temporary file beside ``target``, fsync it, then rename.

    A crash at any point leaves either the previous file or the new one, never a mix. The
    file gets ``mode`` (default: 0o666 less the umask). ``before_replace`` runs just before
    the rename and may raise to abandon the write (a render worker checks that its parent
    is still alive). The temporary name ``.<name>.<pid>.<random>.tmp`` carries the writer's
    process id, so :func:`clean_stale_temp_files` can tell a dead writer's file.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_file_beside(target, data, mode)
    try:
        if before_replace is not None:
            before_replace()
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def temp_file_beside(target: Path, data: bytes, mode: int | None = None) -> Path:
    """``data`` in a fsynced temporary file beside ``target`` with ``mode`` (default 0o666 less
    the umask), named ``.<name>.<pid>.<random>.tmp`` so :func:`clean_stale_temp_files` can tell
    a dead writer's; removed again if writing it fails. The caller renames it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask() if mode is None else mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def atomic_write_text(
    target: Path, text: str, *, mode: int | None = None, before_replace: Callable[[], None] | None = None
) -> None:
    atomic_write_bytes(target, text.encode("utf-8"), mode=mode, before_replace=before_replace)


#: ``.<name>.<pid>.<8 random characters>.tmp`` (the pid part is absent in older files)
_TEMP_NAME = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.[a-z0-9_]{8}\.tmp$")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def clean_stale_temp_files(folder: Path, *, older_than: float, name: str | None = None) -> list[Path]:
    """Remove the temporary files of :func:`atomic_write_bytes` in ``folder`` that a killed
    writer left: modified before ``older_than`` (a ``time.time()``) and, when the name
    carries a process id, whose process is gone. A live writer's file is never touched.
    ``name`` limits it to the temporary files of that target. Returns the files removed; a
    missing folder is no error."""
    removed: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for path in entries:
        m = _TEMP_NAME.match(path.name)
        if name is not None and not path.name.startswith(f".{name}."):
            continue
        if m is None or (m.group("pid") is not None and _pid_alive(int(m.group("pid")))):
            continue
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < older_than:
                path.unlink()
                removed.append(path)
    return removed


class LockTimeoutError(OSError):
    """Another process held the lock for longer than the wait allowed."""


@contextlib.contextmanager
def locked(path: Path, *, timeout_s: float = 60.0) -> Iterator[None]:
    """Hold an exclusive advisory lock (``fcntl.flock``) on the existing file ``path`` for the
    block. A writer that replaces the file by a rename leaves waiting processes holding the
    old inode: once granted, the lock is checked to be on the file the path names now, else
    taken again on the new one. Raises :class:`LockTimeoutError` after ``timeout_s`` seconds and
    ``FileNotFoundError`` for a missing file."""
    import fcntl  # POSIX only: imported here, so the rest of the module works anywhere

    deadline = time.monotonic() + timeout_s
    while True:
        fd = os.open(path, os.O_RDONLY)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockTimeoutError(f"locked by another process for more than {timeout_s:g} s") from None
                    time.sleep(0.02)
            held, now = os.fstat(fd), os.stat(path)
            if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                yield
                return
        finally:
            os.close(fd)  # releases the lock


#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def csv_formula_risk(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula: it starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return and is not simply a number such as ``-3.5``."""
    return text.startswith(CSV_FORMULA_PREFIXES) and not _NUMBER.match(text)


def neutralize_csv_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula
    (OWASP's advice for CSV injection); numbers and other text as they are."""
    if isinstance(value, str) and csv_formula_risk(value):
        return "'" + value
    return value
