"""The rendered Janus configuration: stored tokens only, the Admin API never public."""

from __future__ import annotations

import re
from pathlib import Path

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


# A key as Janus's sample configs write it, set or commented out: `	#min_nack_queue = 500`.
SAMPLE_KEY = re.compile(r"^\s*#?\s*([a-z][a-z0-9_]*)\s*=", re.MULTILINE)
RENDERED_KEY = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*=", re.MULTILINE)
JANUS_SAMPLES = Path("/etc/janus")  # Debian's package: the samples of the installed version


def test_every_rendered_key_is_one_the_installed_janus_knows(tmp_path):
    """Janus ignores a key it does not know without a word (`max_nack_queue` did nothing)."""
    for name, text in rendered(
        tmp_path,
        SNABB_JANUS_SERVER_STUN_SERVER="stun.example.org",
        SNABB_JANUS_SERVER_NAT_1_1_MAPPING="192.0.2.7",
        SNABB_JANUS_SERVER_ICE_ENFORCE_LIST="eth0",
    ).items():
        sample = (JANUS_SAMPLES / name).read_text()
        known = set(SAMPLE_KEY.findall(sample))
        unknown = set(RENDERED_KEY.findall(text)) - known
        assert not unknown, f"{name}: keys Janus does not know: {sorted(unknown)}"


def test_slow_links_are_reported_and_only_the_events_the_app_reads_are_posted(tmp_path):
    files = rendered(tmp_path)
    core = files["janus.jcfg"]
    # Without a threshold Janus never sends `slowlink`, which the pages lower their bitrate on.
    assert re.search(r"^\tslowlink_threshold = [1-9]", core, re.MULTILINE)
    assert "\tstats_period = 0" in core  # the app reads no statistics events
    handler = files["janus.eventhandler.sampleevh.jcfg"]
    assert '\tevents = "handles,webrtc,media"' in handler
