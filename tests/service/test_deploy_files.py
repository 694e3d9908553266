"""The production files in deploy/ hold together: every werkkring command the systemd units run exists with
the options they give it, the units pass `systemd-analyze verify`, and docs/deploy.md points at files that
are there."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))


def _werkkring_commands() -> list[list[str]]:
    commands = []
    for unit in DEPLOY.glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                words = shlex.split(line.removeprefix("ExecStart="))
                if words[0].endswith("/sh"):
                    words = shlex.split(words[-1].removeprefix("exec "))
                if words[0].endswith("/werkkring"):
                    commands.append(words[1:])
    return commands


def test_the_units_run_real_werkkring_commands_with_real_options() -> None:
    commands = _werkkring_commands()
    assert {c[0] for c in commands} == {"serve", "worker", "backup"}
    for arguments in commands:
        # Click reads every option before it answers --help: an unknown one fails with exit status 2.
        checked = [a for a in arguments if "$(" not in a]
        result = subprocess.run(
            [sys.executable, "-m", "werkkring", *checked, "--help"], capture_output=True, text=True
        )
        assert result.returncode == 0, (arguments, result.stderr)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    for unit in UNITS:
        text = unit.read_text().replace(
            "/opt/werkkring/venv/bin/werkkring", shutil.which("true") or "/bin/true"
        )
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *[str(tmp_path / u.name) for u in UNITS]],
        capture_output=True,
        text=True,
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        # This machine has no werkkring user, PostgreSQL or Redis units; the units are checked, not run.
        if line.strip()
        and not re.search(r"User|Group|postgresql|redis|network-online|Failed to look up", line)
    ]
    assert not problems, "\n".join(problems)


def test_the_deploy_guide_names_files_that_exist() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for target in re.findall(r"\]\((\.\./deploy/[^)]+)\)", guide):
        assert (ROOT / "docs" / target).resolve().exists(), target
    for name in re.findall(r"deploy/([\w.-]+)", guide):
        assert (DEPLOY / name).exists() or name in {"werkkring-"}, name
