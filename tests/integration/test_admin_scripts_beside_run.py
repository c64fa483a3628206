"""Admin scripts run in another terminal beside scripts/run use that service's settings
(app/localstack/running.py): no secrets to export by hand."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from app import provision
from app.localstack import running
from app.settings import load_settings_or_exit


@pytest.fixture
def beside_the_service(stack, tmp_path, monkeypatch):
    """The test stack published as scripts/run publishes itself, and an admin's shell that
    has none of its variables."""
    path = tmp_path / "running.json"
    monkeypatch.setattr(running, "RUNNING_FILE", path)
    running.publish(stack.environ, {})
    for name in list(os.environ):
        if name.startswith("SNABB_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    return path


def test_the_running_service_settings_are_used_and_the_file_is_private(beside_the_service, stack):
    settings = load_settings_or_exit()
    assert settings.database.url.get_secret_value() == stack.environ["DATABASE_URL"]
    assert settings.app.secret_key.get_secret_value() == stack.environ["SNABB_APP_SECRET_KEY"]
    assert oct(beside_the_service.stat().st_mode & 0o777) == "0o600"


def test_provision_lists_beside_the_service(beside_the_service, capsys):
    assert provision.main(["list"]) == 0
    assert "Using the settings of the service started by scripts/run." in capsys.readouterr().err


def test_what_the_environment_says_still_wins(beside_the_service, monkeypatch):
    monkeypatch.setenv("SNABB_APP_DEFAULT_LANGUAGE", "en")
    assert load_settings_or_exit().app.default_language == "en"


def test_a_file_left_by_a_service_that_died_is_ignored(beside_the_service):
    gone = subprocess.Popen(["true"])
    gone.wait()
    written = json.loads(beside_the_service.read_text())
    beside_the_service.write_text(json.dumps(dict(written, pid=gone.pid)))
    with pytest.raises(SystemExit) as stopped:
        load_settings_or_exit()
    assert stopped.value.code == 2


def test_withdrawn_when_the_service_stops(beside_the_service):
    running.withdraw()
    assert not beside_the_service.exists()
    assert running.running_environ() == {}


def test_scripts_janus_lists_the_fleet_beside_the_service(beside_the_service, app_server, capsys):
    from app import janus_admin

    assert janus_admin.main(["list"]) == 0
    said = capsys.readouterr()
    assert "Using the settings of the service started by scripts/run." in said.err
    assert "janus1: " in said.out
