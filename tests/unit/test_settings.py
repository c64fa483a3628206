from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import SettingsError, all_keys, env_name, load_settings

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "SNABB_APP_SECRET_KEY": "a" * 32,
    "SNABB_JANUS_ADMIN_SECRET": "c" * 32,
    "SNABB_JANUS_ROOM_ADMIN_KEY": "d" * 32,
    "SNABB_JANUS_EVENT_SECRET": "e" * 32,
    "DATABASE_URL": "postgresql://user:hunter2-db-password@127.0.0.1:5432/snabb",
}


def test_defaults_with_secrets_load():
    settings = load_settings(dict(SECRETS))
    assert settings.app.env == "production"
    assert settings.app.port == 8080
    assert settings.janus.servers[0].name == "janus1"


def test_environment_overrides_files():
    settings = load_settings(
        dict(
            SECRETS,
            SNABB_ENV="test",
            SNABB_APP_PORT="9123",
            SNABB_MAIL_SMTP_STARTTLS="true",
            SNABB_JANUS_SERVERS=json.dumps(
                [
                    {
                        "name": "x",
                        "url": "ws://10.0.0.1:8188",
                        "public_url": "wss://janus.example.org/x",
                        "admin_url": "ws://10.0.0.1:7188",
                    }
                ]
            ),
        )
    )
    assert settings.app.env == "test"
    assert settings.app.log_level == "WARNING"  # from config/test.toml
    assert settings.app.port == 9123
    assert settings.mail.smtp_starttls is True
    assert settings.janus.servers[0].public_url == "wss://janus.example.org/x"


def test_snabb_env_wins_over_snabb_app_env():
    # The image sets SNABB_ENV=production: a SNABB_APP_ENV left in an .env file must not
    # turn on the development mode (its mail catcher's pages) behind it.
    both = load_settings(dict(SECRETS, SNABB_ENV="production", SNABB_APP_ENV="development"))
    assert both.app.env == "production"
    assert load_settings(dict(SECRETS, SNABB_APP_ENV="development")).app.env == "development"
    assert load_settings(dict(SECRETS, SNABB_ENV="test")).app.log_level == "WARNING"


def test_settings_file_layer(tmp_path):
    extra = tmp_path / "site.toml"
    extra.write_text('[app]\nsupport_email = "hjalp@example.se"\n')
    settings = load_settings(dict(SECRETS, SNABB_SETTINGS_FILE=str(extra)))
    assert settings.app.support_email == "hjalp@example.se"


@pytest.mark.parametrize(
    "variable, value, named",
    [
        ("SNABB_APP_PORT", "eighty", "app.port (environment variable SNABB_APP_PORT)"),
        ("SNABB_APP_PORT", "70000", "app.port"),
        ("SNABB_APP_SECRET_KEY", "short", "app.secret_key"),
        ("DATABASE_URL", "mysql://x", "database.url (environment variable DATABASE_URL)"),
        ("SNABB_JANUS_SERVERS", "[]", "janus.servers"),
        (
            "SNABB_JANUS_SERVERS",
            '[{"name": "x", "url": "ws://a", "public_url": "ws://a"}]',
            "janus.servers.0.admin_url",
        ),
        (
            "SNABB_JANUS_SERVERS",
            ('[{"name": "x", "url": "ws://a", "public_url": "ws://a", "admin_url": "http://a"}]'),
            "janus.servers.0.admin_url",
        ),
        ("SNABB_JANUS_SERVER_RTP_PORT_MIN", "50000", "janus_server"),
        ("SNABB_APP_DEFAULT_LANGUAGE", "de", "app.default_language"),
        ("SNABB_APP_HEALTH_PORT", "8080", "health_port must differ from port"),
        ("SNABB_APP_HEALTH_STALL_AFTER", "0.5", "app.health_stall_after"),
    ],
)
def test_a_bad_value_names_its_key(variable, value, named):
    with pytest.raises(SettingsError) as error:
        load_settings(dict(SECRETS, **{variable: value}))
    assert named in str(error.value)


