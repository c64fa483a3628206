"""The wheel is self-contained: installed into a fresh virtual environment and imported
from elsewhere, the package finds its templates, catalogs, static files, settings files,
migrations and Janus templates inside itself (app/paths.py, setup.py), not in a checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = textwrap.dedent("""
    import json, sys, tempfile
    from pathlib import Path
    import app, app.paths as paths
    from app.application import create_app
    from app.i18n import Renderer
    from app.janus_config import render_janus_config
    from app.migrate import discover
    from app.settings import load_settings
    environ = {"SNABB_APP_SECRET_KEY": "s" * 32, "DATABASE_URL": "postgresql://u:p@h/d",
               "SNABB_JANUS_ADMIN_SECRET": "a" * 32, "SNABB_JANUS_ROOM_ADMIN_KEY": "r" * 32,
               "SNABB_JANUS_EVENT_SECRET": "e" * 32}
    settings = load_settings(environ)
    renderer = Renderer()
    page = renderer.render("sv", "_forms.html", {})
    out = Path(tempfile.mkdtemp())
    written = render_janus_config(settings, out, "janus1", lib_dir="/usr/lib/janus")
    create_app(settings)  # the static route needs its folder
    print(json.dumps({
        "package": app.__file__, "data": str(paths.DATA_ROOT),
        "log_in_sv": renderer.gettext("sv")("Log in"),
        "migrations": len(discover()), "janus_files": len(written),
        "css": (paths.STATIC_DIR / "css" / "site.css").is_file(),
        "port": settings.app.port}))
""")


def test_the_installed_wheel_finds_its_files_in_itself(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    (wheel,) = wheels.glob("snabbintervjuer-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    # The dependencies come from the test environment (a .pth adds its site-packages, whose
    # own .pth files, among them the editable install of this checkout, are not read).
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(
        subprocess.run([str(python), "-c", where], check=True, capture_output=True, text=True).stdout.strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    result = subprocess.run(
        [str(python), "-c", CHECK],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["package"].startswith(str(site)), found
    assert found["data"] == str(site / "app" / "_data")
    assert found["log_in_sv"] == "Logga in"
    assert found["migrations"] == len(list((ROOT / "app" / "migrations").glob("*.sql")))
    assert found["janus_files"] == len(list((ROOT / "janus").glob("*.jcfg.j2")))
    assert found["css"] and found["port"] == 8080
