"""The workload-profile editor's pure parts: the field table :data:`FIELDS` (label, widget
kind, range and help text of every profile field), :func:`form_to_data`,
:func:`derived_summary`, :func:`profile_filename`, :func:`profile_yaml` (clean numbers:
no float noise, integers as integers) and :func:`save_profile_to`. They need no widgets
and are tested on their own; ``llmstrategy.notebook.editor`` wires them to ipywidgets.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import yaml

from llmstrategy.errors import ProfileError
from llmstrategy.files import atomic_write_text
from llmstrategy.fmt import fmt_count
from llmstrategy.inputs.profile import (
    LatencyClass,
    Level,
    Profile,
    Sensitivity,
    Stage,
    TaskType,
    Team,
)
from llmstrategy.inputs.workload import workload


@dataclass(frozen=True)
class Field:
    """One editable profile field: its path (``team.ml_engineers``), the widget kind, a
    label in full, the range or options, and a one-line help text (used when the profile
    model's own field has no ``description``). ``zero_is_none`` fields read 0 as "not set"."""

    path: str
    kind: str  # text, textarea, dropdown, log, float, int, check, int_text, float_text
    label: str
    options: tuple[Any, ...] = ()
    lo: float = 0.0
    hi: float = 1.0
    step: float = 0.01
    zero_is_none: bool = False
    group: str = "Workload"
    help: str = ""


#: Log sliders move in steps of 10^0.05 (×1.12, 20 arrow-key presses per decade); the exact
#: value is typed in the box beside the slider, which a slider move sets to 2 significant figures.
LOG_STEP = 0.05
_W, _C, _T, _U = "Workload", "Constraints", "Task", "Team"

#: Every top-level profile field (nested ``team`` too); ``languages``, ``evals``, ``weights``,
#: ``rag``, ``routing`` and ``assumptions`` are edited as YAML in :data:`ADVANCED_FIELDS`.
FIELDS: tuple[Field, ...] = (
    Field("name", "text", "Name", group="Use case", help="A short name for the use case; it titles every report."),
    Field("description", "textarea", "Description", group="Use case",
          help="What the model does, shown under the title."),
    Field("notes", "textarea", "Notes", group="Use case", help="Anything to remember; not used in the computation."),
    Field("stage", "dropdown", "Stage", get_args(Stage), group="Use case",
          help="pre_mvp: testing the idea; validated: people rely on it; scaling: volume growing fast."),
    Field("requests_per_day", "log", "Requests per day", lo=-2, hi=10, step=LOG_STEP,
          help="Average requests a day today. Type the exact number in the box; the slider moves ×1.12 a step."),
    Field("input_tokens_per_request", "log", "Input tokens per request", lo=0, hi=6, step=LOG_STEP,
          help="Prompt size of one request, pasted context included (a token is about ¾ of an English word)."),
    Field("output_tokens_per_request", "log", "Output tokens per request", lo=0, hi=5, step=LOG_STEP,
          help="Tokens the model writes per request (hidden reasoning of reasoning models comes on top)."),
    Field("monthly_growth", "float", "Growth per month", lo=-0.5, hi=1.0, step=0.01,
          help="Share by which the volume grows each month (0.10 = 10 % a month; negative: it shrinks)."),
    Field("peak_to_average", "log", "Peak over average rate", lo=0, hi=2, step=LOG_STEP,
          help="The busiest hour's request rate over the day's average (at least 1); sizes self-hosted fleets."),
    Field("retry_rate", "float", "Retry rate", lo=0, hi=0.9, step=0.01,
          help="Share of requests sent a second time (errors, regenerations)."),
    Field("cache_hit_rate", "float", "Cache hit rate", lo=0, hi=0.95, step=0.01,
          help="Share of requests answered from a cache, without calling the model."),
    Field("horizon_months", "int", "Horizon (months)", lo=1, hi=120, step=1,
          help="Months the comparison covers; one-off costs count once within it."),
    Field("latency", "dropdown", "Latency class", get_args(LatencyClass), group=_C,
          help="interactive: a person waits for the answer; batch: answers may come later (batch prices)."),
    Field("latency_slo_ms", "float_text", "Time to first token target (ms)", zero_is_none=True, group=_C,
          help="Longest acceptable wait for the first token, in milliseconds; 0: no target."),
    Field("tpot_slo_ms", "float_text", "Time per output token target (ms)", zero_is_none=True, group=_C,
          help="Longest acceptable time between output tokens, in milliseconds; 0: the default."),
    Field("data_may_leave", "check", "Data may leave the organisation", group=_C,
          help="May a third-party model provider see the data? If not, only deployments you control qualify."),
    Field("own_cloud_allowed", "check", "Own cloud tenancy allowed", group=_C,
          help="When the data may not leave: may it go to a vendor's model deployed in your own cloud account?"),
    Field("data_sensitivity", "dropdown", "Data sensitivity", get_args(Sensitivity), group=_C,
          help="How sensitive the data is, from public to regulated."),
    Field("availability_target", "float_text", "Availability target (share)", zero_is_none=True, group=_C,
          help="Share of the time the service must answer (0.999 = 99.9 %); a provider below it needs a fallback."),
    Field("context_tokens_needed", "int_text", "Context window needed (tokens)", zero_is_none=True, group=_C,
          help="Reference material the task consults, in tokens; 0: input + output tokens per request."),
    Field("task_type", "dropdown", "Task type", get_args(TaskType), group=_T,
          help="What the model does; it sets the benchmark a model's quality is judged on."),
    Field("task_complexity", "dropdown", "Task complexity", get_args(Level), group=_T,
          help="How hard the task is; it sets the minimum model quality."),
    Field("domain_specificity", "dropdown", "Domain specificity", get_args(Level), group=_T,
          help="How far the domain is from general text (jargon, formats); high favours fine-tuning."),
    Field("needs_consistent_format", "check", "Needs a consistent output format", group=_T,
          help="Every answer must follow a strict format (fine-tuning helps)."),
    Field("knowledge_changes_often", "check", "Knowledge changes often", group=_T,
          help="The facts the answers rely on change often (retrieval keeps them fresh)."),
    Field("systematic_failures", "check", "Prompting fails systematically", group=_T,
          help="Prompting fails the same way again and again on your tests (fine-tuning can fix that)."),
    Field("core_differentiator", "check", "The model is a core differentiator", group=_T,
          help="The model's behaviour is part of what sets the product apart."),
    Field("rules_suffice", "check", "Rules, search or classic ML suffice", group=_T,
          help="A simpler system would do the job: then no LLM is recommended."),
    Field("labeled_examples", "int_text", "Labelled examples", group=_T,
          help="Input and output pairs you have for fine-tuning."),
    Field("required_accuracy", "float_text", "Required accuracy (share)", zero_is_none=True, group=_T,
          help="Share of outputs that must be right (0.95 = 95 %); 0: no requirement."),
    Field("errors_caught_downstream", "check", "Errors are caught downstream", group=_T,
          help="A person or an automatic check catches a wrong output before it does harm."),
    Field("human_review_usd_per_task", "float_text", "Cost to fix a failed task (USD)", zero_is_none=True, group=_T,
          help="What a person's time to fix one failed task costs, in US dollars; 0: none."),
    Field("team.ml_engineers", "float_text", "ML engineers", group=_U,
          help="Machine-learning engineers on the team (fractions allowed); self-hosting needs one."),
    Field("team.infra_engineers", "float_text", "Infrastructure engineers", group=_U,
          help="Infrastructure engineers on the team; self-hosting needs one."),
    Field("team.can_hire", "check", "May hire the missing engineers", group=_U,
          help="If so, the months and the cost of hiring them count."),
    Field("team.hire_months", "float_text", "Months to hire an engineer", zero_is_none=True, group=_U,
          help="0: the default in data/assumptions.yaml."),
    Field("team.hire_usd_per_engineer", "float_text", "Recruiting cost per engineer (USD)", zero_is_none=True,
          group=_U, help="0: the default in data/assumptions.yaml."),
)  # fmt: skip

#: The editor's tabs, the volume sliders first.
GROUP_ORDER = ("Workload", "Constraints", "Task", "Team", "Use case")

#: Nested settings edited as one YAML text box.
ADVANCED_FIELDS = ("languages", "evals", "weights", "rag", "routing", "assumptions")

#: Slider scales are log10 for ``log`` fields; these keep the integer fields integers.
INTEGER_FIELDS = {"input_tokens_per_request", "output_tokens_per_request", "horizon_months", "labeled_examples"}


def field_help(f: Field) -> str:
    """The field's help text: the profile model's own ``description`` when it has one,
    else :attr:`Field.help`."""
    head, _, tail = f.path.partition(".")
    model_field = (Team.model_fields.get(tail) if tail else None) or Profile.model_fields.get(head)
    if tail and head != "team":
        model_field = None
    description = getattr(model_field, "description", None) if model_field is not None else None
    return description or f.help


def field_value(profile: Profile, path: str) -> Any:
    """A profile field's value by dotted path (``team.ml_engineers``)."""
    obj: Any = profile
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def advanced_yaml(profile: Profile) -> str:
    """The profile's ``weights``, ``rag`` and ``assumptions`` as YAML (unset ones omitted)."""
    data = profile.model_dump(mode="json", exclude_none=True, include=set(ADVANCED_FIELDS))
    data = clean_numbers({k: v for k, v in data.items() if v not in ({}, None)})
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True) if data else ""


