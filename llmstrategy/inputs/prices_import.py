"""Refresh ``models.csv`` (and ``price_history.csv`` beside it) from LiteLLM's price map.

Catalog rows are matched by their ``litellm_id`` column. Every entry of the file is parsed
(:mod:`~llmstrategy.inputs.price_map`); an entry that is not a chat model, or whose price
fields are not finite numbers ≥ 0, is counted as skipped, never fatal; an implausible one (a
unit slip in the map) is rejected, counted and named. What the map may change in a matched row
(the newest dated evidence wins: a sourced correction newer than the map is kept) is
:mod:`~llmstrategy.inputs.import_rules`. ``add_new`` adds the map's other chat models with
their maker as ``provider`` and a readable name (:mod:`~llmstrategy.inputs.provider_names`), a
"first read on" history row each, and says what the engine still lacks for them; text a
spreadsheet would run as a formula is refused, and one import adds at most ``max_new`` rows
(:data:`DEFAULT_MAX_NEW`) or nothing.

Nothing is written unless every row validates. The catalog is locked from its read to the
rename (two imports at once run one after the other), written through a symbolic link, keeps
its mode, and is not rewritten when unchanged; a read-only catalog is refused. The catalog and
its history are written together, both or neither (:func:`~llmstrategy.inputs.catalog_write.
write_together`: a journal, finished by the next import if one was killed in between).
"""

from __future__ import annotations

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
from llmstrategy.inputs.catalog_write import (
    journal_path,
    models_csv,
    recover,
    refuse_read_only,
    write_models,
    write_together,
)
from llmstrategy.inputs.import_rules import (
    HISTORY_FILE,
    PRICE_COLUMNS,
    history_point,
    history_text,
    import_tag,
    kept_price,
    kept_row,
)
from llmstrategy.inputs.price_history import PricePoint, load_price_history
from llmstrategy.inputs.price_map import (
    MAX_TOKENS,
    MAX_USD_PER_MTOK,
    PER_TOKEN_TO_PER_MTOK,
    PRICE_FIELDS,
    ImplausibleError,
    parse_entry,
    read_price_map,
    short_repr,
    shown_key,
)
from llmstrategy.inputs.provider_names import maker, readable_name

__all__ = [
    "MAX_TOKENS",
    "MAX_USD_PER_MTOK",
    "PER_TOKEN_TO_PER_MTOK",
    "PRICE_FIELDS",
    "ImportReport",
    "import_prices",
    "models_csv",
    "parse_entry",
    "read_price_map",
    "write_models",
]

#: Rows one import may add unless told otherwise (the real LiteLLM map adds about 3,000).
DEFAULT_MAX_NEW = 5_000
#: Seconds to wait for another import holding the catalog's lock.
LOCK_TIMEOUT_S = 60.0


def _few(items: list[str], n: int = 10) -> str:
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


