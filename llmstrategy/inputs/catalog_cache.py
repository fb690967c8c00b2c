"""The catalog loaded once per process until one of its files changes (a warm kernel and a
render batch price many profiles against one catalog, which is immutable once loaded)."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

from llmstrategy.inputs.catalog import CATALOG_FILES, Catalog, default_data_dir, load_catalog


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=4)
def _load(data_dir: str | None, base: str, on_date: date | None, stamps: tuple[object, ...]) -> Catalog:
    return load_catalog(data_dir, on_date=on_date)


def cached_catalog(data_dir: str | Path | None, on_date: date | None = None) -> Catalog:
    """:func:`load_catalog` (about 60 ms), memoized per process and keyed by every catalog file's
    modification time and size, so an edited file is read again; an error is raised again each
    time (exceptions are not memoized)."""
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    stamps = tuple(_stamp(base / name) for name in CATALOG_FILES.values())
    key = None if data_dir is None else str(data_dir)
    return _load(key, str(base.resolve()), on_date, stamps)
