"""Keep the catalogs in locales/ in step with the code: `scripts/translations.py`.

Extracts every message into locales/messages.pot, then updates (or creates) the catalogs
for sv and en. Translate new entries in locales/sv/LC_MESSAGES/messages.po; English is the
source language, so its catalog may stay untranslated. The test suite fails while a
Swedish entry is missing or fuzzy.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
PYBABEL = str(Path(sys.executable).with_name("pybabel"))
# The catalogs' line width (pybabel's default, 76, would rewrap every long entry).
WIDTH = "100"


def run(*args: str) -> None:
    subprocess.run([PYBABEL, *args], check=True, cwd=ROOT)


def main() -> None:
    run(
        "extract",
        "-F",
        "locales/babel.cfg",
        "-o",
        "locales/messages.pot",
        "--no-location",
        "--sort-output",
        "--width",
        WIDTH,
        "--keyword",
        "Np_:1,2",  # app/i18n.py: a text with a count, both forms
        "--project",
        "Snabbintervjuer",
        "--copyright-holder",
        "The Snabbintervjuer developers",
        ".",
    )
    for language in ("sv", "en"):
        catalog = LOCALES / language / "LC_MESSAGES" / "messages.po"
        if catalog.exists():
            run(
                "update",
                "-i",
                "locales/messages.pot",
                "-d",
                "locales",
                "-l",
                language,
                "--no-fuzzy-matching",
                "--width",
                WIDTH,
                "--ignore-obsolete",
            )
        else:
            run("init", "-i", "locales/messages.pot", "-d", "locales", "-l", language)


if __name__ == "__main__":
    main()
