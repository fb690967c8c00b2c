"""Looking catalog ids up: the nearest ids to a wrong one, and a lookup that names them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from llmstrategy.errors import UnknownIdError

T = TypeVar("T")


def nearest_ids(wanted: str, ids: Iterable[str], n: int = 3) -> list[str]:
    """The ``n`` catalog ids closest to ``wanted`` (difflib ratio), best first."""
    pool = list(ids)
    close = difflib.get_close_matches(wanted.lower(), pool, n=n, cutoff=0.3)
    if not close:
        close = [i for i in pool if wanted.lower()[:3] in i][:n]
    return close


def lookup(
    table: Mapping[str, T],
    key: str,
    what: str,
    field: str,
    path: str | None,
    catalog_file: Path | None,
) -> T:
    """``table[key]``, or an :class:`UnknownIdError` naming the nearest ids."""
    try:
        return table[key]
    except KeyError:
        near = nearest_ids(key, table)
        hint = f"nearest: {', '.join(near)}" if near else f"see {catalog_file}"
        raise UnknownIdError(
            f"unknown {what} id '{key}' ({hint})", path=path or str(catalog_file), field=field
        ) from None
