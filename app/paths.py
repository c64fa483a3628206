"""Where the package's files are: templates, static files, catalogs, settings, Janus templates.

In a source tree (and an editable install) they are the repository's own folders beside
`app/`. A wheel carries copies of them inside the package, in `app/_data/` (setup.py puts
them there), so an installed package needs no source tree and no particular working folder.
Migrations are package data of `app.migrations` either way.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_data"
DATA_ROOT = _BUNDLED if (_BUNDLED / "web").is_dir() else PACKAGE_DIR.parent

CONFIG_DIR = DATA_ROOT / "config"
LOCALES_DIR = DATA_ROOT / "locales"
TEMPLATES_DIR = DATA_ROOT / "web" / "templates"
STATIC_DIR = DATA_ROOT / "web" / "static"
JANUS_TEMPLATES_DIR = DATA_ROOT / "janus"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
