"""Who made a model, and a name people can read, from a key of LiteLLM's price map.

The catalog's ``provider`` is the model's maker ("xAI", "Meta"), not the host that sells it
(the host is the ``litellm_id`` prefix: ``deepinfra/``, ``nebius/``, ``groq/`` …). The map's
``litellm_provider`` is a slug ("xai") and, for a host of open-weight models, names the host,
so :func:`maker` reads the key in this order:

1. the Hugging Face organisation before the model's name (``deepinfra/meta-llama/…`` → Meta);
2. a Bedrock-style vendor prefix (``anthropic.claude-…``, ``us.meta.llama-…``);
3. the model family the name starts with (``claude``, ``gpt``, ``qwen``, ``grok`` …), which
   also covers hosts without an organisation in the key (``fireworks_ai/…/models/deepseek-r1``);
4. the map's ``litellm_provider`` when it is the maker's own API (``xai`` → xAI).

``None`` when none applies (a fine-tune by another organisation, a host's own model): the
importer then keeps the slug and says so. Names follow the catalog's spelling of each maker.
"""

from __future__ import annotations

import itertools
import re

__all__ = ["FIRST_PARTY", "ORGANISATIONS", "maker", "readable_name"]

#: a Hugging Face organisation (or a vendor prefix, a gateway's folder) → the catalog's maker
ORGANISATIONS: dict[str, str] = {
    "meta-llama": "Meta",
    "meta": "Meta",
    "facebook": "Meta",
    "qwen": "Alibaba Qwen",
    "alibaba": "Alibaba Qwen",
    "mistralai": "Mistral AI",
    "mistral": "Mistral AI",
    "google": "Google",
    "deepseek-ai": "DeepSeek",
    "deepseek": "DeepSeek",
    "moonshotai": "Moonshot AI",
    "moonshot": "Moonshot AI",
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "xai": "xAI",
    "x-ai": "xAI",
    "zai-org": "Z.ai",
    "zai": "Z.ai",
    "thudm": "Z.ai",  # Zhipu's first Hugging Face organisation (GLM-4)
    "minimaxai": "MiniMax",
    "minimax": "MiniMax",
    "cohere": "Cohere",
    "cohereforai": "Cohere",
    "ai21": "AI21 Labs",
    "amazon": "Amazon",
    "microsoft": "Microsoft",
    "nvidia": "NVIDIA",
    "ibm": "IBM",
    "ibm-granite": "IBM",
}

#: a maker's own API (``litellm_provider``) → the catalog's maker
FIRST_PARTY: dict[str, str] = {
    "openai": "OpenAI",
    "text-completion-openai": "OpenAI",
    "anthropic": "Anthropic",
    "gemini": "Google",
    "vertex_ai": "Google",
    "vertex_ai-language-models": "Google",
    "xai": "xAI",
    "mistral": "Mistral AI",
    "codestral": "Mistral AI",
    "deepseek": "DeepSeek",
    "zai": "Z.ai",
    "bigmodel": "Z.ai",
    "moonshot": "Moonshot AI",
    "dashscope": "Alibaba Qwen",
    "qwen_ai_platform": "Alibaba Qwen",
    "qwencloud": "Alibaba Qwen",
    "cohere_chat": "Cohere",
    "cohere": "Cohere",
    "ai21": "AI21 Labs",
    "amazon_nova": "Amazon",
    "minimax": "MiniMax",
    "meta": "Meta",
}

#: a model family at the start of the model's name → its maker (the family is followed by
#: anything but a letter: ``qwen2.5`` and ``gpt-4o`` match, ``phind`` is not ``phi``)
_FAMILIES: tuple[tuple[str, str], ...] = (
    ("claude", "Anthropic"),
    ("chatgpt|gpt|o1|o3|o4|davinci|babbage", "OpenAI"),
    ("gemini|gemma|codegemma|palm", "Google"),
    ("meta-llama|llama|codellama", "Meta"),
    ("qwen|qwq|qvq", "Alibaba Qwen"),
    ("mistral|mixtral|codestral|ministral|magistral|devstral|pixtral|voxtral|open-mistral|open-mixtral", "Mistral AI"),
    ("deepseek", "DeepSeek"),
    ("kimi|moonshot", "Moonshot AI"),
    ("chatglm|glm", "Z.ai"),
    ("grok", "xAI"),
    ("command|c4ai|aya", "Cohere"),
    ("jamba|j2", "AI21 Labs"),
    ("nova", "Amazon"),
    ("minimax", "MiniMax"),
    ("phi", "Microsoft"),
    ("granite", "IBM"),
    ("nemotron", "NVIDIA"),
)
_FAMILY = [(re.compile(rf"^(?:{words})(?![a-z])"), name) for words, name in _FAMILIES]
#: ``anthropic.claude-…``, ``us.anthropic.claude-…`` (Bedrock), ``meta.llama-…`` (OCI)
_VENDOR = re.compile(r"^(?:[a-z-]{2,8}\.)?([a-z0-9-]+)\.(?=[a-z])")
#: ``openai-gpt-5``, ``anthropic-claude-3.5-haiku`` (a gateway's spelling)
_VENDOR_WORD = re.compile(r"^([a-z0-9]+)-(?=[a-z])")
_BEDROCK_VERSION = re.compile(r"-v\d+(?::\d+)?$|:\d+$")


