"""A PDF's text as poppler's pdftotext lays it out (pages parted by form feeds)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
