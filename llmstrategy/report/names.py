"""Report names: unique and stable per profile within one output folder.

A profile's files are ``<name>.html`` (the strategy report), ``<name>.<notebook>.html``
(another notebook) and ``<name>.<table>.csv``. The name comes from the profile file's stem
made safe (:func:`safe_stem`: letters and digits of any script, ``-`` and ``_``; anything
else, dots included, becomes ``_``). Each successful render records which profile owns its
name, with the profile's landing-page row, in ``<out>/.index/<name>.json``
(:func:`write_claim`). :func:`assign_names` names a batch of profiles, in order:

1. the name the profile already owns in the folder (its reports keep their name);
2. else its safe stem, unless that is reserved (``index``: the landing page) or owned by
   another profile (an earlier render in the folder, or an earlier profile of this batch;
   compared case-insensitively, as some file systems do);
3. else the safe stem + ``-`` + 8 hex digits of the SHA-256 of the profile's resolved path.

So two profiles never share a name (``a.yaml`` in two folders, ``a b.yaml`` beside
``a_b.yaml``, ``index.yaml``), and rendering again gives each profile the same name. A
claim counts while one of its reports exists; reports of earlier versions (no claim) are
overwritten as before.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from llmstrategy.files import atomic_write_text
from llmstrategy.report.execute import DEFAULT_NOTEBOOK, notebooks_dir

RESERVED = frozenset({"index"})
CLAIMS_DIR = ".index"
#: A name's bytes (UTF-8) at most: with ``.<notebook>.html`` and a temporary file's
#: ``.<pid>.<random>.tmp`` it stays far below the 255 bytes a file name may have.
MAX_NAME_BYTES = 100
_UNSAFE = re.compile(r"[^\w-]+")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def safe_stem(profile_path: str | Path) -> str:
    """The profile file's stem as a file name: NFC-normalized, every run of characters other
    than letters, digits (any script), ``-`` and ``_`` replaced by ``_``, a leading ``-``
    guarded, at most :data:`MAX_NAME_BYTES` bytes (a cut stem ends with a hash of the whole)."""
    stem = unicodedata.normalize("NFC", Path(profile_path).stem)
    safe = _UNSAFE.sub("_", stem).strip("_") or "profile"
    if safe.startswith("-"):
        safe = "_" + safe
    if len(safe.encode("utf-8")) > MAX_NAME_BYTES:
        cut = safe
        while len(cut.encode("utf-8")) > MAX_NAME_BYTES - 9:
            cut = cut[:-1]
        safe = f"{cut}-{_digest(stem)}"
    return safe


def report_name(name: str, notebook: str) -> str:
    """``<name>`` for the strategy report, ``<name>.<notebook>`` for another notebook."""
    return name if notebook == DEFAULT_NOTEBOOK else f"{name}.{notebook}"


def report_stem(profile_path: Path, notebook: str) -> str:
    """The file stem a profile's report has when no other profile competes for its name."""
    return report_name(safe_stem(profile_path), notebook)


def notebook_names() -> list[str]:
    """The notebooks in ``notebooks/``, the strategy report first."""
    names = sorted(p.stem for p in notebooks_dir().glob("*.ipynb"))
    return [DEFAULT_NOTEBOOK] + [n for n in names if n != DEFAULT_NOTEBOOK]


def report_files(out_dir: Path, name: str) -> list[tuple[str, Path]]:
    """(notebook, path) of every rendered report of ``name`` in ``out_dir``."""
    found = []
    for nb in notebook_names():
        path = Path(out_dir) / f"{report_name(name, nb)}.html"
        if path.is_file():
            found.append((nb, path))
    return found


def _profile_key(profile_path: str | Path) -> str:
    return str(Path(profile_path).resolve())


def read_claims(out_dir: str | Path) -> dict[str, dict[str, Any]]:
    """name → ``{"profile": resolved path, "row": landing-page row}`` for every claim in
    ``out_dir`` that still has a report; unreadable or malformed claims are ignored."""
    out = Path(out_dir)
    claims: dict[str, dict[str, Any]] = {}
    try:
        files = sorted((out / CLAIMS_DIR).glob("*.json"))
    except OSError:
        return claims
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        name = path.stem
        if (
            not isinstance(data, dict)
            or data.get("name") != name
            or not isinstance(data.get("profile"), str)
            or not isinstance(data.get("row"), dict)
            or _UNSAFE.search(name)
            or not report_files(out, name)
        ):
            continue
        claims[name] = {"profile": data["profile"], "row": data["row"]}
    return claims


def assign_names(profiles: Iterable[str | Path], out_dir: str | Path) -> list[str]:
    """One name per profile (same order), unique in ``out_dir`` and stable across renders;
    the same profile file given twice gets the same name. See the module docstring."""
    owned: dict[str, str] = {}  # profile key → name
    taken: dict[str, str] = {}  # casefolded name → profile key
    for claimed, claim in read_claims(out_dir).items():
        owned.setdefault(claim["profile"], claimed)
        taken[claimed.casefold()] = claim["profile"]
    names = []
    for profile in profiles:
        key = _profile_key(profile)
        if key not in owned:
            name = safe_stem(profile)
            if name.casefold() in RESERVED or taken.get(name.casefold(), key) != key:
                name = f"{name}-{_digest(key)}"
            owned[key] = name
            taken[name.casefold()] = key
        names.append(owned[key])
    return names


def write_claim(
    out_dir: Path,
    name: str,
    profile_path: str | Path,
    row: dict[str, Any],
    *,
    before_replace: Callable[[], None] | None = None,
) -> Path:
    """Record that ``name`` in ``out_dir`` belongs to ``profile_path``, with its landing-page row."""
    path = Path(out_dir) / CLAIMS_DIR / f"{name}.json"
    finite = {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()}
    data = {"name": name, "profile": _profile_key(profile_path), "row": finite}
    atomic_write_text(
        path, json.dumps(data, ensure_ascii=False, allow_nan=False, default=str) + "\n", before_replace=before_replace
    )
    return path
