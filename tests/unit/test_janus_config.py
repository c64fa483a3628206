"""The rendered Janus configuration: stored tokens only, the Admin API never public."""
from __future__ import annotations

from app.janus_config import render_janus_config
from app.settings import load_settings
from tests.unit.test_settings import SECRETS


def rendered(tmp_path, **environ) -> dict[str, str]:
    settings = load_settings(dict(SECRETS, **environ))
    return {path.name: path.read_text() for path in render_janus_config(settings, tmp_path)}


def test_tokens_are_stored_ones_that_can_be_removed(tmp_path):
    core = rendered(tmp_path)["janus.jcfg"]
    assert "\ttoken_auth = true" in core
    # A token_auth_secret would switch Janus to signed tokens, which cannot be revoked.
    assert "token_auth_secret =" not in core
    assert f'admin_secret = "{SECRETS["SNABB_JANUS_ADMIN_SECRET"]}"' in core


def test_the_admin_api_listens_on_loopback_unless_told_a_private_address(tmp_path):
    default = rendered(tmp_path / "a")["janus.transport.websockets.jcfg"]
    assert 'admin_ws_ip = "127.0.0.1"' in default
    private = rendered(tmp_path / "b", SNABB_JANUS_SERVER_ADMIN_BIND_IP="10.0.0.5")
    assert 'admin_ws_ip = "10.0.0.5"' in private["janus.transport.websockets.jcfg"]


def test_the_plugin_folder_is_found_for_this_machine_and_can_be_named(tmp_path, monkeypatch):
    from pathlib import Path

    from app.janus_config import janus_lib_dir
    monkeypatch.delenv("JANUS_LIB_DIR", raising=False)
    assert Path(janus_lib_dir(), "plugins").is_dir()  # Debian's package, any architecture
    monkeypatch.setenv("JANUS_LIB_DIR", "/opt/elsewhere/janus")
    core = rendered(tmp_path)["janus.jcfg"]
    assert 'plugins_folder = "/opt/elsewhere/janus/plugins"' in core
