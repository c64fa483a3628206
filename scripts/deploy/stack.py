"""The deploy check's stack: images, a throwaway .env with a test CA, compose up and down.

Everything listens on 127.0.0.1 only, on ports outside the ranges the test suite's own
stacks take (20000-39999 for Janus media, the kernel's ephemeral ports for the rest).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "snabbcheck"
HOST = "snabb.test"
HTTPS_PORT = 18443
TOOLS = ROOT / ".local" / "deploy-check" / "tools" / "bin"  # scripts/deploy/setup-host
COMPOSE_FILES = ("docker-compose.yml", "scripts/deploy/compose.check.yml")
# (image, Dockerfile): what docker-compose.yml and the check's additions build.
IMAGES = (
    ("snabbintervjuer-postgres", "config/deploy/postgres/Dockerfile"),
    ("snabbintervjuer-app", "Dockerfile"),
    ("snabbintervjuer-janus", "janus/Dockerfile"),
    ("snabbintervjuer-coturn", "config/deploy/coturn/Dockerfile"),
    ("snabbintervjuer-nginx", "config/deploy/nginx/Dockerfile"),
    ("snabbintervjuer-smtp-catcher", "scripts/deploy/smtp-catcher.Dockerfile"),
)


def run(
    *argv: str, env: dict | None = None, timeout: float = 900, check: bool = True, quiet: bool = True
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=quiet, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        tail = (result.stderr or result.stdout or "")[-2000:]
        raise RuntimeError(f"{' '.join(argv[:4])}… exited {result.returncode}: {tail}")
    return result


async def arun(*argv: str, **options) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(run, *argv, **options)


@dataclass
class Stack:
    work: Path
    env: dict[str, str] = field(default_factory=dict)
    spki: str = ""  # the test certificate's key, for Chromium to trust
    ca_file: Path | None = None

    @property
    def url(self) -> str:
        return f"https://{HOST}:{HTTPS_PORT}"

    @property
    def maildir(self) -> Path:
        return self.work / "mail"

    def compose_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    async def compose(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        files = [part for name in COMPOSE_FILES for part in ("-f", name)]
        return await arun(
            str(TOOLS / "podman-compose"),
            "-p",
            PROJECT,
            *files,
            *args,
            env=self.compose_env(),
            timeout=timeout,
        )

    def container(self, service: str) -> str:
        return f"{PROJECT}_{service}_1"


# This machine reaches PyPI and npm through a TLS-inspecting proxy whose CA is in its own
# bundle: the builds get that bundle (DEPLOYMENT.md, "Images").
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"


@cache
def source_commit() -> str:
    """HEAD of this checkout, as `git rev-parse HEAD` gives it to `docker compose build`
    (read once: what the check looks for is what its build was given)."""
    return run("git", "-C", str(ROOT), "rev-parse", "HEAD").stdout.strip()


async def build_images() -> str:
    """Every image, from the local debian:12-slim; Debian's archive, PyPI and npm reached
    from inside the build (host network)."""
    made = []
    trust = [
        "-v",
        f"{HOST_CA}:/run/host-ca.crt:ro",
        "--build-arg",
        "PIP_CERT=/run/host-ca.crt",
        "--build-arg",
        "NPM_CONFIG_CAFILE=/run/host-ca.crt",
    ]
    for image, dockerfile in IMAGES:
        # The app's image says the commit it runs (app/build_info.py, DEPLOYMENT.md "Upgrades").
        commit = ["--build-arg", f"SOURCE_COMMIT={source_commit()}"] if dockerfile == "Dockerfile" else []
        await arun(
            "podman",
            "build",
            "--network",
            "host",
            *trust,
            *commit,
            "-q",
            "-t",
            f"localhost/{image}:latest",
            "-f",
            dockerfile,
            ".",
            timeout=1800,
        )
        made.append(image.removeprefix("snabbintervjuer-"))
    return ", ".join(made)


def _certificates(folder: Path) -> tuple[str, Path]:
    """A test CA and a certificate for HOST signed by it; (the leaf's SPKI hash, CA file)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Snabbintervjuer deploy-check CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "fullchain.pem").write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    # Readable by coturn's own user inside its container (a test key, thrown away after).
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.chmod(folder / "privkey.pem", 0o644)
    ca_file = folder.parent / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(pem))
    spki = leaf.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode(), ca_file


