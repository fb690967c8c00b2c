"""The workload-profile editor: ipywidgets for every profile field, the derived workload
updated live, and a save button that writes the profile as YAML.

The pure parts (the field table :data:`FIELDS`, :func:`form_to_data`,
:func:`derived_summary`, :func:`profile_filename`, :func:`save_profile_to`) need no
widgets and are tested on their own; :class:`ProfileEditor` only wires them to ipywidgets.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import yaml

from llmstrategy.errors import LLMStrategyError, ProfileError
from llmstrategy.fmt import fmt_count
from llmstrategy.inputs.profile import (
    LatencyClass,
    Level,
    Profile,
    Sensitivity,
    Stage,
    TaskType,
    profile_from_dict,
    save_profile,
)
from llmstrategy.inputs.workload import workload


@dataclass(frozen=True)
class Field:
    """One editable profile field: its path (``team.ml_engineers``), the widget kind, a
    label, and the range or options. ``zero_is_none`` fields read 0 as "not set"."""

    path: str
    kind: str  # text, textarea, dropdown, log, float, int, check, int_text, float_text
    label: str
    options: tuple[Any, ...] = ()
    lo: float = 0.0
    hi: float = 1.0
    step: float = 0.01
    zero_is_none: bool = False
    group: str = "Workload"


#: Log sliders move in steps of 10^0.0001 (0.023 %): fine enough that a round value such
#: as 900 reads back as 900 (3 significant figures) after the slider snaps it.
LOG_STEP = 0.0001

#: Every top-level profile field (nested ``team`` too); ``weights``, ``rag`` and
#: ``assumptions`` are edited as YAML in :data:`ADVANCED_FIELDS`.
FIELDS: tuple[Field, ...] = (
    Field("name", "text", "name", group="Use case"),
    Field("description", "textarea", "description", group="Use case"),
    Field("notes", "textarea", "notes", group="Use case"),
    Field("stage", "dropdown", "stage", get_args(Stage), group="Use case"),
    Field("requests_per_day", "log", "requests/day", lo=0, hi=9, step=LOG_STEP),
    Field("input_tokens_per_request", "log", "input tokens", lo=0, hi=6, step=LOG_STEP),
    Field("output_tokens_per_request", "log", "output tokens", lo=0, hi=5, step=LOG_STEP),
    Field("monthly_growth", "float", "growth/month", lo=-0.5, hi=1.0, step=0.01),
    Field("peak_to_average", "log", "peak/average", lo=0, hi=2, step=LOG_STEP),
    Field("retry_rate", "float", "retry rate", lo=0, hi=0.9, step=0.01),
    Field("cache_hit_rate", "float", "cache hit rate", lo=0, hi=0.95, step=0.01),
    Field("horizon_months", "int", "horizon (months)", lo=1, hi=60, step=1),
    Field("latency", "dropdown", "latency class", get_args(LatencyClass), group="Constraints"),
    Field("latency_slo_ms", "float_text", "latency SLO ms (0: none)", zero_is_none=True, group="Constraints"),
    Field("tpot_slo_ms", "float_text", "ms per token (0: none)", zero_is_none=True, group="Constraints"),
    Field("data_may_leave", "check", "data may leave", group="Constraints"),
    Field("own_cloud_allowed", "check", "own cloud allowed", group="Constraints"),
    Field("data_sensitivity", "dropdown", "sensitivity", get_args(Sensitivity), group="Constraints"),
    Field("context_tokens_needed", "int_text", "context tokens (0: auto)", zero_is_none=True, group="Constraints"),
    Field("task_type", "dropdown", "task type", get_args(TaskType), group="Task"),
    Field("task_complexity", "dropdown", "task complexity", get_args(Level), group="Task"),
    Field("domain_specificity", "dropdown", "domain specificity", get_args(Level), group="Task"),
    Field("needs_consistent_format", "check", "needs consistent format", group="Task"),
    Field("knowledge_changes_often", "check", "knowledge changes often", group="Task"),
    Field("systematic_failures", "check", "systematic failures", group="Task"),
    Field("core_differentiator", "check", "core differentiator", group="Task"),
    Field("rules_suffice", "check", "rules suffice", group="Task"),
    Field("labeled_examples", "int_text", "labeled examples", group="Task"),
    Field("required_accuracy", "float_text", "required accuracy (0: none)", zero_is_none=True, group="Task"),
    Field("errors_caught_downstream", "check", "errors caught downstream", group="Task"),
    Field("human_review_usd_per_task", "float_text", "review $/failed task (0: none)", zero_is_none=True, group="Task"),
    Field("team.ml_engineers", "float_text", "ML engineers", group="Team"),
    Field("team.infra_engineers", "float_text", "infra engineers", group="Team"),
    Field("team.can_hire", "check", "can hire", group="Team"),
    Field("team.hire_months", "float_text", "months to hire (0: default)", zero_is_none=True, group="Team"),
    Field("team.hire_usd_per_engineer", "float_text", "$ to hire one (0: default)", zero_is_none=True, group="Team"),
)

#: The editor's tabs, the volume sliders first.
GROUP_ORDER = ("Workload", "Constraints", "Task", "Team", "Use case")

#: Nested settings edited as one YAML text box.
ADVANCED_FIELDS = ("languages", "evals", "weights", "rag", "assumptions")

#: Slider scales are log10 for ``log`` fields; these keep the integer fields integers.
INTEGER_FIELDS = {"input_tokens_per_request", "output_tokens_per_request", "horizon_months", "labeled_examples"}


def field_value(profile: Profile, path: str) -> Any:
    """A profile field's value by dotted path (``team.ml_engineers``)."""
    obj: Any = profile
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def advanced_yaml(profile: Profile) -> str:
    """The profile's ``weights``, ``rag`` and ``assumptions`` as YAML (unset ones omitted)."""
    data = profile.model_dump(mode="json", exclude_none=True, include=set(ADVANCED_FIELDS))
    data = {k: v for k, v in data.items() if v not in ({}, None)}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True) if data else ""