def form_to_data(values: dict[str, Any], advanced: str = "") -> dict[str, Any]:
    """Turn the form's values (dotted path → value) and the advanced YAML into the
    mapping :func:`~llmstrategy.inputs.profile.profile_from_dict` validates. Empty text and the
    0 of a ``zero_is_none`` field mean "not set"; integer fields are rounded, other numbers
    cleaned of float noise (:func:`clean_numbers`)."""
    by_path = {f.path: f for f in FIELDS}
    data: dict[str, Any] = {}
    for path, value in values.items():
        f = by_path.get(path)
        if f is None:
            raise ProfileError(f"unknown form field '{path}'", field=path)
        if isinstance(value, str) and f.kind in ("text", "textarea") and path != "name" and not value.strip():
            continue  # blank optional text: not set (a blank name is an error the profile reports)
        if f.zero_is_none and value in (0, 0.0, None):
            continue
        if path in INTEGER_FIELDS or f.kind == "int_text":
            value = round(float(value))
        elif isinstance(value, float):
            value = clean_numbers(value)
        head, _, tail = path.partition(".")
        if tail:
            data.setdefault(head, {})[tail] = value
        else:
            data[path] = value
    if advanced.strip():
        try:
            extra = yaml.safe_load(advanced)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = f" at line {mark.line + 1}" if mark is not None else ""
            raise ProfileError(f"invalid YAML{line}", field="advanced settings") from None
        if extra is None:
            extra = {}
        if not isinstance(extra, dict):
            raise ProfileError(f"expected a mapping of {', '.join(ADVANCED_FIELDS)}", field="advanced settings")
        unknown = sorted(set(map(str, extra)) - set(ADVANCED_FIELDS))
        if unknown:
            raise ProfileError(
                f"unknown key '{unknown[0]}'; expected one of: {', '.join(ADVANCED_FIELDS)}", field="advanced settings"
            )
        data.update(extra)
    return data


