"""Comments and docs cite the repository's own documents, never something a clone does not
have: no design file from outside the repository, no rule numbers that only it defines, no
tracker numbers. A comment names the rule in words (docs/architecture.md lists them) or
says the reason itself.

Exempt: the migrations applied before this check existed (an applied migration is never
edited, its checksum would no longer match; docs/architecture.md, section 7, says what their
numbers mean), that section of docs/architecture.md, and this file.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("app", "web", "scripts", "tests", "janus", "config", "docs")
SKIPPED_FOLDERS = ("web/static/vendor/", "web/node_modules/")
APPLIED_MIGRATIONS = {
    f"app/migrations/{name}"
    for name in (
        "0002_mail_outbox.sql",
        "0005_candidates.sql",
        "0006_live_queue.sql",
        "0007_live_channel.sql",
        "0008_live_rooms_and_connections.sql",
        "0014_dead_process_claims.sql",
    )
}
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()
LEGEND = "\n## 7. Numbers in the older migrations"
CITATIONS = [
    (re.compile(r"\bDESIGN\b"), "the design file outside the repository"),
    (re.compile(r"\b[Ii]ssues? #?\d+"), "a tracker number"),
    (re.compile(r"\(#\d+\)"), "a tracker number"),
    (re.compile(r"\b[Rr]ules? \d+\b"), "a rule by number"),
]


def repository_files() -> list[str]:
    """The files git knows (tracked or new, not ignored); without git, every file but caches."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", *FOLDERS],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return listed.stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return [
            path.relative_to(ROOT).as_posix()
            for folder in FOLDERS
            for path in (ROOT / folder).rglob("*")
            if "__pycache__" not in path.parts and path.suffix != ".pyc"
        ]


def checked_files() -> list[str]:
    names = repository_files() + [path.name for path in ROOT.glob("*.md")]
    return sorted(
        {
            name
            for name in names
            if not name.startswith(SKIPPED_FOLDERS)
            and name not in APPLIED_MIGRATIONS
            and name != THIS_FILE
            and (ROOT / name).is_file()
        }
    )


def text_of(name: str) -> str | None:
    try:
        text = (ROOT / name).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None  # images, fonts
    if name == "docs/architecture.md" and LEGEND in text:
        text = text[: text.index(LEGEND)]
    return text


def test_the_check_sees_the_code_and_the_docs():
    files = checked_files()
    assert {
        "app/live/dispatch.py",
        "README.md",
        "docs/architecture.md",
        "web/static/js/live/channel.js",
    } <= set(files)


def test_nothing_cites_a_design_file_rule_number_or_tracker_number():
    found = []
    for name in checked_files():
        text = text_of(name)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for pattern, what in CITATIONS:
                if pattern.search(line):
                    found.append(f"{name}:{number}: {what}: {line.strip()}")
    assert not found, "cite the repository's own docs instead:\n" + "\n".join(found)
