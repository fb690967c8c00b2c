"""Workload profiles: one validated, typed model of one use case, read from YAML.

Field names are the contract shared by the CLI, the notebooks and the JSON output.
Units are in the names: ``requests_per_day`` [requests/day], ``*_tokens_*`` [tokens],
``*_usd`` [US dollars], ``*_ms`` [milliseconds]; fractions are in [0, 1).
"""

from __future__ import annotations

import math
import reprlib
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from llmstrategy.errors import ProfileError
from llmstrategy.inputs.criteria import CRITERION_IDS
from llmstrategy.inputs.evals import EvalResult

Stage = Literal["pre_mvp", "validated", "scaling"]
LatencyClass = Literal["interactive", "batch"]
Sensitivity = Literal["public", "internal", "confidential", "regulated"]
Level = Literal["low", "medium", "high"]
Precision = Literal["bf16", "fp8", "int4"]
GpuPricing = Literal["on_demand", "reserved"]
GpuMarket = Literal["hyperscaler_on_demand", "specialist_on_demand", "commit_1y", "commit_3y", "owned"]
#: task types that consult reference material rather than transform the input document
REFERENCE_TASKS = frozenset({"chat", "coding", "reasoning", "agentic"})
TaskType = Literal["chat", "coding", "extraction", "classification", "summarization", "reasoning", "agentic"]

#: Upper bounds that keep every derived number finite (a 1e15 requests/day profile
#: still gives finite costs); they are far above any real workload.
MAX_REQUESTS_PER_DAY = 1e15
#: Below this (one request in 2.7 million years) per-request costs of fixed fees overflow.
MIN_REQUESTS_PER_DAY = 1e-9
#: A criterion's weight; the engine adds the profile's weights to the base weights (which
#: sum to 1) and normalizes, so 1e6 already makes a criterion decide alone.
MAX_WEIGHT = 1e6
#: Below this (0.1 %) the GPUs an on-demand fleet needs (load / utilization) overflow.
MIN_GPU_UTILIZATION = 1e-3
MAX_TOKENS_PER_REQUEST = 10_000_000
#: A profile file above this size is refused before parsing: real profiles are a few KB,
#: and PyYAML's pure-Python parser takes about 8 s per MB.
MAX_PROFILE_BYTES = 256 * 1024

#: Shows a bad value in an error message: bounded in depth, length and item count, so a
#: YAML "billion laughs" alias bomb (9⁹ shared references) is shown in microseconds,
#: where ``repr`` would walk every reference for minutes.
_SHORT_REPR = reprlib.Repr()  # keyword arguments need Python 3.12
_SHORT_REPR.maxlevel = 3
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = _SHORT_REPR.maxlong = 50


def _number_type(annotation: Any) -> bool:
    """True for ``int``, ``float`` or a union of them (and None), never when ``bool`` is allowed."""
    options = get_args(annotation) if get_origin(annotation) is not None else (annotation,)
    return bool not in options and any(t in (int, float) for t in options)


