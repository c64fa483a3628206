"""Render the Janus configuration templates in janus/ from the settings.

The rendered files hold secrets (admin secret, room admin key, event secret), so they are
written readable by their owner only, into a folder outside the repository's tracked files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import sysconfig
from pathlib import Path

import jinja2

from app.paths import JANUS_TEMPLATES_DIR as TEMPLATES_DIR
from app.settings import Settings, load_settings_or_exit


def janus_lib_dir() -> str:
    """Where Janus's plugins are: Debian puts them under the architecture's multiarch folder
    (/usr/lib/x86_64-linux-gnu/janus, /usr/lib/aarch64-linux-gnu/janus, …); a Janus built
    from source under /usr/lib/janus or /usr/local/lib/janus. JANUS_LIB_DIR overrides."""
    if os.environ.get("JANUS_LIB_DIR"):
        return os.environ["JANUS_LIB_DIR"]
    multiarch = sysconfig.get_config_var("MULTIARCH")
    candidates = [
        *([f"/usr/lib/{multiarch}/janus"] if multiarch else []),
        *sorted(str(p) for p in Path("/usr/lib").glob("*/janus")),
        "/usr/lib/janus",
        "/usr/local/lib/janus",
        "/opt/janus/lib/janus",
    ]
    return next((c for c in candidates if Path(c, "plugins").is_dir()), candidates[0])


def libconfig_string(value: object) -> str:
    """A quoted libconfig string; JSON's escaping is the same for quotes and backslashes."""
    return json.dumps(str(value))


def render_janus_config(
    settings: Settings, out_dir: Path, server_name: str = "janus1", lib_dir: str | None = None
) -> list[Path]:
    lib_dir = lib_dir or janus_lib_dir()
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["q"] = libconfig_string
    janus = settings.janus
    context = {
        "s": settings.janus_server,
        "configs_folder": str(out_dir.resolve()),
        "lib_dir": lib_dir,
        "server_name": server_name,
        "admin_secret": janus.admin_secret.get_secret_value(),
        "room_admin_key": janus.room_admin_key.get_secret_value(),
        "event_secret": janus.event_secret.get_secret_value(),
        "turn_password": settings.janus_server.turn_password.get_secret_value(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for template in sorted(TEMPLATES_DIR.glob("*.jcfg.j2")):
        target = out_dir / template.name.removesuffix(".j2")
        text = environment.get_template(template.name).render(context)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        os.chmod(target, 0o600)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render Janus .jcfg files from the settings")
    parser.add_argument("out_dir", type=Path, help="folder to write the .jcfg files into")
    parser.add_argument("--server-name", default="janus1", help="this Janus server's name")
    args = parser.parse_args(argv)
    settings = load_settings_or_exit()
    for path in render_janus_config(settings, args.out_dir, args.server_name):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