def form_to_data(values: dict[str, Any], advanced: str = "") -> dict[str, Any]:
    """Turn the form's values (dotted path → value) and the advanced YAML into the
    mapping :func:`~llmstrategy.inputs.profile.profile_from_dict` validates. Empty text and the
    0 of a ``zero_is_none`` field mean "not set"; integer fields are rounded."""
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
            raise ProfileError("expected a mapping of weights, rag or assumptions", field="advanced settings")
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


def save_profile_to(profile: Profile, directory: str | Path, filename: str, *, overwrite: bool = False) -> Path:
    """Write ``profile`` as YAML to ``directory/filename`` atomically; refuses to replace
    an existing file unless ``overwrite``."""
    target = Path(directory) / profile_filename(filename)
    if target.exists() and not overwrite:
        raise ProfileError("file exists (tick 'overwrite' to replace it)", path=str(target))
    return save_profile(profile, target)


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


class ProfileEditor:
    """The interactive editor: one widget per :data:`FIELDS` entry, the advanced YAML box,
    the live derived workload, and the save controls. ``widget`` is what a cell shows."""

    def __init__(self, profile: Profile, *, save_dir: str | Path = "../data/profiles"):
        import ipywidgets as w

        self.profile: Profile | None = profile
        self.save_dir = Path(save_dir)
        self.inputs: dict[str, Any] = {f.path: self._make(f, field_value(profile, f.path)) for f in FIELDS}
        self.advanced = w.Textarea(
            value=advanced_yaml(profile),
            description="languages, evals, weights, rag, assumptions (YAML)",
            layout=w.Layout(width="95%", height="110px"),
            style={"description_width": "initial"},
        )
        self.derived = w.HTML(derived_html(profile))
        self.status = w.HTML("")
        self.filename = w.Text(value=suggested_filename(profile), description="file name")
        self.overwrite = w.Checkbox(value=False, description="overwrite", indent=False)
        self.save_button = w.Button(description="Save profile", button_style="primary", icon="save")
        self.save_button.add_class("lls-save")
        # a log slider snaps its value to its step grid when displayed (900 becomes 891):
        # keep each one's exact value and take a new one only when it moved a full step
        self.exact: dict[str, float] = {f.path: float(field_value(profile, f.path)) for f in FIELDS if f.kind == "log"}
        for f in FIELDS:
            if f.kind == "log":
                self.inputs[f.path].observe(self._log_moved(f), names="value")
        for widget in (*self.inputs.values(), self.advanced):
            widget.observe(self._changed, names="value")
        self.save_button.on_click(self._save)
        groups: dict[str, list[Any]] = {g: [] for g in GROUP_ORDER}
        for f in FIELDS:
            groups.setdefault(f.group, []).append(self.inputs[f.path])
        tabs = w.Tab(children=[w.VBox(ws) for ws in groups.values()])
        for i, title in enumerate(groups):
            tabs.set_title(i, title)
        self.widget = w.VBox(
            [
                self.derived,
                tabs,
                self.advanced,
                w.HBox([self.filename, self.overwrite, self.save_button]),
                self.status,
            ]
        )

    @staticmethod
    def _make(f: Field, value: Any) -> Any:
        import ipywidgets as w

        common: dict[str, Any] = {"description": f.label, "style": {"description_width": "160px"}}
        layout = w.Layout(width="520px")
        if f.kind == "text":
            widget = w.Text(value=value or "", layout=layout, **common)
        elif f.kind == "textarea":
            widget = w.Textarea(value=value or "", layout=w.Layout(width="95%", height="60px"), **common)
        elif f.kind == "dropdown":
            widget = w.Dropdown(options=list(f.options), value=value, **common)
        elif f.kind == "log":
            v = max(float(value), 10**f.lo)
            widget = w.FloatLogSlider(
                value=v, base=10, min=f.lo, max=f.hi, step=f.step, readout_format=".3s", layout=layout, **common
            )
        elif f.kind == "float":
            widget = w.FloatSlider(value=value, min=f.lo, max=f.hi, step=f.step, layout=layout, **common)
        elif f.kind == "int":
            widget = w.IntSlider(value=value, min=int(f.lo), max=int(f.hi), step=int(f.step), layout=layout, **common)
        elif f.kind == "check":
            widget = w.Checkbox(value=bool(value), **common)
        elif f.kind == "int_text":
            widget = w.IntText(value=int(value or 0), **common)
        else:
            widget = w.FloatText(value=float(value or 0), **common)
        widget.add_class("lls-field-" + f.path.replace(".", "-").replace("_", "-"))
        return widget

    def _log_moved(self, f: Field) -> Callable[[dict[str, Any]], None]:
        def moved(change: dict[str, Any]) -> None:
            if not snapped(self.exact[f.path], float(change["new"]), f.step):
                self.exact[f.path] = round_sig(float(change["new"]), 4)

        return moved

    def values(self) -> dict[str, Any]:
        return {path: self.exact.get(path, widget.value) for path, widget in self.inputs.items()}

    def current(self) -> Profile:
        """The profile the form describes now (raises :class:`ProfileError`)."""
        return profile_from_dict(form_to_data(self.values(), self.advanced.value), path="<form>")

    def _changed(self, *_: Any) -> None:
        try:
            self.profile = self.current()
        except LLMStrategyError as err:
            self.profile = None
            self._say(str(err), error=True)
            return
        self.derived.value = derived_html(self.profile)
        self._say("")

    def _save(self, *_: Any) -> None:
        try:
            profile = self.current()
            path = save_profile_to(profile, self.save_dir, self.filename.value, overwrite=self.overwrite.value)
        except LLMStrategyError as err:
            self._say(str(err), error=True)
            return
        except OSError as err:
            self._say(f"cannot write the profile: {err.strerror}", error=True)
            return
        self._say(f"saved {path}")

    def _say(self, text: str, *, error: bool = False) -> None:
        color = "#b00020" if error else "#2e7d32"
        self.status.value = (
            f'<span class="lls-status" style="color:{color}">{html.escape(text, quote=False)}</span>' if text else ""
        )
