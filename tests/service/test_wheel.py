"""The built wheel installs and works on its own: templates, static files, translations and migrations are
inside it, and the installed `werkkring` command sets up a database and serves pages from the wheel's copy,
not from this source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _source_copy(target: Path) -> Path:
    """The files git tracks, copied: setuptools writes build/ beside the sources, which must not be ours."""
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_pip_install_of_the_built_wheel_works(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    source = _source_copy(tmp_path / "source")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(source)],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("werkkring-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "werkkring/web/templates/base.html",
        "werkkring/web/static/style.css",
        "werkkring/locale/nl/LC_MESSAGES/messages.mo",
        "werkkring/store/migrations/env.py",
        "werkkring/outreach/templates/newsletter.html",
    ):
        assert expected in names, expected
    metadata = next(n for n in names if n.endswith("METADATA"))
    assert "License-Expression: AGPL-3.0-or-later" in zipfile.ZipFile(wheel).read(metadata).decode()

    # A new environment that sees this one's dependencies (a .pth file) but not its editable werkkring.
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)],
        check=True,
    )
    work = tmp_path / "work"
    work.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WERKKRING_")},
        "WERKKRING_DATABASE_URL": f"sqlite:///{work}/w.db",
        "PYTHONPATH": "",
    }
    where = subprocess.run(
        [str(python), "-c", "import werkkring; print(werkkring.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
    ).stdout
    assert where.startswith(site), where
    command = env_dir / "bin" / "werkkring"
    subprocess.run([str(command), "init"], check=True, env=env, cwd=work, capture_output=True)
    subprocess.run(
        [str(command), "demo", "--members", "20"], check=True, env=env, cwd=work, capture_output=True
    )
    page = subprocess.run(
        [
            str(python),
            "-c",
            "from fastapi.testclient import TestClient; from werkkring.web.app import create_app; "
            "c = TestClient(create_app()); r = c.get('/signin'); s = c.get('/static/style.css'); "
            "print(r.status_code, s.status_code, 'Aanmelden' in r.text)",
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**env, "WERKKRING_JOBS_URL": "immediate"},
        cwd=work,
    ).stdout.split()
    assert page == ["200", "200", "True"]
