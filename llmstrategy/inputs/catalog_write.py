"""Writing ``models.csv``: canonical CSV text, an atomic write that keeps the file's mode
and is skipped when nothing changed, the refusal of a read-only catalog, and writing
``models.csv`` and ``price_history.csv`` together, both or neither (a journal and its recovery)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

from llmstrategy.errors import CatalogError
from llmstrategy.files import atomic_write_text, temp_file_beside
from llmstrategy.inputs.catalog import ModelSpec


def refuse_read_only(target: Path, shown: Path) -> None:
    """A catalog without write permission is refused, not replaced (a rename would succeed
    in a writable folder and silently make it writable)."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(target, os.W_OK)):
        raise CatalogError(
            f"read-only catalog (mode {stat.S_IMODE(mode):04o}): nothing imported; make it writable to refresh it",
            path=str(shown),
        )


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def models_csv(rows: list[ModelSpec]) -> str:
    """Catalog rows as CSV text in the canonical column order."""
    buf = io.StringIO()
    cols = list(ModelSpec.model_fields)
    w = csv.writer(buf, lineterminator="\n")
    # the writer quotes a cell with a \n (its line end) but not one with a bare \r, which a
    # reader takes for the end of the row: such a row is written with every cell quoted
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow(cols)
    for r in rows:
        cells = [_cell(getattr(r, c)) for c in cols]
        (quoted if any("\r" in c for c in cells) else w).writerow(cells)
    return buf.getvalue()


def write_models(rows: list[ModelSpec], path: Path, *, shown_as: Path | None = None) -> bool:
    """Write catalog rows as CSV atomically, keeping an existing file's mode; skipped (False)
    when the file already holds exactly these bytes. ``path`` is written as given (resolve a
    symbolic link first to write through it); errors name ``shown_as``."""
    path = Path(path)
    data = models_csv(rows)
    mode = None
    try:
        st = os.stat(path)
        if stat.S_ISREG(st.st_mode):
            mode = stat.S_IMODE(st.st_mode)
            if st.st_size == len(data.encode("utf-8")) and path.read_text(encoding="utf-8") == data:
                return False
    except (OSError, UnicodeDecodeError):
        pass  # missing or unreadable: written below, or the write names the problem
    try:
        atomic_write_text(path, data, mode=mode)
    except OSError as err:
        raise CatalogError(f"cannot write catalog: {err.strerror}", path=str(shown_as or path)) from None
    return True


# ------------------------------------------------------------------ several files, all or none
#
# ``prices import`` changes models.csv and price_history.csv together. Each new file is written
# in full to a temporary file beside its target and fsynced; then a journal naming every rename
# is written (atomically) beside the catalog; then the renames run, models.csv first; then the
# journal goes. A kill before the journal exists leaves the old files (the temporary files are
# removed later as stale); a kill after it leaves the journal, and the next import (under the
# catalog's lock) finishes the renames first (:func:`recover`). models.csv goes first because
# the old history always loads with the new catalog (an import never removes a row nor changes
# a provider), while a new history naming new models would not load with the old catalog.

JOURNAL_SUFFIX = ".import-journal"


def journal_path(catalog: Path) -> Path:
    """The journal of an import into ``catalog`` (a resolved path): a hidden file beside it."""
    return catalog.with_name(f".{catalog.name}{JOURNAL_SUFFIX}")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder: the renames are still atomic
    finally:
        os.close(fd)


def _mode_of(path: Path) -> int | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return os.stat(path).st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_together(files: list[tuple[Path, str, Path]], journal: Path) -> list[Path]:
    """Write every ``(target, text, shown_as)`` or none (a target is a resolved path, written
    in list order; ``shown_as`` names it in errors). A file already holding its text is left
    alone. Returns the targets written. An error before the first rename leaves every file as
    it was; an error after it leaves the journal, and :func:`recover` finishes the job."""
    todo = [(t, text.encode("utf-8"), shown) for t, text, shown in files]
    todo = [(t, data, shown) for t, data, shown in todo if not _unchanged(t, data)]
    if not todo:
        return []
    temps: list[Path] = []
    renamed = 0
    try:
        for target, data, _ in todo:
            target.parent.mkdir(parents=True, exist_ok=True)
            temps.append(temp_file_beside(target, data, _mode_of(target)))
        if len(todo) > 1:
            pairs = [[str(tmp), str(t)] for tmp, (t, _, _) in zip(temps, todo, strict=True)]
            atomic_write_text(journal, json.dumps({"pid": os.getpid(), "renames": pairs}))
        for tmp, (target, _, _) in zip(temps, todo, strict=True):
            os.replace(tmp, target)
            renamed += 1
        for folder in {t.parent for t, _, _ in todo}:
            _fsync_dir(folder)
        if len(todo) > 1:
            os.unlink(journal)
    except BaseException as err:
        if renamed == 0 or renamed == len(todo):  # nothing replaced yet (or all): no journal needed
            for tmp in temps[renamed:]:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(journal)
        if isinstance(err, OSError):
            shown = todo[min(renamed, len(todo) - 1)][2]
            if 0 < renamed < len(todo):
                raise CatalogError(
                    f"cannot write {shown}: {err.strerror}; {todo[0][2]} is written, the next prices import "
                    f"completes the rest ({journal.name})",
                    path=str(shown),
                ) from None
            raise CatalogError(f"cannot write catalog: {err.strerror}", path=str(shown)) from None
        raise
    return [t for t, _, _ in todo]


def recover(journal: Path) -> int:
    """Finish the renames of an import that was killed after writing its journal (call it
    under the catalog's lock, before temporary files are cleaned). Returns how many files it
    completed (0 without a journal). A journal that names anything but temporary files beside
    their targets is refused in one line."""
    try:
        raw = journal.read_text(encoding="utf-8")
    except FileNotFoundError:
        return 0
    except (OSError, UnicodeDecodeError):
        raw = ""
    try:
        pairs = [(Path(a), Path(b)) for a, b in json.loads(raw)["renames"]]
    except (ValueError, KeyError, TypeError):
        pairs = []
    ok = pairs and all(
        tmp.is_absolute()
        and tmp.parent == target.parent
        and tmp.name.startswith(f".{target.name}.")
        and tmp.name.endswith(".tmp")
        for tmp, target in pairs
    )
    if not ok:
        raise CatalogError(
            "an interrupted import left a journal that cannot be read; check models.csv and price_history.csv "
            "beside it, then remove the journal",
            path=str(journal),
        )
    done = 0
    for tmp, target in pairs:
        if tmp.exists():
            os.replace(tmp, target)
            done += 1
    for folder in {t.parent for _, t in pairs}:
        _fsync_dir(folder)
    os.unlink(journal)
    return done
