"""The workload-profile editor's widgets: one per :data:`~llmstrategy.views.widgets.FIELDS`
entry, each with its label in full and its help text, the advanced YAML box, the live
derived workload, "Save profile" (clean YAML, then the next step) and "Render report"
(the saved profile through ``llmstrategy render``, then a link to the HTML).

Log fields are a slider (×1.12 an arrow-key press) beside a number box that holds the
exact value: a slider shows values on its own grid (900 as 891), so the box is what the
profile reads, and a slider move writes 2 significant figures into it.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmstrategy.errors import LLMStrategyError, RenderError
from llmstrategy.inputs.profile import Profile, profile_from_dict
from llmstrategy.views.widgets import (
    FIELDS,
    GROUP_ORDER,
    Field,
    advanced_yaml,
    derived_html,
    field_help,
    field_value,
    form_to_data,
    round_sig,
    save_profile_to,
    snapped,
    suggested_filename,
)

LABEL_WIDTH = "250px"


def render_command(profile_path: str | Path, out_dir: str | Path) -> list[str]:
    """The command that renders a saved profile's report (the package's own CLI, run by
    this kernel's Python, so the report is what ``llmstrategy render`` gives)."""
    return [sys.executable, "-m", "llmstrategy.cli", "render", str(profile_path), "--out", str(out_dir)]


