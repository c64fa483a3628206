"""Packaging: the metadata is in setup.cfg; this adds the non-Python files a wheel must carry.

A wheel's `app/_data/` gets copies of web/templates, web/static (with the vendored browser
libraries when scripts/bootstrap or the Dockerfile fetched them), locales (the catalogs,
compiled here), config/*.toml and the Janus templates, so that an installed package finds
them from its own location (app/paths.py). An editable install reads the source tree.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {  # source folder: which files
    "web/templates": ("**/*",),
    "web/static": ("**/*",),
    "locales": ("**/*.po", "**/*.pot"),
    "config": ("*.toml",),
    "janus": ("*.jcfg.j2",),
}


class build_py_with_data(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # app/paths.py falls back to the source tree
        target = Path(self.build_lib) / "app" / "_data"
        for folder, patterns in BUNDLED.items():
            for pattern in patterns:
                for source in sorted((ROOT / folder).glob(pattern)):
                    if source.is_file() and "node_modules" not in source.parts:
                        copy = target / source.relative_to(ROOT)
                        copy.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(source, copy)
        self._compile_catalogs(target / "locales")

    @staticmethod
    def _compile_catalogs(locales: Path) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in locales.glob("*/LC_MESSAGES/*.po"):
            with po.open("rb") as handle:
                catalog = read_po(handle)
            with po.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog)


setup(cmdclass={"build_py": build_py_with_data})