def _bool_where_number(annotation: Any, value: Any) -> bool:
    """YAML's ``true`` / ``false`` given for a number, or inside a mapping of numbers
    (``weights``): pydantic's lax mode would read them as 1 and 0."""
    if isinstance(value, bool):
        return _number_type(annotation)
    if isinstance(value, dict):
        options = get_args(annotation) if get_origin(annotation) is not dict else (annotation,)
        maps = [t for t in options if get_origin(t) is dict and _number_type(get_args(t)[-1])]
        return bool(maps) and any(isinstance(v, bool) for v in value.values())
    return False


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_as_number(cls, v: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and _bool_where_number(field.annotation, v):
            raise ValueError("expected a number, got true or false")
        return v


class Team(_Strict):
    """People available to build and run the system [headcount]."""

    ml_engineers: float = Field(0, ge=0, le=10_000)
    infra_engineers: float = Field(0, ge=0, le=10_000)
    #: may the team hire the engineers self-hosting needs? (months and one-off cost per
    #: engineer: ``data/assumptions.yaml`` → ``hiring`` when omitted)
    can_hire: bool = False
    hire_months: float | None = Field(None, ge=0, le=60)
    hire_usd_per_engineer: float | None = Field(None, ge=0, le=1e7)


class RagSettings(_Strict):
    """Retrieval over the team's documents. Omitted values take the defaults in
    ``data/rag.yaml`` (see :mod:`llmstrategy.inputs.catalog`)."""

    corpus_tokens: float = Field(10_000_000, ge=0, le=1e15)
    retrieved_tokens_per_request: int = Field(2_000, ge=0, le=MAX_TOKENS_PER_REQUEST)
    corpus_refreshes_per_month: float = Field(1.0, ge=0, le=10_000)
    embedding_usd_per_mtok: float | None = Field(None, ge=0, le=1e6)
    vector_store_monthly_usd: float | None = Field(None, ge=0, le=1e9)
    setup_engineer_months: float | None = Field(None, ge=0, le=1_000)


class RoutingSettings(_Strict):
    """How requests split between a small and a large model (``routed`` and ``hybrid``).
    Omitted values take RouteLLM's published operating point for the task type
    (``data/assumptions.yaml`` → ``routing``)."""

    #: share of requests the router sends to the large model
    strong_share: float | None = Field(None, ge=0, le=1)
    #: the routed blend's pass rate as a share of the large model's (1: no loss)
    quality_retained: float | None = Field(None, gt=0, le=1)


class Assumptions(_Strict):
    """Choices the engine otherwise makes itself. Model and GPU names are catalog ids."""

    api_model: str | None = None
    frontier_model: str | None = None
    self_host_model: str | None = None
    gpu: str | None = None
    precision: Precision | None = None
    gpu_utilization: float | None = Field(None, ge=MIN_GPU_UTILIZATION, le=1)
    hybrid_frontier_share: float | None = Field(None, ge=0, le=1)
    engineer_monthly_usd: float | None = Field(None, gt=0, le=1e7)
    gpu_pricing: GpuPricing | None = None
    gpu_market: GpuMarket | None = None
    reasoning_tokens_per_output_token: float | None = Field(None, ge=0, le=100)


class Profile(_Strict):
    """One use case's workload, constraints and team."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5_000)
    notes: str | None = Field(None, max_length=5_000)
    stage: Stage
    requests_per_day: float = Field(ge=MIN_REQUESTS_PER_DAY, le=MAX_REQUESTS_PER_DAY)
    input_tokens_per_request: int = Field(ge=1, le=MAX_TOKENS_PER_REQUEST)
    output_tokens_per_request: int = Field(ge=0, le=MAX_TOKENS_PER_REQUEST)
    monthly_growth: float = Field(0.0, ge=-0.99, le=10)
    peak_to_average: float = Field(3.0, ge=1, le=1_000)
    latency: LatencyClass
    latency_slo_ms: float | None = Field(None, gt=0, le=3_600_000)
    tpot_slo_ms: float | None = Field(None, gt=0, le=60_000)
    data_may_leave: bool
    own_cloud_allowed: bool = False  # may the data go to a deployment in the organisation's own cloud tenancy?
    data_sensitivity: Sensitivity
    task_complexity: Level
    domain_specificity: Level
    needs_consistent_format: bool = False
    knowledge_changes_often: bool = False
    systematic_failures: bool = False
    core_differentiator: bool = False
    rules_suffice: bool = False
    labeled_examples: int = Field(0, ge=0, le=10**12)
    task_type: TaskType = "chat"
    languages: tuple[str, ...] = Field(("en",), min_length=1, max_length=200)
    required_accuracy: float | None = Field(None, gt=0, le=1)
    errors_caught_downstream: bool = False
    human_review_usd_per_task: float | None = Field(None, ge=0, le=1e6)
    #: share of the time the service must answer (0.999 = 99.9 %); a provider below it needs a fallback
    availability_target: float | None = Field(None, ge=0.9, lt=1)
    routing: RoutingSettings | None = None
    evals: tuple[EvalResult, ...] = Field((), max_length=10_000)
    context_tokens_needed: int | None = Field(None, ge=1, le=MAX_TOKENS_PER_REQUEST)
    team: Team = Team()
    retry_rate: float = Field(0.0, ge=0, lt=1)
    cache_hit_rate: float = Field(0.0, ge=0, lt=1)
    horizon_months: int = Field(12, ge=1, le=120)
    weights: dict[str, float] | None = None
    rag: RagSettings | None = None
    assumptions: Assumptions = Assumptions()

    _source_path: str | None = PrivateAttr(default=None)

    @field_validator("languages")
    @classmethod
    def _iso_languages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for code in v:
            if not (len(code) == 2 and code.isascii() and code.isalpha() and code.islower()):
                raise ValueError(f"'{code}' is not an ISO 639-1 code (two lower-case letters, e.g. en, de, ja)")
        return v

    @property
    def stuffed_context_tokens(self) -> int:
        """Reference material pasted into every prompt [tokens], which retrieval can replace:
        ``context_tokens_needed`` when it is part of the input (at most ``input_tokens_per_request``)
        and the task consults it (chat, coding, reasoning, agentic); 0 otherwise, and for
        summarization, extraction and classification, whose input is the document itself."""
        n = self.context_tokens_needed
        if n is None or n > self.input_tokens_per_request or self.task_type not in REFERENCE_TASKS:
            return 0
        return n

    @property
    def multilingual(self) -> bool:
        """True when the task needs a language other than English."""
        return any(code != "en" for code in self.languages)

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v

    @field_validator("weights")
    @classmethod
    def _known_criteria(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        for key, weight in v.items():
            if key not in CRITERION_IDS:
                raise ValueError(f"unknown criterion '{key}'; expected one of: {', '.join(CRITERION_IDS)}")
            if not math.isfinite(weight) or not 0 <= weight <= MAX_WEIGHT:
                raise ValueError(f"weight for '{key}' must be a number from 0 to {MAX_WEIGHT:g}")
        if v and sum(v.values()) <= 0:
            raise ValueError("weights must not all be zero")
        return v

    @property
    def source_path(self) -> str | None:
        """The file this profile was read from, if any (used in error messages)."""
        return self._source_path

    @property
    def context_tokens(self) -> int:
        """Context window the task needs [tokens]: ``context_tokens_needed`` or, when
        omitted, input + output tokens per request (plus retrieved tokens under RAG is
        checked separately by the RAG pricer)."""
        if self.context_tokens_needed is not None:
            return self.context_tokens_needed
        return self.input_tokens_per_request + self.output_tokens_per_request

    def with_updates(self, **changes: Any) -> Profile:
        """A new validated profile with some fields changed (profiles never mutate)."""
        data = self.model_dump()
        data.update(changes)
        new = profile_from_dict(data, path=self._source_path)
        return new


def _format_validation_error(err: ValidationError) -> tuple[str, str]:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(top level)"
    kind = first.get("type", "")
    msg = first.get("msg", "invalid value")
    if kind == "extra_forbidden":
        msg = "unknown field; check its spelling against the profile reference in README.md"
    elif kind == "missing":
        msg = "required field is missing"
    else:
        got = first.get("input")
        shown = _SHORT_REPR.repr(got)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        msg = f"{msg} (got {shown})"
    more = len(err.errors()) - 1
    if more:
        msg += f" [and {more} more problem{'s' if more > 1 else ''}]"
    return field, msg


def profile_from_dict(data: Any, *, path: str | Path | None = None) -> Profile:
    """Validate a mapping into a :class:`Profile`; raise :class:`ProfileError` on one line."""
    where = str(path) if path is not None else "<profile>"
    if not isinstance(data, dict):
        kind = "an empty document" if data is None else type(data).__name__
        raise ProfileError(f"expected a mapping of profile fields, got {kind}", path=where)
    if any(not isinstance(k, str) for k in data):
        bad = next(k for k in data if not isinstance(k, str))
        raise ProfileError(f"field names must be text, got {bad!r}", path=where)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as err:
        field, msg = _format_validation_error(err)
        raise ProfileError(msg, path=where, field=field) from None
    profile._source_path = str(path) if path is not None else None
    return profile


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a scalar it cannot convert is a YAML error with a line.

    PyYAML's own constructors raise plain ``ValueError``, ``KeyError``, ``IndexError`` …
    on tagged or out-of-range scalars (``2026-02-30``, ``!!float abc``, ``!!int 0x``,
    ``!!bool maybe``, ``!!int ""``); here they become a :class:`yaml.YAMLError`.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as err:
            value = _SHORT_REPR.repr(node.value) if isinstance(node, yaml.ScalarNode) else "a collection"
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {value} as {node.tag.rsplit(':', 1)[-1]} ({err})", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        """A key given twice is an error naming the key (PyYAML keeps the last value silently)."""
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # ``<<: *defaults`` may be overridden
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key)
                seen.setdefault(key, key_node.start_mark.line)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if first is not None:
                problem = f"duplicate key {_SHORT_REPR.repr(key)} (first at line {first + 1})"
                raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile YAML file."""
    p = Path(path)
    if not p.is_file():
        raise ProfileError("file not found (expected a profile YAML file)", path=str(p))
    try:
        size = p.stat().st_size
        if size > MAX_PROFILE_BYTES:
            raise ProfileError(
                f"file is {size:,} bytes; a profile is at most {MAX_PROFILE_BYTES:,} (is this a profile?)",
                path=str(p),
            )
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ProfileError("not a UTF-8 text file (expected YAML)", path=str(p)) from None
    except OSError as err:
        raise ProfileError(f"cannot read file: {err.strerror}", path=str(p)) from None
    if "\x00" in text:
        raise ProfileError("binary content (expected YAML text)", path=str(p))
    try:
        data = yaml.load(text, Loader=_SafeLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise ProfileError(f"invalid YAML{line}: {problem}", path=str(p)) from None
    except RecursionError:
        raise ProfileError("YAML nested too deeply", path=str(p)) from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as err:
        # a constructor outside construct_object (none known today): still one line
        raise ProfileError(f"invalid YAML: {type(err).__name__}: {err}", path=str(p)) from None
    return profile_from_dict(data, path=p)


def profile_to_yaml(profile: Profile) -> str:
    """Serialize a profile to YAML text (fields left at None are omitted)."""
    data = profile.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def save_profile(profile: Profile, path: str | Path) -> Path:
    """Write a profile as YAML atomically (temporary file, then rename)."""
    from llmstrategy.files import atomic_write_text

    target = Path(path)
    atomic_write_text(target, profile_to_yaml(profile))
    return target
