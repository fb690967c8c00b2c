"""Reading LiteLLM's price map: the file, and one chat entry's catalog fields.

The map (``model_prices_and_context_window.json``, MIT licence) keys each model by a
LiteLLM id and gives prices in USD **per token**; the catalog stores USD per 1M tokens. An
entry whose price fields are not finite numbers ≥ 0 raises ``ValueError`` (the importer
counts and skips it); a price above :data:`MAX_USD_PER_MTOK` or a window above
:data:`MAX_TOKENS` raises :class:`ImplausibleError` (a unit slip in the map).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path
from typing import Any

from llmstrategy.errors import PriceImportError

PER_TOKEN_TO_PER_MTOK = 1e6
#: Plausibility: no chat model costs more than $1,000 per 1M tokens (the dearest real ones
#: are a few hundred), nor has a window or output limit above 100M tokens (10M today).
MAX_USD_PER_MTOK = 1_000.0
MAX_TOKENS = 100_000_000
_LONG_KEY = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")

#: catalog column ← LiteLLM per-token field (converted to USD per 1M tokens)
PRICE_FIELDS = {
    "input_usd_per_mtok": "input_cost_per_token",
    "output_usd_per_mtok": "output_cost_per_token",
    "cached_input_usd_per_mtok": "cache_read_input_token_cost",
    "batch_input_usd_per_mtok": "input_cost_per_token_batches",
    "batch_output_usd_per_mtok": "output_cost_per_token_batches",
}


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
        raise ValueError(f"{key} = {short_repr(v)}, expected a finite number ≥ 0")
    if per_mtok > MAX_USD_PER_MTOK:
        raise ImplausibleError(
            f"{key} = {short_repr(v)} is ${per_mtok:,.6g} per 1M tokens, above ${MAX_USD_PER_MTOK:,.0f}"
        )
    return round(per_mtok, 9)


def short_repr(v: Any) -> str:
    """``repr(v)`` cut to 40 characters (a huge JSON integer is shown by its size)."""
    if isinstance(v, int) and abs(v) >= 10**30:
        return f"an integer of {len(str(abs(v)))} digits"
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def shown_key(key: str) -> str:
    """A map key as shown in the report: escaped (``repr``) if it holds a newline, a lone
    surrogate or other unprintable text, so the CLI prints one line per example."""
    return key if key.isprintable() and len(key) <= 80 else short_repr(key)


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
        raise ValueError(f"{key} = {short_repr(v)}, expected a positive number of tokens")
    if v > MAX_TOKENS:
        raise ImplausibleError(f"{key} = {short_repr(v)} tokens, above {MAX_TOKENS:,}")
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
