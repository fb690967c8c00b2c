"""Shared fixtures: a tiny catalog with hand-checkable prices, and profile builders."""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared"
LITELLM_SNAPSHOT = SHARED / "data" / "litellm_model_prices_1.109.1.json"

MODELS_HEADER = (
    "id,name,provider,open_weight,litellm_id,context_window_tokens,max_output_tokens,"
    "input_usd_per_mtok,output_usd_per_mtok,cached_input_usd_per_mtok,batch_input_usd_per_mtok,"
    "batch_output_usd_per_mtok,long_context_threshold_tokens,long_input_usd_per_mtok,"
    "long_output_usd_per_mtok,finetune_training_usd_per_mtok,finetuned_input_usd_per_mtok,"
    "finetuned_output_usd_per_mtok,quality_score,quality_source,deprecation_date,total_params_b,"
    "active_params_b,layers,kv_heads,head_dim,hidden_size,source,as_of"
)

# Prices chosen so results can be checked by hand.
TINY_MODELS = [
    # id, name, provider, open, litellm, ctx, maxout, in, out, cached, bin, bout, lth, lin, lout,
    # ft, ftin, ftout, q, qsrc, dep, P, Pa, L, kvh, hd, hid
    "big,Big,acme,false,gpt-4o,128000,16384,2.5,10,1.25,1.25,5,,,,25,3.75,15,73,test,,,,,,,,test,2026-01-01",
    "small,Small,acme,false,gpt-4o-mini,128000,16384,0.15,0.6,0.075,0.075,0.3,,,,3,0.3,1.2,63,test,,,,,,,,test,2026-01-01",
    "longctx,Long,gem,false,gemini/gemini-2.5-pro,1000000,65536,1.25,10,,0.625,5,200000,2.5,15,,,,80,test,,,,,,,,test,2026-01-01",
    "open70,Open 70B,meta,true,,128000,,,,,,,,,,,,,66,test,,70.6,70.6,80,8,128,8192,test,2026-01-01",
    "retired,Retired,acme,false,,128000,,0.01,0.02,,,,,,,,,,90,test,2025-01-01,,,,,,,test,2026-01-01",
]

TINY_GPUS = (
    "id,name,vendor,memory_gb,memory_bandwidth_tb_s,bf16_dense_tflops,fp8_dense_tflops,int4_supported,"
    "nvlink_gb_s,max_gpus_per_node,on_demand_usd_per_gpu_hour,reserved_usd_per_gpu_hour,price_source,source,as_of\n"
    "h100-sxm,H100 SXM,nvidia,80,3.35,989,1979,true,900,8,4.0,2.5,test,test,2026-01-01\n"
)


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A data folder with the tiny model/GPU catalogs and the real YAML defaults."""
    d = tmp_path / "data"
    d.mkdir()
    (d / "models.csv").write_text(MODELS_HEADER + "\n" + "\n".join(TINY_MODELS) + "\n")
    (d / "gpus.csv").write_text(TINY_GPUS)
    for f in DATA.glob("*.yaml"):  # defaults, strategy ratings, uncertainty, seed tiers
        shutil.copy(f, d / f.name)
    # the tiny catalog's own frontier model (the real default names a model it does not have)
    a = d / "assumptions.yaml"
    key = "default_frontier_model:  # (profile: assumptions.frontier_model)\n  value: "
    a.write_text(a.read_text().replace(key + "gpt-4o\n", key + "big\n"))
    return d


@pytest.fixture
def tiny_catalog(tiny_data: Path) -> Any:
    from llmstrategy.inputs.catalog import load_catalog

    return load_catalog(tiny_data)


BASE_PROFILE: dict[str, Any] = {
    "name": "Test workload",
    "stage": "validated",
    "requests_per_day": 1000,
    "input_tokens_per_request": 1000,
    "output_tokens_per_request": 500,
    "latency": "interactive",
    "data_may_leave": True,
    "data_sensitivity": "internal",
    "task_complexity": "medium",
    "domain_specificity": "low",
}


@functools.cache
def evaluate_case(stem: str, samples: int = 100) -> Any:
    """(analysis, decision) of the case ``tests/cases/profiles/<stem>.yaml`` on today's catalog,
    without sensitivity; evaluated once per test run (callers must not mutate the result)."""
    from llmstrategy.inputs.catalog import load_catalog
    from llmstrategy.inputs.profile import load_profile
    from llmstrategy.pipeline import evaluate

    profile = load_profile(ROOT / "tests" / "cases" / "profiles" / f"{stem}.yaml")
    return evaluate(profile, load_catalog(DATA), samples=samples, with_sensitivity=False)


def make_profile(**changes: Any) -> Any:
    from llmstrategy.inputs.profile import profile_from_dict

    data = dict(BASE_PROFILE)
    data.update(changes)
    return profile_from_dict(data)


@pytest.fixture
def write_profile(tmp_path: Path):
    """Write a profile dict (BASE_PROFILE updated by kwargs) to YAML; return its path."""

    def _write(name: str = "p.yaml", **changes: Any) -> Path:
        data = dict(BASE_PROFILE)
        data.update(changes)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data))
        return path

    return _write


def browser_required() -> bool:
    """Browser tests fail (not skip) when CI is set."""
    return bool(os.environ.get("CI"))
