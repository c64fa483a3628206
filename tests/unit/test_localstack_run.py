"""scripts/run's stack follows the application's --host (README, "scripts/run"): the links,
Janus's event callback, Janus and coturn on that address."""

from __future__ import annotations

import socket

import pytest

from app.localstack.__main__ import stack_for
from app.localstack.processes import port_if_free
from app.localstack.stack import health_port_beside, load_or_create_secrets


def test_the_stack_is_on_the_address_the_application_listens_on():
    stack, known = stack_for(["--host", "127.0.0.2", "--port", "9000", "--other", "x"])
    assert (stack.host, stack.app_port, known.host) == ("127.0.0.2", 9000, "127.0.0.2")
    assert stack_for([])[0].host == "127.0.0.1"


def test_a_name_or_any_address_leaves_the_stack_on_loopback():
    # A browser cannot be sent to 0.0.0.0, and coturn listens on addresses only.
    for host in ("0.0.0.0", "::", "localhost"):
        stack, known = stack_for(["--host", host])
        assert (stack.host, known.host) == ("127.0.0.1", host)


def test_a_port_is_kept_when_free_and_changed_when_another_run_listens_there():
    host = "127.0.0.45"
    with socket.socket() as finder:
        finder.bind((host, 0))
        port = finder.getsockname()[1]
    assert port_if_free(port, host) == port
    with socket.socket() as first_run:
        first_run.bind((host, port))
        first_run.listen()
        assert port_if_free(port, host) not in (0, port)
    # A run just stopped leaves its side of a closed connection in TIME_WAIT: still free.
    with socket.socket() as stopped_run:
        stopped_run.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp's listener
        stopped_run.bind((host, port))
        stopped_run.listen()
        with socket.create_connection((host, port)) as client:
            served, _ = stopped_run.accept()
            served.close()  # the server closes first: its end waits in TIME_WAIT
            client.recv(1)
    assert port_if_free(port, host) == port


def test_a_second_run_on_one_address_gets_a_health_port_of_its_own():
    env = {"SNABB_ENV": "development", "DATABASE_URL": "postgresql://snabb@127.0.0.1/snabb"}
    env.update(load_or_create_secrets(None))
    host = "127.0.0.46"
    with socket.socket() as first_run:
        first_run.bind((host, 8090))  # the configured port (config/default.toml)
        first_run.listen()
        chosen = int(health_port_beside(env, host)["SNABB_APP_HEALTH_PORT"])
    assert chosen not in (0, 8090)
    # What the environment names, or a configuration without a health listener, is kept.
    assert health_port_beside({**env, "SNABB_APP_HEALTH_PORT": "9999"}, host) == {}
    assert health_port_beside({**env, "SNABB_APP_HEALTH_PORT": "0"}, host) == {}


def test_help_starts_nothing_and_says_where_the_logs_are(capsys, monkeypatch):
    from app.localstack import __main__ as run

    monkeypatch.setattr(run, "stack_for", lambda argv: pytest.fail("a stack was made for --help"))
    assert run.main(["--help"]) == 0
    assert "usage: scripts/run" in capsys.readouterr().out


def test_scripts_migrate_help_migrates_nothing(capsys, monkeypatch):
    from app import migrate

    monkeypatch.setattr(migrate, "migrate_url", lambda url: pytest.fail("migrated for --help"))
    with pytest.raises(SystemExit) as leaving:
        migrate.main(["--help"])
    assert leaving.value.code == 0 and "usage: scripts/migrate" in capsys.readouterr().out


def test_how_the_application_ended_is_said():
    from app.localstack.__main__ import app_ended

    assert app_ended(-9) == "the application was stopped by SIGKILL"
    assert app_ended(3) == "the application exited with code 3"
    assert app_ended(-99) == "the application was stopped by signal 99"


def test_janus_keeps_its_ports_from_run_to_run_where_they_are_free(tmp_path):
    """A page open across a restart names Janus's address in its Content-Security-Policy."""
    import socket

    from app.localstack.stack import LocalStack

    stack = LocalStack(tmp_path, 8080, host="127.0.0.1")
    first = stack._kept_ports("janus", ["127.0.0.1", "127.0.0.1"])
    assert stack._kept_ports("janus", ["127.0.0.1", "127.0.0.1"]) == first
    # One taken meanwhile: another for it, the other kept.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", first[0]))
        taken.listen()
        again = stack._kept_ports("janus", ["127.0.0.1", "127.0.0.1"])
    assert again[0] != first[0] and again[1] == first[1]
    assert LocalStack(tmp_path, 8080, throwaway=True)._kept_ports("janus", ["127.0.0.1"]) != []