@dataclass
class ImportReport:
    """What an import did, for the one-line summary."""

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
    kept: list[str] = field(default_factory=list)  # "id (why)": the map's value not taken
    windows: list[str] = field(default_factory=list)  # "id old→new": windows the map changed
    no_maker: list[str] = field(default_factory=list)  # added rows whose maker is unknown
    stamp: date | None = None  # the map's date (--as-of, else the file's)
    history: Path | None = None  # the price_history.csv written with the catalog (None: none beside it)
    history_added: int = 0  # new models' "first read" rows
    history_changed: int = 0  # price changes recorded from the map's date
    recovered: int = 0  # files an interrupted import had left, completed first
    written: bool = False  # False when the catalog already held exactly this

    def summary(self) -> str:
        """One line: the counts, what was kept and why, the history, what new rows lack."""
        text = (
            f"{self.entries} entries read ({self.chat_entries} chat): {self.updated} catalog rows updated, "
            f"{self.unchanged} unchanged, {self.added} added, {len(self.unmatched)} unmatched"
            f"{' (' + ', '.join(self.unmatched) + ')' if self.unmatched else ''}, "
            f"{self.skipped_non_chat} non-chat entries skipped, {self.skipped_invalid} invalid entries skipped, "
            f"{len(self.implausible)} implausible entries rejected"
            f"{f' ({_few([shown_key(k) for k in self.implausible])})' if self.implausible else ''}"
            f"{'' if self.written else '; catalog unchanged, not rewritten'}"
        )
        if self.recovered:
            text = f"an interrupted import was completed first ({self.recovered} files); " + text
        if self.kept:
            text += f"; kept over the map: {_few(self.kept, 5)}"
        if self.windows:
            text += f"; context windows set to the priced provider's limit: {_few(self.windows)}"
        if self.history is not None and (self.history_added or self.history_changed):
            text += f"; {self.history.name}: {self.history_added + self.history_changed} rows added"
            if self.history_added:
                text += f" ({self.history_added} new models first read on {self.stamp}, launch date unknown)"
            if self.history_changed:
                text += f" ({self.history_changed} price changes valid from {self.stamp})"
        elif self.history is None and (self.added or self.history_changed):
            text += f"; no {HISTORY_FILE} beside the catalog: no price history written"
        if self.added:
            text += (
                f"; the {self.added} added rows lack what the engine needs to choose them: capability scores "
                "(data/benchmarks.csv), measured latency (data/api_latency.csv), reasoning_by_default and "
                "open_weight (set false, not in the map), a launch date, and for open-weight ones their "
                "architecture for self-hosting"
            )
        if self.no_maker:
            text += f"; {len(self.no_maker)} added rows have no known maker (provider left as the map's slug: "
            text += f"{_few(sorted(set(self.no_maker)))})"
        return text


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
    """Refresh ``catalog`` (``models.csv``) and the ``price_history.csv`` beside it from
    ``price_map``, both or neither.

    Matched rows get the map's prices (USD/token × 1e6), context window, output limit and
    deprecation date, and ``source`` / ``as_of`` naming the file and its date (``as_of``, else
    the file's modification date), unless the catalog holds newer dated evidence
    (:mod:`~llmstrategy.inputs.import_rules`); fields the map lacks keep their values; a price
    change gets a history row from that date. ``add_new`` appends the map's chat models the
    catalog lacks (without a quality score: they are never chosen automatically), at most
    ``max_new`` of them (None: no cap) or the import is refused. With ``output``, the catalog
    and its history are written there instead. Returns what was done.
    """
    price_map, catalog = Path(price_map), Path(catalog)
    source = Path(os.path.realpath(catalog))  # a symbolic link: read and lock the file it names
    target = Path(os.path.realpath(output)) if output is not None else source
    shown = Path(output) if output is not None else catalog
    history_in = catalog.parent / HISTORY_FILE  # beside the catalog as named, as load_catalog reads it
    history_out = Path(os.path.realpath(shown.parent / HISTORY_FILE))
    if not source.is_file():
        load_models(catalog)  # the usual one-line "not found" error
    refuse_read_only(target, shown)
    started = time.time()
    try:
        with locked(source, timeout_s=LOCK_TIMEOUT_S):
            recovered = recover(journal_path(target))  # before the clean-up: its temporary files are needed
            clean_stale_temp_files(target.parent, older_than=started, name=target.name)
            clean_stale_temp_files(history_out.parent, older_than=started, name=HISTORY_FILE)
            models = load_models(catalog)
            history = load_price_history(history_in, models) if history_in.is_file() else None
            report, rows, points = _merge(price_map, catalog, models, history, add_new=add_new, as_of=as_of)
            report.recovered = recovered
            if max_new is not None and report.added > max_new:
                raise PriceImportError(
                    f"would add {report.added:,} new catalog rows, more than the {max_new:,} one import may add; "
                    "nothing imported (pass a larger --max-new to accept them)",
                    path=str(price_map),
                    field="--max-new",
                )
            files = [(target, models_csv(rows), shown)]
            # the history beside another catalog's file (--output in the same folder) stays as it is
            shared = target != source and history_out == Path(os.path.realpath(history_in))
            if history is not None and not shared:
                report.history = history_out
                if points:
                    refuse_read_only(history_out, shown.parent / HISTORY_FILE)
                    before = history_in.read_text(encoding="utf-8")
                    files.append((history_out, history_text(before, points), shown.parent / HISTORY_FILE))
            report.written = target in write_together(files, journal_path(target))
    except LockTimeoutError as err:
        raise CatalogError(f"another import is writing this catalog: {err}", path=str(catalog)) from None
    except FileNotFoundError:  # the catalog vanished between the check and the lock
        raise CatalogError("catalog file not found", path=str(catalog)) from None
    return report


