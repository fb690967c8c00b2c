"""Every numeric field of the profile schema with its documented range, read from the pydantic
models themselves (``ge`` / ``gt`` / ``le`` / ``lt``), nested sections included: a field
another stage adds is drawn by the property tests without editing them.

:func:`numeric_fields` lists them; :meth:`NumericField.extremes` gives the documented ends
(and the smallest positive value above a bound of 0, a subnormal for floats);
:meth:`NumericField.values` is a hypothesis strategy over the whole range, extremes and
subnormals included; :func:`with_value` puts one value into a profile mapping.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, get_args, get_origin

import annotated_types as at
from hypothesis import strategies as st
from pydantic import BaseModel

from llmstrategy.inputs.profile import MAX_WEIGHT, Profile

#: a valid item for each list-of-records section, into which one numeric value is put
LIST_ITEMS: dict[str, dict[str, Any]] = {"evals": {"model": "gpt-4o", "passed": 0, "total": 10**9}}
SMALLEST_FLOAT = 5e-324


@dataclass(frozen=True)
class NumericField:
    path: tuple[str | int, ...]
    integer: bool
    lo: float
    lo_open: bool
    hi: float
    hi_open: bool

    @property
    def dotted(self) -> str:
        return ".".join(str(p) for p in self.path)

    def _ends(self) -> tuple[float, float]:
        lo = self.lo + (1 if self.integer else 0) if self.lo_open else self.lo
        hi = self.hi - (1 if self.integer else 0) if self.hi_open else self.hi
        if not self.integer:
            lo = math.nextafter(self.lo, math.inf) if self.lo_open else lo
            hi = math.nextafter(self.hi, -math.inf) if self.hi_open else hi
        return lo, hi

    def extremes(self) -> list[float]:
        """The documented ends, and the smallest value above a lower bound of 0 (a
        subnormal float, or 1)."""
        lo, hi = self._ends()
        out = [lo, hi]
        if self.lo == 0 and not self.lo_open:
            out.append(1 if self.integer else SMALLEST_FLOAT)
        if not self.integer and lo > 0:
            out.append(math.nextafter(lo, math.inf))
        return sorted({int(x) if self.integer else x for x in out})

    def values(self) -> st.SearchStrategy[Any]:
        lo, hi = self._ends()
        if self.integer:
            return st.one_of(st.integers(int(lo), int(hi)), st.sampled_from(self.extremes()))
        return st.one_of(
            st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=lo < 2.2250738585072014e-308),
            st.sampled_from(self.extremes()),
        )


def _options(annotation: Any) -> tuple[Any, ...]:
    return get_args(annotation) if get_origin(annotation) is not None else (annotation,)


def _bounds(metadata: list[Any]) -> tuple[float, bool, float, bool]:
    lo, lo_open, hi, hi_open = -math.inf, False, math.inf, False
    for m in metadata:
        if isinstance(m, at.Ge):
            lo, lo_open = float(m.ge), False  # type: ignore[arg-type]
        elif isinstance(m, at.Gt):
            lo, lo_open = float(m.gt), True  # type: ignore[arg-type]
        elif isinstance(m, at.Le):
            hi, hi_open = float(m.le), False  # type: ignore[arg-type]
        elif isinstance(m, at.Lt):
            hi, hi_open = float(m.lt), True  # type: ignore[arg-type]
    return lo, lo_open, hi, hi_open


def numeric_fields(model: type[BaseModel] = Profile, prefix: tuple[str | int, ...] = ()) -> list[NumericField]:
    """Every int / float field (never a bool) of ``model`` and of its sections."""
    out: list[NumericField] = []
    for name, info in model.model_fields.items():
        options = _options(info.annotation)
        seq = [t for t in (info.annotation, *options) if get_origin(t) in (tuple, list)]
        sub = [t for t in options if isinstance(t, type) and issubclass(t, BaseModel)]
        if seq:  # a list of records: one item, when the section is known (LIST_ITEMS)
            items = [t for t in get_args(seq[0]) if isinstance(t, type) and issubclass(t, BaseModel)]
            out += numeric_fields(items[0], (name, 0)) if items and not prefix and name in LIST_ITEMS else []
        elif sub:
            out += numeric_fields(sub[0], (*prefix, name))
        elif bool not in options and any(t in (int, float) for t in options):
            lo, lo_open, hi, hi_open = _bounds(list(info.metadata))
            assert math.isfinite(lo) and math.isfinite(hi), f"{'.'.join(map(str, (*prefix, name)))} has no bounds"
            out.append(NumericField((*prefix, name), float not in options, lo, lo_open, hi, hi_open))
    return out


#: ``weights`` is a mapping of numbers: each weight from 0 to MAX_WEIGHT
WEIGHT_VALUES = st.one_of(
    st.floats(0, MAX_WEIGHT, allow_subnormal=True), st.sampled_from([0.0, SMALLEST_FLOAT, MAX_WEIGHT])
)


def with_value(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with ``value`` at ``path`` (sections and list items created)."""
    out = copy.deepcopy(data)
    cur: Any = out
    for i, key in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(nxt, int):
            items = cur.setdefault(key, [])
            while len(items) <= nxt:
                items.append(copy.deepcopy(LIST_ITEMS[str(key)]))
            cur = items
        elif isinstance(key, int):
            cur = cur[key]
        else:
            cur = cur.setdefault(key, {})
    cur[path[-1]] = value
    return out