def _parts(litellm_id: str) -> list[str]:
    return [p for p in litellm_id.split("/") if p]


def _host_named(parts: list[str], model: str) -> bool:
    """The model's name starts with its host's, and the host is no maker (``gemini/gemini-…`` is)."""
    if len(parts) < 2:
        return False
    host = parts[0].lower()
    return model.startswith(f"{host}-") and host not in FIRST_PARTY | ORGANISATIONS


def maker(litellm_id: str, litellm_provider: str | None = None) -> str | None:
    """The catalog's name of the maker of the model ``litellm_id`` (a key of the map), or None."""
    parts = _parts(litellm_id)
    if not parts:
        return None
    model = parts[-1].lower()
    if len(parts) >= 2 and parts[-2].lower() in ORGANISATIONS:
        return ORGANISATIONS[parts[-2].lower()]
    if _host_named(parts, model):  # databricks/databricks-claude-…
        model = model[len(parts[0]) + 1 :]
    vendor = _VENDOR.match(model) or _VENDOR_WORD.match(model)
    if vendor and vendor.group(1) in ORGANISATIONS:
        return ORGANISATIONS[vendor.group(1)]
    for pattern, name in _FAMILY:
        if pattern.match(model):
            return name
    slug = (litellm_provider or (parts[0] if len(parts) > 1 else "")).lower()
    return FIRST_PARTY.get(slug)


#: words spelt their maker's way
_SPELLING = {
    "gpt": "GPT",
    "glm": "GLM",
    "deepseek": "DeepSeek",
    "minimax": "MiniMax",
    "chatgpt": "ChatGPT",
    "openai": "OpenAI",
    "it": "IT",
    "moe": "MoE",
    "awq": "AWQ",
    "gguf": "GGUF",
    "vl": "VL",
    "ai": "AI",
    "oss": "oss",
}
_LOWER = {"mini", "nano"}  # OpenAI's sizes, lower case in its own names ("GPT-4o mini")
_HYPHENATED = {"GPT", "GLM", "DeepSeek"}  # "GPT-4o", "GLM-4.7", "DeepSeek-V3"
_SIZE = re.compile(r"^\d+(?:\.\d+)?[bmkt]$|^a\d+(?:\.\d+)?b$")  # 8b, 0.5b, 22m, a3b (active)
_CODE = re.compile(r"^[a-z]{1,2}\d[a-z0-9.]*$")  # v3, r1, k2, fp8, m2.5 (not qwen3)


def _word(token: str) -> str:
    low = token.lower()
    if low in _SPELLING:
        return _SPELLING[low]
    if low in _LOWER or re.fullmatch(r"o\d+", low):  # o1, o3: OpenAI writes them in lower case
        return low
    if _SIZE.match(low):
        return low.upper()
    if len(low) == 8 and low.isdigit() and low.startswith("20"):  # a date stamp 20250514
        return f"{low[:4]}-{low[4:6]}-{low[6:]}"
    if _CODE.match(low):
        return low.upper()
    if token != low:  # already spelt with capitals (DeepSeek, MythoMax, Qwen2.5)
        return token
    return token[:1].upper() + token[1:]


def readable_name(litellm_id: str) -> str:
    """A name for people from a map key: ``xai/grok-4.6`` → "Grok 4.6", ``claude-sonnet-4-5``
    → "Claude Sonnet 4.5", ``deepinfra/Qwen/Qwen2.5-7B-Instruct`` → "Qwen2.5 7B Instruct".

    The host and organisation prefixes, a Bedrock vendor prefix and version suffix go; the
    name is split on anything but letters, digits and dots, so it holds no control character
    and never starts like a spreadsheet formula; two short numbers in a row are a version
    (``4-5`` → 4.5). The key itself when nothing is left."""
    parts = _parts(litellm_id)
    model = parts[-1] if parts else litellm_id
    if _host_named(parts, model.lower()):  # databricks/databricks-claude-…
        model = model[len(parts[0]) + 1 :]
    vendor = _VENDOR.match(model.lower())
    if vendor and vendor.group(1) in ORGANISATIONS:
        model = _BEDROCK_VERSION.sub("", model[vendor.end() :])
    model = re.sub(r"(?<![0-9])(20\d\d)-(\d\d)-(\d\d)(?![0-9])", r"\1\2\3", model)  # a date: one token
    tokens = [t.strip(".") for t in re.split(r"[^A-Za-z0-9.]+", model)]
    tokens = [t for t in tokens if t]
    if not tokens:
        return litellm_id
    merged: list[str] = []
    for t in tokens:
        prev = merged[-1] if merged else ""
        if t.isdigit() and len(t) <= 2 and re.fullmatch(r"\d{1,2}(?:\.\d{1,2})*", prev):
            merged[-1] = f"{prev}.{t}"
        else:
            merged.append(t)
    words = [_word(t) for t in merged]
    out = words[0]
    for prev, w in itertools.pairwise(words):
        out += ("-" if prev in _HYPHENATED else " ") + w
    return out