def derived_summary(profile: Profile) -> dict[str, float]:
    """The numbers the editor shows live: monthly requests and tokens, peak requests/s."""
    w = workload(profile)
    return {
        "requests_per_month": w.requests_per_month,
        "tokens_per_month": w.tokens_per_month,
        "input_tokens_per_month": w.input_tokens_per_month,
        "output_tokens_per_month": w.output_tokens_per_month,
        "peak_requests_per_second": w.peak_requests_per_second,
    }


def derived_html(profile: Profile) -> str:
    """The derived workload as a small KPI strip; each value has a stable class name
    (``lls-derived-tokens_per_month`` …) so browser tests can read it."""
    d = derived_summary(profile)
    items = (
        ("tokens_per_month", fmt_count(d["tokens_per_month"]), "tokens per month"),
        ("requests_per_month", fmt_count(d["requests_per_month"]), "requests per month"),
        ("peak_requests_per_second", f"{d['peak_requests_per_second']:,.3g}", "peak requests per second"),
    )
    box = "border:1px solid #dde3ea;border-radius:6px;padding:6px 14px;background:#f7f9fb;min-width:150px"
    cells = "".join(
        f'<div class="lls-kpi" style="{box}">'
        f'<div class="lls-kpi-value lls-derived-{k}" style="font-size:1.35em;font-weight:600">{html.escape(v)}</div>'
        f'<div class="lls-kpi-label" style="color:#555;font-size:0.85em">{html.escape(label)}</div></div>'
        for k, v, label in items
    )
    strip = "display:flex;gap:16px;flex-wrap:wrap;margin:4px 0 10px 0"
    return f'<div class="lls-kpis lls-derived" style="{strip}">{cells}</div>'