def make_maildir(stack: Stack, empty: bool = False) -> None:
    """The SMTP catcher's Maildir, bind-mounted into it (it makes no folders in an existing
    one) and read from here; emptied for a new stack."""
    if empty:
        shutil.rmtree(stack.maildir, ignore_errors=True)
    for folder in ("tmp", "new", "cur"):
        (stack.maildir / folder).mkdir(parents=True, exist_ok=True)


def write_env(stack: Stack) -> str:
    """A throwaway .env: generated secrets, loopback ports, the test certificate."""
    stack.work.mkdir(parents=True, exist_ok=True)
    make_maildir(stack, empty=True)
    stack.spki, stack.ca_file = _certificates(stack.work / "certs")
    (stack.work / "acme").mkdir(exist_ok=True)  # the ACME webroot nginx serves on port 80

    def secret() -> str:
        return secrets.token_urlsafe(32)

    stack.env = {
        "PUBLIC_HOST": HOST,
        "PUBLIC_PORT_SUFFIX": f":{HTTPS_PORT}",
        # Browsers here reach the containers' own addresses, so Janus advertises those.
        # Chromium resolves TURN-over-UDP names itself, past --host-resolver-rules: the
        # TURN URLs name the address (it does not check a TURN server's certificate name).
        "PUBLIC_IP": "",
        "TURN_HOST": "127.0.0.1",
        "HTTPS_BIND": "127.0.0.1",
        "HTTPS_PORT": str(HTTPS_PORT),
        "HTTP_PORT": "18080",
        "MEDIA_BIND": "127.0.0.1",
        "TURN_PORT": "13478",
        "TURN_TLS_PORT": "15349",
        "JANUS1_RTP": "61000",
        "JANUS1_RTP_END": "61199",
        "JANUS2_RTP": "61200",
        "JANUS2_RTP_END": "61399",
        # coturn may relay to the Janus containers (podman's compose networks), nothing else.
        "TURN_ALLOWED_PEER_IPS": "10.89.0.0-10.89.255.255",
        "CERTS_DIR": str(stack.work / "certs"),
        "ACME_DIR": str(stack.work / "acme"),
        "CHECK_MAILDIR": str(stack.maildir),
        "CHECK_DB_PORT": "15432",
        "DEPLOYMENT_ID": "check",
        "SMTP_HOST": "smtp",
        "SMTP_PORT": "1025",
        "SMTP_STARTTLS": "false",
        "MAIL_SENDER": "Snabbintervjuer check <no-reply@check.example>",
        "SUPPORT_EMAIL": "support@check.example",
        "POSTGRES_PASSWORD": secret(),
        "SNABB_APP_SECRET_KEY": secret(),
        "SNABB_JANUS_ADMIN_SECRET": secret(),
        "SNABB_JANUS_ROOM_ADMIN_KEY": secret(),
        "SNABB_JANUS_EVENT_SECRET": secret(),
        "TURN_SECRET": secret(),
    }
    env_file = stack.work / ".env"
    env_file.write_text("".join(f"{k}={json.dumps(v)}\n" for k, v in stack.env.items()))
    env_file.chmod(0o600)
    return f"{len(stack.env)} settings, CA and certificate for {HOST}"


async def leftovers() -> list[str]:
    """Containers, volumes and networks of the check's project still there."""
    found = []
    for kind, listing in (
        ("container", ["podman", "ps", "-a", "--format", "{{.Names}}"]),
        ("volume", ["podman", "volume", "ls", "--format", "{{.Name}}"]),
        ("network", ["podman", "network", "ls", "--format", "{{.Name}}"]),
    ):
        names = (await arun(*listing)).stdout.split()
        found += [f"{kind} {name}" for name in names if name.startswith(PROJECT)]
    return found


async def down(stack: Stack) -> str:
    await stack.compose("down", "-v", "-t", "15", timeout=300)
    left = await leftovers()
    if left:
        raise AssertionError(f"left behind: {', '.join(left)}")
    return "no container, volume or network left"


def read_env(stack: Stack) -> str:
    """The .env of a stack left running (--keep), to check it again (--reuse)."""
    stack.env = {
        key: json.loads(value)
        for key, _, value in (line.partition("=") for line in (stack.work / ".env").read_text().splitlines())
    }
    leaf = x509.load_pem_x509_certificate((stack.work / "certs" / "fullchain.pem").read_bytes())
    spki = leaf.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    stack.spki = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    stack.ca_file = stack.work / "ca.pem"
    make_maildir(stack)
    return "the running stack's .env"
