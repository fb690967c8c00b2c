"""Refresh ``models.csv`` from the community-maintained LiteLLM price map.

The map (``model_prices_and_context_window.json``, MIT licence) keys each model by a
LiteLLM id and gives prices in USD **per token**; the catalog stores USD per 1M tokens.
Catalog rows are matched by their ``litellm_id`` column. Every entry of the file is
parsed; an entry that is not a chat model, or whose price fields are not finite
numbers ≥ 0, is counted as skipped, never fatal; a price above
:data:`MAX_USD_PER_MTOK` or a window above :data:`MAX_TOKENS` is implausible (a unit
slip in the map) and the entry is rejected, counted and named. New rows whose text a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` …) are refused, and one
import adds at most ``max_new`` rows (:data:`DEFAULT_MAX_NEW`) or nothing.

The catalog is written atomically (temporary file, then rename) and only after every row
validates, under an exclusive lock on the catalog (two imports at once run one after the
other, so neither update is lost), through a symbolic link to the file it names, with the
file's mode kept; a read-only catalog is refused, and a catalog the import would not
change is not rewritten.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmstrategy.errors import CatalogError, PriceImportError
from llmstrategy.files import LockTimeoutError, clean_stale_temp_files, csv_formula_risk, locked
from llmstrategy.inputs.catalog import ModelSpec, load_models
from llmstrategy.inputs.catalog_write import models_csv, refuse_read_only, write_models

__all__ = ["ImportReport", "import_prices", "models_csv", "parse_entry", "read_price_map", "write_models"]

PER_TOKEN_TO_PER_MTOK = 1e6
#: Plausibility: no chat model costs more than $1,000 per 1M tokens (the dearest real ones
#: are a few hundred), nor has a window or output limit above 100M tokens (10M today).
MAX_USD_PER_MTOK = 1_000.0
MAX_TOKENS = 100_000_000
#: Rows one import may add unless told otherwise (the real LiteLLM map adds about 2,500).
DEFAULT_MAX_NEW = 5_000
#: Seconds to wait for another import holding the catalog's lock.
LOCK_TIMEOUT_S = 60.0
_LONG_KEY = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")

#: catalog column ← LiteLLM per-token field (converted to USD per 1M tokens)
PRICE_FIELDS = {
    "input_usd_per_mtok": "input_cost_per_token",
    "output_usd_per_mtok": "output_cost_per_token",
    "cached_input_usd_per_mtok": "cache_read_input_token_cost",
    "batch_input_usd_per_mtok": "input_cost_per_token_batches",
    "batch_output_usd_per_mtok": "output_cost_per_token_batches",
}


@dataclass
class ImportReport:
    """Counts of what an import did."""

    entries: int = 0
    chat_entries: int = 0
    updated: int = 0
    unchanged: int = 0
    added: int = 0
    unmatched: list[str] = field(default_factory=list)
    skipped_non_chat: int = 0
    skipped_invalid: int = 0
    invalid_examples: list[str] = field(default_factory=list)
    implausible: list[str] = field(default_factory=list)  # map keys rejected as implausible
    written: bool = False  # False when the catalog already held exactly this

    def summary(self) -> str:
        shown = ", ".join(_label(k) for k in self.implausible[:10])
        more = f" and {len(self.implausible) - 10} more" if len(self.implausible) > 10 else ""
        return (
            f"{self.entries} entries read ({self.chat_entries} chat): {self.updated} catalog rows updated, "
            f"{self.unchanged} unchanged, {self.added} added, {len(self.unmatched)} unmatched"
            f"{' (' + ', '.join(self.unmatched) + ')' if self.unmatched else ''}, "
            f"{self.skipped_non_chat} non-chat entries skipped, {self.skipped_invalid} invalid entries skipped, "
            f"{len(self.implausible)} implausible entries rejected{f' ({shown}{more})' if shown else ''}"
            f"{'' if self.written else '; catalog unchanged, not rewritten'}"
            + (
                f"; the {self.added} added rows lack what the engine needs to choose them: capability scores "
                "(data/benchmarks.csv), measured latency (data/api_latency.csv) and reasoning_by_default "
                "(set false by default); open-weight ones also lack their architecture for self-hosting"
                if self.added
                else ""
            )
        )


class ImplausibleError(ValueError):
    """A well-formed value outside what any real model has (a unit slip in the map)."""


def _price(entry: dict[str, Any], key: str) -> float | None:
    """A per-token price as USD per 1M tokens; ``None`` if absent; ValueError if invalid."""
    if key not in entry or entry[key] is None:
        return None
    v = entry[key]
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{key} is {type(v).__name__}, expected a number")
    try:
        per_mtok = float(v) * PER_TOKEN_TO_PER_MTOK  # a huge JSON integer overflows float()
    except OverflowError:
        per_mtok = math.inf
    # checked after the conversion: 1e308 per token is finite, but 1e308 × 1e6 is inf
    if not math.isfinite(per_mtok) or v < 0:
        raise ValueError(f"{key} = {_short(v)}, expected a finite number ≥ 0")
    if per_mtok > MAX_USD_PER_MTOK:
        raise ImplausibleError(f"{key} = {_short(v)} is ${per_mtok:,.6g} per 1M tokens, above ${MAX_USD_PER_MTOK:,.0f}")
    return round(per_mtok, 9)


def _short(v: Any) -> str:
    """``repr(v)`` cut to 40 characters (a huge JSON integer is shown by its size)."""
    if isinstance(v, int) and abs(v) >= 10**30:
        return f"an integer of {len(str(abs(v)))} digits"
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def _label(key: str) -> str:
    """A map key as shown in the report: escaped (``repr``) if it holds a newline, a lone
    surrogate or other unprintable text, so the CLI prints one line per example."""
    return key if key.isprintable() and len(key) <= 80 else _short(key)


def _int(entry: dict[str, Any], key: str) -> int | None:
    v = entry.get(key)
    if v is None:
        return None
    # v ≥ 1, not v > 0: int(0.5) would be a 0-token window; float(v) overflows (→ inf) for
    # a huge JSON integer instead of raising
    if (
        isinstance(v, bool)
        or not isinstance(v, int | float)
        or not v >= 1
        or not (isinstance(v, int) or math.isfinite(v))
    ):
        raise ValueError(f"{key} = {_short(v)}, expected a positive number of tokens")
    if v > MAX_TOKENS:
        raise ImplausibleError(f"{key} = {_short(v)} tokens, above {MAX_TOKENS:,}")
    return int(v)


def parse_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """Catalog fields from one chat entry of the price map (raises ValueError if invalid)."""
    out: dict[str, Any] = {col: _price(entry, key) for col, key in PRICE_FIELDS.items()}
    if (out["input_usd_per_mtok"] is None) != (out["output_usd_per_mtok"] is None):
        raise ValueError("has only one of input_cost_per_token / output_cost_per_token")
    window = _int(entry, "max_input_tokens") or _int(entry, "max_tokens")
    out["context_window_tokens"] = window
    out["max_output_tokens"] = _int(entry, "max_output_tokens")
    long_keys = sorted((int(m.group(1)) * 1000, k) for k in entry if (m := _LONG_KEY.match(k)) and entry[k] is not None)
    if long_keys:
        threshold, key = long_keys[0]
        if threshold <= 0:
            raise ValueError(f"{key}: a long-context threshold must be above 0 tokens")
        out["long_context_threshold_tokens"] = threshold
        out["long_input_usd_per_mtok"] = _price(entry, key)
        out["long_output_usd_per_mtok"] = _price(entry, key.replace("input_", "output_", 1))
    dep = entry.get("deprecation_date")
    if dep is not None:
        try:
            out["deprecation_date"] = date.fromisoformat(str(dep))
        except ValueError:
            raise ValueError(f"deprecation_date = {dep!r}, expected YYYY-MM-DD") from None
    return out


def read_price_map(path: Path) -> dict[str, Any]:
    """Read and JSON-parse the price map; one-line error for a missing or broken file."""
    if not path.is_file():
        raise PriceImportError(
            "file not found (expected LiteLLM's model_prices_and_context_window.json)", path=str(path)
        )
    try:
        data = json.loads(path.read_bytes())
    except UnicodeDecodeError:
        raise PriceImportError("not UTF-8 JSON text", path=str(path)) from None
    except json.JSONDecodeError as err:
        raise PriceImportError(
            f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}", path=str(path)
        ) from None
    except RecursionError:
        raise PriceImportError("JSON nested too deeply", path=str(path)) from None
    except ValueError as err:  # e.g. an integer literal longer than Python's 4300-digit limit
        raise PriceImportError(f"invalid JSON: {str(err)[:80]}", path=str(path)) from None
    except OSError as err:
        raise PriceImportError(f"cannot read file: {err.strerror}", path=str(path)) from None
    if not isinstance(data, dict):
        raise PriceImportError(f"expected a JSON object of model entries, got {type(data).__name__}", path=str(path))
    return data


def _slug(litellm_id: str) -> str:
    return re.sub(r"[^a-z0-9._+-]+", "-", litellm_id.lower()).strip("-")


def import_prices(
    price_map: Path,
    catalog: Path,
    *,
    add_new: bool = False,
    as_of: date | None = None,
    output: Path | None = None,
    max_new: int | None = DEFAULT_MAX_NEW,
) -> ImportReport:
    """Refresh ``catalog`` (``models.csv``) from ``price_map`` and write it atomically.

    Matched rows get the map's prices (USD/token × 1e6), context window, output limit
    and deprecation date, and ``source`` / ``as_of`` naming the file and date; fields the
    map lacks keep their catalog values. ``add_new`` appends the map's chat models the
    catalog lacks (without a quality score: they are never chosen automatically), at most
    ``max_new`` of them (None: no cap) or the import is refused. Nothing is written unless
    every row validates; the catalog is locked from the read to the rename, written through
    a symbolic link to its target with its mode kept, and not rewritten when unchanged.
    Returns the counts.
    """
    price_map, catalog = Path(price_map), Path(catalog)
    source = Path(os.path.realpath(catalog))  # a symbolic link: read and lock the file it names
    target = Path(os.path.realpath(output)) if output is not None else source
    if not source.is_file():
        load_models(catalog)  # the usual one-line "not found" error
    refuse_read_only(target, output or catalog)
    started = time.time()
    try:
        with locked(source, timeout_s=LOCK_TIMEOUT_S):
            report, rows = _merge(price_map, catalog, load_models(catalog), add_new=add_new, as_of=as_of)
            if max_new is not None and report.added > max_new:
                raise PriceImportError(
                    f"would add {report.added:,} new catalog rows, more than the {max_new:,} one import may add; "
                    "nothing imported (pass a larger --max-new to accept them)",
                    path=str(price_map),
                    field="--max-new",
                )
            clean_stale_temp_files(target.parent, older_than=started, name=target.name)
            report.written = write_models(rows, target, shown_as=output or catalog)
    except LockTimeoutError as err:
        raise CatalogError(f"another import is writing this catalog: {err}", path=str(catalog)) from None
    except FileNotFoundError:  # the catalog vanished between the check and the lock
        raise CatalogError("catalog file not found", path=str(catalog)) from None
    return report


def _merge(
    price_map: Path, catalog: Path, rows: dict[str, ModelSpec], *, add_new: bool, as_of: date | None
) -> tuple[ImportReport, list[ModelSpec]]:
    """The catalog's rows refreshed from the map (and the map's new chat models if
    ``add_new``), with the counts."""
    data = read_price_map(price_map)
    stamp = as_of or datetime.fromtimestamp(price_map.stat().st_mtime).date()
    source = f"LiteLLM price map ({price_map.name})"
    report = ImportReport()
    parsed: dict[str, dict[str, Any]] = {}
    for key, entry in data.items():
        if key == "sample_spec":
            continue
        report.entries += 1
        if not isinstance(entry, dict) or entry.get("mode") != "chat":
            report.skipped_non_chat += 1
            continue
        report.chat_entries += 1
        try:
            parsed[key] = parse_entry(entry)
        except ImplausibleError as err:
            report.implausible.append(key)
            _example(report, f"{_label(key)}: implausible, {err}", invalid=False)
        except ValueError as err:
            _example(report, f"{_label(key)}: {err}")
    new_rows: dict[str, ModelSpec] = {}
    for mid, row in rows.items():
        fields = parsed.get(row.litellm_id) if row.litellm_id else None
        if row.litellm_id and fields is None:
            report.unmatched.append(mid)
        if fields is None:
            new_rows[mid] = row
            continue
        updates = {k: v for k, v in fields.items() if v is not None}
        ft = parsed.get(f"ft:{row.litellm_id}")
        if ft and ft.get("input_usd_per_mtok") is not None:
            updates["finetuned_input_usd_per_mtok"] = ft["input_usd_per_mtok"]
            updates["finetuned_output_usd_per_mtok"] = ft["output_usd_per_mtok"]
        changed = {k: v for k, v in updates.items() if getattr(row, k) != v}
        if changed:
            changed.update(source=f"{source}; {row.source}" if source not in row.source else row.source, as_of=stamp)
            new_rows[mid] = _validated(row.model_dump() | changed, catalog, mid)
            report.updated += 1
        else:
            new_rows[mid] = row
            report.unchanged += 1
    if add_new:
        known = {r.litellm_id for r in rows.values() if r.litellm_id}
        for key in sorted(parsed):
            fields = parsed[key]
            if key in known or key.startswith("ft:") or fields["input_usd_per_mtok"] is None:
                continue
            if not fields.get("context_window_tokens"):
                report.skipped_invalid += 1
                continue
            mid = _slug(key)
            if mid in new_rows:
                continue
            entry = data[key]
            new_row = {
                "id": mid,
                "name": key,
                "provider": str(entry.get("litellm_provider") or "unknown"),
                "open_weight": False,
                "litellm_id": key,
                **{k: v for k, v in fields.items() if v is not None},
                "source": f"{source}; {entry.get('source', '')}".rstrip("; "),
                "as_of": stamp,
            }
            # an entry-level problem (an id that slugs to nothing, text that cannot be
            # written as UTF-8, e.g. a lone surrogate, or that a spreadsheet would run as a
            # formula) skips the entry, never the import
            try:
                for col, v in new_row.items():
                    if isinstance(v, str):
                        v.encode("utf-8")
                        if csv_formula_risk(v):
                            raise PriceImportError(f"its {col} {_short(v)} would be a spreadsheet formula")
                new_rows[mid] = _validated(new_row, catalog, mid)
            except (PriceImportError, UnicodeEncodeError) as err:
                _example(report, f"{_label(key)}: cannot be added ({err})")
                continue
            report.added += 1
    return report, list(new_rows.values())


def _example(report: ImportReport, text: str, *, invalid: bool = True) -> None:
    if invalid:
        report.skipped_invalid += 1
    if len(report.invalid_examples) < 5:
        report.invalid_examples.append(text)


def _validated(data: dict[str, Any], catalog: Path, mid: str) -> ModelSpec:
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        raise PriceImportError(
            f"row '{mid}' would be invalid after import: {first['msg']}",
            path=str(catalog),
            field=".".join(str(p) for p in first["loc"]),
        ) from None