def _merge(
    price_map: Path,
    catalog: Path,
    rows: dict[str, ModelSpec],
    history: dict[str, tuple[PricePoint, ...]] | None,
    *,
    add_new: bool,
    as_of: date | None,
) -> tuple[ImportReport, list[ModelSpec], list[PricePoint]]:
    """The catalog's rows refreshed from the map (and the map's new chat models if
    ``add_new``), the history rows to append, and the counts."""
    data = read_price_map(price_map)
    stamp = as_of or datetime.fromtimestamp(price_map.stat().st_mtime).date()
    source = import_tag(price_map)
    report = ImportReport(stamp=stamp)
    parsed = _parse_all(data, report)
    new_rows: dict[str, ModelSpec] = {}
    points: list[PricePoint] = []
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
        past = history.get(mid, ()) if history is not None else ()
        new_in = changed.get("input_usd_per_mtok", row.input_usd_per_mtok)
        new_out = changed.get("output_usd_per_mtok", row.output_usd_per_mtok)
        moves = {"input_usd_per_mtok", "output_usd_per_mtok"} & set(changed)
        why_price = None
        if moves and new_in is not None and new_out is not None:
            why_price = kept_price(past, (float(new_in), float(new_out)), stamp)
        why_row = kept_row(row, stamp) if changed else None
        if why_row or why_price:
            report.kept.append(f"{mid} ({why_price or why_row})")
            changed = {} if why_row else {k: v for k, v in changed.items() if k not in PRICE_COLUMNS}
        if not changed:
            new_rows[mid] = row
            report.unchanged += 1
            continue
        if "context_window_tokens" in changed:
            report.windows.append(f"{mid} {row.context_window_tokens:,}→{changed['context_window_tokens']:,}")
        changed.update(source=f"{source}; {row.source}" if source not in row.source else row.source, as_of=stamp)
        new = new_rows[mid] = _validated(row.model_dump() | changed, catalog, mid)
        report.updated += 1
        latest = past[-1] if past else None
        now = (new.input_usd_per_mtok, new.output_usd_per_mtok)
        if latest and new.has_api_price and (latest.input_usd_per_mtok, latest.output_usd_per_mtok) != now:
            why = f"{source}, key {shown_key(row.litellm_id or '')}: price read on {stamp} (the change may be older)"
            try:
                points.append(history_point(new, stamp, why))
            except ValueError as err:
                raise PriceImportError(f"row '{mid}': {err}", path=str(catalog)) from None
            report.history_changed += 1
    if add_new:
        _add_new(data, parsed, rows, new_rows, points, report, catalog, history is not None, source, stamp)
    return report, list(new_rows.values()), points


def _parse_all(data: dict[str, Any], report: ImportReport) -> dict[str, dict[str, Any]]:
    """Every chat entry's catalog fields; the others counted (and a few named) in ``report``."""
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
            _example(report, f"{shown_key(key)}: implausible, {err}", invalid=False)
        except ValueError as err:
            _example(report, f"{shown_key(key)}: {err}")
    return parsed


def _add_new(
    data: dict[str, Any],
    parsed: dict[str, dict[str, Any]],
    rows: dict[str, ModelSpec],
    new_rows: dict[str, ModelSpec],
    points: list[PricePoint],
    report: ImportReport,
    catalog: Path,
    with_history: bool,
    source: str,
    stamp: date,
) -> None:
    """Append the map's priced chat models the catalog lacks to ``new_rows`` (and their
    "first read" history rows to ``points`` when there is a history)."""
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
        slug = str(entry.get("litellm_provider") or "unknown")
        provider = maker(key, slug)
        new_row = {
            "id": mid,
            "name": readable_name(key),
            "provider": provider or slug,
            "open_weight": False,
            "litellm_id": key,
            **{k: v for k, v in fields.items() if v is not None},
            "source": f"{source}; {entry.get('source', '')}".rstrip("; "),
            "as_of": stamp,
        }
        # an entry-level problem (an id that slugs to nothing, text that cannot be written as
        # UTF-8, e.g. a lone surrogate, or that a spreadsheet would run as a formula, a history
        # row that would not load) skips the entry, never the import
        try:
            for col, v in new_row.items():
                if isinstance(v, str):
                    v.encode("utf-8")
                    if csv_formula_risk(v):
                        raise PriceImportError(f"its {col} {short_repr(v)} would be a spreadsheet formula")
            row = _validated(new_row, catalog, mid)
            why = f"first read on {stamp} in the {source}, key {shown_key(key)}; launch date unknown"
            first = history_point(row, stamp, why) if with_history else None
        except (PriceImportError, UnicodeEncodeError, ValueError) as err:
            _example(report, f"{shown_key(key)}: cannot be added ({err})")
            continue
        new_rows[mid] = row
        if first is not None:
            points.append(first)
            report.history_added += 1
        if provider is None:
            report.no_maker.append(slug if slug.isprintable() else short_repr(slug))
        report.added += 1


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
