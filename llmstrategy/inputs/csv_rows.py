"""Typed rows of a catalog CSV: one pydantic model per row, blank cells as None, one-line
errors naming the file, the physical line and the field, and the ids a row refers to checked
against the catalog (``known``)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from llmstrategy.errors import CatalogError

RowT = TypeVar("RowT", bound=BaseModel)


class CsvRow(BaseModel):
    """A catalog row: frozen, no unknown columns, text stripped, a blank cell is None."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v


def read_rows(
    path: Path,
    row_type: type[RowT],
    *,
    refs: Mapping[str, Mapping[str, object]] | None = None,
    check: Callable[[RowT], tuple[str, str] | None] | None = None,
    exact_header: bool = False,
) -> list[RowT]:
    """Every row of ``path`` validated as ``row_type``. ``refs`` maps a column to the ids it
    must name (e.g. ``{"model_id": models}``); ``check(row)`` may return (field, problem)."""
    expected = list(row_type.model_fields)
    out: list[RowT] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            if (header != expected) if exact_header else (sorted(header) != sorted(expected)):
                raise CatalogError(f"expected the columns {','.join(expected)}", path=str(path))
            for raw in reader:
                line = reader.line_num
                if None in raw:
                    raise CatalogError(f"line {line} has more cells than the header", path=str(path))
                try:
                    row = row_type.model_validate(raw)
                except ValidationError as err:
                    first = err.errors()[0]
                    fld = ".".join(str(p) for p in first["loc"])
                    raise CatalogError(f"line {line}: {first['msg']}", path=str(path), field=fld) from None
                for col, known in (refs or {}).items():
                    value = getattr(row, col)
                    if value not in known:
                        raise CatalogError(
                            f"line {line}: unknown model '{value}' (not in models.csv)", path=str(path), field=col
                        )
                problem = check(row) if check is not None else None
                if problem is not None:
                    raise CatalogError(f"line {line}: {problem[1]}", path=str(path), field=problem[0])
                out.append(row)
    except UnicodeDecodeError:
        raise CatalogError("not a UTF-8 CSV file", path=str(path)) from None
    except csv.Error as err:
        raise CatalogError(f"invalid CSV: {err}", path=str(path)) from None
    return out
