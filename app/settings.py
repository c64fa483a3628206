"""Settings: TOML files layered with environment variables, validated once at start-up.

The layers are pydantic-settings sources; later wins: `config/default.toml`, `config/<SNABB_ENV>.toml`, the file named by
`SNABB_SETTINGS_FILE`, then one environment variable per key, `SNABB_<SECTION>_<KEY>`
(and `DATABASE_URL` for `database.url`); `SNABB_ENV`, when set, is `app.env` above them all
(SNABB_APP_ENV alone only beside the file layers). A bad value stops start-up with a message that
names the key and its variable. Secrets are `SecretStr`: `repr` and logs show stars.
"""

from __future__ import annotations

import email.policy
import json
import os
import sys
import tomllib
from urllib.parse import urlsplit
from pathlib import Path
from typing import Any, Literal

from collections.abc import Mapping

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from app.paths import CONFIG_DIR

ENV_PREFIX = "SNABB_"
# Conventional names that deployments already set; they win over SNABB_ names.
ENV_ALIASES = {("database", "url"): "DATABASE_URL"}
# 32 bytes: what HS256 (tickets, sessions) needs to be full strength.
MIN_SECRET_LENGTH = 32


class SettingsError(Exception):
    """Settings could not be loaded; the message names every bad key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _secret_long_enough(value: SecretStr, key: str) -> SecretStr:
    if len(value.get_secret_value()) < MIN_SECRET_LENGTH:
        raise ValueError(f"must be set to a random string of at least {MIN_SECRET_LENGTH} characters ({key})")
    return value


class AppSettings(_Section):
    env: Literal["development", "test", "production"] = "production"
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_url: str = "http://127.0.0.1:8080"
    secret_key: SecretStr = SecretStr("")
    default_language: Literal["sv", "en"] = "sv"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # "json": one JSON object per line, for a log collector (README, "Logs").
    log_format: Literal["text", "json"] = "text"
    # The scraper's bearer token for /metrics (README, "Metrics"); empty: no /metrics at all.
    metrics_token: SecretStr = SecretStr("")
    support_email: str = "support@snabbintervjuer.se"
    # Behind a reverse proxy every request comes from the proxy: trust its X-Forwarded-For
    # (the client address the log-in limits count) and X-Forwarded-Proto (Secure cookies).
    trust_proxy_headers: bool = False
    # On SIGTERM: seconds to finish what is in flight after the live sockets were told to
    # reconnect elsewhere (DEPLOYMENT.md, "Upgrades"); keep it below the orchestrator's grace.
    shutdown_timeout: float = Field(20.0, gt=0, le=600)
    # The health listener (app/health_listener.py; DEPLOYMENT.md, "Health checks"): /livez,
    # /readyz and /healthz on a port of their own, answered by a child process of the app
    # (app/health_process.py), so that a probe is answered whatever the main loop is doing.
    # 0: none.
    health_port: int = Field(8090, ge=0, le=65535)
    # Seconds the main event loop may go without a turn (it stamps a heartbeat every half
    # second) before the health listener says it is stalled: every check then fails.
    health_stall_after: float = Field(5.0, ge=1, le=600)

    @field_validator("secret_key")
    @classmethod
    def _secret(cls, value: SecretStr) -> SecretStr:
        return _secret_long_enough(value, "signs tickets and sessions")

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token(cls, value: SecretStr) -> SecretStr:
        # Empty is allowed (no /metrics); a short token would be guessable.
        return (
            value
            if not value.get_secret_value()
            else _secret_long_enough(value, "the metrics scraper's bearer token")
        )

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _ports_apart(self) -> AppSettings:
        if self.health_port == self.port:
            raise ValueError("health_port must differ from port (or be 0: no health listener)")
        return self


class DatabaseSettings(_Section):
    url: SecretStr = SecretStr("")
    pool_min_size: int = Field(1, ge=0, le=100)
    pool_max_size: int = Field(20, ge=1, le=500)
    # Connections kept apart for the live actions that move an interview (next, pick,
    # accept, withdraw, end, leave: app/live/actions.py), beside pool_max_size.
    urgent_pool_size: int = Field(8, ge=1, le=50)
    command_timeout: float = Field(10.0, gt=0)

    @field_validator("url")
    @classmethod
    def _url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        try:
            _ = urlsplit(url).port  # a password with "/" in it is taken for the host's end
        except ValueError:
            raise ValueError(
                "is not a URL that can be read: percent-encode a password's / ? # @ : "
                "(or make it of hex digits)"
            ) from None
        return value


class JanusServer(_Section):
    name: str = Field(min_length=1, max_length=40)
    # Where the control plane connects (Janus API over WebSocket).
    url: str
    # Where browsers connect; differs from `url` behind a reverse proxy.
    public_url: str
    # Its Admin API, where the control plane adds and removes the stored tokens that let
    # browsers in: loopback or the private network only, never public.
    admin_url: str

    @field_validator("url", "public_url", "admin_url")
    @classmethod
    def _ws(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        return value


class JanusSettings(_Section):
    """How the control plane talks to its Janus servers, and the secrets they share."""

    servers: list[JanusServer] = Field(min_length=1)
    admin_secret: SecretStr = SecretStr("")
    room_admin_key: SecretStr = SecretStr("")
    event_secret: SecretStr = SecretStr("")
    call_timeout: float = Field(5.0, gt=0, le=120)
    # Keepalives also tell a frozen Janus (its socket open, nothing answered) from a working
    # one: unanswered within keepalive_timeout, the server counts as lost and its interviews
    # move (app/live/reconciler.py). Janus itself drops a session after 60 s without one.
    keepalive_interval: float = Field(2.0, gt=0, le=55)
    keepalive_timeout: float = Field(2.0, gt=0, le=60)
    # A lost server's interviews move after it has stayed lost this long: a connection that
    # is merely re-established (a blip) moves nothing.
    lost_after: float = Field(1.0, ge=0, le=120)
    reconnect_max_delay: float = Field(2.0, gt=0, le=300)
    # Where the servers to place rooms on come from (DEPLOYMENT.md, "The Janus fleet"):
    # "database", the fleet table that `servers` only seeds and admins change while the
    # service runs; or "settings", exactly `servers` (a process that must not follow the
    # fleet, such as a benchmark's worker).
    fleet: Literal["database", "settings"] = "database"
    # Seconds between re-reads of the fleet table, in case a change notification was missed
    # (changes are normally followed at once).
    fleet_refresh: float = Field(10.0, gt=0, le=600)
    # How long a ticket (the JWT) stays valid. The Janus token inside it lives only as long
    # as its interview's room, however long that is.
    token_lifetime: int = Field(4 * 3600, ge=60, le=48 * 3600)
    # STUN/TURN servers for browsers, as RTCIceServer objects: [{"urls": "stun:host:3478"}].
    browser_ice_servers: list[dict] = []
    # Names this deployment's rooms and tokens on Janus, so that deployments sharing a Janus
    # server never touch each other's (empty: the names used before there was one).
    deployment_id: str = Field("", pattern=r"^([a-z][a-z0-9-]{0,23})?$")
    # What each interview's room is created with (README, "Tuning Janus"). The bitrate is
    # the most a publisher may send, in bits per second (0: no cap); the pages send less on
    # a poor link, never more than this.
    room_bitrate: int = Field(1_000_000, ge=0, le=10_000_000)
    # Codecs offered in the room, in order of preference (Janus VideoRoom names).
    room_video_codec: str = Field(
        "vp8,h264,vp9", pattern=r"^(vp8|vp9|h264|av1|h265)(,(vp8|vp9|h264|av1|h265))*$"
    )
    room_audio_codec: str = Field("opus", pattern=r"^(opus|g722|pcmu|pcma)(,(opus|g722|pcmu|pcma))*$")
    # Seconds between the key frames Janus asks publishers for (FIR/PLI), so a picture
    # broken by loss is whole again within this; 0: only when a viewer asks.
    room_fir_freq: int = Field(10, ge=0, le=600)
    # Audio-level events (who is talking): the app does not use them; they cost CPU.
    room_audiolevel_event: bool = False

    @field_validator("admin_secret", "room_admin_key", "event_secret")
    @classmethod
    def _secret(cls, value: SecretStr) -> SecretStr:
        return _secret_long_enough(value, "shared with the Janus servers")

    @field_validator("servers")
    @classmethod
    def _unique_names(cls, value: list[JanusServer]) -> list[JanusServer]:
        names = [server.name for server in value]
        if len(names) != len(set(names)):
            raise ValueError("server names must be unique")
        return value


class JanusServerConfig(_Section):
    """What `scripts/render-janus-config` writes into one Janus server's .jcfg files."""

    bind_ip: str = "127.0.0.1"
    ws_port: int = Field(8188, ge=1, le=65535)
    admin_ws_port: int = Field(7188, ge=1, le=65535)
    # The Admin API's address: loopback, or a private network's (Docker's internal one) when
    # the control plane runs on another host. Never a public address.
    admin_bind_ip: str = "127.0.0.1"
    rtp_port_min: int = Field(20000, ge=1024, le=65535)
    rtp_port_max: int = Field(40000, ge=1024, le=65535)
    ice_enforce_list: str = ""
    ice_ignore_list: str = "vmnet"
    nat_1_1_mapping: str = ""
    stun_server: str = ""
    stun_port: int = Field(3478, ge=1, le=65535)
    turn_server: str = ""
    turn_port: int = Field(3478, ge=1, le=65535)
    turn_type: Literal["udp", "tcp", "tls"] = "udp"
    turn_user: str = ""
    turn_password: SecretStr = SecretStr("")
    event_backend_url: str = "http://127.0.0.1:8080/janus/events"
    debug_level: int = Field(4, ge=0, le=7)

    @model_validator(mode="after")
    def _range(self) -> "JanusServerConfig":
        if self.rtp_port_min >= self.rtp_port_max:
            raise ValueError("rtp_port_min must be below rtp_port_max")
        return self


