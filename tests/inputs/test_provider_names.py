"""The maker and the readable name of a model from a LiteLLM key (issue 15): the table gives every
catalog row's provider from its litellm_id, and a new row's name is one people can read."""

from __future__ import annotations

import csv
import json
import os

import pytest
from conftest import DATA, LITELLM_SNAPSHOT

from llmstrategy.files import csv_formula_risk
from llmstrategy.inputs.provider_names import FIRST_PARTY, maker, readable_name

with (DATA / "models.csv").open(newline="", encoding="utf-8") as _fh:
    ROWS = [r for r in csv.DictReader(_fh) if r["litellm_id"]]

needs_snapshot = pytest.mark.skipif(
    not LITELLM_SNAPSHOT.is_file() and not os.environ.get("CI"), reason="LiteLLM snapshot missing"
)


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_the_table_gives_every_catalog_rows_provider_from_its_litellm_id(row: dict[str, str]) -> None:
    assert maker(row["litellm_id"]) == row["provider"]


@needs_snapshot
def test_with_the_maps_own_slug_too() -> None:
    snapshot = json.loads(LITELLM_SNAPSHOT.read_bytes())
    got = {r["id"]: maker(r["litellm_id"], snapshot[r["litellm_id"]]["litellm_provider"]) for r in ROWS}
    assert got == {r["id"]: r["provider"] for r in ROWS}


@pytest.mark.parametrize(
    ("key", "slug", "expected"),
    [
        ("xai/grok-4.6", "xai", "xAI"),  # the case: the slug is "xai", the catalog says "xAI"
        ("deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct", "deepinfra", "Meta"),  # a host: the org
        ("together_ai/Qwen/Qwen2.5-72B-Instruct-Turbo", "together_ai", "Alibaba Qwen"),
        ("fireworks_ai/accounts/fireworks/models/deepseek-r1", "fireworks_ai", "DeepSeek"),  # no org: family
        ("nebius/zai-org/GLM-4.5", "nebius", "Z.ai"),
        ("groq/openai/gpt-oss-20b", "groq", "OpenAI"),
        ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "bedrock_converse", "Anthropic"),  # vendor prefix
        ("oci/meta.llama-3.1-405b-instruct", "oci", "Meta"),
        ("databricks/databricks-claude-opus-4-1", "databricks", "Anthropic"),  # host-named model
        ("dashscope/deepseek-v4-flash", "dashscope", "DeepSeek"),  # Alibaba's cloud hosts others' models
        ("dashscope/qwen3.8-max", "dashscope", "Alibaba Qwen"),
        ("gemini/deep-research-preview-04-2026", "gemini", "Google"),  # first-party slug, no family
        ("moonshot/kimi-k2.5", "moonshot", "Moonshot AI"),
        ("computer-use-preview", "openai", "OpenAI"),
        # a fine-tune by another organisation is not its base model's maker
        ("deepinfra/NousResearch/Hermes-3-Llama-3.1-405B", "deepinfra", None),
        ("together-ai-21.1b-41b", "together_ai", None),  # a host's price tier, no maker
        ("someco/phind-70b", "someco", None),  # "phi" is Microsoft's family, "phind" is not
        ("///", None, None),
    ],
)
def test_maker(key: str, slug: str | None, expected: str | None) -> None:
    assert maker(key, slug) == expected


def test_first_party_slugs_name_catalog_providers() -> None:
    catalog_providers = {r["provider"] for r in ROWS}
    for slug in ("openai", "anthropic", "gemini", "vertex_ai", "xai", "mistral", "deepseek", "zai", "moonshot"):
        assert FIRST_PARTY[slug] in catalog_providers, slug
    assert FIRST_PARTY["dashscope"] == "Alibaba Qwen"


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("xai/grok-4.6", "Grok 4.6"),
        ("claude-sonnet-4-5", "Claude Sonnet 4.5"),
        ("gpt-4o-mini", "GPT-4o mini"),
        ("gpt-4o-mini-2024-07-18", "GPT-4o mini 2024-07-18"),
        ("gemini/gemini-2.5-pro", "Gemini 2.5 Pro"),
        ("deepinfra/Qwen/Qwen2.5-7B-Instruct", "Qwen2.5 7B Instruct"),
        ("deepinfra/google/gemma-3-27b-it", "Gemma 3 27B IT"),
        ("zai/glm-4.7", "GLM-4.7"),
        ("deepseek/deepseek-v3", "DeepSeek-V3"),
        ("deepinfra/deepseek-ai/DeepSeek-V3.2", "DeepSeek-V3.2"),
        ("xai/grok-build-0.1", "Grok Build 0.1"),
        ("deepinfra/moonshotai/Kimi-K2-Instruct-0905", "Kimi K2 Instruct 0905"),
        ("nebius/Qwen/Qwen3-30B-A3B-Instruct-2507", "Qwen3 30B A3B Instruct 2507"),
        ("anthropic.claude-opus-4-20250514-v1:0", "Claude Opus 4 2025-05-14"),
        ("o3-mini", "o3 mini"),
        ('vendor/Model "X", v2\nline two', "Model X V2 Line Two"),
        ("vendor/=cmd|' /C calc'!A0", "C Calc A0"),
    ],
)
def test_readable_name(key: str, name: str) -> None:
    assert readable_name(key) == name


def test_readable_names_match_most_catalog_names() -> None:
    """Not a copy of the catalog's hand-written names, but close: most are equal."""
    same = sum(readable_name(r["litellm_id"]) == r["name"] for r in ROWS)
    assert same >= 0.6 * len(ROWS), same


@needs_snapshot
def test_every_snapshot_key_gets_a_printable_name_that_is_no_formula() -> None:
    snapshot = json.loads(LITELLM_SNAPSHOT.read_bytes())
    for key in snapshot:
        name = readable_name(key)
        assert name and name.isprintable() and not csv_formula_risk(name), key
        assert "/" not in name or name == key, key
