"""What code runs: the version and commit (app/build_info.py)."""

from __future__ import annotations

import subprocess

from app import build_info as built
from app.paths import PACKAGE_DIR


def test_the_commit_given_to_the_image_is_said_abbreviated():
    assert built._commit("0123456789ABCDEF0123456789abcdef01234567\n") == "0123456789ab"


def test_without_a_commit_given_a_source_tree_says_its_head():
    head = subprocess.run(
        ["git", "-C", str(PACKAGE_DIR.parent), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert built._commit("") == head[:12]
    # What is not a commit (a build made without SOURCE_COMMIT gives "unknown") is not shown.
    assert built._commit("unknown") == head[:12]
    assert built._commit("$(rm -rf /)") == head[:12]


def test_outside_a_git_checkout_the_commit_is_unknown(monkeypatch, tmp_path):
    monkeypatch.setattr(built, "PACKAGE_DIR", tmp_path / "app")
    assert built._commit("") == "unknown"
    assert built._commit("deadbeef") == "deadbeef"


def test_said_as_version_and_commit():
    info = built.BuildInfo("0.1.0", "0123456789ab")
    assert str(info) == "0.1.0, commit 0123456789ab"
    assert built.build_info().version == "0.1.0"
