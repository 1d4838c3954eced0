"""The README's embedding example runs with nothing but the core and its two dependencies."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Everything outside the standard library that the core may import.
_GUARD = textwrap.dedent(
    """
    import sys, importlib.abc
    ALLOWED = {"attrs", "attr", "cattrs", "cattr", "broker_core", "typing_extensions", "exceptiongroup"}
    class Guard(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            top = name.partition(".")[0]
            if top in sys.stdlib_module_names or top in ALLOWED:
                return None
            raise ImportError(f"the core must not need {name}")
    sys.meta_path.insert(0, Guard())
    """
)


def _snippet() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Using `broker_core` from another tool", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def test_readme_snippet_runs_with_only_the_core() -> None:
    code = _GUARD + _snippet()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT / "src"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "1700 2016-10-01 2016-12-31"
    assert lines[1] == "File-D1_20161001_20161231_funding_1700000000.txt"
    assert lines[2] == "(datetime.date(2016, 11, 1), datetime.date(2016, 11, 30)) FY17P01-P02"
    assert lines[3] == "period: Period must be an integer 2-12."


def test_core_declares_only_attrs_and_cattrs() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert sorted(d.split(">")[0] for d in project["dependencies"]) == ["attrs", "cattrs"]
