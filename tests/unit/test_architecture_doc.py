"""docs/architecture.md names files and the functions that enforce each rule; these tests fail
as soon as one of them is renamed or removed, so the page cannot fall behind the code.

A reference in backticks that starts with a top-level folder of the repository is a path
that must exist; `path::name` (or `path::Class.method`) also names something defined there:
a Python function, class or method (found with ast), a JavaScript class or function, or a
name that occurs in an SQL file.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
TOP_FOLDERS = ("app/", "web/", "tests/", "scripts/", "janus/", "config/", "docs/", "locales/")
CODE_SPAN = re.compile(r"`([^`\s]+)`")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def references() -> list[str]:
    return [
        span for span in CODE_SPAN.findall(DOC.read_text(encoding="utf-8")) if span.startswith(TOP_FOLDERS)
    ]


def python_defines(path: Path, dotted: str) -> bool:
    scope: list[ast.stmt] = ast.parse(path.read_text(encoding="utf-8")).body
    for part in dotted.split("."):
        found = [
            node
            for node in scope
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == part
        ]
        if not found:
            return False
        scope = found[0].body
    return True


def javascript_defines(path: Path, dotted: str) -> bool:
    text = path.read_text(encoding="utf-8")
    name = dotted.split(".")[0]
    return re.search(rf"\b(class|function\*?|const|let)\s+{re.escape(name)}\b", text) is not None


def defines(path: Path, name: str) -> bool:
    if path.suffix == ".py":
        return python_defines(path, name)
    if path.suffix in (".js", ".mjs"):
        return javascript_defines(path, name)
    return re.search(rf"\b{re.escape(name)}\b", path.read_text(encoding="utf-8")) is not None


def test_the_page_cites_code():
    assert len(references()) > 50


def test_every_cited_file_and_name_exists():
    missing = []
    for reference in references():
        path_text, _, name = reference.partition("::")
        path = ROOT / path_text.rstrip("/")
        if not path.exists():
            missing.append(f"{reference}: no such file")
        elif name and not defines(path, name):
            missing.append(f"{reference}: {name} is not defined in {path_text}")
    assert not missing, "docs/architecture.md is out of date:\n" + "\n".join(missing)


def test_every_relative_link_resolves():
    links = [target for target in LINK.findall(DOC.read_text(encoding="utf-8")) if "://" not in target]
    assert links
    broken = [target for target in links if not (DOC.parent / target).exists()]
    assert not broken, broken


def test_the_readme_links_here_and_not_outside_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme
    assert "../shared/" not in readme  # a clone has nothing beside it
