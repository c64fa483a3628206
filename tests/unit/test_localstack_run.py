"""scripts/run's stack follows the application's --host (README, "scripts/run"): the links,
Janus's event callback, Janus and coturn on that address."""

from __future__ import annotations

from app.localstack.__main__ import stack_for


def test_the_stack_is_on_the_address_the_application_listens_on():
    stack, known = stack_for(["--host", "127.0.0.2", "--port", "9000", "--other", "x"])
    assert (stack.host, stack.app_port, known.host) == ("127.0.0.2", 9000, "127.0.0.2")
    assert stack_for([])[0].host == "127.0.0.1"


def test_a_name_or_any_address_leaves_the_stack_on_loopback():
    # A browser cannot be sent to 0.0.0.0, and coturn listens on addresses only.
    for host in ("0.0.0.0", "::", "localhost"):
        stack, known = stack_for(["--host", host])
        assert (stack.host, known.host) == ("127.0.0.1", host)
