"""Render the Janus configuration templates in janus/ from the settings.

The rendered files hold secrets (admin secret, room admin key, event secret), so they are
written readable by their owner only, into a folder outside the repository's tracked files.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import jinja2

from app.settings import Settings, load_settings_or_exit

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "janus"
JANUS_LIB_DIR = "/usr/lib/x86_64-linux-gnu/janus"


def libconfig_string(value: object) -> str:
    """A quoted libconfig string; JSON's escaping is the same for quotes and backslashes."""
    return json.dumps(str(value))


def render_janus_config(settings: Settings, out_dir: Path, server_name: str = "janus1",
                        lib_dir: str = JANUS_LIB_DIR) -> list[Path]:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
                                     undefined=jinja2.StrictUndefined, autoescape=False,
                                     keep_trailing_newline=True, trim_blocks=True,
                                     lstrip_blocks=True)
    environment.filters["q"] = libconfig_string
    janus = settings.janus
    context = {
        "s": settings.janus_server, "configs_folder": str(out_dir.resolve()),
        "lib_dir": lib_dir, "server_name": server_name,
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
