"""A warm kernel loads the catalog once per batch: :func:`session_catalog` memoizes
``load_catalog`` until a catalog file changes, and never memoizes an error."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from llmstrategy.errors import LLMStrategyError
from llmstrategy.notebook.session import session_catalog

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 23)


def test_the_catalog_is_loaded_once_until_a_file_changes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    first = session_catalog(str(data), DAY)
    assert session_catalog(str(data), DAY) is first
    assert session_catalog(str(data), None) is not first  # another date, another catalog
    gpus = data / "gpus.csv"
    st = gpus.stat()
    os.utime(gpus, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    again = session_catalog(str(data), DAY)
    assert again is not first and again == first  # loaded again, the same content
    assert session_catalog(str(data), DAY) is again


def test_an_error_is_raised_each_time(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "gpus.csv").unlink()
    for _ in range(2):
        with pytest.raises(LLMStrategyError):
            session_catalog(str(data), DAY)


def test_catalog_only_views_are_built_once_per_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sources, calibration and seed-check sections depend on the catalog only: in report
    mode the second report of a batch shows the first one's HTML, the text a new build gives."""
    from dataclasses import replace

    import llmstrategy.notebook as lls
    import llmstrategy.notebook.session as session
    from llmstrategy.economics import calibration

    profiles = ROOT / "data" / "profiles"
    opts = {"as_of": DAY.isoformat(), "report_mode": True, "samples": 200}
    a = lls.open_session(profiles / "internal_kb_qa.yaml", **opts)
    b = lls.open_session(profiles / "startup_support_assistant.yaml", **opts)
    assert a.catalog is b.catalog
    session._CATALOG_VIEWS.clear()
    calls: list[int] = []
    compare = calibration.compare
    monkeypatch.setattr(calibration, "compare", lambda c: calls.append(1) or compare(c))
    views = (lls.sources_table, lls.calibration_table, lls.seed_check)
    first = [view(a).data for view in views]
    assert [view(b).data for view in views] == first
    assert len(calls) == 1
    built = [view(replace(a, report_mode=False)) for view in views]  # interactive: built each time
    assert len(calls) == 2
    assert [v.to_html() if hasattr(v, "to_html") else v.data for v in built] == first