_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")


def profile_filename(text: str) -> str:
    """A safe YAML file name from what the user typed (``.yaml`` added when missing);
    no folders, no hidden files."""
    name = text.strip()
    if not name.endswith((".yaml", ".yml")):
        name += ".yaml"
    if not _SAFE_NAME.match(name) or ".." in name:
        raise ProfileError("expected a file name of letters, digits, '.', '_' or '-' (no folders)", field="file name")
    return name


def suggested_filename(profile: Profile) -> str:
    """The loaded file's name, or one made from the profile's name."""
    if profile.source_path:
        return Path(profile.source_path).name
    slug = re.sub(r"[^A-Za-z0-9]+", "_", profile.name).strip("_").lower()[:60]
    return f"{slug or 'profile'}.yaml"


def clean_numbers(value: Any, *, digits: int = 12) -> Any:
    """``value`` (a profile's mapping, list or scalar) with every float rounded to
    ``digits`` significant figures (a slider's 0.15000000000000002 is 0.15) and written as
    an integer when it is one (``ml_engineers: 0``, not ``0.0``); booleans stay booleans."""
    if isinstance(value, dict):
        return {k: clean_numbers(v, digits=digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_numbers(v, digits=digits) for v in value]
    if isinstance(value, float) and math.isfinite(value):
        value = float(f"{value:.{digits}g}")
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return value


def profile_yaml(profile: Profile) -> str:
    """The profile as the YAML the editor saves: the fields in the model's order, unset
    ones left out, numbers cleaned by :func:`clean_numbers`."""
    data = clean_numbers(profile.model_dump(mode="json", exclude_none=True))
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def save_profile_to(profile: Profile, directory: str | Path, filename: str, *, overwrite: bool = False) -> Path:
    """Write ``profile`` as YAML (:func:`profile_yaml`) to ``directory/filename``
    atomically; refuses to replace an existing file unless ``overwrite``."""
    target = Path(directory) / profile_filename(filename)
    if target.exists() and not overwrite:
        raise ProfileError("file exists (tick 'overwrite' to replace it)", path=str(target))
    atomic_write_text(target, profile_yaml(profile))
    return target


def round_sig(x: float, digits: int) -> float:
    """``x`` rounded to ``digits`` significant figures (a slider's 19998.6 becomes 20000)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def snapped(exact: float, shown: float, step: float) -> bool:
    """True when a log slider's ``shown`` value is only ``exact`` snapped to the slider's
    grid of ``step`` [log10 units] (at most half a step away), not a user's move."""
    if exact <= 0 or shown <= 0:
        return exact == shown
    return abs(math.log10(shown) - math.log10(exact)) <= step / 2 + 1e-9
