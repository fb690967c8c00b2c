"""The recommendation's models in words say who serves them: a hosted API, or a model a provider
fine-tuned and serves on GPUs it reserves for you (or per token)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from llmstrategy.inputs.catalog import load_catalog
from llmstrategy.views.onepage import models_in_words


@pytest.fixture(scope="module")
def a():
    return SimpleNamespace(context=SimpleNamespace(catalog=load_catalog()))


def test_a_hosted_model(a):
    assert models_in_words(a, {"api": "gemma-4-31b"}) == "Gemma 4 31B IT through its provider's API"


@pytest.mark.parametrize(
    ("serving", "words"),
    [
        ("dedicated", "fine-tuned by Together AI, on GPUs it reserves for you"),
        ("serverless", "fine-tuned by Together AI, served per token"),
    ],
)
def test_a_provider_fine_tuned_model(a, serving, words):
    details = {"fine_tune_provider": "Together AI", "serving": serving}
    assert models_in_words(a, {"api": "gemma-4-31b"}, details) == f"Gemma 4 31B IT {words}"


def test_routing_keeps_its_parts(a):
    details = {"fine_tune_provider": "Together AI", "serving": "dedicated"}
    text = models_in_words(a, {"small": "gemma-4-31b", "frontier": "gemma-4-26b-a4b"}, details)
    assert text.startswith("Gemma 4 31B IT for the easy requests; ") and "for the hard cases" in text
