"""The repository around the package: dependency lists agree, notebooks are clean."""

import json
import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


def _name(req: str) -> str:
    """The PEP 503 normalized name of a requirement or conda spec (`Foo_bar[x]>=1` -> `foo-bar`)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0]).lower()


def _pyproject_deps() -> tuple[list[str], list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"], project["optional-dependencies"]["dev"]


def _conda_specs() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    return [d for d in env["dependencies"] if isinstance(d, str) and _name(d) not in ("python", "pip")]


def _lock_entries() -> dict[str, tuple[str, str]]:
    """requirements.lock as {normalized name: (version, the entry's text with its hashes)}."""
    assert LOCK.is_file(), f"{LOCK.name} is missing: run `make lock`"
    entries: dict[str, tuple[str, str]] = {}
    # an entry is `name==version`, then its ` \`-continued `--hash=` lines and `# via` comments
    for block in re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text()):
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)", block)
        if m:
            name = _name(m[1])
            assert name not in entries, f"{name} is pinned twice in {LOCK.name}"
            entries[name] = (m[3], block)
    return entries


def test_environment_yml_matches_pyproject():
    deps, _ = _pyproject_deps()
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_names = {_name(d) for d in _conda_specs()}
    pip_names = {_name(d) for d in deps}
    assert conda_names == pip_names, (
        f"only in environment.yml: {sorted(conda_names - pip_names)}; "
        f"only in pyproject.toml: {sorted(pip_names - conda_names)}"
    )
    assert any(isinstance(d, dict) and "-e ." in d.get("pip", []) for d in env["dependencies"])


def test_lock_pins_every_dependency_within_pyproject_bounds():
    """`make` installs requirements.lock: it must pin each runtime and dev dependency, hashed."""
    entries = _lock_entries()
    runtime, dev = _pyproject_deps()
    missing = sorted(_name(d) for d in runtime + dev if _name(d) not in entries)
    assert not missing, f"{LOCK.name} does not pin {missing}: run `make lock`"
    for dep in runtime + dev:
        req = Requirement(dep)
        version = entries[_name(dep)][0]
        assert req.specifier.contains(Version(version), prereleases=True), (
            f"{LOCK.name} pins {req.name}=={version}, outside pyproject.toml's {dep!r}: run `make lock`"
        )
    # pip installs a lock with hashes in hash-checking mode, which refuses an entry without one
    unhashed = sorted(name for name, (_, text) in entries.items() if "--hash=sha256:" not in text)
    assert not unhashed, f"entries of {LOCK.name} without a hash: {unhashed}"


def test_environment_yml_pins_the_lock_versions():
    """Conda gets the same versions as pip: each direct dependency is `name==<version in the lock>`."""
    entries = _lock_entries()
    for spec in _conda_specs():
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(\S+)", spec)
        assert m, f"environment.yml: {spec!r} is not pinned as name==version (`make lock` pins it)"
        name, conda_version = _name(m[1]), m[2]
        lock_version = entries[name][0] if name in entries else None
        assert lock_version is not None, f"environment.yml pins {name}, which {LOCK.name} does not"
        assert conda_version == lock_version, (
            f"environment.yml pins {name}=={conda_version}, {LOCK.name} {name}=={lock_version}: "
            "run `python3 tools/pin_environment.py`"
        )


def test_notebooks_have_no_outputs_and_one_parameters_cell():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and not c.get("execution_count") for c in code), path
        tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, path
        assert nb["metadata"]["kernelspec"]["name"] == "python3", path


def test_the_notebooks_are_what_their_builder_writes():
    """tools/build_notebooks.py is the notebooks' source: an edit made in a notebook and not in the
    builder (or the reverse) would be undone by the next build, so the two may not drift."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "tools" / "build_notebooks.py")
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert set(builder.NOTEBOOKS) == {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    for name, cells in builder.NOTEBOOKS.items():
        committed = (ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
        assert builder.notebook_text(name, cells) == committed, f"{name}: run python tools/build_notebooks.py"


def test_notebook_cells_only_call_the_package():
    """No logic in notebooks: each non-parameter code cell is imports and calls of lls.*."""
    allowed = re.compile(r"^(import llmstrategy\.notebook as lls|s = lls\.\w+\(.*\)|lls\.\w+\(.*\)|#.*|)$")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for c in nb["cells"]:
            if c["cell_type"] != "code" or "parameters" in c.get("metadata", {}).get("tags", []):
                continue
            for line in "".join(c["source"]).splitlines():
                assert allowed.match(line.strip()), f"{path.name}: {line!r}"


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    head = text[:1500]
    assert "make report" in head and "make test" in head