def render_report(profile_path: str | Path, out_dir: str | Path, *, timeout_s: float = 900) -> Path:
    """Render ``profile_path`` into ``out_dir`` and return the report's HTML path; raises
    :class:`RenderError` with the command's last line when it fails."""
    try:
        done = subprocess.run(
            render_command(profile_path, out_dir), capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise RenderError(f"cannot run the render: {err}", path=str(profile_path)) from None
    written = [Path(m) for m in re.findall(r"^wrote (.+\.html)$", done.stdout, flags=re.M)]
    reports = [p for p in written if p.name != "index.html"]
    if done.returncode != 0 or not reports:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise RenderError(f"render failed: {lines[-1] if lines else f'exit code {done.returncode}'}")
    return reports[0]


class ProfileEditor:
    """The interactive editor; ``widget`` is what a cell shows. ``on_change(profile)`` is
    called with every valid profile the form describes (the notebook's state re-runs the
    engine with it); ``report_dir`` is where "Render report" writes."""

    def __init__(
        self,
        profile: Profile,
        *,
        save_dir: str | Path = "../data/profiles",
        report_dir: str | Path = "../reports",
        on_change: Callable[[Profile], None] | None = None,
    ):
        import ipywidgets as w

        self.profile: Profile | None = profile
        self.save_dir, self.report_dir = Path(save_dir), Path(report_dir)
        self.on_change = on_change
        self.saved_path: Path | None = Path(profile.source_path) if profile.source_path else None
        self.saved: Profile | None = profile if self.saved_path else None
        self.loading = False
        self.sliders: dict[str, Any] = {}
        self.inputs: dict[str, Any] = {}
        rows = {f.path: self._make(f, field_value(profile, f.path)) for f in FIELDS}
        self.advanced = w.Textarea(
            value=advanced_yaml(profile),
            description="languages, evals, weights, rag, routing, assumptions (YAML)",
            layout=w.Layout(width="95%", height="110px"),
            style={"description_width": "initial"},
            continuous_update=False,
        )
        self.derived = w.HTML(derived_html(profile))
        self.status = w.HTML("")
        self.filename = w.Text(value=suggested_filename(profile), description="file name")
        self.overwrite = w.Checkbox(value=False, description="overwrite", indent=False)
        self.save_button = w.Button(description="Save profile", button_style="primary", icon="save")
        self.save_button.add_class("lls-save")
        self.render_button = w.Button(
            description="Render report", icon="file", tooltip="llmstrategy render on the saved profile"
        )
        self.render_button.add_class("lls-render")
        for widget in (*self.inputs.values(), self.advanced):
            widget.observe(self._changed, names="value")
        self.save_button.on_click(self._save)
        self.render_button.on_click(self._render)
        groups: dict[str, list[Any]] = {g: [] for g in GROUP_ORDER}
        for f in FIELDS:
            groups.setdefault(f.group, []).append(rows[f.path])
        tabs = w.Tab(children=[w.VBox(ws) for ws in groups.values()])
        for i, title in enumerate(groups):
            tabs.set_title(i, title)
        buttons = w.HBox([self.filename, self.overwrite, self.save_button, self.render_button])
        self.widget = w.VBox([self.derived, tabs, self.advanced, buttons, self.status])

    def _make(self, f: Field, value: Any) -> Any:
        """The field's row: its control (label in full) and its help text."""
        import ipywidgets as w

        help_text = field_help(f)
        common: dict[str, Any] = {
            "description": f.label,
            "style": {"description_width": LABEL_WIDTH},
            "tooltip": help_text,
        }
        wide = w.Layout(width="600px")
        if f.kind == "text":
            widget = w.Text(value=value or "", layout=wide, continuous_update=False, **common)
        elif f.kind == "textarea":
            widget = w.Textarea(value=value or "", layout=w.Layout(width="95%", height="60px"), **common)
            widget.continuous_update = False
        elif f.kind == "dropdown":
            widget = w.Dropdown(options=list(f.options), value=value, layout=w.Layout(width="420px"), **common)
        elif f.kind == "log":
            lo, hi = 10**f.lo, 10**f.hi
            exact = min(max(float(value), lo), hi)
            widget = w.BoundedFloatText(value=exact, min=lo, max=hi, layout={"width": "150px"})
            slider = w.FloatLogSlider(
                value=exact, base=10, min=f.lo, max=f.hi, step=f.step, readout=False, continuous_update=False, **common
            )
            slider.layout.width = "450px"
            self.sliders[f.path] = slider
            slider.observe(self._slid(f, widget), names="value")
            widget.observe(self._typed(slider), names="value")
        elif f.kind == "float":
            widget = w.FloatSlider(
                value=value, min=f.lo, max=f.hi, step=f.step, layout=wide, continuous_update=False, **common
            )
        elif f.kind == "int":
            widget = w.IntSlider(value=value, min=int(f.lo), max=int(f.hi), step=int(f.step), layout=wide, **common)
            widget.continuous_update = False
        elif f.kind == "check":  # the label after the box, in full: no fixed width to cut it
            common["style"] = {"description_width": "initial"}
            widget = w.Checkbox(value=bool(value), indent=False, layout={"width": "auto"}, **common)
        elif f.kind == "int_text":
            widget = w.IntText(value=int(value or 0), layout=w.Layout(width="420px"), **common)
        else:
            widget = w.FloatText(value=float(value or 0), layout=w.Layout(width="420px"), **common)
        self.inputs[f.path] = widget
        control = w.HBox([self.sliders[f.path], widget]) if f.kind == "log" else widget
        note = w.HTML(
            f'<span class="lls-help" style="color:#555;font-size:0.85em">{html.escape(help_text)}</span>',
            layout={"margin": "0 0 6px " + ("24px" if f.kind == "check" else LABEL_WIDTH)},
        )
        row = w.VBox([control, note])
        row.add_class("lls-field-" + f.path.replace(".", "-").replace("_", "-"))
        return row

    def _slid(self, f: Field, box: Any) -> Callable[[dict[str, Any]], None]:
        def moved(change: dict[str, Any]) -> None:
            # the browser sends the value snapped to the slider's grid when it first draws
            # it: only a move of at least a step changes the exact value in the box
            if not self.loading and not snapped(float(box.value), float(change["new"]), f.step):
                box.value = round_sig(float(change["new"]), 2)

        return moved

    def _typed(self, slider: Any) -> Callable[[dict[str, Any]], None]:
        def typed(change: dict[str, Any]) -> None:
            if not snapped(float(change["new"]), float(slider.value), slider.step):
                slider.value = float(change["new"])

        return typed

    def values(self) -> dict[str, Any]:
        return {path: widget.value for path, widget in self.inputs.items()}

    def current(self) -> Profile:
        """The profile the form describes now (raises :class:`ProfileError`)."""
        return profile_from_dict(form_to_data(self.values(), self.advanced.value), path="<form>")

    def load(self, profile: Profile) -> None:
        """Show ``profile`` in every widget (the notebook's reset), without calling ``on_change``."""
        self.loading = True
        try:
            for f in FIELDS:
                v = field_value(profile, f.path)
                if f.kind in ("text", "textarea"):
                    v = v or ""
                elif f.kind in ("int_text", "float_text"):
                    v = v or 0
                self.inputs[f.path].value = v
            self.advanced.value = advanced_yaml(profile)
        finally:
            self.loading = False
        self.profile = profile
        self.derived.value = derived_html(profile)
        self._say("")

    def _changed(self, *_: Any) -> None:
        if self.loading:
            return
        try:
            self.profile = self.current()
            if self.on_change is not None:
                self.on_change(self.profile)
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
        self.saved_path, self.saved = path, profile
        command = f"llmstrategy render {_shown(path)} --out {_shown(self.report_dir)}"
        self._say(f"saved {path}. Next: click Render report, or run {command}")

    def _render(self, *_: Any) -> None:
        try:
            unsaved = self.saved is None or self.current().model_dump() != self.saved.model_dump()
        except LLMStrategyError as err:
            self._say(str(err), error=True)
            return
        if unsaved or self.saved_path is None:
            self._say("save the profile first: the report renders a saved file", error=True)
            return
        self._say(f"rendering {self.saved_path.name} (a few seconds)…")
        try:
            report = render_report(self.saved_path, self.report_dir)
        except LLMStrategyError as err:
            self._say(str(err), error=True)
            return
        href = html.escape(os.path.relpath(report, Path.cwd()))
        self.status.value = (
            f'<span class="lls-status" style="color:#2e7d32">wrote <a class="lls-report-link" href="{href}" '
            f'target="_blank" rel="noopener">{html.escape(report.name)}</a> ({html.escape(str(report))})</span>'
        )

    def _say(self, text: str, *, error: bool = False) -> None:
        color = "#b00020" if error else "#2e7d32"
        self.status.value = (
            f'<span class="lls-status" style="color:{color}">{html.escape(text, quote=False)}</span>' if text else ""
        )


def _shown(path: Path) -> str:
    """A path as a command line shows it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
