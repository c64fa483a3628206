"""Each package's docstring in app/ is its module map, and it stays complete and true: every
module of the package is named there, and nothing named there is missing. Adding, renaming
or removing a module without a line in the map fails here.

The map is the lines of the package's `__init__.py` docstring that begin (after spaces and
an optional "- ") with a file name of the package, `name.py`, or for a folder, `name/`, with
what it holds after it. Modules are the `*.py` files beside that `__init__.py` (not
`__init__.py` itself); folders are its subfolders (Python packages or not, such as
app/migrations/), except caches.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
ENTRY = re.compile(r"^\s*(?:- )?([a-z_][a-z0-9_]*(?:\.py|/))(?=[\s:]|$)")
PACKAGES = sorted(init.parent for init in APP.rglob("__init__.py") if "__pycache__" not in init.parts)


def on_disk(package: Path) -> set[str]:
    modules = {path.name for path in package.glob("*.py") if path.name != "__init__.py"}
    folders = {
        path.name + "/"
        for path in package.iterdir()
        if path.is_dir() and path.name != "__pycache__" and not path.name.endswith(".egg-info")
    }
    return modules | folders


def in_map(package: Path) -> set[str]:
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text("utf-8"))) or ""
    return {match[1] for line in docstring.splitlines() if (match := ENTRY.match(line))}


def test_every_package_is_found():
    names = {package.relative_to(APP.parent).as_posix() for package in PACKAGES}
    assert {"app", "app/live", "app/janus", "app/mail", "app/views"} <= names


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.relative_to(APP.parent).as_posix())
def test_the_module_map_names_every_module_and_nothing_else(package: Path):
    where = f"{package.relative_to(APP.parent).as_posix()}/__init__.py"
    unmapped = sorted(on_disk(package) - in_map(package))
    gone = sorted(in_map(package) - on_disk(package))
    assert not unmapped, f"add a line for each of {unmapped} to the docstring of {where}"
    assert not gone, f"{gone} are in the docstring of {where} but not in the package"