class TurnSettings(_Section):
    """coturn with `use-auth-secret`: each ticket carries its own short-lived credentials."""

    # e.g. ["turn:host:3478?transport=udp", "turns:host:443?transport=tcp"]; empty = no TURN.
    urls: list[str] = []
    secret: SecretStr = SecretStr("")  # coturn's static-auth-secret
    # Credentials outlive the interview's planned end by this much (extensions included).
    credential_margin: int = Field(900, ge=60, le=6 * 3600)

    @model_validator(mode="after")
    def _usable(self) -> TurnSettings:
        if any(not url.startswith(("turn:", "turns:")) for url in self.urls):
            raise ValueError("urls must start with turn: or turns:")
        if self.urls:
            _secret_long_enough(
                self.secret, "turn.secret (environment variable SNABB_TURN_SECRET), shared with coturn"
            )
        return self


class MailSettings(_Section):
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(1025, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    # TLS from the first byte (the server's port 465), where STARTTLS upgrades a plain one.
    smtp_tls: bool = False
    sender: str = "Snabbintervjuer <no-reply@snabbintervjuer.se>"
    # Development only: the folder (Maildir) where the mail catcher keeps what it caught.
    catcher_dir: str = ".local/mail"
    # The outbox worker waits longer after each failed attempt, at most this many seconds.
    retry_max_delay: float = Field(300.0, gt=0, le=3600)
    # Each application process sends the outbox too; false: only `python -m app.mail`
    # processes send (DEPLOYMENT.md, "The mail worker").
    worker_in_app: bool = True

    @field_validator("sender")
    @classmethod
    def _one_address(cls, value: str) -> str:
        header = email.policy.SMTP.header_factory("From", value)
        if header.defects or len(header.addresses) != 1 or not header.addresses[0].domain:
            raise ValueError('must be one address, e.g. "Name <no-reply@example.org>"')
        return value

    @model_validator(mode="after")
    def _one_way_to_tls(self) -> MailSettings:
        if self.smtp_tls and self.smtp_starttls:
            raise ValueError("smtp_tls (port 465) and smtp_starttls (port 587) exclude each other: set one")
        return self


class CandidateSettings(_Section):
    """Registrations through the invite link, reminders, erasure."""

    # Candidates' data is erased this many days after their event (the consent text says so).
    retention_days: int = Field(180, ge=1, le=3650)
    # Seconds between two rounds of the retention worker (app/retention.py); 0 = off.
    retention_interval: float = Field(3600.0, ge=0, le=7 * 86400)
    # The reminder mail goes this many hours before the start.
    reminder_hours: int = Field(24, ge=1, le=336)
    # Seconds between two looks for reminders to send.
    reminder_interval: float = Field(60.0, gt=0, le=3600)


class LiveSettings(_Section):
    """The event day: check-in, the queue's grace period, offers and the interview time box."""

    # Candidates may check in this many minutes before the event starts.
    checkin_opens_minutes: int = Field(30, ge=0, le=24 * 60)
    # A waiting candidate whose connection drops keeps the place this long (the grace period).
    grace_seconds: int = Field(120, ge=1, le=3600)
    # An offered candidate must join within this many seconds, or it counts as missed.
    offer_seconds: int = Field(60, ge=5, le=3600)
    # Both sides are warned this many seconds before an interview's end.
    warning_seconds: int = Field(60, ge=0, le=3600)
    # Each extension by the interviewer adds this many minutes,
    extend_minutes: int = Field(2, ge=1, le=60)
    # up to this many in all per interview (the last one what is left of it): the queue
    # behind waits for every minute, and TURN credentials (turn.credential_margin) must
    # outlast the longest interview.
    extend_limit_minutes: int = Field(10, ge=1, le=6 * 60)
    # Seconds between rounds of the sweeper that expires offers, ends interviews at their
    # limit and marks candidates away (app/live/sweeper.py); 0 turns it off (the test
    # suite does, so that tests drive those steps themselves).
    sweep_interval: float = Field(2.0, ge=0, le=60)
    # Seconds between reconciler rounds (orphan rooms destroyed, lost rooms re-made); 0 = off.
    reconcile_interval: float = Field(15.0, ge=0, le=600)


class LimitSettings(_Section):
    """Limits on guessing PINs, meeting codes and passwords (app.throttle; README, "Limits on
    guessing")."""

    # Wrong tries in a row one client (a known device, else an address) may make on one
    # secret before it must wait; the first wait, doubled after each further wrong try, and
    # the longest.
    free_failures: int = Field(3, ge=1, le=20)
    first_delay_seconds: int = Field(30, ge=1, le=3600)
    max_delay_seconds: int = Field(900, ge=1, le=86400)
    # Wrong tries per hour on one secret from all unknown devices together.
    unknown_per_hour: int = Field(10, ge=1, le=100)
    # Wrong tries in a row from unknown devices that close a secret to them until an
    # organizer unlocks it (or the password is reset); NIST SP 800-63B: at most 100.
    unknown_in_a_row: int = Field(100, ge=1, le=100)
    # Wrong passwords per 15 minutes from one client address (unknown devices only).
    address_failures: int = Field(30, ge=1, le=10000)
    # Days a device stays known after its last right entry.
    known_device_days: int = Field(180, ge=1, le=730)
    # Posts per hour from one client address of the forms that mail a typed address
    # (forgotten password, sign-up, a candidate's lost link): app/mail_forms.py.
    mail_forms_per_hour: int = Field(60, ge=1, le=100000)

    @model_validator(mode="after")
    def _delays_in_order(self) -> LimitSettings:
        if self.first_delay_seconds > self.max_delay_seconds:
            raise ValueError("first_delay_seconds must not exceed max_delay_seconds")
        return self


class Settings(BaseSettings):
    """All sections; `load_settings` layers the files and the environment (pydantic-settings'
    sources). Made directly, as a test does, it reads nothing but its arguments."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    app: AppSettings
    database: DatabaseSettings
    janus: JanusSettings
    janus_server: JanusServerConfig = JanusServerConfig()
    turn: TurnSettings = TurnSettings()
    mail: MailSettings = MailSettings()
    candidates: CandidateSettings = CandidateSettings()
    live: LiveSettings = LiveSettings()
    limits: LimitSettings = LimitSettings()

    @model_validator(mode="after")
    def _turn_outlasts_extensions(self) -> Settings:
        # A relayed call whose credentials ran out drops when its allocation is next refreshed.
        if self.turn.urls and self.turn.credential_margin < self.live.extend_limit_minutes * 60:
            raise ValueError(
                "turn.credential_margin (seconds) must be at least live.extend_limit_minutes "
                "(minutes) × 60: TURN credentials last until the interview's planned end plus "
                "the margin, and an extended interview runs that much longer"
            )
        return self

    @property
    def development(self) -> bool:
        return self.app.env == "development"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


SECTIONS: dict[str, type[_Section]] = {
    name: field.annotation
    for name, field in Settings.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, _Section)
}


def env_name(section: str, key: str) -> str:
    return ENV_ALIASES.get((section, key), f"{ENV_PREFIX}{section}_{key}".upper())


def all_keys() -> list[tuple[str, str, FieldInfo]]:
    """(section, key, field info) for every setting, in declaration order: the README table."""
    return [
        (section, key, info)
        for section, model in SECTIONS.items()
        for key, info in model.model_fields.items()
    ]


class _Environment(PydanticBaseSettingsSource):
    """One variable per key, `SNABB_<SECTION>_<KEY>` (an alias such as `DATABASE_URL` wins).

    pydantic-settings' own environment source splits nested names on a delimiter, which
    cannot tell `SNABB_JANUS_SERVERS` (janus.servers) from `SNABB_JANUS_SERVER_BIND_IP`
    (janus_server.bind_ip): the names come from the declared keys instead."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        super().__init__(Settings)
        self.environ = environ

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # not asked for: __call__ builds the whole layer

    def __call__(self) -> dict[str, Any]:
        overlay: dict[str, Any] = {}
        for section, key, _info in all_keys():
            for name in (f"{ENV_PREFIX}{section}_{key}".upper(), env_name(section, key)):
                if name in self.environ:
                    overlay.setdefault(section, {})[key] = _env_value(self.environ[name])
        return overlay


def _env_value(raw: str) -> Any:
    """Lists and tables come from the environment as JSON; scalars as text pydantic converts."""
    if raw.lstrip().startswith(("[", "{")):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _toml_file(path: Path) -> TomlConfigSettingsSource:
    # pydantic-settings skips a file it cannot find; a file named here must be there.
    try:
        path.open("rb").close()
        return TomlConfigSettingsSource(Settings, toml_file=path)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise SettingsError(f"{path}: cannot read: {error.strerror}") from None


def _describe(error: ErrorDetails) -> str:
    location = [str(part) for part in error["loc"]]
    key = ".".join(location)
    variable = env_name(location[0], location[1]) if len(location) >= 2 else None
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown setting"
    elif error["type"] == "missing":
        message = "required, not set"
    hint = f" (environment variable {variable})" if variable else ""
    return f"{key}{hint}: {message}"


def load_settings_or_exit(environ: dict[str, str] | None = None) -> Settings:
    """For command-line entry points: the settings, or the message naming the bad keys and
    exit status 2. An admin script (no `environ` given) run beside `scripts/run` with no
    database named in its environment uses that service's settings
    (app/localstack/running.py); what the environment sets still wins."""
    if environ is None and not os.environ.get("DATABASE_URL"):
        from app.localstack.running import running_environ

        if beside := running_environ():
            print("Using the settings of the service started by scripts/run.", file=sys.stderr)
            environ = {**beside, **os.environ}
    try:
        return load_settings(environ)
    except SettingsError as error:
        print(f"Snabbintervjuer cannot start: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def load_settings(environ: Mapping[str, str] | None = None, config_dir: Path = CONFIG_DIR) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    # Highest priority first (pydantic-settings merges the layers table by table).
    layers: list[PydanticBaseSettingsSource] = [_Environment(environ)]
    if extra := environ.get(f"{ENV_PREFIX}SETTINGS_FILE"):
        layers.append(_toml_file(Path(extra)))
    env = environ.get(f"{ENV_PREFIX}ENV") or environ.get(f"{ENV_PREFIX}APP_ENV")
    if env:
        # SNABB_ENV, when set, is app.env as well as the file's name, above every layer: the
        # image's `production` is not undone by an SNABB_APP_ENV left in an .env file (the
        # development mode serves the mail catcher's pages).
        named = InitSettingsSource(Settings, {"app": {"env": env}})
        layers.insert(0 if environ.get(f"{ENV_PREFIX}ENV") else len(layers), named)
        if (config_dir / f"{env}.toml").exists():
            layers.append(_toml_file(config_dir / f"{env}.toml"))
    layers.append(_toml_file(config_dir / "default.toml"))
    try:
        return Settings(_build_sources=(tuple(layers), {}))
    except ValidationError as error:
        lines = [_describe(item) for item in error.errors()]
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
