#!/usr/bin/env python3
"""Pin environment.yml's conda packages to the versions in requirements.lock (`make lock` runs it).

Rewrites each `  - name<op>version` line whose package the lock pins to `  - name==<lock version>`
and leaves every other line (python, pip, the pip: section, comments) as it is. Standard library
only, so it runs before .venv exists. tests/test_packaging.py checks the result.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(text: str) -> dict[str, str]:
    return {normalize(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==([^\s;\\]+)", text, re.M)}


def main() -> int:
    pins = lock_pins((ROOT / "requirements.lock").read_text())
    env_path = ROOT / "environment.yml"
    lines = env_path.read_text().splitlines(keepends=True)
    spec = re.compile(r"^(\s*-\s+)([A-Za-z0-9][A-Za-z0-9_.-]*)\s*(?:[<>=!~]=?\s*[^\s#]+)?(\s*(?:#.*)?)$")
    changed = 0
    for i, line in enumerate(lines):
        m = spec.match(line.rstrip("\n"))
        if not m or normalize(m[2]) not in pins or m[2] in ("python", "pip"):
            continue
        new = f"{m[1]}{m[2]}=={pins[normalize(m[2])]}{m[3]}\n"
        if new != line:
            lines[i] = new
            changed += 1
    env_path.write_text("".join(lines))
    print(f"environment.yml: {changed} pin(s) updated from requirements.lock")
    return 0


if __name__ == "__main__":
    sys.exit(main())
