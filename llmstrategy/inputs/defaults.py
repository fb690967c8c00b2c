"""Defaults read from YAML catalogs (``data/assumptions.yaml``, ``rag.yaml``, ``quality.yaml``):
each leaf is ``{value, unit, source, as_of}`` and is addressed by a dotted key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from llmstrategy.errors import CatalogError


@dataclass(frozen=True)
class Sourced:
    """A default value with its unit, source and date (from a YAML catalog)."""

    key: str
    value: Any
    unit: str
    source: str
    as_of: str


def _flatten_sourced(data: Any, prefix: str, path: Path, out: dict[str, Sourced]) -> None:
    if isinstance(data, dict) and "value" in data:
        for req in ("source", "as_of"):
            if not data.get(req):
                raise CatalogError(f"'{req}' is required beside 'value'", path=str(path), field=prefix)
        out[prefix] = Sourced(
            key=prefix,
            value=data["value"],
            unit=str(data.get("unit", "")),
            source=str(data["source"]),
            as_of=str(data["as_of"]),
        )
        return
    if isinstance(data, dict):
        for k, v in data.items():
            _flatten_sourced(v, f"{prefix}.{k}" if prefix else str(k), path, out)


def load_defaults(path: Path, prefix: str = "") -> dict[str, Sourced]:
    """Read a YAML file of ``{value, unit, source, as_of}`` leaves into dotted keys."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError("defaults file not found", path=str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise CatalogError(f"invalid YAML: {getattr(err, 'problem', err)}", path=str(path)) from None
    if not isinstance(data, dict):
        raise CatalogError("expected a mapping", path=str(path))
    out: dict[str, Sourced] = {}
    _flatten_sourced(data, prefix, path, out)
    return out