def test_missing_secrets_are_named():
    with pytest.raises(SettingsError) as error:
        load_settings({"DATABASE_URL": SECRETS["DATABASE_URL"]})
    for key in ("app.secret_key", "janus.admin_secret", "janus.room_admin_key", "janus.event_secret"):
        assert key in str(error.value)


def test_unknown_key_in_a_file_is_named(tmp_path):
    extra = tmp_path / "typo.toml"
    extra.write_text("[app]\nprot = 9000\n")
    with pytest.raises(SettingsError, match=r"app\.prot.*unknown setting"):
        load_settings(dict(SECRETS, SNABB_SETTINGS_FILE=str(extra)))


def test_secrets_are_hidden_from_repr_and_messages():
    settings = load_settings(dict(SECRETS))
    text = repr(settings) + str(settings)
    for secret in ("a" * 32, "b" * 32, "d" * 32, "hunter2-db-password"):
        assert secret not in text
    with pytest.raises(SettingsError) as error:
        load_settings(dict(SECRETS, SNABB_APP_SECRET_KEY="tiny-secret"))
    assert "tiny-secret" not in str(error.value)


def test_a_database_url_that_cannot_be_read_is_refused_without_showing_it():
    """A base64 password holds "/" (the URL's host then ends there): refused at start, with
    what to do, instead of every connection failing later."""
    url = "postgresql://snabb:Zm9v/YmFy+cGFzcw==@postgres:5432/snabbintervjuer"
    with pytest.raises(SettingsError, match="percent-encode") as error:
        load_settings(dict(SECRETS, DATABASE_URL=url))
    assert "Zm9v" not in str(error.value)
    encoded = "postgresql://snabb:Zm9v%2FYmFy%2BcGFzcw%3D%3D@postgres:5432/snabbintervjuer"
    assert load_settings(dict(SECRETS, DATABASE_URL=encoded)).database.url.get_secret_value() == encoded


def test_every_setting_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    for section, key, _ in all_keys():
        assert f"`{section}.{key}`" in readme and f"`{env_name(section, key)}`" in readme, (
            f"README's settings table lacks {section}.{key}"
        )


def test_a_bad_setting_stops_start_up_with_the_key_named():
    environ = dict(SECRETS, SNABB_APP_PORT="not-a-port", PATH="/usr/bin:/bin")
    result = subprocess.run(
        [sys.executable, "-m", "app"], env=environ, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "app.port (environment variable SNABB_APP_PORT)" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_a_database_that_cannot_be_reached_stops_start_up_with_the_setting_named(tmp_path):
    """Nothing listens on port 1: one line naming the setting, in the logs' format, no
    traceback and no password; the same from the migration step that runs before it."""
    from app.localstack.processes import free_port

    url = f"postgresql://user:hunter2-db-password@127.0.0.1:{free_port()}/snabb"
    environ = dict(SECRETS, DATABASE_URL=url, SNABB_APP_PORT=str(free_port()), PATH="/usr/bin:/bin")
    for command, code in ((["-m", "app"], 1), (["-m", "app.migrate"], 1)):
        result = subprocess.run(
            [sys.executable, *command], env=environ, cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        said = result.stderr + result.stdout
        assert result.returncode == code, said
        assert "the database named by database.url (DATABASE_URL) cannot be used" in said
        assert "Traceback" not in said and "hunter2" not in said


def test_turn_credentials_must_outlast_the_longest_extension():
    turn = dict(SECRETS, SNABB_TURN_URLS='["turn:127.0.0.1:3478"]', SNABB_TURN_SECRET="t" * 32)
    assert load_settings(dict(turn, SNABB_TURN_CREDENTIAL_MARGIN="600")).live.extend_limit_minutes == 10
    with pytest.raises(SettingsError) as error:
        load_settings(dict(turn, SNABB_TURN_CREDENTIAL_MARGIN="599"))
    assert "live.extend_limit_minutes" in str(error.value)
    # Without TURN there are no credentials to outlast.
    assert load_settings(dict(SECRETS, SNABB_TURN_CREDENTIAL_MARGIN="60")).turn.credential_margin == 60
