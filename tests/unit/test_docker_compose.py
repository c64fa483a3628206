"""docker-compose.yml cannot run here (no Docker engine), so check what can be checked:
it parses, has the services of the design, every file it names is in the repository, and
every SNABB_* variable it sets is a real setting."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import yaml

from app.settings import all_keys, env_name

ROOT = Path(__file__).resolve().parents[2]


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_of_the_design():
    services = load_compose()["services"]
    assert {"postgres", "janus1", "janus2", "coturn", "app1", "app2", "proxy"} <= set(services)


def test_every_named_file_exists():
    compose = load_compose()
    named = []
    for service in compose["services"].values():
        build = service.get("build")
        if build:
            context = ROOT / build["context"]
            named.append(context / build.get("dockerfile", "Dockerfile"))
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                named.append(ROOT / source)
    assert named, "expected builds and mounted files"
    missing = [str(path.relative_to(ROOT)) for path in named if not path.exists()]
    assert missing == []
    for dockerfile in {p for p in named if p.name.endswith("Dockerfile")}:
        for line in dockerfile.read_text().splitlines():
            if line.startswith("COPY") and "--from" not in line:
                for source in line.split()[1:-1]:
                    assert (ROOT / source).exists(), f"{dockerfile.name} copies missing {source}"


def test_environment_names_are_settings():
    known = {env_name(section, key) for section, key, _ in all_keys()} | {"SNABB_ENV"}
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"^\s+(SNABB_[A-Z0-9_]+|DATABASE_URL):", text, re.MULTILINE))
    assert used and used <= known, used - known


def test_the_app_and_the_mail_worker_read_the_env_file_if_there_is_one():
    # Every SNABB_* setting of an .env reaches them (DEPLOYMENT.md, "Configuration"); a
    # missing .env is no error (scripts/deploy-check passes its settings in the environment).
    for name, service in load_compose()["services"].items():
        wanted = [{"path": ".env", "required": False}] if name in {"app1", "app2", "mailer"} else None
        assert service.get("env_file") == wanted, name


def test_the_mail_relay_must_be_named():
    # No default: there is no SMTP service in the compose file to default to.
    environment = load_compose()["services"]["mailer"]["environment"]
    assert environment["SNABB_MAIL_SMTP_HOST"].startswith("${SMTP_HOST:?")


def test_the_sender_and_the_support_address_are_the_operators_own():
    # Every mail's sender and the help address on every page and mail: never this
    # project's own addresses by default.
    for name in ("app1", "app2", "mailer"):
        environment = load_compose()["services"][name]["environment"]
        assert environment["SNABB_MAIL_SENDER"].startswith("${MAIL_SENDER:?"), name
        assert environment["SNABB_APP_SUPPORT_EMAIL"].startswith("${SUPPORT_EMAIL:?"), name


def excluded_from_build(path: str) -> bool:
    """Whether .dockerignore keeps `path` out of the build context (its patterns as Docker
    reads them: a pattern excludes what it matches and everything under it; no `!` here)."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not any(p.startswith("!") for p in patterns), "exceptions are not read here"
    parts = Path(path).parts
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(fnmatch.fnmatchcase(prefix, pattern) for pattern in patterns for prefix in prefixes)


def test_a_certificate_put_where_the_guide_says_is_never_built_into_an_image():
    # Every image's build copies config/ (the app's and Janus's whole folder), and a later
    # `rm` in another layer does not take a file out of the image's history.
    for path in ("config/deploy/certs/privkey.pem", "config/deploy/certs/fullchain.pem"):
        assert excluded_from_build(path), path
    for path in ("config/default.toml", "config/deploy/nginx.conf", "app/__init__.py"):
        assert not excluded_from_build(path), path
