"""Profile cells: the profile's fields as a table (report mode) or an editor (interactive)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmstrategy.notebook.session import Session
from llmstrategy.notebook.state import live


def _plain_value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() and abs(v) < 1e15 else f"{v:,.6g}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, list):
        return ", ".join(map(str, v))
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_plain_value(x)}" for k, x in v.items())
    return str(v)


@live
def profile_table(s: Session) -> Any:
    """Every profile field and its value (report mode of the profile editor)."""
    import pandas as pd

    from llmstrategy.views.styling import styled
    from llmstrategy.views.widgets import ADVANCED_FIELDS, FIELDS, field_value

    rows = [{"group": f.group, "field": f.path, "value": field_value(s.profile, f.path)} for f in FIELDS]
    advanced = s.profile.model_dump(mode="json", exclude_none=True, include=set(ADVANCED_FIELDS))
    for section, values in advanced.items():
        if isinstance(values, dict):
            for key, value in values.items():
                rows.append({"group": "Advanced", "field": f"{section}.{key}", "value": value})
        elif isinstance(values, list) and values and isinstance(values[0], dict):  # evals: one row each
            for i, value in enumerate(values):
                rows.append({"group": "Advanced", "field": f"{section}[{i}]", "value": value})
        else:
            rows.append({"group": "Advanced", "field": section, "value": values})
    df = pd.DataFrame(rows)
    df["value"] = [_plain_value(v) for v in df["value"]]
    return styled(df, caption=f"Profile fields ({Path(s.profile_path).name})")


def profile_editor(s: Session, *, save_dir: str = "../data/profiles", report_dir: str = "../reports") -> Any:
    """Report mode: the profile's fields as a table. Interactive: a widget per field with
    its help text, the derived workload updated live, "Save profile" (clean YAML, then the
    next step) and "Render report" (writes the report into ``report_dir`` and links it).
    Every valid change goes to the notebook's state, so every other cell follows it; the
    reset button puts the parameters cell's profile back."""
    if s.report_mode:
        return profile_table(s)
    import ipywidgets as w

    from llmstrategy.notebook.editor import ProfileEditor

    state = s.state
    if state is None:
        return ProfileEditor(s.profile, save_dir=save_dir, report_dir=report_dir).widget
    editor = ProfileEditor(
        state.session.profile,
        save_dir=save_dir,
        report_dir=report_dir,
        on_change=lambda p: state.update(profile=p),
    )
    state.on_reset(lambda initial: editor.load(initial.profile))
    return w.VBox([editor.widget, state.reset_button()])
