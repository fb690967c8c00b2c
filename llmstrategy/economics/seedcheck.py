"""Seed 001's cost-tier table, reproduced under its own assumptions and set beside the
same five volumes priced from first principles (``data/seed_cost_tiers.yaml``).

Seed reproduction: API = the engine's :func:`costs_api.api_monthly_usd` with every token
(input and output) at ``api_usd_per_mtok`` (GPT-4o's input price), i.e. monthly tokens ×
price / 1e6; self-host = GPUs × ``self_host_usd_per_gpu_month`` (the seed's GPU counts; its
"cluster" is $40,000, i.e. 20 GPUs at its price).

First principles: a profile with the file's request shape at each tier's volume, GPT-4o at
its real input and output prices, and a 70B model sized by :mod:`sizing` on a real GPU at
its reserved price, with the operations staff the seed leaves out shown apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from llmstrategy.economics.api import ApiPrice, RequestShape, api_monthly_usd
from llmstrategy.economics.breakeven import break_even_pair
from llmstrategy.economics.context import pricing_context
from llmstrategy.economics.price import price
from llmstrategy.errors import CatalogError
from llmstrategy.inputs.catalog import Catalog
from llmstrategy.inputs.profile import profile_from_dict
from llmstrategy.inputs.strategies import strategy
from llmstrategy.inputs.workload import DAYS_PER_MONTH

SEED_FILE = "seed_cost_tiers.yaml"


@dataclass(frozen=True)
class SeedCheck:
    rows: tuple[dict[str, Any], ...]
    break_even_monthly_tokens: float | None
    explanation: tuple[str, ...]
    assumptions: dict[str, Any]
    source: str


def load_seed_tiers(data_dir: Path) -> dict[str, Any]:
    path = data_dir / SEED_FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        _ = (doc["tiers"], doc["seed_assumptions"], doc["first_principles"])
    except (OSError, yaml.YAMLError, KeyError, TypeError) as err:
        raise CatalogError(
            f"cannot read the seed cost tiers ({type(err).__name__}); expected keys tiers, seed_assumptions, "
            "first_principles",
            path=str(path),
        ) from None
    return dict(doc)


def _v(block: dict[str, Any], key: str) -> Any:
    return block[key]["value"]


def seed_check(catalog: Catalog) -> SeedCheck:
    """Both tables and the words that explain their differences."""
    doc = load_seed_tiers(catalog.data_dir)
    sa, fp = doc["seed_assumptions"], doc["first_principles"]
    api_mtok = float(_v(sa, "api_usd_per_mtok"))
    gpu_month = float(_v(sa, "self_host_usd_per_gpu_month"))
    tiers = doc["tiers"]
    tokens = np.array([float(t["monthly_tokens"]) for t in tiers])
    inp, out = int(_v(fp, "input_tokens_per_request")), int(_v(fp, "output_tokens_per_request"))
    prof = profile_from_dict(
        {
            "name": "Seed 001 cost tiers, first principles",
            "stage": "validated",
            "requests_per_day": float(tokens[0]) / (inp + out) / DAYS_PER_MONTH,
            "input_tokens_per_request": inp,
            "output_tokens_per_request": out,
            "latency": _v(fp, "latency"),
            "peak_to_average": float(_v(fp, "peak_to_average")),
            "data_may_leave": True,
            "data_sensitivity": "internal",
            "task_complexity": "medium",
            "domain_specificity": "low",
            "assumptions": {
                "api_model": _v(fp, "api_model"),
                "self_host_model": _v(fp, "self_host_model"),
                "gpu": _v(fp, "gpu"),
                "precision": _v(fp, "precision"),
                "gpu_pricing": _v(fp, "gpu_pricing"),
            },
        },
        path=str(catalog.data_dir / SEED_FILE),
    )
    ctx = pricing_context(prof, catalog)
    req = tokens / (inp + out)
    api = price(strategy("api"), ctx, req)
    sh = price(strategy("self_host"), ctx, req)
    if not (api.feasible and sh.feasible):
        raise CatalogError(
            "seed check: first-principles strategies are infeasible: " + "; ".join(api.reasons + sh.reasons),
            path=str(catalog.data_dir / SEED_FILE),
        )
    fleet = sh.details.get("fleet_by_volume", [])
    # the seed's API column through the engine's API formula, every token at one price
    shape = RequestShape(float(inp), float(out))
    seed_price = ApiPrice("seed-001", api_mtok, api_mtok, "seed assumption")
    rows = []
    for i, t in enumerate(tiers):
        seed_gpus = t.get("gpus")
        repro_api = float(api_monthly_usd(req[i], seed_price, shape))
        repro_self = (seed_gpus if seed_gpus is not None else float(t["self_host_usd"]) / gpu_month) * gpu_month
        gpu_usd = float(sh.monthly_components_usd["gpu_fleet"][i])
        self_total = float(sh.monthly_usd[i])
        api_usd = float(api.monthly_usd[i])
        rows.append(
            {
                "tier": t["tier"],
                "monthly_tokens": float(tokens[i]),
                "seed_api_usd": float(t["api_usd"]),
                "seed_self_host_usd": float(t["self_host_usd"]),
                "seed_gpus": seed_gpus,
                "seed_verdict": t["verdict"],
                "reproduced_api_usd": repro_api,
                "reproduced_self_host_usd": repro_self,
                "reproduced_verdict": "api" if repro_api < repro_self else "self_host",
                "engine_api_usd": api_usd,
                "engine_gpus": float(fleet[i]["gpus"]) if fleet else math.nan,
                "engine_gpu_fleet_usd": gpu_usd,
                "engine_self_host_usd": self_total,
                "engine_verdict": "api" if api_usd < self_total else "self_host",
            }
        )
    be = break_even_pair(ctx, strategy("api"), strategy("self_host"))
    return SeedCheck(
        tuple(rows), be.monthly_tokens, tuple(_explain(rows, api.details, sh, be.monthly_tokens)), fp, doc["source"]
    )


def _explain(rows: list[dict[str, Any]], api_details: Any, sh: Any, be_tokens: float | None) -> list[str]:
    """Plain-words differences between the seed's table and the first-principles one, from the numbers."""
    i_usd, o_usd = float(api_details["input_usd_per_mtok"]), float(api_details["output_usd_per_mtok"])
    i_tok, o_tok = float(api_details["input_tokens_per_request"]), float(api_details["output_tokens_per_request"])
    blended = (i_tok * i_usd + o_tok * o_usd) / (i_tok + o_tok)
    d = sh.details
    staff = float(sh.monthly_components_usd["operations_staff"][0])
    gpu_month = float(d["usd_per_gpu_hour"]) * 730.0
    out = [
        f"API: the seed bills every token at ${i_usd:.2f}/1M (GPT-4o's input price). Output tokens cost "
        f"${o_usd:.2f}/1M, so at {i_tok:.0f} input and {o_tok:.0f} output tokens per request the blended price "
        f"is ${blended:.2f}/1M, {blended / i_usd:.2f}× the seed's figure at every tier.",
        f"GPU price: the seed assumes $2,000 per GPU-month; {d['gpu']} reserved costs ${gpu_month:,.0f} per "
        f"GPU-month here (${d['usd_per_gpu_hour']:.2f}/h × 730 h).",
        f"GPUs: a 70B model in {d['precision']} is sized on {d['gpu']}: the fleet needs "
        + ", ".join(f"{r['engine_gpus']:.0f}" for r in rows)
        + " GPUs for the five tiers (the seed: 1, 1, 1, 4 and a cluster), at the batch its latency targets allow.",
        f"Staff: the seed counts GPUs only; operating a self-hosted model adds ${staff:,.0f}/month of "
        "engineering time here (data/assumptions.yaml: self_host.ops_engineer_fraction × engineer_monthly_usd).",
    ]
    flips = [r["tier"] for r in rows if r["engine_verdict"] != r["seed_verdict"]]
    if flips:
        out.append("The verdict changes for: " + ", ".join(flips) + ".")
    else:
        out.append("The verdicts agree at every tier, for different amounts.")
    if be_tokens is not None:
        out.append(f"From first principles self-hosting breaks even above {be_tokens:,.0f} tokens/month.")
    return out
