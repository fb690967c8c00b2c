"""Writing ``models.csv``: canonical CSV text, an atomic write that keeps the file's mode
and is skipped when nothing changed, and the refusal of a read-only catalog."""

from __future__ import annotations

import csv
import io
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

from llmstrategy.errors import CatalogError
from llmstrategy.files import atomic_write_text
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
